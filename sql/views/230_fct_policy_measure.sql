-- Stored in mart_cache.fct_policy_measure (refreshed by every load that changes facts or reference
-- data) and read through mart.fct_policy_measure, so BI tools see it in information_schema.
CREATE MATERIALIZED VIEW mart_cache.fct_policy_measure AS
SELECT pm.policy_measure_key,
       f.title,
       jc.country_code AS jurisdiction_code,
       COALESCE(jc.name, 'Multilateral') AS jurisdiction_name,
       pm.jurisdiction_level,
       iss.organization_key AS issuer_key,
       iss.name AS issuer_name,
       pm.measure_type,
       t.label AS measure_type_label,
       pm.status,
       s.label AS status_label,
       pm.stance,
       st.label AS stance_label,
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
FROM core.policy_measures pm
JOIN core.facts f ON f.fact_id = pm.fact_id
JOIN mart_cache.fct_fact x ON x.fact_key = f.fact_key
JOIN core.vocab_measure_type t ON t.value = pm.measure_type
JOIN core.vocab_policy_status s ON s.value = pm.status
JOIN core.vocab_stance st ON st.value = pm.stance
LEFT JOIN core.countries jc ON jc.country_id = pm.jurisdiction_id
LEFT JOIN core.organizations iss ON iss.organization_id = pm.issuer_id;
CREATE UNIQUE INDEX ON mart_cache.fct_policy_measure (policy_measure_key);
CREATE INDEX ON mart_cache.fct_policy_measure (stance);
CREATE VIEW mart.fct_policy_measure AS SELECT * FROM mart_cache.fct_policy_measure;
