"""`etnc-db check`: the YAML suites run inside PostgreSQL (GX's SQL execution engine) on
the published data. On the built database every suite passes; damage done directly to a
copy of it (the kind no constraint catches) fails exactly the expectation written for it,
which is recorded (etl.runs, etl.dq_results phase 'check'), reported in Markdown and
Data Docs, and makes the command exit 1."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from typer.testing import CliRunner

from etnc_db.cli import app
from etnc_db.quality.suite_files import load_suites

ROOT = Path(__file__).resolve().parents[2]
SUITES = load_suites()
EXPECTATIONS = sum(len(s.expectations) for s in SUITES)
GUARD = "expect_table_row_count_to_be_between"


def _check(url: str, tmp_path: Path, *extra: str):
    report, docs = tmp_path / "dq.md", tmp_path / "docs"
    res = CliRunner().invoke(app, ["check", "--report", str(report), "--data-docs", str(docs), *extra],
                             env={"DATABASE_URL": url})
    return res, report, docs


def _last_check(url: str) -> tuple[int, str, str | None, list[tuple]]:
    """(run_id, status, error, failed (suite, expectation, column)) of the latest check run."""
    with psycopg.connect(url) as conn:
        run_id, status, error = conn.execute(
            "SELECT run_id, status, error FROM etl.runs WHERE command = 'check' ORDER BY run_id DESC LIMIT 1").fetchone()
        failed = conn.execute(
            "SELECT suite, expectation, column_name FROM etl.dq_results "
            "WHERE run_id = %s AND phase = 'check' AND NOT success ORDER BY 1, 2, 3", (run_id,)).fetchall()
    return run_id, status, error, failed


def _sql(url: str, *statements: str) -> None:
    with psycopg.connect(url) as conn:
        for s in statements:
            conn.execute(s)


def test_every_suite_passes_on_the_built_database_quietly_in_its_own_process(built_db, tmp_path):
    env = {**os.environ, "DATABASE_URL": built_db}
    env.pop("GX_ANALYTICS_ENABLED", None)
    proc = subprocess.run([str(Path(sys.executable).with_name("etnc-db")), "check"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stderr == ""  # no GX log lines, warnings or progress bars
    assert proc.stdout.count("\n") == 1 and f"{EXPECTATIONS} passed, 0 failed in {len(SUITES)} suites" in proc.stdout
    report = (tmp_path / "reports" / "data-quality.md").read_text(encoding="utf-8")
    assert "Nothing failed." in report and "mart.fct_investment" in report and "coverage.chapter_facts" in report
    assert (tmp_path / "reports" / "data-docs" / "index.html").is_file()
    with psycopg.connect(built_db) as conn:
        run_id, status, error = conn.execute(
            "SELECT run_id, status, error FROM etl.runs WHERE command = 'check'").fetchone()
        rows = conn.execute("SELECT phase, suite, table_name, success, observed_value FROM etl.dq_results "
                            "WHERE run_id = %s", (run_id,)).fetchall()
    assert status == "succeeded" and error is None
    assert len(rows) == EXPECTATIONS and all(phase == "check" and ok for phase, _, _, ok, _ in rows)
    assert {s for _, s, _, _, _ in rows} == {s.name for s in SUITES}
    assert ("coverage.chapter_facts", "core.document_sections") in {(s, t) for _, s, t, _, _ in rows}
    res = CliRunner().invoke(app, ["status"], env={"DATABASE_URL": built_db})
    assert f"data quality (run {run_id}): {EXPECTATIONS} passed, 0 failed" in res.output


def _view(file: str, old: str, new: str) -> str:
    """The view of sql/views/`file`, re-created with `old` replaced by `new` (a broken view change)."""
    text = (ROOT / "sql" / "views" / file).read_text(encoding="utf-8")
    assert old in text
    return text.replace(old, new).replace("CREATE VIEW", "CREATE OR REPLACE VIEW")


# (what kind of expectation, damage, (suite, expectation, column) that must fail and nothing else,
#  text the report must show)
VIOLATIONS = [
    pytest.param(
        ["UPDATE core.investments SET amount_eur = amount_eur * 1000 WHERE investment_key = "
         "(SELECT investment_key FROM core.investments WHERE amount_eur IS NOT NULL ORDER BY amount_eur DESC LIMIT 1)"],
        ("core.investments", "expect_column_values_to_be_between", "amount_eur"), "investment_key",
        id="plausibility-amount"),
    pytest.param(
        ["UPDATE core.facts SET fact_date = current_date + 40, date_precision = 'day' WHERE fact_key = "
         "(SELECT min(fact_key) FROM core.facts WHERE fact_date IS NOT NULL)"],
        ("core.facts", "expect_column_values_to_be_between", "fact_date"), "fact_key",
        id="date-after-today"),
    pytest.param(
        ["UPDATE core.facts SET fact_date = NULL, date_precision = 'unknown'"],
        ("core.facts", "expect_column_values_to_not_be_null", "fact_date"), "\"unexpected_count\"",
        id="share-with-date"),
    pytest.param(  # the German chapter's quotes all attributed to the Austrian chapter: every fact keeps evidence
        ["UPDATE core.evidence SET section_id = (SELECT section_id FROM core.document_sections "
         "WHERE section_key = 'etnc-2026-report/at') WHERE section_id IN (SELECT section_id FROM core.document_sections "
         "WHERE section_key = 'etnc-2026-report/de' OR parent_id = (SELECT section_id FROM core.document_sections "
         "WHERE section_key = 'etnc-2026-report/de'))"],
        ("coverage.chapter_facts", "expect_column_values_to_be_between", "fact_count"), "etnc-2026-report/de",
        id="coverage-query-asset"),
    pytest.param(  # a view change that drops a label
        [_view("130_dim_organization.sql", "c.name AS country_name",
               "CASE WHEN o.kind = 'company' THEN NULL ELSE c.name END AS country_name")],
        ("mart.dim_organization", "expect_column_values_to_not_be_null", "country_name"), "organization_key",
        id="mart-label"),
    pytest.param(  # a view change whose join fans out: sectors appear once per child sector
        [_view("120_dim_sector.sql", "LEFT JOIN core.sectors p ON p.sector_id = s.parent_id",
               "LEFT JOIN core.sectors p ON p.sector_id = s.parent_id LEFT JOIN core.sectors ch ON ch.parent_id = s.sector_id")],
        ("mart.dim_sector", "expect_column_values_to_be_unique", "sector_key"), "sector_key",
        id="mart-duplicate-rows"),
]


@pytest.mark.parametrize("damage, expected, shown", VIOLATIONS)
def test_published_data_that_breaks_an_expectation_fails_exactly_that_one(built_db, tmp_path, damage, expected, shown):
    _sql(built_db, *damage)
    res, report, docs = _check(built_db, tmp_path)
    assert res.exit_code == 1, res.output
    run_id, status, error, failed = _last_check(built_db)
    assert failed == [expected]
    suite, expectation, column = expected
    assert status == "failed" and f"1 of {EXPECTATIONS} expectations failed: {suite}: {expectation}({column})" in error
    assert f"failed: {suite}: {expectation}({column})" in res.output
    text = report.read_text(encoding="utf-8")
    failures = text[text.index("## Failures"):text.index("## Suites")]
    assert f"| {suite} | {expectation} | {column} |" in failures and shown in failures
    assert (docs / "index.html").is_file()
    assert any(p.suffix == ".html" for p in (docs / "validations").rglob("*"))


def test_a_row_count_drop_since_the_last_successful_check_fails_until_accepted(built_db, tmp_path):
    res, _, _ = _check(built_db, tmp_path / "first")
    assert res.exit_code == 0, res.output
    with psycopg.connect(built_db) as conn:
        before = conn.execute("SELECT count(*) FROM core.mentions").fetchone()[0]
        conn.execute("DELETE FROM core.mentions WHERE mention_id % 2 = 0")
        after = conn.execute("SELECT count(*) FROM core.mentions").fetchone()[0]
    res, report, docs = _check(built_db, tmp_path / "second")
    assert res.exit_code == 1, res.output
    run_id, status, error, failed = _last_check(built_db)
    assert failed == [("core.mentions", GUARD, None)]
    assert status == "failed" and f"core.mentions: {GUARD}" in error
    with psycopg.connect(built_db) as conn:
        observed, phase = conn.execute(
            "SELECT observed_value, phase FROM etl.dq_results WHERE run_id = %s AND NOT success", (run_id,)).fetchone()
    floor = before - int(before * 0.2)
    assert phase == "check"
    assert observed["observed_value"] == after and observed["previous"] == before and observed["min_value"] == floor
    failures = report.read_text(encoding="utf-8").split("## Failures")[1].split("## Suites")[0]
    assert f"| core.mentions | {GUARD} |" in failures and f'"observed_value": {after}' in failures
    assert (docs / "index.html").is_file()
    # still compared with the last *successful* check, so it keeps failing ...
    res, _, _ = _check(built_db, tmp_path / "third")
    assert res.exit_code == 1 and _last_check(built_db)[3] == [("core.mentions", GUARD, None)]
    # ... until the drop is accepted, which makes the current counts the baseline
    res, _, _ = _check(built_db, tmp_path / "fourth", "--accept-row-drop")
    assert res.exit_code == 0, res.output
    res, _, _ = _check(built_db, tmp_path / "fifth")
    assert res.exit_code == 0, res.output


def test_a_suite_whose_relation_is_gone_fails_every_expectation_with_the_error(built_db, tmp_path):
    _sql(built_db, "DROP VIEW mart.dim_country")
    res, report, _ = _check(built_db, tmp_path)
    assert res.exit_code == 1
    _, status, _, failed = _last_check(built_db)
    assert status == "failed"
    assert {s for s, _, _ in failed} == {"mart.dim_country"}
    assert len(failed) == len(next(s for s in SUITES if s.name == "mart.dim_country").expectations)


def test_the_check_gives_back_gx_global_context(built_db, tmp_path):
    """GX resolves suites through a process-wide "current context"; a check must not leave
    its own there, or GX code that runs later in the same process (the load's validation)
    would find the check's suites under the same names."""
    from etnc_db.quality.gx_checks import import_gx

    gx = import_gx()
    from great_expectations.data_context.data_context.context_factory import project_manager

    mine = gx.get_context(mode="ephemeral")
    res = CliRunner().invoke(app, ["check", "--report", str(tmp_path / "out" / "dq.md")], env={"DATABASE_URL": built_db})
    assert res.exit_code == 0, res.output
    assert project_manager.get_current_project() is mine
    assert (tmp_path / "out" / "data-docs" / "index.html").is_file()  # Data Docs go beside the report
