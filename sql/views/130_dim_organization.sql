CREATE VIEW mart.dim_organization AS
SELECT o.organization_key,
       o.name AS organization_name,
       o.kind AS organization_kind,
       c.country_code,
       c.name AS country_name,
       p.organization_key AS parent_key,
       p.name AS parent_name,
       o.ownership,
       COALESCE((SELECT array_agg(a.alias ORDER BY a.alias) FROM core.organization_aliases a
                 WHERE a.organization_id = o.organization_id), '{}') AS aliases,
       COALESCE((SELECT array_agg(s.name ORDER BY s.name) FROM core.organization_sectors os
                 JOIN core.sectors s ON s.sector_id = os.sector_id
                 WHERE os.organization_id = o.organization_id), '{}') AS sector_names,
       c.country_code IN ('CN', 'HK', 'MO') AS is_chinese
FROM core.organizations o
LEFT JOIN core.countries c ON c.country_id = o.country_id
LEFT JOIN core.organizations p ON p.organization_id = o.parent_id;
COMMENT ON VIEW mart.dim_organization IS 'Every organization named in the corpus, with aliases, parent, ownership and sectors.';
COMMENT ON COLUMN mart.dim_organization.organization_key IS 'Stable organization key.';
COMMENT ON COLUMN mart.dim_organization.organization_name IS 'Canonical name.';
COMMENT ON COLUMN mart.dim_organization.organization_kind IS 'company, university, research_institute, government_body, agency, international_organization, ngo, party or other.';
COMMENT ON COLUMN mart.dim_organization.country_code IS 'Headquarters country (ISO alpha-2; EU for EU institutions).';
COMMENT ON COLUMN mart.dim_organization.country_name IS 'Headquarters country name.';
COMMENT ON COLUMN mart.dim_organization.parent_key IS 'Parent organization key.';
COMMENT ON COLUMN mart.dim_organization.parent_name IS 'Parent organization name.';
COMMENT ON COLUMN mart.dim_organization.ownership IS 'state_owned, private, public_body, mixed or unknown.';
COMMENT ON COLUMN mart.dim_organization.aliases IS 'Names the organization goes by.';
COMMENT ON COLUMN mart.dim_organization.sector_names IS 'Sectors the organization is active in.';
COMMENT ON COLUMN mart.dim_organization.is_chinese IS 'Headquartered in China (incl. Hong Kong, Macao).';
