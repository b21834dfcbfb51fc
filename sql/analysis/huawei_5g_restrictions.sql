-- Which countries restrict Huawei in 5G / telecoms, with the evidence sentence.
SELECT pm.jurisdiction_code,
       pm.policy_measure_key,
       pm.title,
       pm.measure_type,
       pm.status,
       pm.announced_year,
       (SELECT e.quote FROM mart.fct_evidence e
        WHERE e.fact_type = 'policy_measure' AND e.fact_key = pm.policy_measure_key
        ORDER BY e.char_start LIMIT 1) AS evidence
FROM mart.fct_policy_measure pm
WHERE pm.stance = 'restrictive'
  AND ('huawei' = ANY (pm.target_keys)
       OR ('Telecommunications (5G/6G)' = ANY (pm.sector_names) AND 'CN' = ANY (pm.target_keys)))
ORDER BY pm.jurisdiction_code, pm.announced_year NULLS LAST;
