CREATE MATERIALIZED VIEW mart_cache.fct_fact AS
WITH ev AS (
    SELECT e.fact_id,
           count(*) AS evidence_count,
           (array_agg(d.document_key ORDER BY d.document_key, e.char_start))[1] AS first_document_key,
           min(sec.country_id) FILTER (WHERE sec.country_id IS NOT NULL) AS any_chapter_country_id
    FROM core.evidence e
    JOIN core.documents d ON d.document_id = e.document_id
    LEFT JOIN core.document_sections sec ON sec.section_id = e.section_id
    GROUP BY e.fact_id
), cites AS (
    SELECT e.fact_id,
           count(DISTINCT ec.citation_id) AS citation_count,
           (array_agg(c.url ORDER BY e.char_start, c.note_number) FILTER (WHERE c.url IS NOT NULL))[1] AS first_source_url
    FROM core.evidence e
    JOIN core.evidence_citations ec ON ec.evidence_id = e.evidence_id
    JOIN core.citations c ON c.citation_id = ec.citation_id
    GROUP BY e.fact_id
), party_country AS (
    SELECT a.fact_id,
           (array_agg(COALESCE(pc.country_code, oc.country_code) ORDER BY ap.party_kind DESC, COALESCE(pc.country_code, oc.country_code))
               FILTER (WHERE COALESCE(pc.is_european, oc.is_european)))[1] AS country_code
    FROM core.agreements a
    JOIN core.agreement_parties ap ON ap.agreement_id = a.agreement_id
    LEFT JOIN core.countries pc ON pc.country_id = ap.country_id AND ap.party_kind = 'government'
    LEFT JOIN core.organizations o ON o.organization_id = ap.organization_id
    LEFT JOIN core.countries oc ON oc.country_id = o.country_id
    GROUP BY a.fact_id
)
SELECT f.fact_key,
       f.fact_type,
       f.title,
       COALESCE(hc.country_code, jc.country_code, pcy.country_code, chc.country_code) AS country_code,
       f.fact_date,
       f.date_precision,
       core.date_key(f.fact_date, f.date_precision) AS date_key,
       f.status_date,
       f.status_date_precision,
       core.date_key(f.status_date, f.status_date_precision) AS status_date_key,
       f.reported_date,
       f.reported_date_precision,
       core.date_key(f.reported_date, f.reported_date_precision) AS reported_date_key,
       COALESCE(f.fact_date, f.status_date, f.reported_date) AS best_date,
       CASE WHEN f.fact_date IS NOT NULL THEN f.date_precision WHEN f.status_date IS NOT NULL THEN f.status_date_precision
            WHEN f.reported_date IS NOT NULL THEN f.reported_date_precision ELSE 'unknown' END AS best_date_precision,
       CASE WHEN f.fact_date IS NOT NULL THEN 'stated' WHEN f.status_date IS NOT NULL THEN 'status'
            WHEN f.reported_date IS NOT NULL THEN 'reported' ELSE 'none' END AS best_date_source,
       i.amount_eur,
       COALESCE(i.recommended_for_aggregates, false) AS recommended_for_aggregates,
       COALESCE(ev.evidence_count, 0)::int AS evidence_count,
       COALESCE(cites.citation_count, 0)::int AS citation_count,
       ev.first_document_key,
       cites.first_source_url,
       f.note,
       f.source_file
FROM core.facts f
LEFT JOIN core.investments i ON i.fact_id = f.fact_id
LEFT JOIN core.countries hc ON hc.country_id = i.host_country_id
LEFT JOIN core.policy_measures pm ON pm.fact_id = f.fact_id
LEFT JOIN core.countries jc ON jc.country_id = pm.jurisdiction_id
LEFT JOIN party_country pcy ON pcy.fact_id = f.fact_id
LEFT JOIN ev ON ev.fact_id = f.fact_id
LEFT JOIN core.countries chc ON chc.country_id = ev.any_chapter_country_id AND f.fact_type = 'agreement'
LEFT JOIN cites ON cites.fact_id = f.fact_id;
CREATE UNIQUE INDEX ON mart_cache.fct_fact (fact_key);
CREATE INDEX ON mart_cache.fct_fact (fact_type);
CREATE VIEW mart.fct_fact AS
SELECT x.fact_key,
       x.fact_type,
       x.title,
       x.country_code,
       c.name AS country_name,
       x.fact_date,
       x.date_precision,
       x.date_key,
       x.status_date,
       x.status_date_precision,
       x.status_date_key,
       x.reported_date,
       x.reported_date_precision,
       x.reported_date_key,
       x.best_date,
       x.best_date_precision,
       core.date_key(x.best_date, x.best_date_precision) AS best_date_key,
       x.best_date_source,
       EXTRACT(YEAR FROM x.best_date)::int AS best_year,
       x.amount_eur,
       x.recommended_for_aggregates,
       x.evidence_count,
       x.citation_count,
       x.first_document_key,
       x.first_source_url,
       x.note,
       x.source_file
FROM mart_cache.fct_fact x
LEFT JOIN core.countries c ON c.country_code = x.country_code;
