"""The mart contract: the views and columns the issues promise, spans that reproduce
their text, every fact with evidence, and the analysis queries."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

ROOT = Path(__file__).resolve().parents[2]

# The columns each issue promises (the contract; views may add more).
CONTRACT = {
    "dim_document": "document_key file_name sha256 title publisher published_date document_kind content",
    "dim_section": "section_key document_key parent_section_key section_kind title country_code authors char_start char_end",
    "dim_citation": "citation_key document_key section_key chapter_country_code note_number raw_text url title outlet published_date",
    "dim_passage": "passage_key document_key section_key char_start char_end passage_text",
    "dim_country": "country_code country_name region is_eu_member eu_accession_date",
    "dim_sector": "sector_key sector_name parent_sector_name nace_code",
    "dim_organization": "organization_key organization_name organization_kind country_code parent_name ownership aliases sector_names",
    "fct_mention": "mention_key document_key section_key char_start char_end surface entity_type entity_key entity_name",
    "fct_investment": "investment_key title investor_key investor_name investor_country_code target_name host_country_code "
                      "location investment_type status amount currency amount_eur announced_year announced_date "
                      "date_precision direction sector_names recommended_for_aggregates",
    "fct_agreement": "agreement_key title agreement_type status signed_year signed_date date_precision party_names "
                     "party_country_codes sector_names",
    "fct_policy_measure": "policy_measure_key title jurisdiction_code issuer_name measure_type status stance announced_year "
                          "announced_date date_precision target_names sector_names",
    "fct_evidence": "fact_type fact_key document_key chapter_country_code char_start char_end quote citation_numbers citation_urls",
}

REPORT_COUNTRIES = "AT BE CZ DK EE FI FR DE HU IE IT LV LT NL PL PT RO SK SI ES SE GB".split()


@pytest.fixture(scope="module")
def db(built_db_readonly):
    with psycopg.connect(built_db_readonly) as conn:
        yield conn


@pytest.mark.parametrize("view", sorted(CONTRACT))
def test_view_has_the_promised_columns_and_a_comment(db, view):
    cols = {r[0] for r in db.execute(
        "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped",
        (f"mart.{view}",))}
    assert set(CONTRACT[view].split()) <= cols
    assert db.execute("SELECT obj_description(%s::regclass, 'pg_class')", (f"mart.{view}",)).fetchone()[0]
    assert db.execute(f"SELECT count(*) FROM mart.{view}").fetchone()[0] > 0


def test_report_parts_have_their_country_codes_and_authors(db):
    rows = db.execute(
        "SELECT section_kind, country_code, cardinality(authors) FROM mart.dim_section "
        "WHERE document_key = 'etnc-2026-report' AND section_kind IN ('summary', 'chapter')").fetchall()
    assert len(rows) == 24
    assert sorted(r[1] for r in rows if r[0] == "chapter") == sorted(REPORT_COUNTRIES + ["EU"])
    assert all(r[2] >= 1 for r in rows if r[0] == "chapter")


def test_every_evidence_span_reproduces_its_quote(db):
    content = dict(db.execute("SELECT document_key, content FROM mart.dim_document").fetchall())
    rows = db.execute("SELECT document_key, char_start, char_end, quote FROM mart.fct_evidence").fetchall()
    assert len(rows) > 500
    bad = [r for r in rows if content[r[0]][r[1]:r[2]] != r[3]]
    assert bad == []
    # and PostgreSQL's own substring agrees on a sample (character, not byte, offsets)
    sample = db.execute(
        "SELECT count(*) FROM (SELECT * FROM mart.fct_evidence ORDER BY fact_key LIMIT 40) e "
        "JOIN mart.dim_document d USING (document_key) "
        "WHERE substring(d.content FROM e.char_start + 1 FOR e.char_end - e.char_start) = e.quote").fetchone()[0]
    assert sample == 40


def test_every_mention_reproduces_its_surface(db):
    content = dict(db.execute("SELECT document_key, content FROM mart.dim_document").fetchall())
    rows = db.execute("SELECT document_key, char_start, char_end, surface FROM mart.fct_mention").fetchall()
    assert [r for r in rows if content[r[0]][r[1]:r[2]] != r[3]] == []


def test_every_fact_has_evidence_and_cited_endnotes_where_the_text_cites(db):
    missing = db.execute(
        "SELECT f.key FROM (SELECT investment_key AS key, 'investment' AS t FROM mart.fct_investment "
        "UNION ALL SELECT agreement_key, 'agreement' FROM mart.fct_agreement "
        "UNION ALL SELECT policy_measure_key, 'policy_measure' FROM mart.fct_policy_measure) f "
        "WHERE NOT EXISTS (SELECT 1 FROM mart.fct_evidence e WHERE e.fact_type = f.t AND e.fact_key = f.key)").fetchall()
    assert missing == []
    # a span with a superscript marker inside it must list that endnote
    uncited = db.execute(
        "SELECT e.fact_key FROM mart.fct_evidence e JOIN core.citation_markers m "
        "ON m.document_id = (SELECT document_id FROM core.documents WHERE document_key = e.document_key) "
        "AND m.char_start >= e.char_start AND m.char_start < e.char_end AND m.citation_id IS NOT NULL "
        "WHERE cardinality(e.citation_numbers) = 0").fetchall()
    assert uncited == []
    assert db.execute("SELECT count(*) FROM mart.fct_evidence WHERE cardinality(citation_urls) > 0").fetchone()[0] > 100


def test_every_document_has_mentions_and_every_country_in_its_own_chapter(db):
    docs = {r[0] for r in db.execute("SELECT DISTINCT document_key FROM mart.fct_mention")}
    assert docs == {r[0] for r in db.execute("SELECT document_key FROM mart.dim_document")}
    for code in REPORT_COUNTRIES + ["CN"]:
        chapters = [code] if code != "CN" else REPORT_COUNTRIES
        n = db.execute(
            "SELECT count(*) FROM mart.fct_mention WHERE entity_type = 'country' AND entity_key = %s "
            "AND chapter_country_code = ANY(%s)", (code, chapters)).fetchone()[0]
        assert n > 0, f"{code} is never mentioned in its own chapter"


def test_investments_convert_to_eur_and_derive_direction(db):
    rows = db.execute(
        "SELECT investment_key, amount, currency, amount_eur, fx_rate, direction, investor_country_code, host_country_code "
        "FROM mart.fct_investment").fetchall()
    for key, amount, currency, eur, rate, direction, inv_cc, _host_cc in rows:
        if currency == "EUR":
            assert eur == amount and rate == 1, key
        if eur is not None and currency != "EUR":
            assert abs(eur - round(amount / rate, 2)) <= 0.01, key
        if direction == "china_to_europe":
            assert inv_cc in ("CN", "HK", "MO"), key
    assert {"china_to_europe", "europe_to_china"} <= {r[5] for r in rows}


@pytest.mark.parametrize("path", sorted((ROOT / "sql" / "analysis").glob("*.sql")), ids=lambda p: p.stem)
def test_analysis_query_runs_and_answers(db, path):
    rows = db.execute(path.read_text(encoding="utf-8")).fetchall()
    assert rows, f"{path.name} returned no rows"
