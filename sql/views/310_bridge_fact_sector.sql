-- Stored in mart_cache.bridge_fact_sector (refreshed by every load that changes facts or reference
-- data) and read through mart.bridge_fact_sector, so BI tools see it in information_schema.
CREATE MATERIALIZED VIEW mart_cache.bridge_fact_sector AS
SELECT f.fact_key,
       f.fact_type,
       s.sector_key,
       s.name AS sector_name,
       COALESCE(p.sector_key, s.sector_key) AS parent_sector_key,
       COALESCE(p.name, s.name) AS parent_sector_name
FROM core.fact_sectors x
JOIN core.facts f ON f.fact_id = x.fact_id
JOIN core.sectors s ON s.sector_id = x.sector_id
LEFT JOIN core.sectors p ON p.sector_id = s.parent_id;
CREATE UNIQUE INDEX ON mart_cache.bridge_fact_sector (fact_key, sector_key);
CREATE INDEX ON mart_cache.bridge_fact_sector (sector_key);
CREATE VIEW mart.bridge_fact_sector AS SELECT * FROM mart_cache.bridge_fact_sector;
