CREATE MATERIALIZED VIEW mart.fct_agreement AS
SELECT a.agreement_key,
       a.title,
       a.agreement_type,
       a.status,
       EXTRACT(YEAR FROM a.fact_date)::int AS signed_year,
       a.fact_date AS signed_date,
       a.date_precision,
       COALESCE(pt.party_names, '{}') AS party_names,
       COALESCE(pt.party_country_codes, '{}') AS party_country_codes,
       COALESCE(sec.sector_names, '{}') AS sector_names,
       a.note
FROM core.agreements a
LEFT JOIN (
    SELECT ap.agreement_id,
           array_agg(COALESCE(o.name, c.name) ORDER BY ap.agreement_party_key) AS party_names,
           array_agg(DISTINCT COALESCE(c.country_code, oc.country_code))
               FILTER (WHERE COALESCE(c.country_code, oc.country_code) IS NOT NULL) AS party_country_codes
    FROM core.agreement_parties ap
    LEFT JOIN core.organizations o ON o.organization_id = ap.organization_id
    LEFT JOIN core.countries oc ON oc.country_id = o.country_id
    LEFT JOIN core.countries c ON c.country_id = ap.country_id
    GROUP BY ap.agreement_id
) pt ON pt.agreement_id = a.agreement_id
LEFT JOIN (
    SELECT x.agreement_id, array_agg(s.name ORDER BY s.name) AS sector_names
    FROM core.agreement_sectors x JOIN core.sectors s ON s.sector_id = x.sector_id
    GROUP BY x.agreement_id
) sec ON sec.agreement_id = a.agreement_id;
CREATE UNIQUE INDEX ON mart.fct_agreement (agreement_key);
COMMENT ON MATERIALIZED VIEW mart.fct_agreement IS 'Materialized, refreshed by every load that changes facts or reference data. One row per agreement with its parties, their countries and sectors.';
COMMENT ON COLUMN mart.fct_agreement.agreement_key IS 'Stable agreement key (curated record id).';
COMMENT ON COLUMN mart.fct_agreement.title IS 'Short title.';
COMMENT ON COLUMN mart.fct_agreement.agreement_type IS 'mou, st_agreement, strategic_partnership, joint_declaration, joint_venture, research_collaboration, joint_laboratory, supply_deal, development_deal, licensing, framework_agreement or other.';
COMMENT ON COLUMN mart.fct_agreement.status IS 'announced, signed, in_force, implemented, suspended, terminated, expired, cancelled or unknown.';
COMMENT ON COLUMN mart.fct_agreement.signed_year IS 'Year signed or announced.';
COMMENT ON COLUMN mart.fct_agreement.signed_date IS 'Date at date_precision.';
COMMENT ON COLUMN mart.fct_agreement.date_precision IS 'day, month, year or unknown.';
COMMENT ON COLUMN mart.fct_agreement.party_names IS 'Names of the parties (organizations or governments).';
COMMENT ON COLUMN mart.fct_agreement.party_country_codes IS 'ISO alpha-2 codes of the parties (a government, or an organization''s HQ).';
COMMENT ON COLUMN mart.fct_agreement.sector_names IS 'Sectors covered.';
COMMENT ON COLUMN mart.fct_agreement.note IS 'Curator note.';
