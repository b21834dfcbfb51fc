"""A read-only login cannot stop loads or schema changes (issue 11, items 2 and 9).

The reader is a real `etnc-db db create-reader` role. It tries every lock it might use
against a run: the advisory keys etnc-db uses or used, LOCK TABLE on the run lock and on
the mart relations, and an open transaction that has read every mart view. Blocking is
seen by the server (`pg_blocking_pids`), not inferred from timing."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import psycopg
import pytest
from psycopg import errors, sql

from etnc_db.db.session import MIGRATION_LOCK_ID, current_revision, head_revision

# the run lock's advisory key before it moved to etl.run_lock (the reproduction)
OLD_RUN_LOCK_ID = 1163152963


def as_reader(url: str, role: str, autocommit: bool = True) -> psycopg.Connection:
    """A session running as the reader (SET ROLE: privileges are checked as the reader)."""
    conn = psycopg.connect(url, autocommit=True)
    conn.execute(sql.SQL("SET ROLE {}").format(sql.Identifier(role)))
    conn.autocommit = autocommit
    return conn


def hold_advisory_locks(url: str, role: str) -> psycopg.Connection:
    conn = as_reader(url, role)
    for key in (MIGRATION_LOCK_ID, OLD_RUN_LOCK_ID):
        assert conn.execute("SELECT pg_try_advisory_lock(%s)", (key,)).fetchone()[0]
    return conn


def etnc_db(url: str, *args: str) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": url}
    env.pop("ETNC_FAULT_AT", None)
    return subprocess.Popen([sys.executable, "-c", "from etnc_db.cli import app; app()", *args],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish_unblocked(url: str, proc: subprocess.Popen, blockers: list[int], timeout: float = 600) -> str:
    """Wait for `proc`; fail (and kill it) as soon as the server shows one of its
    backends waiting for a lock one of `blockers` holds."""
    deadline = time.monotonic() + timeout
    with psycopg.connect(url, autocommit=True) as watch:
        while proc.poll() is None and time.monotonic() < deadline:
            blocked = watch.execute(
                "SELECT pid, query FROM pg_stat_activity WHERE datname = current_database() "
                "AND pg_blocking_pids(pid) && %s::int[]", (blockers,)).fetchall()
            if blocked:
                proc.kill()
                proc.communicate()
                raise AssertionError(f"the reader blocks {blocked}")
            time.sleep(0.1)
    out, err = proc.communicate(timeout=max(deadline - time.monotonic(), 1))
    assert proc.returncode == 0, err
    return out


@pytest.mark.parametrize("statement", [
    "LOCK TABLE etl.run_lock IN EXCLUSIVE MODE",
    "LOCK TABLE etl.run_lock IN ACCESS SHARE MODE",
    "LOCK TABLE mart.fct_investment IN ACCESS EXCLUSIVE MODE",
    "LOCK TABLE mart.fct_investment IN EXCLUSIVE MODE",
    "LOCK TABLE mart.fct_investment IN SHARE MODE",
    "LOCK TABLE mart.dim_document IN SHARE ROW EXCLUSIVE MODE",
    "LOCK TABLE mart_cache.fct_fact IN SHARE MODE",
    "LOCK TABLE core.documents IN ACCESS SHARE MODE",
    # row locks through a view would hold off the load's updates of those rows
    "SELECT * FROM mart.dim_document FOR KEY SHARE",
    "SELECT * FROM mart.dim_document FOR SHARE",
    "SELECT * FROM mart.dim_country FOR UPDATE",
    "SELECT * FROM mart.fct_investment FOR NO KEY UPDATE",
])
def test_reader_cannot_take_a_lock_that_loads_wait_for(built_db, reader, statement):
    with as_reader(built_db, reader, autocommit=False) as conn:
        with pytest.raises(errors.InsufficientPrivilege):
            conn.execute(statement)


def test_reader_holding_advisory_locks_and_an_open_read_does_not_block_a_load(built_db, reader, corpus_copy):
    """An ordinary load with a new document, while the reader holds the advisory keys and
    sits idle in a transaction that has read every mart relation (ACCESS SHARE on each
    view, its materialized storage and the core tables under it)."""
    held = hold_advisory_locks(built_db, reader)
    reading = as_reader(built_db, reader, autocommit=False)
    views = [r[0] for r in reading.execute("SELECT table_name FROM information_schema.tables "
                                           "WHERE table_schema = 'mart' ORDER BY 1")]
    assert len(views) >= 13
    for view in views:
        reading.execute(sql.SQL("SELECT * FROM mart.{} LIMIT 1").format(sql.Identifier(view))).fetchall()
    paragraph = "Huawei opened a research centre in Munich with 300 engineers, the company said.\n"
    (corpus_copy / "reader-test-note.txt").write_text("Reader test note\n" + paragraph * 20, encoding="utf-8")
    try:
        blockers = [held.info.backend_pid, reading.info.backend_pid]
        proc = etnc_db(built_db, "load", "--corpus", str(corpus_copy))
        out = finish_unblocked(built_db, proc, blockers)
        assert "inserted" in out, out
    finally:
        reading.close()
        held.close()


def test_reader_holding_the_advisory_locks_does_not_stop_a_migration(built_db, reader):
    """`etnc-db run` on a database one migration behind and with stale views migrates
    and refreshes them although the reader holds every advisory key etnc-db used."""
    previous = "0007"
    proc = etnc_db(built_db, "db", "downgrade", previous)
    assert proc.wait(timeout=300) == 0, proc.stderr.read()
    with psycopg.connect(built_db, autocommit=True) as conn:
        conn.execute("UPDATE etl.view_state SET checksum = 'stale'")
    assert current_revision(built_db) == previous
    held = hold_advisory_locks(built_db, reader)
    try:
        out = finish_unblocked(built_db, etnc_db(built_db, "run"), [held.info.backend_pid])
    finally:
        held.close()
    assert "nothing changed" in out, out
    assert current_revision(built_db) == head_revision()
    with psycopg.connect(built_db) as conn:
        assert conn.execute("SELECT checksum FROM etl.view_state").fetchone()[0] != "stale"


def test_four_concurrent_runs_on_a_new_database_all_succeed(empty_db):
    """The issue's reproduction: four `etnc-db run --wait` on a new database at once. One
    migrates while the others wait for it (no raw UniqueViolation from a second
    migration), then one builds while the others wait for the run lock and find nothing
    left to do."""
    procs = [etnc_db(empty_db, "run", "--wait", "900") for _ in range(4)]
    results = [(p.wait(timeout=1200), p.stdout.read(), p.stderr.read()) for p in procs]
    for code, _, err in results:
        assert code == 0, err
    assert sum("nothing changed" in out for _, out, _ in results) == 3, [out for _, out, _ in results]
    assert current_revision(empty_db) == head_revision()
    with psycopg.connect(empty_db) as conn:
        assert conn.execute("SELECT status, count(*) FROM etl.runs GROUP BY 1").fetchall() == [("succeeded", 4)]


def test_a_readers_open_transaction_bounds_a_view_change_instead_of_hanging(built_db, reader):
    """Re-creating the views needs ACCESS EXCLUSIVE on them, which a reader's open
    transaction holds off, as for any DDL. The schema change gives up after its lock
    timeout in one line, changing nothing and keeping nothing locked; once the reader's
    transaction ends it succeeds."""
    with psycopg.connect(built_db, autocommit=True) as conn:
        conn.execute("UPDATE etl.view_state SET checksum = 'stale'")
    reading = as_reader(built_db, reader, autocommit=False)
    reading.execute("SELECT count(*) FROM mart.fct_investment").fetchone()
    try:
        proc = etnc_db(built_db, "db", "upgrade")
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 1, out
        assert [line for line in err.splitlines() if line.strip()] == [
            "error: the schema change waited 30s for a lock another session holds (an open transaction reading "
            "the tables or views it changes?); try again when it has ended"], err
        with psycopg.connect(built_db) as conn:
            assert conn.execute("SELECT checksum FROM etl.view_state").fetchone()[0] == "stale"
            assert conn.execute("SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                                "WHERE c.relname = 'run_lock'").fetchone()[0] == 0
    finally:
        reading.close()
    proc = etnc_db(built_db, "db", "upgrade")
    assert proc.wait(timeout=300) == 0, proc.stderr.read()
    with psycopg.connect(built_db) as conn:
        assert conn.execute("SELECT checksum FROM etl.view_state").fetchone()[0] != "stale"
