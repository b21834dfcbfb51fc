"""The run lock and the run ledger (etl.runs).

Lock: an EXCLUSIVE lock on the empty table etl.run_lock, taken in the run's own
transaction. Only roles that may write etl tables can take it (LOCK TABLE in that mode
needs UPDATE, DELETE or TRUNCATE on the table), so a read-only login cannot block loads,
and it ends with the transaction, whatever ends the process.

Ledger: a run's row is created `running` on a short autocommit connection (so `status`
shows it at once), and finished in the run's own transaction: `succeeded` commits
together with the data, so "published" and "succeeded" can never disagree. A failed
run is rolled back and then recorded `failed` with its reason on a fresh connection. A
run killed outright stays `running`; the next run that holds the lock marks it failed
(nothing else can be running then)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import psycopg
from psycopg import errors
from psycopg.types.json import Jsonb


class LockTimeout(Exception):
    """Another etnc-db run holds the lock."""


def acquire_lock(conn: psycopg.Connection, wait_seconds: float) -> None:
    """Take the run lock in the current transaction, waiting up to `wait_seconds`."""
    timeout_ms = max(int(wait_seconds * 1000), 1)
    conn.execute(f"SET LOCAL lock_timeout = {timeout_ms}")
    try:
        with conn.transaction():
            conn.execute("LOCK TABLE etl.run_lock IN EXCLUSIVE MODE")
    except errors.LockNotAvailable:
        raise LockTimeout(
            "another etnc-db run is in progress on this database "
            f"(waited {wait_seconds:g}s; use --wait SECONDS to wait longer)"
        ) from None
    conn.execute("SET LOCAL lock_timeout = 0")


def mark_abandoned(conn: psycopg.Connection) -> int:
    """Runs left `running` by a killed process become failed (call holding the lock)."""
    return conn.execute(
        "UPDATE etl.runs SET status = 'failed', finished_at = now(), "
        "error = 'abandoned: the process ended without finishing (killed or crashed)' "
        "WHERE status = 'running'"
    ).rowcount


def start(url: str, command: str, corpus_path: str) -> int:
    """A new `running` row, committed at once on its own connection."""
    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute(
            "INSERT INTO etl.runs (command, corpus_path, status, started_at) "
            "VALUES (%s, %s, 'running', now()) RETURNING run_id",
            (command, corpus_path),
        ).fetchone()[0]


def finish(conn: psycopg.Connection, run_id: int, *, status: str, error: str | None = None,
           details: dict[str, Any] | None = None) -> None:
    """Write the run's outcome on `conn` (the run's transaction for `succeeded`).
    `details`: any of table_counts (table -> inserted/updated/deleted), documents,
    timings and warnings."""
    details = details or {}
    counts = details.get("table_counts") or {}
    conn.execute(
        "UPDATE etl.runs SET status = %s, finished_at = %s, error = %s, "
        "rows_inserted = %s, rows_updated = %s, rows_deleted = %s, "
        "table_counts = %s, documents = %s, timings = %s, warnings = %s WHERE run_id = %s",
        (
            status, datetime.now(UTC), error,
            sum(c.get("inserted", 0) for c in counts.values()),
            sum(c.get("updated", 0) for c in counts.values()),
            sum(c.get("deleted", 0) for c in counts.values()),
            Jsonb(counts), Jsonb(details.get("documents") or []), Jsonb(details.get("timings") or {}),
            Jsonb(details.get("warnings") or []), run_id,
        ),
    )


def record_failure(url: str, run_id: int, error: str, details: dict[str, Any], after=None) -> bool:
    """Record a failed run on a fresh connection (the run's own may be gone), then call
    `after(conn)` (e.g. to keep the gate's results). False when the database cannot be
    reached; the next run then marks the run abandoned."""
    try:
        with psycopg.connect(url, autocommit=True, connect_timeout=10) as conn:
            finish(conn, run_id, status="failed", error=error, details=details)
            if after is not None:
                after(conn)
        return True
    except psycopg.Error:
        return False


def record_rejects(conn: psycopg.Connection, run_id: int, rejects: list[tuple[str, int | None, str]]) -> None:
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO etl.rejects (run_id, file, line, reason) VALUES (%s, %s, %s, %s)",
            [(run_id, f, line, reason) for f, line, reason in rejects],
        )
