-- Policy measures restricting Chinese vendors (a Chinese organization or China among the
-- targets), by jurisdiction and year.
SELECT pm.jurisdiction_code,
       pm.jurisdiction_name,
       pm.announced_year,
       count(*) AS measures,
       string_agg(DISTINCT pm.measure_type, ', ') AS measure_types,
       string_agg(pm.title, '; ' ORDER BY pm.title) AS titles
FROM mart.fct_policy_measure pm
WHERE pm.stance = 'restrictive'
  AND EXISTS (
        SELECT 1 FROM unnest(pm.target_keys) AS t(target_key)
        LEFT JOIN mart.dim_organization o ON o.organization_key = t.target_key
        WHERE t.target_key IN ('CN', 'HK', 'MO') OR o.is_chinese)
GROUP BY pm.jurisdiction_code, pm.jurisdiction_name, pm.announced_year
ORDER BY pm.jurisdiction_code, pm.announced_year NULLS LAST;
