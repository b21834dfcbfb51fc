"""The YAML expectation suites (etl/expectations): every file parses, names a table or
view the schema defines (columns too, for core tables), uses only expectation types GX
registers with keyword arguments GX accepts, and re-declares no constraint."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from etnc_db.quality import suite_files
from etnc_db.quality.suite_files import SuiteFileError, load_suite, load_suites

ROOT = Path(__file__).resolve().parents[2]
SUITES = load_suites()
# Expectations that would only repeat a NOT NULL / UNIQUE / vocabulary CHECK of a core
# table: allowed in core suites only with `mostly` (a share), never plain.
CONSTRAINT_LIKE = {"expect_column_values_to_not_be_null", "expect_column_values_to_be_unique",
                   "expect_compound_columns_to_be_unique", "expect_column_values_to_be_in_set"}


def _relations() -> dict[str, set[str] | None]:
    """schema.name -> its columns (core tables, from the models) or None (mart views, from sql/views)."""
    from etnc_db.db.models import metadata

    out: dict[str, set[str] | None] = {name: {c.name for c in t.columns} for name, t in metadata.tables.items()}
    for path in sorted((ROOT / "sql" / "views").glob("*.sql")):
        for name in re.findall(r"CREATE (?:MATERIALIZED )?VIEW (mart\.\w+)", path.read_text(encoding="utf-8")):
            out[name] = None
    return out


def test_every_suite_file_parses_and_there_is_one_per_kind_of_check():
    names = {s.name for s in SUITES}
    assert {"core.investments", "mart.fct_investment", "coverage.chapter_facts"} <= names
    assert any(s.query for s in SUITES) and any(s.name.startswith("mart.") for s in SUITES)
    assert any(e.type == suite_files.ROW_COUNT_GUARD and "row_count_floor" in e.parameters()
               for s in SUITES for e in s.expectations)


@pytest.mark.parametrize("suite", SUITES, ids=lambda s: s.name)
def test_suite_names_an_existing_table_or_view_and_its_columns(suite):
    relations = _relations()
    assert suite.about in relations, f"{suite.path.name}: about/table {suite.about} is not in the schema"
    if suite.table:
        assert suite.table in relations, f"{suite.path.name}: no table or view {suite.table}"
        columns = relations[suite.table]
        if columns is not None:  # a core table: every named column exists
            named = {c for e in suite.expectations for c in (e.column or "").split(",") if c}
            if suite.key:
                named.add(suite.key)
            assert named <= columns, f"{suite.path.name}: unknown columns {named - columns}"
    assert suite.description and all(e.why for e in suite.expectations), f"{suite.path.name}: say why"


@pytest.mark.parametrize("suite", [s for s in SUITES if s.name.startswith("core.")], ids=lambda s: s.name)
def test_core_suites_do_not_redeclare_constraints(suite):
    for e in suite.expectations:
        if e.type in CONSTRAINT_LIKE:
            assert "mostly" in e.kwargs, f"{suite.path.name}: {e.type}({e.column}) repeats a constraint"


def test_every_expectation_is_a_gx_expectation_with_valid_arguments():
    from etnc_db.quality import gx_checks

    known = gx_checks.expectation_types()
    gx = gx_checks.import_gx()
    for suite in SUITES:
        unknown = {e.type for e in suite.expectations} - known
        assert not unknown, f"{suite.path.name}: not GX expectations: {unknown}"
        gx_suite = gx_checks.gx_suite(gx, suite)  # GX's pydantic models reject unknown or ill-typed kwargs
        assert len(gx_suite.expectations) == len(suite.expectations)


def _write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(textwrap.dedent(text), encoding="utf-8")
    return p


@pytest.mark.parametrize("text, message", [
    ("expectations: [{expect_table_row_count_to_be_between: {min_value: 1}}]\n", "description is required"),
    ("description: x\nexpectations: []\n", "non-empty list"),
    ("description: x\nexpectations:\n  - {expect_a: {}, expect_b: {}}\n", "one expectation name"),
    ("description: x\nexpectations:\n  - expect_column_values_to_be_between: {column: a, max_value: {$PARAMETER: tomorrow}}\n",
     "unknown $PARAMETER"),
    ("description: x\nexpectations:\n  - expect_column_values_to_be_between: {column: a, min_value: {$PARAMETER: row_count_floor}}\n",
     "row_count_floor only fits"),
    ("description: x\nquery: SELECT 1 AS a\nexpectations: [{expect_table_row_count_to_be_between: {min_value: 1}}]\n",
     "needs about"),
    ("description: x\ncolumns: [a]\nexpectations: [{expect_table_row_count_to_be_between: {min_value: 1}}]\n", "unknown keys"),
])
def test_malformed_suite_files_are_rejected_with_the_reason(tmp_path, text, message):
    with pytest.raises(SuiteFileError, match=re.escape(message)):
        load_suite(_write(tmp_path, "core.things.yaml", text))


def test_a_query_suite_is_named_after_its_file_and_recorded_under_about(tmp_path):
    s = load_suite(_write(tmp_path, "coverage.x.yaml", """\
        description: one row per thing
        about: core.documents
        key: document_key
        query: |
          SELECT document_key, 1 AS n FROM core.documents
        expectations:
          - expect_column_values_to_be_between: {column: n, min_value: 1}
            why: because
            meta: {owner: data}
        """))
    assert (s.name, s.table, s.about, s.key) == ("coverage.x", None, "core.documents", "document_key")
    e = s.expectations[0]
    assert (e.type, e.column, e.why, e.meta) == ("expect_column_values_to_be_between", "n", "because", {"owner": "data"})


def test_row_count_floor_allows_a_share_and_a_few_rows():
    assert suite_files.row_count_floor(None, {}) == 0
    assert suite_files.row_count_floor(5, {}) == 0  # a tiny table may lose its 5 rows' worth: 10
    assert suite_files.row_count_floor(1000, {}) == 800
    assert suite_files.row_count_floor(1000, {"max_drop": 0.5, "min_drop_rows": 0}) == 500


def test_the_cli_and_the_check_import_neither_gx_nor_the_old_quality_modules():
    code = ("import sys, etnc_db.cli, etnc_db.quality.check, etnc_db.quality.check_report, "
            "etnc_db.quality.suite_files, etnc_db.quality.gx_checks; "
            "print(sorted(m for m in sys.modules if m.startswith('great_expectations') "
            "or m in ('etnc_db.quality.suites', 'etnc_db.quality.spec', 'etnc_db.quality.frames')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_modules_gx_imports_but_sql_checks_never_use_load_on_first_use():
    code = ("import sys; from etnc_db.quality.gx_checks import import_gx; import_gx(); "
            "lazy = type(sys.modules['scipy.stats']).__name__; "
            "from scipy import stats; import altair; "
            "print(lazy, round(float(stats.entropy([0.5, 0.5], [0.25, 0.75])), 3), altair.Chart.__name__)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["_LazyModule", "0.144", "Chart"]
