CREATE VIEW mart.bridge_fact_sector AS
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
