"""Documents derived on every core (etnc_db.workers): the same rows whatever the worker
count, a first build that starts deriving before it migrates, a worker's refusal reported
as the file's one-line error with nothing changed, and no worker outliving a killed run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
from typer.testing import CliRunner

from conftest import RUN_TIMES, table_checksums
from etnc_db.cli import app
from etnc_db.pipeline import RunFailed, RunOptions, run

IGNORE = (*RUN_TIMES, "proposed_at")  # when a row was written, not what it holds
SCHEMAS = ("core", "mart", "review")


def test_rows_are_the_same_whatever_the_worker_count(databases, migrated_template, settings):
    one, two, three = (databases.create(template=migrated_template) for _ in range(3))

    single = run(one, settings, RunOptions(command="test", workers=1))
    assert "derive_wait" not in single.timings  # derived in the run's own process
    # the command line on an empty database: the pool starts before the schema check
    res = CliRunner().invoke(app, ["run", "--workers", "2", "--json"], env={"DATABASE_URL": two})
    assert res.exit_code == 0, res.output
    assert "derive_wait" in json.loads(res.stdout)["timings"]  # the writer took results from workers
    run(three, settings, RunOptions(command="test", workers=3))

    expected = table_checksums(one, schemas=SCHEMAS, ignore=IGNORE)
    assert len(expected) > 50
    assert table_checksums(two, schemas=SCHEMAS, ignore=IGNORE) == expected
    assert table_checksums(three, schemas=SCHEMAS, ignore=IGNORE) == expected


def test_a_document_a_worker_refuses_fails_the_run_with_its_file_and_changes_nothing(built_db, settings,
                                                                                      corpus_copy):
    # the folder's scan accepts it; only parsing it as a report (in a worker) refuses it
    (corpus_copy / "odd-report.txt").write_text("A memo with no contents list.\n\nJust a paragraph.\n",
                                                encoding="utf-8")
    with (corpus_copy / "sources.yaml").open("a", encoding="utf-8") as manifest:
        manifest.write("  - file: odd-report.txt\n    key: odd-report\n    kind: report\n")
    (corpus_copy / "other-page.txt").write_text("A short page about a battery plant in Hungary.\n", encoding="utf-8")
    before = table_checksums(built_db, schemas=("core", "review"))
    with pytest.raises(RunFailed) as err:
        run(built_db, settings, RunOptions(corpus_dir=corpus_copy, workers=2))
    assert str(err.value) == "odd-report.txt: report has no 'Contents' list"
    assert table_checksums(built_db, schemas=("core", "review")) == before

    result = run(built_db, settings, RunOptions(corpus_dir=corpus_copy, workers=2, skip_bad=True))
    actions = {d["document_key"]: d["action"] for d in result.documents}
    assert actions["odd-report"] == "rejected" and actions["other-page"] == "new"


def _processes_naming(marker: str) -> list[int]:
    """Live processes whose command line holds `marker` (zombies excluded)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().decode(errors="replace")
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if marker in cmdline and state != "Z":
            found.append(int(entry.name))
    return found


