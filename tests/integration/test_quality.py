"""The in-transaction Great Expectations suites of a load (quality/spec.py, suites.py):
the build records passing pre/post-load results; a run whose data fails one rolls back,
is recorded failed, and keeps its dq results. `etnc-db check` no longer uses these
suites: it is tested in test_gx_checks.py."""

from __future__ import annotations

import dataclasses
import shutil

import psycopg
import pytest
from test_safety import CHANGED_DOC, change_document

from conftest import table_checksums
from etnc_db.load.pipeline import RunFailed, RunOptions, run
from etnc_db.load.upsert import TableLoad
from etnc_db.quality import spec, suites
from etnc_db.quality.frames import load_shape_sql


def test_load_shape_of_published_tables_matches_the_loads(built_db_readonly, settings):
    from etnc_db.facts import stage as facts_stage
    from etnc_db.load.reference_stage import reference_loads
    from etnc_db.reference.registry import load_registry

    registry = load_registry(settings.reference_dir)
    with psycopg.connect(built_db_readonly) as conn:
        loads = reference_loads(registry) + facts_stage.fact_loads(conn, settings.curated_dir, registry)
    for load in loads:
        assert set(load_shape_sql(load.table)[1]) == set(load.columns), load.table
    assert set(spec.CORE) >= {load.table for load in loads}


def test_build_recorded_passing_pre_and_post_load_results(built_db_readonly):
    with psycopg.connect(built_db_readonly) as conn:
        run_id = conn.execute("SELECT max(run_id) FROM etl.runs WHERE status = 'succeeded'").fetchone()[0]
        rows = conn.execute(
            "SELECT phase, table_name, bool_and(success), count(*) FROM etl.dq_results WHERE run_id = %s GROUP BY 1, 2",
            (run_id,),
        ).fetchall()
    by_phase = {}
    for phase, table, ok, _n in rows:
        assert ok, (phase, table)
        by_phase.setdefault(phase, set()).add(table)
    assert by_phase["pre_load"] >= {"core.countries", "core.documents", "core.investments", "core.evidence"}
    assert by_phase["post_load"] == set(spec.CORE) | set(spec.MART)


def test_failing_expectation_rolls_back_and_keeps_failed_run_and_results(built_db, settings, corpus_copy, monkeypatch):
    change_document(corpus_copy)
    before = table_checksums(built_db, schemas=("core",))
    # a threshold no real document meets: every document is "too long"
    monkeypatch.setitem(spec.CORE, "core.documents", spec.CORE["core.documents"] + [("between", "byte_size", 1, 10)])
    with pytest.raises(RunFailed, match="data-quality check failed") as info:
        run(built_db, settings, RunOptions(command="test", corpus_dir=corpus_copy))
    assert table_checksums(built_db, schemas=("core",)) == before
    with psycopg.connect(built_db) as conn:
        status, error = conn.execute("SELECT status, error FROM etl.runs WHERE run_id = %s", (info.value.run_id,)).fetchone()
        failed = conn.execute(
            "SELECT phase, table_name, column_name FROM etl.dq_results WHERE run_id = %s AND NOT success ORDER BY 1",
            (info.value.run_id,),
        ).fetchall()
        passed = conn.execute("SELECT count(*) FROM etl.dq_results WHERE run_id = %s AND success",
                              (info.value.run_id,)).fetchone()[0]
    assert status == "failed" and "byte_size" in error
    # the frames are validated before they are written: the run stops there
    assert failed == [("pre_load", "core.documents", "byte_size")]
    assert passed > 20


def test_a_load_that_drops_many_rows_fails_unless_forced(built_db, settings, corpus_copy, tmp_path, monkeypatch):
    # remove one of the five documents (its manifest entry, its empty curated file): 20 % of core.documents goes
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
    monkeypatch.setattr(spec, "MAX_ROW_DROP", 0.10)
    monkeypatch.setattr(spec, "MIN_ROW_DROP", 0)  # the real corpus is small: no absolute floor here
    before = table_checksums(built_db, schemas=("core",))
    with pytest.raises(RunFailed, match="expect_table_row_count_to_be_between") as info:
        run(built_db, settings, RunOptions(command="test", corpus_dir=corpus_copy))
    assert "core.documents" in str(info.value)
    assert table_checksums(built_db, schemas=("core",)) == before
    result = run(built_db, settings, RunOptions(command="test", corpus_dir=corpus_copy, force=True))
    assert result.status == "succeeded"
    assert result.tables["core.documents"]["deleted"] == 1


def test_pre_load_frames_are_validated_before_they_are_written(built_db):
    cols = ["country_code", "alpha3", "numeric_code", "name", "official_name", "region", "sub_region",
            "is_eu_member", "eu_accession_date", "eu_exit_date", "is_supranational"]
    bad = TableLoad("core.countries", "country_code", cols,
                    [("QQ", "QQQ", None, "Nowhere", None, None, None, False, None, None, False),
                     ("QQ", "QQR", None, "Twice", None, None, None, False, None, None, False)])
    with psycopg.connect(built_db) as conn:
        run_id = conn.execute("SELECT max(run_id) FROM etl.runs").fetchone()[0]
        failures = suites.validate_run(conn, run_id, {"reference": [bad]})
        conn.rollback()
    text = "\n".join(failures)
    assert "core.countries: expect_column_values_to_be_in_set(country_code) failed [pre_load]" in text
    assert "core.countries: expect_column_values_to_be_unique(country_code) failed [pre_load]" in text
    assert not any("[post_load]" in f for f in failures)  # the published tables are fine


def test_row_drop_limit_has_a_share_and_an_absolute_floor():
    # a tiny table may lose a few rows; a large one may lose at most MAX_ROW_DROP of them
    assert suites._limit(2, force=False)["min"] == 0
    assert suites._limit(1000, force=False)["min"] == 1000 - int(1000 * spec.MAX_ROW_DROP)
    assert suites._limit(1000, force=True)["min"] == 0
