CREATE VIEW mart.dim_country AS
SELECT c.country_code,
       c.alpha3,
       c.name AS country_name,
       c.official_name,
       c.region,
       c.sub_region,
       c.is_eu_member,
       c.eu_accession_date,
       c.eu_exit_date,
       c.is_supranational,
       c.country_code IN ('CN', 'HK', 'MO') AS is_china
FROM core.countries c;
COMMENT ON VIEW mart.dim_country IS 'ISO 3166 countries plus the European Union (EU), with UN region and EU membership.';
COMMENT ON COLUMN mart.dim_country.country_code IS 'ISO 3166 alpha-2 (EU for the European Union, GB for the United Kingdom).';
COMMENT ON COLUMN mart.dim_country.alpha3 IS 'ISO 3166 alpha-3.';
COMMENT ON COLUMN mart.dim_country.country_name IS 'Common English name.';
COMMENT ON COLUMN mart.dim_country.official_name IS 'Official name where ISO gives one.';
COMMENT ON COLUMN mart.dim_country.region IS 'UN M49 region.';
COMMENT ON COLUMN mart.dim_country.sub_region IS 'UN M49 sub-region.';
COMMENT ON COLUMN mart.dim_country.is_eu_member IS 'EU member state today.';
COMMENT ON COLUMN mart.dim_country.eu_accession_date IS 'Date of joining the EU (or its predecessors).';
COMMENT ON COLUMN mart.dim_country.eu_exit_date IS 'Date of leaving the EU (United Kingdom).';
COMMENT ON COLUMN mart.dim_country.is_supranational IS 'True for the EU row.';
COMMENT ON COLUMN mart.dim_country.is_china IS 'China including Hong Kong and Macao.';
