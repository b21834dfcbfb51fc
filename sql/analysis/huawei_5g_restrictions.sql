-- Which countries restrict Huawei in 5G / telecoms, with the first evidence sentence.
WITH measures AS (
    SELECT pm.*
    FROM mart.fct_policy_measure pm
    WHERE pm.stance = 'restrictive'
      AND (EXISTS (SELECT 1 FROM mart.bridge_policy_target t
                   WHERE t.policy_measure_key = pm.policy_measure_key AND t.organization_key = 'huawei')
           OR (EXISTS (SELECT 1 FROM mart.bridge_fact_sector s
                       WHERE s.fact_key = pm.policy_measure_key AND s.sector_key = 'telecoms')
               AND EXISTS (SELECT 1 FROM mart.bridge_policy_target t
                           WHERE t.policy_measure_key = pm.policy_measure_key AND t.country_code = 'CN')))
),
first_evidence AS (
    SELECT DISTINCT ON (e.fact_key) e.fact_key, e.quote
    FROM mart.fct_evidence e
    WHERE e.fact_key IN (SELECT policy_measure_key FROM measures)
    ORDER BY e.fact_key, e.char_start
)
SELECT m.jurisdiction_code,
       m.policy_measure_key,
       m.title,
       m.measure_type,
       m.status,
       m.best_year,
       fe.quote AS evidence
FROM measures m
LEFT JOIN first_evidence fe ON fe.fact_key = m.policy_measure_key
ORDER BY m.jurisdiction_code, m.best_year NULLS LAST, m.policy_measure_key;
