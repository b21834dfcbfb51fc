"""Numbered releases: `etnc-db release` freezes the published state (the fact versions
current now, the source documents with their sha256, the curated folder's git commit,
row counts and the data-quality result) as `vYYYY.MM.N`, and stores its delta against
the previous release; `etnc-db diff A B` compares any two; `write_delta_csv` writes the
latest delta for exports (docs/history.md).

A release is refused (one line) while the last `etnc-db check` failed or is older than
the last run that changed data, and while review candidates of the released documents
are pending unless allowed. It is made in one transaction
holding the run lock, so no load can change the data while it is frozen."""

from __future__ import annotations

import csv
import json
import re
import subprocess
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import psycopg
from psycopg.rows import dict_row

TAG = re.compile(r"^v(\d{4})\.(\d{2})\.(\d+)$")
HISTORY_TABLES = ("fact_versions", "key_redirects", "withdrawn_keys", "releases", "release_documents",
                  "release_facts", "release_changes")
DELTA_COLUMNS = ("release_tag", "previous_release_tag", "fact_key", "fact_type", "change", "changed_fields",
                 "old_values", "new_values", "reason", "reason_text", "redirect_to")


class ReleaseRefused(Exception):
    """A release cannot be made now; `str()` is the one-line reason."""


@dataclass
class ReleaseOptions:
    tag: str | None = None  # default: the next vYYYY.MM.N
    allow_pending: bool = False
    note: str | None = None
    wait_seconds: float = 60.0  # for a running load's lock
    today: date | None = None  # for the default tag (tests)


@dataclass
class ReleaseSummary:
    release_id: int
    tag: str
    run_id: int
    check_run_id: int
    fact_count: int
    documents: int
    curated_state: str
    curated_commit: str | None
    previous_tag: str | None
    pending_candidates: int
    delta: dict[str, int] = field(default_factory=dict)  # change -> fact keys


# -- the refusals -------------------------------------------------------------------------------


def check_state(conn: psycopg.Connection) -> tuple[int, int]:
    """(the last succeeded load/build run, the check run that validated it); raises
    ReleaseRefused when no check passed after the last run that changed data."""
    last_run = conn.execute("SELECT max(run_id) FROM etl.runs WHERE status = 'succeeded' AND command <> 'check'").fetchone()[0]
    if last_run is None:
        raise ReleaseRefused("nothing to release: no build or load has succeeded yet (run etnc-db run)")
    changed = conn.execute(
        "SELECT max(run_id) FROM etl.runs WHERE status = 'succeeded' AND command <> 'check' "
        "AND rows_inserted + rows_updated + rows_deleted > 0").fetchone()[0]
    check = conn.execute("SELECT run_id, status FROM etl.runs WHERE command = 'check' AND status <> 'running' "
                         "ORDER BY run_id DESC LIMIT 1").fetchone()
    if check is None:
        raise ReleaseRefused("no etnc-db check has validated the data: run etnc-db check first")
    if check[1] != "succeeded":
        raise ReleaseRefused(f"the last etnc-db check (run {check[0]}) failed: run etnc-db check first "
                             "(and fix what it reports)")
    if changed is not None and check[0] < changed:
        raise ReleaseRefused(f"the last etnc-db check (run {check[0]}) is older than run {changed}, which changed "
                             "data: run etnc-db check first")
    return last_run, check[0]


def pending_candidates(conn: psycopg.Connection, document_keys: list[str]) -> int:
    """Review candidates of these documents still waiting for a person."""
    return conn.execute(
        "SELECT count(*) FROM review.candidates c JOIN core.documents d USING (document_id) "
        "WHERE c.status = 'pending' AND d.document_key = ANY(%s)", (document_keys,)).fetchone()[0]


def next_tag(conn: psycopg.Connection, today: date) -> str:
    """vYYYY.MM.N: this month's next number."""
    prefix = f"v{today:%Y.%m}."
    numbers = [int(TAG.match(t).group(3)) for (t,) in conn.execute(
        "SELECT tag FROM core.releases WHERE tag LIKE %s", (prefix + "%",)) if TAG.match(t)]
    return f"{prefix}{max(numbers, default=0) + 1}"


def curated_git_state(folder: Path) -> tuple[str, str | None]:
    """('clean', commit) when `folder` is in a git repository without uncommitted or
    untracked changes under it; ('dirty', None) otherwise; ('not_git', None) outside git."""

    def git(*args: str) -> subprocess.CompletedProcess | None:
        try:
            return subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True, timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            return None

    top = git("rev-parse", "--show-toplevel")
    if top is None or top.returncode != 0:
        return "not_git", None
    status = git("status", "--porcelain", "--untracked-files=all", "--", ".")
    head = git("rev-parse", "--verify", "HEAD")
    if status is None or status.returncode != 0 or status.stdout.strip() or head is None or head.returncode != 0:
        return "dirty", None
    return "clean", head.stdout.strip()


# -- making a release -------------------------------------------------------------------------


