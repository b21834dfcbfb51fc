CREATE VIEW mart.dim_organization AS
SELECT o.organization_key,
       o.name AS organization_name,
       o.kind AS organization_kind,
       k.label AS organization_kind_label,
       c.country_code,
       c.name AS country_name,
       p.organization_key AS parent_key,
       p.name AS parent_name,
       up.organization_key AS ultimate_parent_key,
       up.name AS ultimate_parent_name,
       o.ownership,
       COALESCE(c.is_china, false) AS is_chinese,
       COALESCE(upc.is_china, c.is_china, false) AS is_chinese_controlled
FROM core.organizations o
JOIN core.vocab_organization_kind k ON k.value = o.kind
LEFT JOIN core.countries c ON c.country_id = o.country_id
LEFT JOIN core.organizations p ON p.organization_id = o.parent_id
LEFT JOIN core.companies co ON co.organization_id = o.organization_id
LEFT JOIN core.organizations up ON up.organization_id = co.ultimate_parent_id
LEFT JOIN core.countries upc ON upc.country_id = up.country_id;
