"""Curated facts: every kind of invalid record rejects the run with `file:line: reason`
and leaves the database unchanged; a valid new record appears with its evidence."""

from __future__ import annotations

import dataclasses
import shutil
import textwrap
from pathlib import Path

import psycopg
import pytest

from conftest import table_checksums
from etnc_db.pipeline import RunFailed, RunOptions, run

ROOT = Path(__file__).resolve().parents[2]
QUOTE = "In 2002, Hungary and China concluded a bilateral Agreement on Science and Technology Cooperation."

GOOD_INVESTMENT = """\
document: etnc-2026-report
part: hu
investments:
  - id: test-catl-debrecen-copy
    title: Test copy of the CATL plant
    investor: catl
    host_country: HU
    location: Debrecen
    investment_type: greenfield
    status: planned
    amount: {amount}
    currency: {currency}
    amount_qualifier: exact
    date: "{date}"
    sectors: [batteries]
    evidence:
      - quote: "{quote}"
"""

CASES = {
    "unknown organization key": (GOOD_INVESTMENT.replace("investor: catl", "investor: no-such-company"), 6,
                                 "unknown organization key 'no-such-company'"),
    "quote not found": (GOOD_INVESTMENT.replace("{quote}", "This sentence is not in the report at all."), 17,
                        "quote not found"),
    "bad currency": (GOOD_INVESTMENT.replace("{currency}", "XYZ"), 12, "'XYZ' is not an ISO 4217 code"),
    "bad date": (GOOD_INVESTMENT.replace("{date}", "2024-13"), 14, "date: '2024-13' is not a real date"),
    # a rule across fields is a CHECK of the schema, reported at the record's line
    "negative amount": (GOOD_INVESTMENT.replace("{amount}", "-5"), 4, "violates investments_amount_range"),
    "unknown field": (GOOD_INVESTMENT.replace("    location: Debrecen\n", "    locaton: Debrecen\n"), 8, "locaton"),
    "malformed yaml": (GOOD_INVESTMENT.replace("    title: Test", "   title: [Test"), 5, "malformed YAML"),
}


def _fill(text: str) -> str:
    return (text.replace("{amount}", "1000000").replace("{currency}", "USD").replace("{date}", "2024")
            .replace("{quote}", QUOTE))


@pytest.fixture
def curated_copy(tmp_path):
    target = tmp_path / "curated"
    shutil.copytree(ROOT / "etl" / "curated", target)
    return target


@pytest.mark.parametrize("case", sorted(CASES))
def test_invalid_record_rejects_the_run_with_file_and_line(built_db, settings, curated_copy, case):
    text, line, reason = CASES[case]
    bad = curated_copy / "etnc-2026-report" / "zz-test.yaml"
    bad.write_text(_fill(text), encoding="utf-8")
    before = table_checksums(built_db, schemas=("core", "mart"))
    with pytest.raises(RunFailed) as err:
        run(built_db, dataclasses.replace(settings, curated_dir=curated_copy), RunOptions())
    message = str(err.value)
    assert f"zz-test.yaml:{line}:" in message, message
    assert reason in message, message
    assert table_checksums(built_db, schemas=("core", "mart")) == before


def test_duplicate_id_names_both_places(built_db, settings, curated_copy):
    (curated_copy / "etnc-2026-report" / "zz-test.yaml").write_text(
        _fill(GOOD_INVESTMENT).replace("test-catl-debrecen-copy", "hu-catl-debrecen"), encoding="utf-8")
    with pytest.raises(RunFailed) as err:
        run(built_db, dataclasses.replace(settings, curated_dir=curated_copy), RunOptions())
    assert "zz-test.yaml:4: duplicate id 'hu-catl-debrecen' (first at " in str(err.value)
    assert "hu.yaml:" in str(err.value)


def test_a_valid_record_loads_with_evidence_citations_and_eur_amount(built_db, settings, curated_copy):
    (curated_copy / "etnc-2026-report" / "zz-test.yaml").write_text(_fill(GOOD_INVESTMENT), encoding="utf-8")
    result = run(built_db, dataclasses.replace(settings, curated_dir=curated_copy), RunOptions())
    assert result.tables["core.investments"] == {"inserted": 1, "updated": 0, "deleted": 0}
    with psycopg.connect(built_db) as conn:
        amount_eur, rate, rate_date, direction = conn.execute(
            "SELECT amount_eur, fx_rate, fx_rate_date, direction FROM mart.fct_investment "
            "WHERE investment_key = 'test-catl-debrecen-copy'").fetchone()
        quote, = conn.execute(
            "SELECT quote FROM mart.fct_evidence WHERE fact_key = 'test-catl-debrecen-copy'").fetchone()
        stored_rate, = conn.execute(
            "SELECT rate FROM core.fx_rates WHERE currency = 'USD' AND rate_year = 2024").fetchone()
    # ECB reference rate at the end of 2024: 1.0389 USD per EUR
    assert rate == stored_rate and float(rate) == pytest.approx(1.0389)
    assert str(rate_date) == "2024-12-31"
    assert float(amount_eur) == pytest.approx(1_000_000 / 1.0389, abs=0.01)
    assert direction == "china_to_europe"
    assert quote == QUOTE
    # removing the record (withdrawn, with its reason) removes it and its evidence again
    (curated_copy / "etnc-2026-report" / "zz-test.yaml").write_text(
        "document: etnc-2026-report\npart: hu\nwithdrawn:\n  - {id: test-catl-debrecen-copy, reason: test record}\n",
        encoding="utf-8")
    result = run(built_db, dataclasses.replace(settings, curated_dir=curated_copy), RunOptions())
    assert result.tables["core.investments"]["deleted"] == 1
    assert result.tables["core.evidence"]["deleted"] == 1


def test_quotes_match_across_whitespace_and_quote_style(built_db, settings, curated_copy):
    loose = QUOTE.replace("Hungary and China", "Hungary  and\n China")
    text = _fill(GOOD_INVESTMENT).replace(QUOTE, textwrap.shorten(loose, 500).replace("and China", "and\u00a0China"))
    (curated_copy / "etnc-2026-report" / "zz-test.yaml").write_text(text, encoding="utf-8")
    run(built_db, dataclasses.replace(settings, curated_dir=curated_copy), RunOptions())
    with psycopg.connect(built_db) as conn:
        quote, method = conn.execute(
            "SELECT quote, match_method FROM mart.fct_evidence WHERE fact_key = 'test-catl-debrecen-copy'").fetchone()
    assert quote == QUOTE and method == "normalized"
