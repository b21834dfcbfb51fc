CREATE VIEW mart.bridge_fact_entity AS
SELECT f.fact_key, f.fact_type, x.entity_type, x.entity_key, x.role
FROM (
    SELECT i.fact_id, 'organization' AS entity_type, o.organization_key AS entity_key, 'investor' AS role
    FROM core.investments i JOIN core.organizations o ON o.organization_id = i.investor_id
    UNION ALL
    SELECT i.fact_id, 'organization', o.organization_key, 'target'
    FROM core.investments i JOIN core.organizations o ON o.organization_id = i.target_id
    UNION ALL
    SELECT i.fact_id, 'country', c.country_code, 'host_country'
    FROM core.investments i JOIN core.countries c ON c.country_id = i.host_country_id
    UNION ALL
    SELECT i.fact_id, 'country', c.country_code, 'investor_country'
    FROM core.investments i JOIN core.countries c ON c.country_id = i.investor_country_id
    UNION ALL
    SELECT a.fact_id, CASE WHEN p.organization_id IS NOT NULL THEN 'organization' ELSE 'country' END,
           COALESCE(o.organization_key, c.country_code), 'party_' || p.role
    FROM core.agreement_parties p JOIN core.agreements a ON a.agreement_id = p.agreement_id
    LEFT JOIN core.organizations o ON o.organization_id = p.organization_id
    LEFT JOIN core.countries c ON c.country_id = p.country_id
    WHERE p.organization_id IS NOT NULL OR p.country_id IS NOT NULL
    UNION ALL
    SELECT pm.fact_id, 'country', c.country_code, 'jurisdiction'
    FROM core.policy_measures pm JOIN core.countries c ON c.country_id = pm.jurisdiction_id
    UNION ALL
    SELECT pm.fact_id, 'organization', o.organization_key, 'issuer'
    FROM core.policy_measures pm JOIN core.organizations o ON o.organization_id = pm.issuer_id
    UNION ALL
    SELECT pm.fact_id, CASE WHEN t.organization_id IS NOT NULL THEN 'organization' ELSE 'country' END,
           COALESCE(o.organization_key, c.country_code), 'target'
    FROM core.policy_measure_targets t JOIN core.policy_measures pm ON pm.policy_measure_id = t.policy_measure_id
    LEFT JOIN core.organizations o ON o.organization_id = t.organization_id
    LEFT JOIN core.countries c ON c.country_id = t.country_id
    WHERE t.organization_id IS NOT NULL OR t.country_id IS NOT NULL
) x
JOIN core.facts f ON f.fact_id = x.fact_id;
