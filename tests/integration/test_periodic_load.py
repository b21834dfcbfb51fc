"""Periodic loads: only new, changed or removed documents are processed."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import psycopg
import pytest

from etnc_db.pipeline import RunFailed, RunOptions, run

NEWS = """EU and Chinese researchers open a joint battery laboratory

Researchers from the Chinese Academy of Sciences and a European consortium opened a joint battery laboratory in Munich on Tuesday, focusing on solid-state cells for electric vehicles.

The project is funded by the European Commission under Horizon Europe.
"""


def _doc_counts(url: str) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        return dict(conn.execute(
            "SELECT d.document_key, count(p.passage_id) FROM core.documents d "
            "LEFT JOIN core.passages p USING (document_id) GROUP BY 1"
        ).fetchall())


def test_adding_one_article_loads_exactly_that_document(built_db, settings, corpus_copy):
    (corpus_copy / "battery-lab.txt").write_text(NEWS, encoding="utf-8")
    before = _doc_counts(built_db)
    result = run(built_db, settings, RunOptions(corpus_dir=corpus_copy))
    actions = {d["document_key"]: d["action"] for d in result.documents}
    assert actions.pop("battery-lab") == "new"
    assert set(actions.values()) == {"unchanged"}
    after = _doc_counts(built_db)
    assert {k: v for k, v in after.items() if k != "battery-lab"} == before
    assert after["battery-lab"] == 2
    with psycopg.connect(built_db) as conn:
        title, kind = conn.execute(
            "SELECT title, document_kind FROM core.documents WHERE document_key = 'battery-lab'"
        ).fetchone()
        linked = {r[0] for r in conn.execute(
            "SELECT entity_key FROM mart.fct_mention WHERE document_key = 'battery-lab'")}
    assert title == "EU and Chinese researchers open a joint battery laboratory"
    assert kind == "article"
    assert {"chinese-academy-of-sciences", "eu-commission", "batteries"} <= linked
    # and the next load is a no-op again
    again = run(built_db, settings, RunOptions(corpus_dir=corpus_copy))
    assert again.rows_changed == 0


# What a load with nothing to do must not import: the stages that only run when there is
# work, the libraries only they (or migrations, or `check`) use, and the terminal-only
# progress display (the test's stderr is not a terminal).
NOT_ON_THE_NOOP_PATH = ("pydantic", "sqlalchemy", "alembic", "great_expectations", "pandas", "numpy", "rich.progress",
                        "rich.table", "etnc_db.extract.parse", "etnc_db.link", "etnc_db.propose", "etnc_db.facts",
                        "etnc_db.reference.registry", "etnc_db.load.upsert", "etnc_db.review.decisions",
                        "etnc_db.quality", "etnc_db.publish", "etnc_db.db.server")


def test_a_noop_load_imports_no_stage_that_has_nothing_to_do(built_db):
    code = ("import atexit, sys; atexit.register(lambda: sys.stderr.write('MODULES ' + ' '.join(sorted(sys.modules))));"
            "from etnc_db.cli import main; sys.argv[1:] = ['load', '--json']; main()")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**os.environ, "DATABASE_URL": built_db})
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["tables"] == {}  # nothing changed
    modules = set(done.stderr.rpartition("MODULES ")[2].split())
    assert sorted(m for m in modules if m in NOT_ON_THE_NOOP_PATH or m.startswith(tuple(
        f"{n}." for n in NOT_ON_THE_NOOP_PATH))) == []
    assert {"etnc_db.pipeline", "etnc_db.extract.corpus", "psycopg"} <= modules  # it did run the pipeline


def test_a_changed_file_replaces_what_was_derived_from_it(built_db, settings, corpus_copy):
    (corpus_copy / "battery-lab.txt").write_text(NEWS, encoding="utf-8")
    run(built_db, settings, RunOptions(corpus_dir=corpus_copy))
    (corpus_copy / "battery-lab.txt").write_text(NEWS.replace("in Munich on Tuesday", "in Leipzig"), encoding="utf-8")
    result = run(built_db, settings, RunOptions(corpus_dir=corpus_copy))
    actions = {d["document_key"]: d["action"] for d in result.documents}
    assert actions["battery-lab"] == "changed"
    with psycopg.connect(built_db) as conn:
        texts = [r[0] for r in conn.execute(
            "SELECT passage_text FROM mart.dim_passage WHERE document_key = 'battery-lab'")]
        changes = conn.execute(
            "SELECT count(*) FROM etl.changes WHERE run_id = %s AND table_name = 'core.documents'",
            (result.run_id,)).fetchone()[0]
    assert any("Leipzig" in t for t in texts)
    assert not any("Munich" in t for t in texts)
    assert changes == 1


def test_a_removed_file_is_removed_with_everything_derived(built_db, settings, corpus_copy):
    (corpus_copy / "battery-lab.txt").write_text(NEWS, encoding="utf-8")
    run(built_db, settings, RunOptions(corpus_dir=corpus_copy))
    (corpus_copy / "battery-lab.txt").unlink()
    with pytest.raises(RunFailed, match=r"1 loaded document\(s\) are not in this folder and would be removed \(battery-lab\)"):
        run(built_db, settings, RunOptions(corpus_dir=corpus_copy))
    result = run(built_db, settings, RunOptions(corpus_dir=corpus_copy, prune=True))
    assert {d["document_key"]: d["action"] for d in result.documents}["battery-lab"] == "removed"
    with psycopg.connect(built_db) as conn:
        left = conn.execute(
            "SELECT (SELECT count(*) FROM core.documents WHERE document_key = 'battery-lab'),"
            " (SELECT count(*) FROM mart.fct_mention WHERE document_key = 'battery-lab'),"
            " (SELECT count(*) FROM mart.dim_passage WHERE document_key = 'battery-lab')"
        ).fetchone()
        deleted = dict(conn.execute(
            "SELECT table_name, count(*) FROM etl.changes WHERE run_id = %s AND change = 'delete' GROUP BY 1",
            (result.run_id,)).fetchall())
    assert left == (0, 0, 0)
    assert deleted["core.documents"] == 1 and deleted["core.passages"] == 2 and deleted["core.mentions"] >= 3


@pytest.mark.parametrize(
    "name, content, reason",
    [
        ("empty.txt", b"", "empty"),
        ("binary.txt", b"\x00\x01\x02PK\x03\x04" * 50, "binary"),
        ("latin1.txt", "Caf\u00e9 in Z\u00fcrich\n".encode("latin-1"), "UTF-8"),
    ],
)
def test_a_bad_file_stops_the_run_and_changes_nothing(built_db, settings, corpus_copy, name, content, reason):
    from conftest import table_checksums

    (corpus_copy / name).write_bytes(content)
    before = table_checksums(built_db, schemas=("core",))
    with pytest.raises(RunFailed) as err:
        run(built_db, settings, RunOptions(corpus_dir=corpus_copy))
    assert name in str(err.value) and reason.lower() in str(err.value).lower()
    assert table_checksums(built_db, schemas=("core",)) == before
    with psycopg.connect(built_db) as conn:
        status, error = conn.execute("SELECT status, error FROM etl.runs ORDER BY run_id DESC LIMIT 1").fetchone()
    assert status == "failed" and name in error


def test_skip_bad_loads_the_rest_and_records_the_reject(built_db, settings, corpus_copy):
    (corpus_copy / "empty.txt").write_bytes(b"")
    (corpus_copy / "battery-lab.txt").write_text(NEWS, encoding="utf-8")
    result = run(built_db, settings, RunOptions(corpus_dir=corpus_copy, skip_bad=True))
    actions = {d["document_key"]: d["action"] for d in result.documents}
    assert actions["battery-lab"] == "new" and actions["empty"] == "rejected"
    with psycopg.connect(built_db) as conn:
        rejects = conn.execute("SELECT file, reason FROM etl.rejects WHERE run_id = %s", (result.run_id,)).fetchall()
    assert len(rejects) == 1 and rejects[0][0].endswith("empty.txt")
