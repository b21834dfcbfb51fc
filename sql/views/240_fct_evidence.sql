CREATE MATERIALIZED VIEW mart.fct_evidence AS
SELECT e.evidence_key,
       e.fact_type,
       COALESCE(a.agreement_key, i.investment_key, p.policy_measure_key) AS fact_key,
       d.document_key,
       s.section_key,
       c.country_code AS chapter_country_code,
       e.char_start,
       e.char_end,
       e.quote,
       e.match_method,
       COALESCE(cit.citation_numbers, '{}') AS citation_numbers,
       COALESCE(cit.citation_urls, '{}') AS citation_urls,
       e.source_file
FROM core.evidence e
JOIN core.documents d ON d.document_id = e.document_id
LEFT JOIN core.document_sections s ON s.section_id = e.section_id
LEFT JOIN core.countries c ON c.country_id = s.country_id
LEFT JOIN core.agreements a ON a.agreement_id = e.agreement_id
LEFT JOIN core.investments i ON i.investment_id = e.investment_id
LEFT JOIN core.policy_measures p ON p.policy_measure_id = e.policy_measure_id
LEFT JOIN (
    SELECT ec.evidence_id,
           array_agg(ci.note_number ORDER BY ci.note_number) AS citation_numbers,
           array_agg(ci.url ORDER BY ci.note_number) FILTER (WHERE ci.url IS NOT NULL) AS citation_urls
    FROM core.evidence_citations ec JOIN core.citations ci ON ci.citation_id = ec.citation_id
    GROUP BY ec.evidence_id
) cit ON cit.evidence_id = e.evidence_id;
CREATE UNIQUE INDEX ON mart.fct_evidence (evidence_key);
CREATE INDEX ON mart.fct_evidence (fact_type, fact_key);
COMMENT ON MATERIALIZED VIEW mart.fct_evidence IS 'Materialized, refreshed by every load that changes facts or reference data. The sentence(s) stating each fact, with offsets into mart.dim_document.content and the endnotes cited there.';
COMMENT ON COLUMN mart.fct_evidence.evidence_key IS 'Stable evidence key.';
COMMENT ON COLUMN mart.fct_evidence.fact_type IS 'investment, agreement or policy_measure.';
COMMENT ON COLUMN mart.fct_evidence.fact_key IS 'Key of the fact in its fct_ view.';
COMMENT ON COLUMN mart.fct_evidence.document_key IS 'Document holding the quote.';
COMMENT ON COLUMN mart.fct_evidence.section_key IS 'Chapter or top section holding the quote.';
COMMENT ON COLUMN mart.fct_evidence.chapter_country_code IS 'Country of that chapter (EU for the EU chapter; null for the summary and news).';
COMMENT ON COLUMN mart.fct_evidence.char_start IS 'Start offset in the document content.';
COMMENT ON COLUMN mart.fct_evidence.char_end IS 'End offset (exclusive).';
COMMENT ON COLUMN mart.fct_evidence.quote IS 'The stored text of the span.';
COMMENT ON COLUMN mart.fct_evidence.match_method IS 'exact, or normalized (whitespace/quote-mark insensitive match of the curated quote).';
COMMENT ON COLUMN mart.fct_evidence.citation_numbers IS 'Endnote numbers cited in or right after the span.';
COMMENT ON COLUMN mart.fct_evidence.citation_urls IS 'URLs of those endnotes.';
COMMENT ON COLUMN mart.fct_evidence.source_file IS 'Curated file and line of the record.';
