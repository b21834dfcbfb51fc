"""The mart contract: the views and columns the issues promise, spans that reproduce
their text, every fact with evidence, and the analysis queries."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

ROOT = Path(__file__).resolve().parents[2]

# The columns each issue promises (the contract; views may add more).
CONTRACT = {
    "dim_document": "document_key file_name sha256 title publisher published_date published_date_key document_kind "
                    "facts_published content",
    "dim_section": "section_key document_key parent_section_key section_kind title country_code authors char_start char_end",
    "bridge_section_author": "section_key author_position author institution",
    "dim_citation": "citation_key document_key section_key chapter_country_code note_number raw_text url url_as_written "
                    "title outlet published_date",
    "dim_passage": "passage_key document_key section_key char_start char_end passage_text",
    "dim_date": "date_key date_precision year quarter month day date_label period_start period_end",
    "dim_vocabulary": "vocabulary value label definition",
    "dim_country": "country_code country_name region is_eu_member eu_accession_date is_china is_european",
    "dim_sector": "sector_key sector_name parent_sector_key parent_sector_name nace_code",
    "dim_organization": "organization_key organization_name organization_kind country_code parent_name ownership "
                        "is_chinese is_chinese_controlled",
    "bridge_organization_alias": "organization_key alias",
    "bridge_organization_sector": "organization_key sector_key sector_name",
    "fct_mention": "mention_key document_key section_key char_start char_end surface entity_type entity_key entity_name",
    "fct_removed_text": "document_key char_start char_end removed_text rule_id reason",
    "fct_fact": "fact_key fact_type title country_code best_date best_date_precision best_date_key best_date_source "
                "best_year amount_eur first_source_url",
    "fct_investment": "investment_key title investor_key investor_name investor_description investor_country_code "
                      "target_name host_country_code location investment_type investment_type_label status amount "
                      "currency amount_eur fact_date date_precision date_key status_date reported_date best_date "
                      "best_date_source best_year direction recommended_for_aggregates",
    "fct_agreement": "agreement_key title agreement_type status party_count fact_date date_precision best_date best_year",
    "fct_policy_measure": "policy_measure_key title jurisdiction_code jurisdiction_level issuer_name measure_type status "
                          "stance fact_date best_date best_year",
    "fct_evidence": "evidence_key fact_type fact_key document_key chapter_country_code char_start char_end quote",
    "bridge_fact_sector": "fact_key fact_type sector_key sector_name parent_sector_key parent_sector_name",
    "bridge_agreement_party": "agreement_key party_kind organization_key country_code description party_name role",
    "bridge_policy_target": "policy_measure_key target_kind organization_key country_code sector_key target_name",
    "bridge_evidence_citation": "evidence_key fact_key citation_key note_number url published_date",
    "bridge_fact_entity": "fact_key fact_type entity_type entity_key role",
    "bridge_fact_relation": "fact_key relation direction related_fact_key",
}
# Bridges and the core rows they expose one each.
BRIDGES = {
    "bridge_fact_sector": "core.fact_sectors", "bridge_agreement_party": "core.agreement_parties",
    "bridge_policy_target": "core.policy_measure_targets", "bridge_evidence_citation": "core.evidence_citations",
    "bridge_organization_alias": "core.organization_aliases", "bridge_organization_sector": "core.organization_sectors",
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


def test_every_mart_relation_is_visible_to_bi_tools_and_has_no_arrays(db):
    listed = {r[0] for r in db.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'mart'")}
    catalog = {r[0] for r in db.execute(
        "SELECT c.relname FROM pg_class c WHERE c.relnamespace = 'mart'::regnamespace AND c.relkind IN ('r', 'v', 'm')")}
    assert listed == catalog and set(CONTRACT) <= listed
    arrays = db.execute(
        "SELECT table_name || '.' || column_name FROM information_schema.columns "
        "WHERE table_schema = 'mart' AND data_type = 'ARRAY'").fetchall()
    assert arrays == []


@pytest.mark.parametrize("bridge", sorted(BRIDGES))
def test_every_bridge_has_one_row_per_link_it_replaces(db, bridge):
    assert db.execute(f"SELECT count(*) FROM mart.{bridge}").fetchone()[0] == \
        db.execute(f"SELECT count(*) FROM {BRIDGES[bridge]}").fetchone()[0] > 0


def test_year_precision_dates_are_years_not_first_january(db):
    rows = db.execute("SELECT date_key, month, day, date_label FROM mart.dim_date WHERE date_precision = 'year'").fetchall()
    assert rows and all(len(k) == 4 and m is None and d is None and label == k for k, m, d, label in rows)


def test_report_parts_have_their_country_codes_and_authors(db):
    rows = db.execute(
        "SELECT s.section_kind, s.country_code, (SELECT count(*) FROM mart.bridge_section_author a "
        "WHERE a.section_key = s.section_key) FROM mart.dim_section s "
        "WHERE s.document_key = 'etnc-2026-report' AND s.section_kind IN ('summary', 'chapter')").fetchall()
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


def test_every_fact_has_evidence_and_cites_the_endnotes_of_its_sentences(db):
    missing = db.execute(
        "SELECT f.fact_key FROM mart.fct_fact f "
        "WHERE NOT EXISTS (SELECT 1 FROM mart.fct_evidence e WHERE e.fact_key = f.fact_key)").fetchall()
    assert missing == []
    # a marker inside a span, or right after the end of the span's sentence, is cited by it
    uncited = db.execute(
        "SELECT e.evidence_key, m.note_number FROM mart.fct_evidence e "
        "JOIN core.documents d ON d.document_key = e.document_key "
        "JOIN core.citation_markers m ON m.document_id = d.document_id AND m.citation_id IS NOT NULL "
        "AND (m.char_start BETWEEN e.char_start AND e.char_end - 1 "
        "     OR (m.char_start BETWEEN e.char_end AND e.char_end + 2 AND substring(d.content FROM e.char_end FOR 1) IN ('.', '?', '!'))) "
        "WHERE NOT EXISTS (SELECT 1 FROM mart.bridge_evidence_citation b JOIN core.citations c USING (citation_key) "
        "                  WHERE b.evidence_key = e.evidence_key AND c.citation_id = m.citation_id)").fetchall()
    assert uncited == []
    assert db.execute("SELECT count(DISTINCT evidence_key) FROM mart.bridge_evidence_citation "
                      "WHERE url IS NOT NULL").fetchone()[0] > 100


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
    china = {r[0] for r in db.execute("SELECT country_code FROM mart.dim_country WHERE is_china")}
    for key, amount, currency, eur, rate, direction, inv_cc, _host_cc in rows:
        if currency == "EUR":
            assert eur == amount and rate == 1, key
        if eur is not None and currency != "EUR":
            assert abs(eur - round(amount / rate, 2)) <= 0.01, key
        if direction == "china_to_europe":
            assert inv_cc in china, key
    assert {"china_to_europe", "europe_to_china"} <= {r[5] for r in rows}


@pytest.mark.parametrize("path", sorted((ROOT / "sql" / "analysis").glob("*.sql")), ids=lambda p: p.stem)
def test_analysis_query_runs_and_answers(db, path):
    rows = db.execute(path.read_text(encoding="utf-8")).fetchall()
    assert rows, f"{path.name} returned no rows"


def test_stored_marts_refresh_after_what_they_read_and_match_their_definitions(built_db):
    """mart_cache.fct_investment reads mart_cache.fct_fact: refreshed in name order it would
    be rebuilt from the old fct_fact. After a refresh each stored mart holds exactly what
    its definition computes now."""
    from etnc_db.db.views import refresh_materialized

    with psycopg.connect(built_db) as conn:
        conn.execute("DELETE FROM core.fact_sectors WHERE fact_id IN (SELECT fact_id FROM core.facts "
                     "WHERE fact_type = 'investment' ORDER BY fact_id LIMIT 5)")
        conn.execute("UPDATE core.facts SET fact_date = NULL, date_precision = 'unknown' "
                     "WHERE fact_type = 'investment' AND fact_date IS NOT NULL")
        order = refresh_materialized(conn)
        for reader in ("fct_investment", "fct_agreement", "fct_policy_measure"):
            assert order.index("mart_cache.fct_fact") < order.index(f"mart_cache.{reader}")
        for name in order:
            definition = conn.execute("SELECT definition FROM pg_matviews WHERE schemaname || '.' || matviewname = %s",
                                      (name,)).fetchone()[0].rstrip().rstrip(";")
            stale = conn.execute(f"SELECT count(*) FROM ((SELECT * FROM {name} EXCEPT ALL ({definition})) "
                                 f"UNION ALL (({definition}) EXCEPT ALL SELECT * FROM {name})) d").fetchone()[0]
            assert stale == 0, name
        assert conn.execute("SELECT count(*) FROM mart.fct_investment WHERE fact_date IS NOT NULL").fetchone()[0] == 0
        conn.rollback()
