-- Which countries restrict Huawei in 5G / telecoms, with the first evidence sentence.
WITH measures AS (
    SELECT pm.*
    FROM mart.fct_policy_measure pm
    WHERE pm.stance = 'restrictive'
      AND ('huawei' = ANY (pm.target_keys)
           OR ('Telecommunications (5G/6G)' = ANY (pm.sector_names) AND 'CN' = ANY (pm.target_keys)))
),
first_evidence AS (
    SELECT DISTINCT ON (e.fact_key) e.fact_key, e.quote
    FROM mart.fct_evidence e
    WHERE e.fact_type = 'policy_measure'
      AND e.fact_key IN (SELECT policy_measure_key FROM measures)
    ORDER BY e.fact_key, e.char_start
)
SELECT m.jurisdiction_code,
       m.policy_measure_key,
       m.title,
       m.measure_type,
       m.status,
       m.announced_year,
       fe.quote AS evidence
FROM measures m
LEFT JOIN first_evidence fe ON fe.fact_key = m.policy_measure_key
ORDER BY m.jurisdiction_code, m.announced_year NULLS LAST, m.policy_measure_key;
