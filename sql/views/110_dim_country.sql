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
       c.is_china,
       c.is_european
FROM core.countries c;