def create_release(url: str, curated_dir: Path, options: ReleaseOptions) -> ReleaseSummary:
    """Freeze the published state as a release (one transaction under the run lock)."""
    from etnc_db.db import ledger

    with psycopg.connect(url) as conn:
        ledger.acquire_lock(conn, options.wait_seconds)
        run_id, check_run_id = check_state(conn)
        documents = [k for (k,) in conn.execute("SELECT document_key FROM core.documents ORDER BY 1")]
        pending = pending_candidates(conn, documents)
        if pending and not options.allow_pending:
            raise ReleaseRefused(f"{pending} review candidate(s) of the released documents are pending: review "
                                 "them first, or use --allow-pending")
        tag = _tag(conn, options)
        _check_history(conn)
        state, commit = curated_git_state(curated_dir)
        release_id, previous = _insert_release(conn, tag, (run_id, check_run_id), (state, commit), pending, options.note)
        conn.execute("INSERT INTO core.release_documents (release_id, document_key, file_name, sha256) "
                     "SELECT %s, document_key, file_name, sha256 FROM core.documents", (release_id,))
        facts = conn.execute(
            "INSERT INTO core.release_facts (release_id, fact_key, fact_version_id) SELECT %s, v.fact_key, "
            "v.fact_version_id FROM core.fact_versions v JOIN core.facts f USING (fact_key) "
            "WHERE upper_inf(v.valid_runs) AND v.change <> 'removed'", (release_id,)).rowcount
        conn.execute("UPDATE core.releases SET fact_count = %s WHERE release_id = %s", (facts, release_id))
        conn.execute(f"INSERT INTO core.release_changes ({', '.join(_DELTA_FIELDS)}) SELECT %(b)s, {', '.join(_DELTA_FIELDS[1:])} "
                     f"FROM ({DELTA_SQL}) d", {"a": previous[0], "b": release_id})
        delta = dict(conn.execute("SELECT change, count(*) FROM core.release_changes WHERE release_id = %s GROUP BY 1",
                                  (release_id,)).fetchall())
        conn.commit()
    return ReleaseSummary(release_id, tag, run_id, check_run_id, facts, len(documents), state, commit, previous[1],
                          pending, delta)


def _tag(conn: psycopg.Connection, options: ReleaseOptions) -> str:
    tag = options.tag or next_tag(conn, options.today or datetime.now(UTC).date())
    if not TAG.match(tag):
        raise ReleaseRefused(f"tag {tag!r} is not vYYYY.MM.N (e.g. v2026.06.1)")
    if conn.execute("SELECT 1 FROM core.releases WHERE tag = %s", (tag,)).fetchone():
        raise ReleaseRefused(f"release {tag} already exists")
    return tag


def _check_history(conn: psycopg.Connection) -> None:
    """Every published fact has a current version (the history step keeps it so)."""
    missing = conn.execute(
        "SELECT count(*), min(f.fact_key) FROM core.facts f WHERE NOT EXISTS (SELECT 1 FROM core.fact_versions v "
        "WHERE v.fact_key = f.fact_key AND upper_inf(v.valid_runs) AND v.change <> 'removed')").fetchone()
    if missing[0]:
        raise ReleaseRefused(f"{missing[0]} published fact(s) have no current version in the history (first: "
                             f"{missing[1]}): run etnc-db load, then etnc-db check")


def _insert_release(conn: psycopg.Connection, tag: str, runs: tuple[int, int], curated: tuple[str, str | None],
                    pending: int | None, note: str | None) -> tuple[int, tuple[int | None, str | None]]:
    """The release row (fact_count filled in later): the (data, check) runs, the curated
    folder's (state, commit), row counts and the check's result; returns its id and the
    previous release's (id, tag)."""
    (run_id, check_run_id), (state, commit) = runs, curated
    previous = conn.execute("SELECT release_id, tag FROM core.releases ORDER BY release_id DESC LIMIT 1").fetchone()
    counts = {}
    for (table,) in conn.execute("SELECT relname FROM pg_class WHERE relnamespace = 'core'::regnamespace "
                                 "AND relkind = 'r' AND NOT relname = ANY(%s) ORDER BY 1", (list(HISTORY_TABLES),)).fetchall():
        counts[f"core.{table}"] = conn.execute(f'SELECT count(*) FROM core."{table}"').fetchone()[0]
    dq = conn.execute(
        "SELECT jsonb_build_object('run_id', r.run_id, 'finished_at', r.finished_at, "
        "'passed', count(d.*) FILTER (WHERE d.success), 'failed', count(d.*) FILTER (WHERE NOT d.success)) "
        "FROM etl.runs r LEFT JOIN etl.dq_results d ON d.run_id = r.run_id AND d.phase = 'check' "
        "WHERE r.run_id = %s GROUP BY r.run_id", (check_run_id,)).fetchone()[0]
    release_id = conn.execute(
        "INSERT INTO core.releases (tag, run_id, check_run_id, previous_release_id, curated_commit, curated_state, "
        "note, fact_count, row_counts, data_quality, pending_candidates) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s, 0, %s, %s, %s) RETURNING release_id",
        (tag, run_id, check_run_id, previous[0] if previous else None, commit, state, note, json.dumps(counts),
         json.dumps(dq), pending)).fetchone()[0]
    return release_id, (previous[0], previous[1]) if previous else (None, None)


