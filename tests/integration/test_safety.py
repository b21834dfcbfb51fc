"""Load safety: a run is one transaction. Whatever stops it (SIGKILL at any stage, an
exception, Ctrl-C) leaves the published data exactly as before and the run recorded;
two runs never interleave; a reload of the same inputs touches nothing.

Faults are injected into a real `etnc-db load` subprocess with ETNC_FAULT_AT
(see etnc_db.faults)."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from typer.testing import CliRunner

from conftest import table_checksums
from etnc_db.cli import app
from etnc_db.pipeline import RunOptions, run

CHANGED_DOC = "000_8fe22c03e34f164c.txt"  # a news article without curated facts


def change_document(corpus: Path) -> None:
    """Append a paragraph to one document and update its sha256 in the manifest, so a
    load has real work: re-parse it, rewrite its rows, re-derive the facts."""
    path = corpus / CHANGED_DOC
    old = hashlib.sha256(path.read_bytes()).hexdigest()
    path.write_bytes(path.read_bytes() + b"\nHuawei opened a research centre in Germany.\n")
    new = hashlib.sha256(path.read_bytes()).hexdigest()
    manifest = corpus / "sources.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


@pytest.fixture
def changed_corpus(corpus_copy):
    change_document(corpus_copy)
    return corpus_copy


def start_load(url: str, corpus: Path, fault: str | None = None, *args: str) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": url, "ETNC_CORPUS": str(corpus)}
    env.pop("ETNC_FAULT_AT", None)
    if fault:
        env["ETNC_FAULT_AT"] = fault
    return subprocess.Popen(
        [sys.executable, "-c", "from etnc_db.cli import app; app()", "load", *args],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        # a shell without job control starts background jobs with SIGINT ignored, and the
        # child would inherit that; give it the default disposition a terminal has
        preexec_fn=_default_sigint,
    )


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def wait_for_fault(proc: subprocess.Popen, timeout: float = 120) -> str:
    """Read stderr until the fault hook announces itself."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if line.startswith("fault:"):
            return line
        if not line and proc.poll() is not None:
            raise AssertionError(f"load ended before the fault: {proc.returncode}")
    raise AssertionError("fault point not reached")


def runs(url: str) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(
            "SELECT run_id, command, status, error, started_at, finished_at FROM etl.runs ORDER BY run_id"
        ).fetchall()


@pytest.mark.parametrize("stage", ["documents_load", "facts", "gate", "commit"])
def test_sigkill_at_any_stage_leaves_data_unchanged(built_db, changed_corpus, settings, stage):
    before = table_checksums(built_db, schemas=("core", "mart"))
    proc = start_load(built_db, changed_corpus, f"{stage}:kill")
    proc.communicate(timeout=300)
    assert proc.returncode == -signal.SIGKILL
    assert table_checksums(built_db, schemas=("core", "mart")) == before
    killed = runs(built_db)[-1]
    assert killed[2] == "running"  # nobody could record it
    if stage == "commit":
        # the next run marks it abandoned, then does the work the killed run did not commit
        result = run(built_db, settings, RunOptions(command="test", corpus_dir=changed_corpus))
        assert result.status == "succeeded" and result.rows_changed > 0
        after = {r[0]: r for r in runs(built_db)}
        assert after[killed[0]][2] == "failed"
        assert after[killed[0]][3].startswith("abandoned")
        assert table_checksums(built_db, schemas=("core",)) != before


def test_exception_rolls_back_and_is_recorded(built_db, changed_corpus):
    before = table_checksums(built_db, schemas=("core", "mart"))
    proc = start_load(built_db, changed_corpus, "commit:raise")
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 1
    assert "failed and changed nothing: injected fault at commit" in err
    assert table_checksums(built_db, schemas=("core", "mart")) == before
    last = runs(built_db)[-1]
    assert last[2] == "failed" and last[3] == "injected fault at commit"


def _ctrl_c(proc: subprocess.Popen) -> str:
    """Send SIGINT to the load and wait for it to stop; its stderr."""
    proc.send_signal(signal.SIGINT)
    try:
        return proc.communicate(timeout=120)[1]
    except subprocess.TimeoutExpired:
        proc.kill()
        err = proc.communicate()[1]
        raise AssertionError(f"the load did not stop on Ctrl-C; its stderr ends: {err[-2000:]}") from None


