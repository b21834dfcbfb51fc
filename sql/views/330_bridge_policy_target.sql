-- Stored in mart_cache.bridge_policy_target (refreshed by every load that changes facts or reference
-- data) and read through mart.bridge_policy_target, so BI tools see it in information_schema.
CREATE MATERIALIZED VIEW mart_cache.bridge_policy_target AS
SELECT t.policy_measure_target_key,
       pm.policy_measure_key,
       CASE WHEN t.description IS NOT NULL THEN 'unnamed' WHEN t.organization_id IS NOT NULL THEN 'organization'
            WHEN t.sector_id IS NOT NULL THEN 'sector' ELSE 'country' END AS target_kind,
       o.organization_key,
       c.country_code,
       s.sector_key,
       t.description,
       COALESCE(o.name, t.description, s.name, c.name) AS target_name
FROM core.policy_measure_targets t
JOIN core.policy_measures pm ON pm.policy_measure_id = t.policy_measure_id
LEFT JOIN core.organizations o ON o.organization_id = t.organization_id
LEFT JOIN core.countries c ON c.country_id = t.country_id
LEFT JOIN core.sectors s ON s.sector_id = t.sector_id;
CREATE UNIQUE INDEX ON mart_cache.bridge_policy_target (policy_measure_target_key);
CREATE INDEX ON mart_cache.bridge_policy_target (policy_measure_key);
CREATE INDEX ON mart_cache.bridge_policy_target (organization_key);
CREATE VIEW mart.bridge_policy_target AS SELECT * FROM mart_cache.bridge_policy_target;
