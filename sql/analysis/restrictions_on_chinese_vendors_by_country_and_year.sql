-- Policy measures restricting Chinese vendors (a Chinese organization or China among the
-- targets), by jurisdiction and year.
SELECT pm.jurisdiction_code,
       pm.jurisdiction_name,
       pm.best_year,
       count(*) AS measures,
       string_agg(DISTINCT pm.measure_type, ', ') AS measure_types,
       string_agg(pm.title, '; ' ORDER BY pm.title) AS titles
FROM mart.fct_policy_measure pm
WHERE pm.stance = 'restrictive'
  AND EXISTS (SELECT 1 FROM mart.bridge_policy_target t
              LEFT JOIN mart.dim_organization o ON o.organization_key = t.organization_key
              LEFT JOIN mart.dim_country c ON c.country_code = t.country_code
              WHERE t.policy_measure_key = pm.policy_measure_key
                AND t.target_kind IN ('organization', 'country')
                AND COALESCE(o.is_chinese_controlled, c.is_china))
GROUP BY pm.jurisdiction_code, pm.jurisdiction_name, pm.best_year
ORDER BY pm.jurisdiction_code, pm.best_year NULLS LAST;
