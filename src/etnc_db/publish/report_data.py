"""The numbers behind the HTML report, each one query on the mart views (and, for the
data-quality part, on etl.runs and etl.dq_results), returned as DataFrames. All run on
the same snapshot connection (etnc_db.publish.snapshot)."""

from __future__ import annotations

import pandas as pd
import psycopg

# Top-level section of every section (chapters, summary, newsletter issues, articles).
_TOP_SECTION = """
WITH RECURSIVE up AS (
    SELECT section_key, section_key AS top_key FROM mart.dim_section WHERE parent_section_key IS NULL
    UNION ALL
    SELECT s.section_key, up.top_key FROM mart.dim_section s JOIN up ON s.parent_section_key = up.section_key
)"""


def query(conn: psycopg.Connection, text: str, params: tuple | dict | None = None) -> pd.DataFrame:
    """The rows of `text` as a DataFrame (column names from the query)."""
    cur = conn.execute(text, params)
    return pd.DataFrame(cur.fetchall(), columns=[d.name for d in cur.description], dtype=object)


def chinese_investments(conn: psycopg.Connection) -> pd.DataFrame:
    """Every Chinese investment in Europe (direction china_to_europe), one row each, with
    its top-level sectors joined by '; '."""
    return query(conn, """
        SELECT i.investment_key AS fact_key, i.title, i.host_country_code, i.host_country_name, i.investor_name,
               COALESCE((SELECT string_agg(DISTINCT s.parent_sector_name, '; ') FROM mart.bridge_fact_sector s
                         WHERE s.fact_key = i.investment_key), '(no sector)') AS sectors,
               i.status, i.best_year, i.amount_eur, i.recommended_for_aggregates
        FROM mart.fct_investment i WHERE i.direction = 'china_to_europe'
        ORDER BY i.host_country_code, i.investment_key""")


def investment_by_country_sector(conn: psycopg.Connection) -> pd.DataFrame:
    """Chinese investments per host country and top-level sector: counts of all, EUR
    summed over recommended_for_aggregates only (an investment in several sectors counts
    in each, as in sql/analysis/chinese_investments_by_host_country_and_sector.sql)."""
    return query(conn, """
        SELECT i.host_country_code, i.host_country_name, COALESCE(s.parent_sector_name, '(no sector)') AS sector,
               count(DISTINCT i.investment_key)::int AS investments,
               count(DISTINCT i.investment_key) FILTER (WHERE i.recommended_for_aggregates)::int AS summed,
               COALESCE(round(sum(i.amount_eur) FILTER (WHERE i.recommended_for_aggregates) / 1e6, 1), 0)
                   AS eur_million
        FROM mart.fct_investment i
        LEFT JOIN (SELECT DISTINCT fact_key, parent_sector_name FROM mart.bridge_fact_sector) s
               ON s.fact_key = i.investment_key
        WHERE i.direction = 'china_to_europe'
        GROUP BY 1, 2, 3 ORDER BY 1, 3""")


def policy_measures(conn: psycopg.Connection) -> pd.DataFrame:
    """Every policy measure: jurisdiction, stance, best_year (null when undated)."""
    return query(conn, """
        SELECT policy_measure_key AS fact_key, title, COALESCE(jurisdiction_code, 'multilateral') AS jurisdiction,
               jurisdiction_name, measure_type, stance, status, best_year
        FROM mart.fct_policy_measure ORDER BY jurisdiction, best_year NULLS LAST, policy_measure_key""")


def agreement_parties(conn: psycopg.Connection) -> pd.DataFrame:
    """One row per agreement and party, the party identified as a network node
    (organization key, government country code, or the unnamed party's description)."""
    return query(conn, """
        SELECT a.agreement_key AS fact_key, a.title, a.agreement_type, a.best_year,
               CASE p.party_kind WHEN 'organization' THEN 'org:' || p.organization_key
                                 WHEN 'government' THEN 'gov:' || p.country_code
                                 ELSE 'unnamed:' || p.party_name END AS node,
               p.party_name, p.party_kind, p.party_country_code, p.party_is_chinese,
               COALESCE(c.is_european, false) AS party_is_european
        FROM mart.fct_agreement a JOIN mart.bridge_agreement_party p USING (agreement_key)
        LEFT JOIN mart.dim_country c ON c.country_code = p.party_country_code
        ORDER BY a.agreement_key, node""")


