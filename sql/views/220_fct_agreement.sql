-- Stored in mart_cache.fct_agreement (refreshed by every load that changes facts or reference
-- data) and read through mart.fct_agreement, so BI tools see it in information_schema.
CREATE MATERIALIZED VIEW mart_cache.fct_agreement AS
SELECT a.agreement_key,
       f.title,
       a.agreement_type,
       t.label AS agreement_type_label,
       a.status,
       s.label AS status_label,
       (SELECT count(*) FROM core.agreement_parties p WHERE p.agreement_id = a.agreement_id)::int AS party_count,
       EXISTS (SELECT 1 FROM core.agreement_parties p
               LEFT JOIN core.organizations o ON o.organization_id = p.organization_id
               LEFT JOIN core.countries oc ON oc.country_id = o.country_id
               LEFT JOIN core.countries c ON c.country_id = p.country_id
               WHERE p.agreement_id = a.agreement_id AND COALESCE(oc.is_china, c.is_china, false)) AS has_chinese_party,
       x.country_code,
       x.fact_date,
       x.date_precision,
       x.date_key,
       x.status_date,
       x.status_date_precision,
       x.status_date_key,
       x.reported_date,
       x.reported_date_key,
       x.best_date,
       x.best_date_precision,
       core.date_key(x.best_date, x.best_date_precision) AS best_date_key,
       x.best_date_source,
       EXTRACT(YEAR FROM x.best_date)::int AS best_year,
       x.first_source_url,
       f.note
FROM core.agreements a
JOIN core.facts f ON f.fact_id = a.fact_id
JOIN mart_cache.fct_fact x ON x.fact_key = f.fact_key
JOIN core.vocab_agreement_type t ON t.value = a.agreement_type
JOIN core.vocab_agreement_status s ON s.value = a.status;
CREATE UNIQUE INDEX ON mart_cache.fct_agreement (agreement_key);
CREATE VIEW mart.fct_agreement AS SELECT * FROM mart_cache.fct_agreement;
