CREATE MATERIALIZED VIEW mart.fct_agreement_party AS
SELECT ap.agreement_party_key,
       a.agreement_key,
       a.title,
       a.agreement_type,
       EXTRACT(YEAR FROM a.fact_date)::int AS signed_year,
       CASE WHEN ap.organization_id IS NOT NULL THEN 'organization' ELSE 'government' END AS party_type,
       COALESCE(o.organization_key, c.country_code) AS party_key,
       COALESCE(o.name, c.name) AS party_name,
       COALESCE(c.country_code, oc.country_code) AS party_country_code,
       ap.role
FROM core.agreement_parties ap
JOIN core.agreements a ON a.agreement_id = ap.agreement_id
LEFT JOIN core.organizations o ON o.organization_id = ap.organization_id
LEFT JOIN core.countries oc ON oc.country_id = o.country_id
LEFT JOIN core.countries c ON c.country_id = ap.country_id;
CREATE UNIQUE INDEX ON mart.fct_agreement_party (agreement_party_key);
CREATE INDEX ON mart.fct_agreement_party (agreement_key);
COMMENT ON MATERIALIZED VIEW mart.fct_agreement_party IS 'Materialized, refreshed by every load that changes facts or reference data. One row per agreement and party, for counting partners by country or organization.';
COMMENT ON COLUMN mart.fct_agreement_party.agreement_party_key IS 'Stable key of the agreement-party row.';
COMMENT ON COLUMN mart.fct_agreement_party.agreement_key IS 'Agreement key.';
COMMENT ON COLUMN mart.fct_agreement_party.title IS 'Agreement title.';
COMMENT ON COLUMN mart.fct_agreement_party.agreement_type IS 'Agreement type.';
COMMENT ON COLUMN mart.fct_agreement_party.signed_year IS 'Year signed or announced.';
COMMENT ON COLUMN mart.fct_agreement_party.party_type IS 'organization or government.';
COMMENT ON COLUMN mart.fct_agreement_party.party_key IS 'Organization key or ISO alpha-2 code.';
COMMENT ON COLUMN mart.fct_agreement_party.party_name IS 'Party name.';
COMMENT ON COLUMN mart.fct_agreement_party.party_country_code IS 'Country of the party (a government, or an organization''s HQ).';
COMMENT ON COLUMN mart.fct_agreement_party.role IS 'Role of the party.';
