CREATE VIEW mart.fct_agreement AS
SELECT a.agreement_key,
       f.title,
       a.agreement_type,
       t.label AS agreement_type_label,
       a.status,
       s.label AS status_label,
       (SELECT count(*) FROM core.agreement_parties p WHERE p.agreement_id = a.agreement_id)::int AS party_count,
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
