-- Stored in mart_cache.fct_investment (refreshed by every load that changes facts or reference
-- data) and read through mart.fct_investment, so BI tools see it in information_schema.
CREATE MATERIALIZED VIEW mart_cache.fct_investment AS
SELECT i.investment_key,
       f.title,
       inv.organization_key AS investor_key,
       COALESCE(inv.name, i.investor_description) AS investor_name,
       i.investor_description,
       COALESCE(ic.country_code, sic.country_code) AS investor_country_code,
       up.organization_key AS investor_ultimate_parent_key,
       up.name AS investor_ultimate_parent_name,
       upc.country_code AS investor_ultimate_parent_country_code,
       COALESCE(upc.is_china, ic.is_china, sic.is_china, false) AS is_chinese_controlled,
       tg.organization_key AS target_key,
       COALESCE(tg.name, i.target_name) AS target_name,
       hc.country_code AS host_country_code,
       hc.name AS host_country_name,
       hc.is_eu_member AS host_is_eu_member,
       i.location,
       i.investment_type,
       t.label AS investment_type_label,
       i.status,
       s.label AS status_label,
       i.amount,
       i.amount_max,
       i.amount_qualifier,
       i.currency,
       i.amount_eur,
       i.fx_rate,
       i.fx_rate_date,
       i.direction,
       i.recommended_for_aggregates,
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
FROM core.investments i
JOIN core.facts f ON f.fact_id = i.fact_id
JOIN mart_cache.fct_fact x ON x.fact_key = f.fact_key
JOIN core.vocab_investment_type t ON t.value = i.investment_type
JOIN core.vocab_investment_status s ON s.value = i.status
LEFT JOIN core.organizations inv ON inv.organization_id = i.investor_id
LEFT JOIN core.countries ic ON ic.country_id = inv.country_id
LEFT JOIN core.countries sic ON sic.country_id = i.investor_country_id
LEFT JOIN core.companies co ON co.organization_id = inv.organization_id
LEFT JOIN core.organizations up ON up.organization_id = co.ultimate_parent_id
LEFT JOIN core.countries upc ON upc.country_id = up.country_id
LEFT JOIN core.organizations tg ON tg.organization_id = i.target_id
JOIN core.countries hc ON hc.country_id = i.host_country_id;
CREATE UNIQUE INDEX ON mart_cache.fct_investment (investment_key);
CREATE INDEX ON mart_cache.fct_investment (host_country_code);
CREATE INDEX ON mart_cache.fct_investment (direction);
CREATE VIEW mart.fct_investment AS SELECT * FROM mart_cache.fct_investment;
