CREATE VIEW mart.dim_sector AS
SELECT s.sector_key,
       s.name AS sector_name,
       p.sector_key AS parent_sector_key,
       COALESCE(p.name, s.name) AS parent_sector_name,
       s.nace_code,
       s.keywords
FROM core.sectors s
LEFT JOIN core.sectors p ON p.sector_id = s.parent_id;
COMMENT ON VIEW mart.dim_sector IS 'Two-level sector taxonomy; top-level sectors are their own parent_sector_name.';
COMMENT ON COLUMN mart.dim_sector.sector_key IS 'Stable sector key.';
COMMENT ON COLUMN mart.dim_sector.sector_name IS 'Sector name.';
COMMENT ON COLUMN mart.dim_sector.parent_sector_key IS 'Top-level sector key (null for a top-level sector).';
COMMENT ON COLUMN mart.dim_sector.parent_sector_name IS 'Top-level sector name (the sector itself when top-level), for grouping.';
COMMENT ON COLUMN mart.dim_sector.nace_code IS 'NACE Rev. 2 code, where one fits.';
COMMENT ON COLUMN mart.dim_sector.keywords IS 'Phrases that identify the sector in text.';
