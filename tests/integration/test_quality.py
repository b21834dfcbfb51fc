"""The in-transaction gate (quality/gate.py): each kind of check fails the run, leaves the
data as it was, and keeps the failed run and the gate's results; constraints refuse what
they can state, naming the source line. (Great Expectations on published data:
test_gx_checks.py.)"""

from __future__ import annotations

import shutil

import psycopg
import pytest
from test_safety import CHANGED_DOC, change_document

from conftest import table_checksums
from etnc_db.pipeline import RunFailed, RunOptions, run
from etnc_db.quality import gate


def test_build_recorded_passing_gate_results(built_db_readonly):
    with psycopg.connect(built_db_readonly) as conn:
        rows = conn.execute(
            "SELECT d.phase, d.success FROM etl.dq_results d JOIN etl.runs r USING (run_id) "
            "WHERE r.command = 'test-build'").fetchall()
    assert rows and {p for p, _ in rows} == {"gate"} and all(ok for _, ok in rows)


def failed_run(conn, run_id):
    status, error = conn.execute("SELECT status, error FROM etl.runs WHERE run_id = %s", (run_id,)).fetchone()
    failed = conn.execute("SELECT expectation FROM etl.dq_results WHERE run_id = %s AND NOT success",
                          (run_id,)).fetchall()
    passed = conn.execute("SELECT count(*) FROM etl.dq_results WHERE run_id = %s AND success", (run_id,)).fetchone()[0]
    return status, error, [f for (f,) in failed], passed


def test_a_failing_cross_table_rule_rolls_back_and_keeps_the_failed_run_and_results(built_db, settings, corpus_copy,
                                                                                   monkeypatch):
    change_document(corpus_copy)
    before = table_checksums(built_db, schemas=("core", "mart"))
    # a rule every document breaks
    monkeypatch.setitem(gate.RULES, "every document is short", ("core.documents",
                        "SELECT document_key FROM core.documents WHERE byte_size > 10"))
    with pytest.raises(RunFailed, match="check failed: every document is short") as info:
        run(built_db, settings, RunOptions(command="test", corpus_dir=corpus_copy))
    assert table_checksums(built_db, schemas=("core", "mart")) == before
    with psycopg.connect(built_db) as conn:
        status, error, failed, passed = failed_run(conn, info.value.run_id)
    assert status == "failed" and "every document is short" in error
    assert failed == ["every document is short"] and passed > 5


def test_stored_spans_that_do_not_reproduce_their_text_fail_the_gate(built_db):
    """After the write the gate samples the stored spans of the touched documents (each
    span was checked where it was made: test_extract_rows.py)."""
    with psycopg.connect(built_db) as conn:
        assert all(c.success for c in gate._span_checks(conn, ["etnc-2026-report"], evidence=True))
        conn.execute("UPDATE core.mentions SET surface = surface || 'x' WHERE document_id = "
                     "(SELECT document_id FROM core.documents WHERE document_key = 'etnc-2026-report')")
        checks = gate._span_checks(conn, ["etnc-2026-report"], evidence=False)
        untouched = gate._span_checks(conn, ["gt-voice-volkswagen-catl"], evidence=False)
        conn.rollback()
    bad = [c for c in checks if not c.success]
    assert [c.table for c in bad] == ["core.mentions"] and bad[0].sample
    assert all(c.success for c in untouched)  # a document the run did not touch is not read


def test_a_load_that_drops_many_rows_fails_unless_forced(built_db, settings, corpus_copy, tmp_path, monkeypatch):
    import dataclasses

    # remove one of the five documents (its manifest entry, its curated file): 20 % of core.documents goes
    curated = tmp_path / "curated"
    shutil.copytree(settings.curated_dir, curated)
    shutil.rmtree(curated / "cgtn-eu-batteries-6g-autonomous-driving")
    settings = dataclasses.replace(settings, curated_dir=curated)
    (corpus_copy / CHANGED_DOC).unlink()
    manifest = corpus_copy / "sources.yaml"
    text = manifest.read_text(encoding="utf-8")
    start = text.index(f"  - file: {CHANGED_DOC}")
    end = text.index("  - file:", start + 1)
    manifest.write_text(text[:start] + text[end:], encoding="utf-8")
    monkeypatch.setattr(gate, "MAX_ROW_DROP", 0.10)
    monkeypatch.setattr(gate, "MIN_ROW_DROP", 0)  # the real corpus is small: no absolute floor here
    before = table_checksums(built_db, schemas=("core",))
    with pytest.raises(RunFailed, match="row count does not drop") as info:
        run(built_db, settings, RunOptions(command="test", corpus_dir=corpus_copy, prune=True))
    assert "core.documents" in str(info.value)
    assert table_checksums(built_db, schemas=("core",)) == before
    result = run(built_db, settings, RunOptions(command="test", corpus_dir=corpus_copy, prune=True, force=True))
    assert result.status == "succeeded"
    assert result.tables["core.documents"]["deleted"] == 1


def test_a_row_a_constraint_refuses_is_reported_at_its_source_line(built_db, settings, tmp_path):
    """Rules across fields are CHECK constraints of the schema, stated once; the loader
    reports the record that breaks one at its curated file and line."""
    import dataclasses

    curated = tmp_path / "curated"
    shutil.copytree(settings.curated_dir, curated)
    path = curated / "etnc-2026-report" / "hu.yaml"
    text = path.read_text(encoding="utf-8")
    target = "- id: hu-catl-debrecen\n"
    assert target in text
    # an upper bound below the amount: the schema's amount_max_range rule
    block = text.index(target)
    amount_line = text.index("  amount: ", block)
    text = text[:amount_line] + "  amount_max: 1000\n" + text[amount_line:]
    path.write_text(text, encoding="utf-8")
    settings = dataclasses.replace(settings, curated_dir=curated)
    before = table_checksums(built_db, schemas=("core",))
    with pytest.raises(RunFailed) as info:
        run(built_db, settings, RunOptions(command="test"))
    line = text[:block].count("\n") + 1
    assert str(info.value).startswith(f"{path}:{line}:") or f"hu.yaml:{line}:" in str(info.value)
    assert "amount_max_range" in str(info.value)
    assert table_checksums(built_db, schemas=("core",)) == before