def test_no_worker_outlives_a_killed_run(databases, migrated_template, corpus_copy, no_hang):
    url = databases.create(template=migrated_template)
    # every worker busy (asleep in its first document) when the run is killed
    env = {**os.environ, "DATABASE_URL": url, "ETNC_FAULT_AT": "derive:sleep=60,documents_load:kill"}
    # the corpus path in the command line marks the run's processes, workers included
    proc = subprocess.Popen([sys.executable, "-c", "from etnc_db.cli import app; app()", "run", "--workers", "2",
                             "--corpus", str(corpus_copy)], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    _, stderr = proc.communicate(timeout=50)  # a worker holding stderr open would hang here
    assert proc.returncode == -signal.SIGKILL, stderr
    assert "fault: kill at documents_load" in stderr
    left = _processes_naming(str(corpus_copy))
    for _ in range(100):  # the kernel kills orphaned workers at once; give them time to exit
        if not left:
            break
        time.sleep(0.1)
        left = _processes_naming(str(corpus_copy))
    for pid in left:  # do not leave them to the next test
        os.kill(pid, signal.SIGKILL)
    assert left == []
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT count(*) FROM core.documents").fetchone()[0] == 0


def test_workers_fork_with_no_progress_bar_thread_running(built_db, settings, corpus_copy):
    """A terminal shows a progress bar whose redraw thread holds the terminal's lock at
    times; the bar is stopped (its thread ended) while the workers fork, then goes on."""
    import io
    import threading

    from rich.console import Console
    from rich.progress import Progress

    from etnc_db import workers

    threads_at_fork = []
    start = workers.Deriver.start

    def spy(self):
        threads_at_fork.append([type(t).__name__ for t in threading.enumerate() if t is not threading.current_thread()])
        return start(self)

    for name in ("page-one.txt", "page-two.txt"):
        (corpus_copy / name).write_text(f"{name}: a battery plant opened in Hungary in 2024.\n", encoding="utf-8")
    bar = Progress(console=Console(file=io.StringIO(), force_terminal=True))
    with bar, pytest.MonkeyPatch.context() as mp:
        mp.setattr(workers.Deriver, "start", spy)
        assert any(type(t).__name__ == "_RefreshThread" for t in threading.enumerate())
        result = run(built_db, settings, RunOptions(corpus_dir=corpus_copy, workers=2), progress=bar)
        assert bar.live.is_started  # going on after the fork
    assert len(threads_at_fork) == 1 and "_RefreshThread" not in threads_at_fork[0]  # (pytest may run others)
    assert {d["document_key"]: d["action"] for d in result.documents}["page-one"] == "new"


def test_a_worker_that_dies_fails_the_run_in_one_line_instead_of_hanging(databases, migrated_template,
                                                                          corpus_copy, no_hang):
    """A worker killed mid-document (the kernel's out-of-memory killer, an operator): the
    run stops at once with a one-line error, releases its lock and changes nothing."""
    url = databases.create(template=migrated_template)
    env = {**os.environ, "DATABASE_URL": url, "ETNC_FAULT_AT": "derive:kill"}
    proc = subprocess.run([sys.executable, "-c", "from etnc_db.cli import app; app()", "run", "--workers", "2",
                           "--corpus", str(corpus_copy)], env=env, capture_output=True, text=True, timeout=50)
    errors = [line for line in proc.stderr.splitlines() if not line.startswith("fault:")]
    assert proc.returncode == 1, proc.stderr
    assert len(errors) == 1 and errors[0].startswith("error: run ") and "worker process" in errors[0], proc.stderr
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT count(*) FROM core.documents").fetchone()[0] == 0
        assert conn.execute("SELECT status FROM etl.runs ORDER BY run_id DESC LIMIT 1").fetchone()[0] == "failed"


def test_a_curated_file_changed_while_it_was_read_ahead_is_read_again(databases, migrated_template, settings,
                                                                      tmp_path):
    """The run reads the curated files while its workers derive, outside the review files'
    lock; a file edited after that (e.g. by `etnc-db review accept`) is what gets published."""
    import dataclasses
    import shutil

    curated = tmp_path / "curated"
    shutil.copytree(settings.curated_dir, curated)
    path = curated / "ahk-innovation-insights" / "main.yaml"
    old = "Herrenknecht–HyperPark open-innovation collaboration"
    assert old in path.read_text(encoding="utf-8")

    def edit(stage: str) -> None:
        if stage == "facts":  # after the documents stage and its read-ahead
            path.write_text(path.read_text(encoding="utf-8").replace(old, "Herrenknecht and HyperPark collaboration"),
                            encoding="utf-8")

    url = databases.create(template=migrated_template)
    run(url, dataclasses.replace(settings, curated_dir=curated), RunOptions(command="test", workers=2, on_stage=edit))
    with psycopg.connect(url) as conn:
        titles = [t for (t,) in conn.execute("SELECT title FROM core.facts WHERE title LIKE 'Herrenknecht%'")]
    assert titles and all(t.startswith("Herrenknecht and HyperPark collaboration") for t in titles)
