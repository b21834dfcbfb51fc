-- Policy measures restricting Chinese vendors (a Chinese organization or China among the
-- targets), by jurisdiction and year.
WITH chinese_keys AS (
    SELECT array_agg(organization_key) || ARRAY['CN', 'HK', 'MO'] AS keys
    FROM mart.dim_organization
    WHERE is_chinese
)
SELECT pm.jurisdiction_code,
       pm.jurisdiction_name,
       pm.announced_year,
       count(*) AS measures,
       string_agg(DISTINCT pm.measure_type, ', ') AS measure_types,
       string_agg(pm.title, '; ' ORDER BY pm.title) AS titles
FROM mart.fct_policy_measure pm, chinese_keys ck
WHERE pm.stance = 'restrictive'
  AND pm.target_keys && ck.keys
GROUP BY pm.jurisdiction_code, pm.jurisdiction_name, pm.announced_year
ORDER BY pm.jurisdiction_code, pm.announced_year NULLS LAST;