# -- deltas ---------------------------------------------------------------------------------------

_DELTA_FIELDS = ("release_id", "fact_key", "fact_type", "change", "changed_fields", "old_values", "new_values",
                 "reason", "reason_text", "redirect_to", "old_version_id", "new_version_id")
# Release %(a)s -> release %(b)s (a may be NULL: everything in b is added), per fact key
# that differs. A key gone from b is `redirected` when its removal was a rename or merge,
# else `removed`, with the reason its history recorded.
DELTA_SQL = """
WITH a AS (SELECT rf.fact_key, v.fact_version_id, v.fact_type, v.fact_values FROM core.release_facts rf
           JOIN core.fact_versions v USING (fact_version_id) WHERE rf.release_id = %(a)s),
b AS (SELECT rf.fact_key, v.fact_version_id, v.fact_type, v.fact_values FROM core.release_facts rf
      JOIN core.fact_versions v USING (fact_version_id) WHERE rf.release_id = %(b)s),
pair AS (SELECT coalesce(a.fact_key, b.fact_key) AS fact_key, coalesce(b.fact_type, a.fact_type) AS fact_type,
                a.fact_version_id AS old_id, b.fact_version_id AS new_id, a.fact_values AS old_v, b.fact_values AS new_v
         FROM a FULL JOIN b ON b.fact_key = a.fact_key
         WHERE a.fact_key IS NULL OR b.fact_key IS NULL OR a.fact_values IS DISTINCT FROM b.fact_values)
SELECT p.fact_key, p.fact_type,
       CASE WHEN p.old_id IS NULL THEN 'added' WHEN p.new_id IS NOT NULL THEN 'changed'
            WHEN t.removal_reason IN ('renamed', 'merged') THEN 'redirected' ELSE 'removed' END AS change,
       coalesce(d.fields, '{}') AS changed_fields, d.old_values, d.new_values,
       t.removal_reason AS reason, t.reason_text, t.redirect_to, p.old_id AS old_version_id, p.new_id AS new_version_id
FROM pair p
LEFT JOIN LATERAL (
    SELECT v.removal_reason, v.reason_text, v.redirect_to FROM core.fact_versions v
    WHERE p.new_id IS NULL AND v.fact_key = p.fact_key AND v.change = 'removed'
      AND v.run_id <= (SELECT r.run_id FROM core.releases r WHERE r.release_id = %(b)s)
    ORDER BY v.version DESC LIMIT 1) t ON true
LEFT JOIN LATERAL (
    SELECT array_agg(k ORDER BY k) AS fields, jsonb_object_agg(k, p.old_v -> k) AS old_values,
           jsonb_object_agg(k, p.new_v -> k) AS new_values
    FROM (SELECT jsonb_object_keys(p.old_v) UNION SELECT jsonb_object_keys(p.new_v)) ks(k)
    WHERE p.old_id IS NOT NULL AND p.new_id IS NOT NULL AND p.old_v -> k IS DISTINCT FROM p.new_v -> k) d ON true
ORDER BY p.fact_key
"""


def release_id(conn: psycopg.Connection, name: str) -> int:
    """A release by tag (or by number)."""
    row = conn.execute("SELECT release_id FROM core.releases WHERE tag = %s OR release_id::text = %s "
                       "ORDER BY (tag = %s) DESC LIMIT 1", (name, name, name)).fetchone()
    if row is None:
        raise ReleaseRefused(f"unknown release {name!r} (see mart.dim_release)")
    return row[0]


def diff(conn: psycopg.Connection, release_a: str, release_b: str) -> list[dict]:
    """Per fact key that differs from release A to release B: change, changed fields with
    old and new values, reason, redirect target."""
    a, b = release_id(conn, release_a), release_id(conn, release_b)
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(DELTA_SQL, {"a": a, "b": b}).fetchall()


def write_delta_csv(conn: psycopg.Connection, folder: Path | str) -> Path:
    """Write `delta.csv` into `folder`: the latest release against the previous one, one
    row per fact key that differs (DELTA_COLUMNS; values as JSON text, changed fields
    joined by '; '). Only a header when there is no release yet. Reads; never commits."""
    path = Path(folder) / "delta.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = conn.execute(
        "SELECT r.tag, p.tag, c.fact_key, c.fact_type, c.change, array_to_string(c.changed_fields, '; '), "
        "c.old_values::text, c.new_values::text, c.reason, c.reason_text, c.redirect_to "
        "FROM core.release_changes c JOIN core.releases r USING (release_id) "
        "LEFT JOIN core.releases p ON p.release_id = r.previous_release_id "
        "WHERE c.release_id = (SELECT max(release_id) FROM core.releases) ORDER BY c.fact_key").fetchall()
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(DELTA_COLUMNS)
        writer.writerows(rows)
    return path
