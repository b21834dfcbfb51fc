CREATE VIEW mart.bridge_organization_alias AS
SELECT o.organization_key, a.alias, a.is_ambiguous
FROM core.organization_aliases a
JOIN core.organizations o ON o.organization_id = a.organization_id;
CREATE VIEW mart.bridge_organization_sector AS
SELECT o.organization_key, s.sector_key, s.name AS sector_name
FROM core.organization_sectors x
JOIN core.organizations o ON o.organization_id = x.organization_id
JOIN core.sectors s ON s.sector_id = x.sector_id;
