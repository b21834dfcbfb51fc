-- Chinese investment into EU member states per year, in EUR. Sums only amounts safe to
-- aggregate (recommended_for_aggregates: a concrete investment with an amount, not a pledge,
-- cancellation, umbrella figure or double count); counts every investment. The year is the
-- best date's (the text's date, else the status date, else when the cited source reported
-- it; NULL when none); dated_by_the_text counts those whose year the text itself states.
SELECT i.best_year AS year,
       count(*) AS investments,
       count(*) FILTER (WHERE i.best_date_source = 'stated') AS dated_by_the_text,
       count(*) FILTER (WHERE i.recommended_for_aggregates) AS summed_investments,
       round(sum(i.amount_eur) FILTER (WHERE i.recommended_for_aggregates) / 1e6, 1) AS total_eur_million
FROM mart.fct_investment i
WHERE i.direction = 'china_to_europe'
  AND i.host_is_eu_member
GROUP BY i.best_year
ORDER BY i.best_year NULLS LAST;