def facts_by_section(conn: psycopg.Connection) -> pd.DataFrame:
    """Facts per top-level section (report chapter, summary, newsletter issue, article)
    and fact type: a fact with evidence in several sections counts in each."""
    return query(conn, _TOP_SECTION + """
        SELECT t.document_key, t.section_key, t.title, t.country_code, e.fact_type,
               count(DISTINCT e.fact_key)::int AS facts
        FROM mart.fct_evidence e JOIN up ON up.section_key = e.section_key
        JOIN mart.dim_section t ON t.section_key = up.top_key
        GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 5""")


def documents(conn: psycopg.Connection) -> pd.DataFrame:
    """Every source document with its facts per type."""
    return query(conn, """
        SELECT d.document_key, d.title, d.document_kind, d.published_date_key AS published, d.char_length,
               d.facts_published,
               (SELECT count(DISTINCT e.fact_key) FROM mart.fct_evidence e WHERE e.document_key = d.document_key
                AND e.fact_type = 'agreement')::int AS agreements,
               (SELECT count(DISTINCT e.fact_key) FROM mart.fct_evidence e WHERE e.document_key = d.document_key
                AND e.fact_type = 'investment')::int AS investments,
               (SELECT count(DISTINCT e.fact_key) FROM mart.fct_evidence e WHERE e.document_key = d.document_key
                AND e.fact_type = 'policy_measure')::int AS policy_measures
        FROM mart.dim_document d ORDER BY d.document_key""")


def pending_candidates(conn: psycopg.Connection) -> int:
    """Candidate facts waiting for review (`etnc-db review`)."""
    return conn.execute("SELECT count(*) FROM review.candidates WHERE status = 'pending'").fetchone()[0]


def last_check(conn: psycopg.Connection) -> tuple[dict | None, pd.DataFrame]:
    """The last finished `etnc-db check` run (run_id, status, finished_at, error) and its
    expectation results."""
    row = conn.execute(
        "SELECT run_id, status, finished_at, error FROM etl.runs WHERE command = 'check' AND status <> 'running' "
        "ORDER BY run_id DESC LIMIT 1").fetchone()
    if row is None:
        return None, pd.DataFrame(columns=["suite", "expectation", "column_name", "success", "observed"])
    run = dict(zip(("run_id", "status", "finished_at", "error"), row, strict=True))
    return run, _dq_results(conn, run["run_id"], "check")


def last_gate(conn: psycopg.Connection) -> tuple[int | None, pd.DataFrame]:
    """The run whose in-run SQL gate ran last, and the gate's results."""
    row = conn.execute("SELECT max(run_id) FROM etl.dq_results WHERE phase = 'gate'").fetchone()
    if row[0] is None:
        return None, pd.DataFrame(columns=["suite", "expectation", "column_name", "success", "observed"])
    return row[0], _dq_results(conn, row[0], "gate")


def _dq_results(conn: psycopg.Connection, run_id: int, phase: str) -> pd.DataFrame:
    return query(conn, """
        SELECT suite, expectation, COALESCE(column_name, '') AS column_name, success,
               COALESCE(observed_value->>'observed_value', observed_value::text, '') AS observed
        FROM etl.dq_results WHERE run_id = %s AND phase = %s ORDER BY suite, expectation, column_name""",
                 (run_id, phase))


def data_run(conn: psycopg.Connection) -> dict | None:
    """The latest succeeded run that loaded data: what the report shows."""
    row = conn.execute(
        "SELECT run_id, command, finished_at FROM etl.runs WHERE status = 'succeeded' AND command <> 'check' "
        "ORDER BY run_id DESC LIMIT 1").fetchone()
    return dict(zip(("run_id", "command", "finished_at"), row, strict=True)) if row else None


def facts(conn: psycopg.Connection) -> pd.DataFrame:
    """Every fact with what its evidence entry shows (type, title, country, best date)."""
    return query(conn, """
        SELECT fact_key, fact_type, title, country_code, country_name, best_date_key, best_date_source
        FROM mart.fct_fact ORDER BY fact_key""")


def evidence(conn: psycopg.Connection) -> pd.DataFrame:
    """Every evidence quote with its document and chapter."""
    return query(conn, """
        SELECT e.evidence_key, e.fact_key, e.document_key, d.title AS document_title, e.section_key,
               s.title AS section_title, e.char_start, e.quote
        FROM mart.fct_evidence e JOIN mart.dim_document d USING (document_key)
        LEFT JOIN mart.dim_section s ON s.section_key = e.section_key
        ORDER BY e.fact_key, e.document_key, e.char_start""")


def evidence_citations(conn: psycopg.Connection) -> pd.DataFrame:
    """The endnotes each evidence quote cites (number, URL, title, outlet)."""
    return query(conn, """
        SELECT evidence_key, note_number, url, title, outlet
        FROM mart.bridge_evidence_citation ORDER BY evidence_key, note_number, citation_key""")
