-- Stored in mart_cache.fct_evidence (refreshed by every load that changes facts or reference
-- data) and read through mart.fct_evidence, so BI tools see it in information_schema.
CREATE MATERIALIZED VIEW mart_cache.fct_evidence AS
SELECT e.evidence_key,
       f.fact_key,
       f.fact_type,
       d.document_key,
       s.section_key,
       c.country_code AS chapter_country_code,
       e.char_start,
       e.char_end,
       e.quote,
       e.match_method,
       (SELECT count(*) FROM core.evidence_citations ec WHERE ec.evidence_id = e.evidence_id)::int AS citation_count,
       e.source_file
FROM core.evidence e
JOIN core.facts f ON f.fact_id = e.fact_id
JOIN core.documents d ON d.document_id = e.document_id
LEFT JOIN core.document_sections s ON s.section_id = e.section_id
LEFT JOIN core.countries c ON c.country_id = s.country_id;
CREATE UNIQUE INDEX ON mart_cache.fct_evidence (evidence_key);
CREATE INDEX ON mart_cache.fct_evidence (fact_key, char_start);
CREATE VIEW mart.fct_evidence AS SELECT * FROM mart_cache.fct_evidence;
