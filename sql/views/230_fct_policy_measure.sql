CREATE MATERIALIZED VIEW mart.fct_policy_measure AS
SELECT pm.policy_measure_key,
       pm.title,
       j.country_code AS jurisdiction_code,
       j.name AS jurisdiction_name,
       iss.organization_key AS issuer_key,
       iss.name AS issuer_name,
       pm.measure_type,
       pm.status,
       pm.stance,
       EXTRACT(YEAR FROM pm.fact_date)::int AS announced_year,
       pm.fact_date AS announced_date,
       pm.date_precision,
       COALESCE(tg.target_names, '{}') AS target_names,
       COALESCE(tg.target_keys, '{}') AS target_keys,
       COALESCE(sec.sector_names, '{}') AS sector_names,
       pm.note
FROM core.policy_measures pm
JOIN core.countries j ON j.country_id = pm.jurisdiction_id
LEFT JOIN core.organizations iss ON iss.organization_id = pm.issuer_id
LEFT JOIN (
    SELECT t.policy_measure_id,
           array_agg(COALESCE(o.name, c.name, s.name) ORDER BY t.policy_measure_target_key) AS target_names,
           array_agg(COALESCE(o.organization_key, c.country_code, s.sector_key) ORDER BY t.policy_measure_target_key) AS target_keys
    FROM core.policy_measure_targets t
    LEFT JOIN core.organizations o ON o.organization_id = t.organization_id
    LEFT JOIN core.countries c ON c.country_id = t.country_id
    LEFT JOIN core.sectors s ON s.sector_id = t.sector_id
    GROUP BY t.policy_measure_id
) tg ON tg.policy_measure_id = pm.policy_measure_id
LEFT JOIN (
    SELECT x.policy_measure_id, array_agg(s.name ORDER BY s.name) AS sector_names
    FROM core.policy_measure_sectors x JOIN core.sectors s ON s.sector_id = x.sector_id
    GROUP BY x.policy_measure_id
) sec ON sec.policy_measure_id = pm.policy_measure_id;
CREATE UNIQUE INDEX ON mart.fct_policy_measure (policy_measure_key);
COMMENT ON MATERIALIZED VIEW mart.fct_policy_measure IS 'Materialized, refreshed by every load that changes facts or reference data. One row per policy measure with jurisdiction, issuer, type, stance and targets.';
COMMENT ON COLUMN mart.fct_policy_measure.policy_measure_key IS 'Stable key (curated record id).';
COMMENT ON COLUMN mart.fct_policy_measure.title IS 'Short title.';
COMMENT ON COLUMN mart.fct_policy_measure.jurisdiction_code IS 'ISO alpha-2 of the adopting country, or EU.';
COMMENT ON COLUMN mart.fct_policy_measure.jurisdiction_name IS 'Jurisdiction name.';
COMMENT ON COLUMN mart.fct_policy_measure.issuer_key IS 'Issuing body key.';
COMMENT ON COLUMN mart.fct_policy_measure.issuer_name IS 'Issuing body name.';
COMMENT ON COLUMN mart.fct_policy_measure.measure_type IS 'law, regulation, strategy, guideline, screening_mechanism, screening_decision, export_control, vendor_restriction, ban, subsidy_probe, trade_defence, funding_exclusion, government_intervention, security_review, funding_programme, institutional_body or other.';
COMMENT ON COLUMN mart.fct_policy_measure.status IS 'proposed, adopted, in_force, implemented, announced, under_review, suspended, withdrawn, repealed or unknown.';
COMMENT ON COLUMN mart.fct_policy_measure.stance IS 'restrictive, promotional or neutral towards Chinese actors or cooperation.';
COMMENT ON COLUMN mart.fct_policy_measure.announced_year IS 'Year announced, adopted or in force.';
COMMENT ON COLUMN mart.fct_policy_measure.announced_date IS 'Date at date_precision.';
COMMENT ON COLUMN mart.fct_policy_measure.date_precision IS 'day, month, year or unknown.';
COMMENT ON COLUMN mart.fct_policy_measure.target_names IS 'Targeted organizations, countries or sectors.';
COMMENT ON COLUMN mart.fct_policy_measure.target_keys IS 'Keys of the targets (organization key, ISO code or sector key).';
COMMENT ON COLUMN mart.fct_policy_measure.sector_names IS 'Sectors concerned.';
COMMENT ON COLUMN mart.fct_policy_measure.note IS 'Curator note.';
