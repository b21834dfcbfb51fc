"""The data dictionary: generated from the database, deterministic, committed as
docs/data-dictionary.md and kept current."""

from __future__ import annotations

import re
from pathlib import Path

import psycopg
import pytest
from typer.testing import CliRunner

from etnc_db.cli import app
from etnc_db.publish.dictionary import generate
from etnc_db.publish.relations import read_catalog

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "docs" / "data-dictionary.md"


@pytest.fixture(scope="module")
def generated(built_db_readonly) -> str:
    with psycopg.connect(built_db_readonly) as conn:
        return generate(conn)


def test_the_committed_dictionary_is_current(generated):
    committed = COMMITTED.read_text(encoding="utf-8") if COMMITTED.exists() else ""
    assert committed == generated, (
        "docs/data-dictionary.md differs from what the database says: run `etnc-db dictionary` and commit it")


def test_the_dictionary_is_deterministic(built_db_readonly, generated):
    with psycopg.connect(built_db_readonly) as conn:
        assert generate(conn) == generated
    assert not re.search(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}", generated), "no timestamps in the dictionary"


def test_every_relation_and_column_is_described_in_two_sections(built_db_readonly, generated):
    mart = generated.index("## Mart views")
    core = generated.index("## Core and ETL tables")
    vocabularies = generated.index("## Vocabularies")
    assert mart < core < vocabularies
    with psycopg.connect(built_db_readonly) as conn:
        views = read_catalog(conn, ("mart",))
        tables = read_catalog(conn, ("core", "etl"))
    for rel, (start, end) in [(r, (mart, core)) for r in views] + [(r, (core, vocabularies)) for r in tables]:
        at = generated.index(f"### `{rel.qualified}`")
        assert start < at < end, rel.qualified
        for col in rel.columns:
            assert f"| `{col.name}` |" in generated[at:], (rel.qualified, col.name)
    assert all(c.description for r in views for c in r.columns)


def test_allowed_values_come_from_the_vocabularies_and_check_constraints(built_db_readonly):
    with psycopg.connect(built_db_readonly) as conn:
        rels = {r.qualified: r for r in read_catalog(conn, ("mart", "core", "etl"))}
        stances = [v for (v,) in conn.execute(
            "SELECT value FROM mart.dim_vocabulary WHERE vocabulary = 'stance' ORDER BY ordinal")]

    def allowed(relation, column):
        return next(c for c in rels[relation].columns if c.name == column).allowed

    # a curated vocabulary: the foreign key of the table, traced through the views
    for relation, column in [("core.policy_measures", "stance"), ("mart.fct_policy_measure", "stance")]:
        assert allowed(relation, column).vocabulary == "stance"
        assert list(allowed(relation, column).values) == stances
    assert allowed("mart.dim_organization", "organization_kind").vocabulary == "organization_kind"
    # a code enumeration: the CHECK constraint, also through the materialized fct_fact
    assert allowed("core.documents", "document_kind").values == ("report", "news_article", "newsletter", "article")
    assert allowed("mart.fct_fact", "fact_type").values == ("agreement", "investment", "policy_measure")
    assert allowed("etl.runs", "status").values == ("running", "succeeded", "failed")
    # a column that only shares a name with a vocabulary column gets nothing
    assert allowed("mart.bridge_fact_entity", "role") is None
    assert allowed("mart.fct_policy_measure", "title") is None


def test_dictionary_command_writes_the_file(built_db_readonly, tmp_path, generated):
    out = tmp_path / "dd.md"
    result = CliRunner().invoke(app, ["dictionary", "--out", str(out)], env={"DATABASE_URL": built_db_readonly})
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8") == generated
    assert str(out) in result.output
