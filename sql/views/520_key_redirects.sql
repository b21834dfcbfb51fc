CREATE VIEW mart.key_redirects AS
WITH RECURSIVE chain AS (
    SELECT r.old_key, r.new_key AS final_key, 1 AS hops, ARRAY[r.old_key, r.new_key] AS seen
    FROM core.key_redirects r
    UNION ALL
    SELECT c.old_key, n.new_key, c.hops + 1, c.seen || n.new_key
    FROM chain c
    JOIN core.key_redirects n ON n.old_key = c.final_key
    WHERE n.new_key <> ALL (c.seen)
)
SELECT r.old_key,
       r.new_key,
       f.final_key,
       f.hops,
       EXISTS (SELECT 1 FROM core.facts x WHERE x.fact_key = f.final_key) AS final_key_published,
       r.reason,
       r.run_id,
       r.recorded_at
FROM core.key_redirects r
JOIN LATERAL (SELECT c.final_key, c.hops FROM chain c WHERE c.old_key = r.old_key ORDER BY c.hops DESC LIMIT 1) f ON true;
