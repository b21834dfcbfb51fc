-- Chinese investments in Europe by host country and top-level sector, with EUR totals.
-- Counts every investment; sums only amounts safe to aggregate (recommended_for_aggregates).
-- An investment in several top-level sectors counts in each (once per top-level sector).
WITH sectors AS (
    SELECT DISTINCT fact_key, parent_sector_name
    FROM mart.bridge_fact_sector
    WHERE fact_type = 'investment'
)
SELECT i.host_country_code,
       i.host_country_name,
       COALESCE(s.parent_sector_name, '(no sector)') AS parent_sector_name,
       count(*) AS investments,
       count(*) FILTER (WHERE i.recommended_for_aggregates) AS summed_investments,
       round(sum(i.amount_eur) FILTER (WHERE i.recommended_for_aggregates) / 1e6, 1) AS total_eur_million
FROM mart.fct_investment i
LEFT JOIN sectors s ON s.fact_key = i.investment_key
WHERE i.direction = 'china_to_europe'
GROUP BY i.host_country_code, i.host_country_name, s.parent_sector_name
ORDER BY total_eur_million DESC NULLS LAST, investments DESC, i.host_country_code, parent_sector_name;
