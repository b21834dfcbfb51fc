"""The run ledger (etl.runs) and the lock that keeps two runs from interleaving.

A run's row is written and finished on its own autocommit connection, so a failed
run is recorded even though its data transaction rolled back. A run killed with
SIGKILL leaves its row at `running`; the next run that takes the lock marks such rows
failed (nothing else can be running while it holds the lock)."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

LOCK_ID = 0x45544E43  # "ETNC"


class LockTimeout(Exception):
    """Another etnc-db run holds the lock."""


def acquire_lock(conn: psycopg.Connection, wait_seconds: float) -> None:
    """Take the session advisory lock, waiting up to `wait_seconds` (0 = do not wait)."""
    deadline = time.monotonic() + max(wait_seconds, 0)
    while True:
        got = conn.execute("SELECT pg_try_advisory_lock(%s)", (LOCK_ID,)).fetchone()[0]
        if got:
            return
        if time.monotonic() >= deadline:
            raise LockTimeout(
                "another etnc-db run is in progress on this database "
                f"(waited {wait_seconds:g}s; use --wait SECONDS to wait longer)"
            )
        time.sleep(0.2)


def release_lock(conn: psycopg.Connection) -> None:
    conn.execute("SELECT pg_advisory_unlock(%s)", (LOCK_ID,))


class Ledger:
    """Writes etl.runs rows on a dedicated autocommit connection."""

    def __init__(self, url: str):
        self.conn = psycopg.connect(url, autocommit=True)

    def close(self) -> None:
        self.conn.close()

    def mark_abandoned(self) -> int:
        """Runs left `running` by a killed process become failed. Call holding the lock."""
        cur = self.conn.execute(
            "UPDATE etl.runs SET status = 'failed', finished_at = now(), "
            "error = 'abandoned: the process ended without finishing (killed or crashed)' "
            "WHERE status = 'running'"
        )
        return cur.rowcount

    def start(self, command: str, corpus_path: str) -> int:
        return self.conn.execute(
            "INSERT INTO etl.runs (command, corpus_path, status, started_at) "
            "VALUES (%s, %s, 'running', now()) RETURNING run_id",
            (command, corpus_path),
        ).fetchone()[0]

    def finish(self, run_id: int, *, status: str, error: str | None = None,
               table_counts: dict[str, dict[str, int]] | None = None,
               documents: list[dict[str, Any]] | None = None,
               timings: dict[str, float] | None = None) -> None:
        counts = table_counts or {}
        self.conn.execute(
            "UPDATE etl.runs SET status = %s, finished_at = %s, error = %s, "
            "rows_inserted = %s, rows_updated = %s, rows_deleted = %s, "
            "table_counts = %s, documents = %s, timings = %s WHERE run_id = %s",
            (
                status, datetime.now(UTC), error,
                sum(c.get("inserted", 0) for c in counts.values()),
                sum(c.get("updated", 0) for c in counts.values()),
                sum(c.get("deleted", 0) for c in counts.values()),
                Jsonb(counts), Jsonb(documents or []), Jsonb(timings or {}), run_id,
            ),
        )

    def record_rejects(self, run_id: int, rejects: list[tuple[str, int | None, str]]) -> None:
        with self.conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO etl.rejects (run_id, file, line, reason) VALUES (%s, %s, %s, %s)",
                [(run_id, f, line, reason) for f, line, reason in rejects],
            )
