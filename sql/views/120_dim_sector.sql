CREATE VIEW mart.dim_sector AS
SELECT s.sector_key,
       s.name AS sector_name,
       COALESCE(p.sector_key, s.sector_key) AS parent_sector_key,
       COALESCE(p.name, s.name) AS parent_sector_name,
       p.sector_key IS NULL AS is_top_level,
       s.nace_code,
       array_to_string(s.keywords, '; ') AS keywords
FROM core.sectors s
LEFT JOIN core.sectors p ON p.sector_id = s.parent_id;
