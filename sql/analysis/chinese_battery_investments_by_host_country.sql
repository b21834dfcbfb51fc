-- Chinese investments in European batteries by host country (EUR totals of aggregable amounts).
SELECT i.host_country_code,
       i.host_country_name,
       count(*) AS investments,
       string_agg(i.investor_name || COALESCE(' (' || i.location || ')', ''), '; ' ORDER BY i.investor_name) AS investors,
       round(sum(i.amount_eur) FILTER (WHERE i.recommended_for_aggregates) / 1e9, 2) AS total_eur_billion
FROM mart.fct_investment i
WHERE i.direction = 'china_to_europe'
  AND EXISTS (SELECT 1 FROM mart.bridge_fact_sector s
              WHERE s.fact_key = i.investment_key AND s.sector_key = 'batteries')
GROUP BY i.host_country_code, i.host_country_name
ORDER BY total_eur_billion DESC NULLS LAST, investments DESC;