def test_ctrl_c_rolls_back_and_is_recorded(built_db, changed_corpus):
    before = table_checksums(built_db, schemas=("core", "mart"))
    proc = start_load(built_db, changed_corpus, "gate:sleep=600")
    wait_for_fault(proc)
    err = _ctrl_c(proc)
    assert proc.returncode == 130, err
    assert "interrupted" in err
    assert table_checksums(built_db, schemas=("core", "mart")) == before
    last = runs(built_db)[-1]
    assert last[2] == "failed" and "interrupted" in last[3]


def test_lost_data_connection_is_recorded_with_its_reason(built_db, changed_corpus):
    """The server ends the run's connection mid-run: the run exits 1, nothing is
    published, and the ledger says why (recorded on a fresh connection)."""
    before = table_checksums(built_db, schemas=("core", "mart"))
    proc = start_load(built_db, changed_corpus, "gate:sleep=5")  # the gate's queries run after the sleep
    wait_for_fault(proc)
    with psycopg.connect(built_db, autocommit=True) as conn:
        ended = conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
            "AND application_name = 'etnc-db' AND pid <> pg_backend_pid()").fetchall()
    assert ended
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 1, err
    assert table_checksums(built_db, schemas=("core", "mart")) == before
    last = runs(built_db)[-1]
    assert last[2] == "failed" and "terminat" in last[3].lower()


def _wait_for_the_sleeping_query(url: str, timeout: float = 120) -> int:
    """The pid of the run's backend once the server shows it inside the injected
    pg_sleep (seen by the server, not inferred from timing)."""
    deadline = time.monotonic() + timeout
    with psycopg.connect(url, autocommit=True) as conn:
        while time.monotonic() < deadline:
            row = conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'etnc-db' "
                "AND state = 'active' AND query LIKE 'SELECT pg_sleep%'").fetchone()
            if row:
                return row[0]
            time.sleep(0.05)
    raise AssertionError("the run never reached its sleeping query")


def test_ctrl_c_during_a_query_exits_130_and_is_recorded(built_db, changed_corpus):
    """SIGINT while the run waits for the server (not between two Python statements):
    the query is cancelled, nothing is published, the run exits 130 and its row says it
    was interrupted."""
    before = table_checksums(built_db, schemas=("core", "mart"))
    proc = start_load(built_db, changed_corpus, "facts:query=600")
    _wait_for_the_sleeping_query(built_db)
    err = _ctrl_c(proc)
    assert proc.returncode == 130, err
    assert [line for line in err.splitlines() if line.startswith("error:")] == ["error: interrupted"], err
    assert table_checksums(built_db, schemas=("core", "mart")) == before
    last = runs(built_db)[-1]
    assert last[2] == "failed" and "interrupted" in last[3]


def test_connection_lost_during_a_query_is_recorded_with_its_reason(built_db, changed_corpus):
    """The server ends the run's backend while it runs a query: exit 1, one error line,
    nothing published, and the ledger keeps the reason (no rollback error instead)."""
    before = table_checksums(built_db, schemas=("core", "mart"))
    proc = start_load(built_db, changed_corpus, "facts:query=600")
    pid = _wait_for_the_sleeping_query(built_db)
    with psycopg.connect(built_db, autocommit=True) as conn:
        assert conn.execute("SELECT pg_terminate_backend(%s)", (pid,)).fetchone()[0]
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 1, err
    errors = [line for line in err.splitlines() if line.strip() and not line.startswith("fault:")]
    assert len(errors) == 1 and "terminat" in errors[0].lower(), err
    assert table_checksums(built_db, schemas=("core", "mart")) == before
    last = runs(built_db)[-1]
    assert last[2] == "failed" and "terminat" in last[3].lower()


