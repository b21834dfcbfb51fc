"""The shipped corpus with the review queue: the curated facts stay the published truth
(same counts, none published by extraction), every candidate is in the queue with its
evidence, and the shipped decisions (etl/review/decisions.yaml) decide the report's
candidates and the news candidates read one by one."""

from __future__ import annotations

from pathlib import Path

import psycopg

from conftest import load_script

ROOT = Path(__file__).resolve().parents[2]


def _curated_counts() -> dict[str, int]:
    """Records per fact type in the shipped curated files (the counts of docs/curation.md §6)."""
    script = load_script("curation_counts")
    totals: dict[str, int] = {}
    for _file, c in script.counts(ROOT / "etl" / "curated"):
        for fact_type in ("agreement", "investment", "policy_measure"):
            totals[fact_type] = totals.get(fact_type, 0) + c[f"{fact_type}s"]
    return totals


def _rows(url: str, query: str):
    with psycopg.connect(url) as conn:
        return conn.execute(query).fetchall()


def test_the_curated_facts_stay_the_published_truth(built_db_readonly):
    counts = {t: (n, c) for t, n, c in _rows(
        built_db_readonly, "SELECT fact_type, count(*), count(candidate_key) FROM core.facts GROUP BY 1")}
    assert counts == {t: (n, 0) for t, n in _curated_counts().items()}  # extraction published nothing
    accepted = _rows(built_db_readonly, "SELECT c.fact_key FROM review.candidates c WHERE c.status = 'accepted' "
                                        "AND NOT EXISTS (SELECT 1 FROM core.facts f WHERE f.fact_key = c.fact_key)")
    assert accepted == []  # every accepted candidate is a published fact


def test_every_candidate_of_the_report_is_decided(built_db_readonly):
    by_status = dict(_rows(built_db_readonly,
                           "SELECT status || '/' || decision_source, count(*) FROM mart.review_queue "
                           "WHERE document_key = 'etnc-2026-report' GROUP BY 1"))
    assert set(by_status) == {"accepted/curated_evidence", "rejected/document_decision"}
    # hundreds of each (the threshold floors keep fewer uncovered candidates than before)
    assert by_status["accepted/curated_evidence"] > 300 and by_status["rejected/document_decision"] > 300
    pending = dict(_rows(built_db_readonly, "SELECT document_key, candidates_pending FROM mart.dim_document"))
    assert pending["etnc-2026-report"] == 0
    assert sum(pending.values()) <= 5  # the news candidates left for a person (docs/review.md)


def test_the_queue_keeps_its_contract_on_the_shipped_corpus(built_db_readonly):
    broken = _rows(built_db_readonly,
                   "SELECT q.candidate_key FROM mart.review_queue q JOIN mart.dim_document d USING (document_key) "
                   "WHERE q.quote IS DISTINCT FROM substr(d.content, q.char_start + 1, q.char_end - q.char_start)")
    assert broken == []
    unmatched = _rows(built_db_readonly, "SELECT decision_key FROM review.decisions WHERE NOT matched")
    assert unmatched == []  # every shipped decision names a loaded candidate or document
    comments = _rows(built_db_readonly, """
        SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'review' AND c.relkind = 'r' AND obj_description(c.oid, 'pg_class') IS NULL
        UNION ALL
        SELECT c.relname || '.' || a.attname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
        WHERE n.nspname = 'review' AND c.relkind = 'r' AND col_description(c.oid, a.attnum) IS NULL""")
    assert comments == []  # every review table and column is documented
