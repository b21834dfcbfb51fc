-- Stored in mart_cache.bridge_agreement_party (refreshed by every load that changes facts or reference
-- data) and read through mart.bridge_agreement_party, so BI tools see it in information_schema.
CREATE MATERIALIZED VIEW mart_cache.bridge_agreement_party AS
SELECT p.agreement_party_key,
       a.agreement_key,
       p.party_kind,
       o.organization_key,
       c.country_code,
       p.description,
       COALESCE(o.name, p.description, c.name) AS party_name,
       COALESCE(oc.country_code, c.country_code) AS party_country_code,
       COALESCE(oc.is_china, c.is_china, false) AS party_is_chinese,
       p.role,
       r.label AS role_label
FROM core.agreement_parties p
JOIN core.agreements a ON a.agreement_id = p.agreement_id
JOIN core.vocab_party_role r ON r.value = p.role
LEFT JOIN core.organizations o ON o.organization_id = p.organization_id
LEFT JOIN core.countries oc ON oc.country_id = o.country_id
LEFT JOIN core.countries c ON c.country_id = p.country_id;
CREATE UNIQUE INDEX ON mart_cache.bridge_agreement_party (agreement_party_key);
CREATE INDEX ON mart_cache.bridge_agreement_party (agreement_key);
CREATE VIEW mart.bridge_agreement_party AS SELECT * FROM mart_cache.bridge_agreement_party;