def test_succeeded_is_written_with_the_data_not_on_an_idle_second_connection(built_db, changed_corpus):
    """Issue 11 item 3: the ledger was written after COMMIT on a second connection that
    sat idle through the run; when the server ended it (idle_session_timeout, a network
    blip) the data was published and the command still failed. With every new session
    of the database ended after 1 s idle and the run pausing 3 s before its commit, the
    run succeeds: its row is finished in the run's own transaction."""
    before = table_checksums(built_db, schemas=("core",))
    with psycopg.connect(built_db, autocommit=True) as conn:
        conn.execute(sql.SQL("ALTER DATABASE {} SET idle_session_timeout = '1s'").format(
            sql.Identifier(conn.info.dbname)))
    proc = start_load(built_db, changed_corpus, "commit:sleep=3")
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    assert "inserted" in out, out
    assert table_checksums(built_db, schemas=("core",)) != before
    last = runs(built_db)[-1]
    assert last[1:3] == ("load", "succeeded") and last[3] is None


def _waits_for_the_run_lock(url: str, timeout: float = 60) -> bool:
    """True once some backend waits on a lock while taking the run lock (seen by the
    server, not inferred from timing)."""
    deadline = time.monotonic() + timeout
    with psycopg.connect(url, autocommit=True) as conn:
        while time.monotonic() < deadline:
            if conn.execute(
                "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND query ILIKE 'LOCK TABLE etl.run_lock%')").fetchone()[0]:
                return True
            time.sleep(0.05)
    return False


def test_concurrent_runs_wait_or_refuse_and_never_interleave(built_db, changed_corpus):
    first = start_load(built_db, changed_corpus, "facts:sleep=4")
    wait_for_fault(first)  # holds the lock, documents written but not committed
    # a second run without --wait refuses at once, with a clear message
    refused = CliRunner().invoke(app, ["load"], env={"DATABASE_URL": built_db, "ETNC_CORPUS": str(changed_corpus),
                                                     "ETNC_FAULT_AT": ""})
    assert refused.exit_code == 1
    assert "another etnc-db run is in progress" in refused.output
    # a third one with --wait waits for the first and then finds nothing left to do
    waiting = start_load(built_db, changed_corpus, None, "--wait", "120")
    assert _waits_for_the_run_lock(built_db), "the --wait run never waited on the run lock"
    out1, err1 = first.communicate(timeout=300)
    out3, err3 = waiting.communicate(timeout=300)
    assert first.returncode == 0, err1
    assert waiting.returncode == 0, err3
    assert "nothing changed" in out3
    loads = [r for r in runs(built_db) if r[1] == "load"]
    assert [r[2] for r in loads] == ["succeeded", "succeeded"]  # the refused run never started one
    a, c = loads
    assert c[4] >= a[5]  # the waiting run started after the first had finished


def test_reload_touches_nothing_and_changes_are_logged(built_db, changed_corpus, settings):
    first = run(built_db, settings, RunOptions(command="test", corpus_dir=changed_corpus))
    assert first.rows_changed > 0
    before = table_checksums(built_db, schemas=("core",))
    second = run(built_db, settings, RunOptions(command="test", corpus_dir=changed_corpus))
    assert second.rows_changed == 0
    assert table_checksums(built_db, schemas=("core",)) == before
    with psycopg.connect(built_db) as conn:
        logged = conn.execute(
            "SELECT table_name, change, count(*) FROM etl.changes WHERE run_id = %s GROUP BY 1, 2",
            (first.run_id,),
        ).fetchall()
        none = conn.execute("SELECT count(*) FROM etl.changes WHERE run_id = %s", (second.run_id,)).fetchone()[0]
    assert none == 0
    by_table = {}
    for table, change, n in logged:
        by_table.setdefault(table, {})[change] = n
    names = {"inserted": "insert", "updated": "update", "deleted": "delete"}
    assert by_table == {t: {names[k]: v for k, v in c.items() if v} for t, c in first.tables.items()}
    assert "core.documents" in by_table and by_table["core.documents"].get("update") == 1
    # `etnc-db changes --run N` lists them; without --run it shows the last run that changed something
    env = {"DATABASE_URL": built_db}
    res = CliRunner().invoke(app, ["changes", "--run", str(first.run_id)], env=env)
    assert res.exit_code == 0, res.output
    total = sum(n for c in by_table.values() for n in c.values())
    assert f"run {first.run_id}: {total} changes" in res.output
    assert "update core.documents cgtn-eu-batteries-6g-autonomous-driving" in res.output
    res = CliRunner().invoke(app, ["changes"], env=env)
    assert res.exit_code == 0 and res.output.startswith(f"run {first.run_id}:")
