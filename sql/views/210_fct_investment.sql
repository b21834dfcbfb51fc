CREATE MATERIALIZED VIEW mart.fct_investment AS
SELECT i.investment_key,
       i.title,
       inv.organization_key AS investor_key,
       inv.name AS investor_name,
       ic.country_code AS investor_country_code,
       up.organization_key AS investor_ultimate_parent_key,
       up.name AS investor_ultimate_parent_name,
       upc.country_code AS investor_ultimate_parent_country_code,
       COALESCE(upc.country_code, ic.country_code) IN ('CN', 'HK', 'MO') AS is_chinese_controlled,
       tg.organization_key AS target_key,
       COALESCE(tg.name, i.target_name) AS target_name,
       hc.country_code AS host_country_code,
       hc.name AS host_country_name,
       i.location,
       i.investment_type,
       i.status,
       i.amount,
       i.amount_max,
       i.amount_qualifier,
       i.currency,
       i.amount_eur,
       i.fx_rate,
       i.fx_rate_date,
       EXTRACT(YEAR FROM i.fact_date)::int AS announced_year,
       i.fact_date AS announced_date,
       i.date_precision,
       i.direction,
       COALESCE(sec.sector_names, '{}') AS sector_names,
       COALESCE(sec.parent_sector_names, '{}') AS parent_sector_names,
       i.recommended_for_aggregates,
       i.note
FROM core.investments i
JOIN core.organizations inv ON inv.organization_id = i.investor_id
LEFT JOIN core.countries ic ON ic.country_id = inv.country_id
LEFT JOIN core.companies co ON co.organization_id = inv.organization_id
LEFT JOIN core.organizations up ON up.organization_id = co.ultimate_parent_id
LEFT JOIN core.countries upc ON upc.country_id = up.country_id
LEFT JOIN core.organizations tg ON tg.organization_id = i.target_id
JOIN core.countries hc ON hc.country_id = i.host_country_id
LEFT JOIN (
    SELECT x.investment_id,
           array_agg(s.name ORDER BY s.name) AS sector_names,
           array_agg(DISTINCT COALESCE(p.name, s.name)) AS parent_sector_names
    FROM core.investment_sectors x
    JOIN core.sectors s ON s.sector_id = x.sector_id
    LEFT JOIN core.sectors p ON p.sector_id = s.parent_id
    GROUP BY x.investment_id
) sec ON sec.investment_id = i.investment_id;
CREATE UNIQUE INDEX ON mart.fct_investment (investment_key);
COMMENT ON MATERIALIZED VIEW mart.fct_investment IS 'Materialized, refreshed by every load that changes facts or reference data. One row per investment, with investor, host country, EUR amount and derived direction. Sum amount_eur only where recommended_for_aggregates.';
COMMENT ON COLUMN mart.fct_investment.investment_key IS 'Stable investment key (curated record id).';
COMMENT ON COLUMN mart.fct_investment.title IS 'Short title.';
COMMENT ON COLUMN mart.fct_investment.investor_key IS 'Investor organization key.';
COMMENT ON COLUMN mart.fct_investment.investor_name IS 'Investor name.';
COMMENT ON COLUMN mart.fct_investment.investor_country_code IS 'Investor headquarters country (ISO alpha-2).';
COMMENT ON COLUMN mart.fct_investment.investor_ultimate_parent_key IS 'Top of the investor''s parent chain (the investor itself when it has no parent; null for non-companies).';
COMMENT ON COLUMN mart.fct_investment.investor_ultimate_parent_name IS 'Name of that ultimate parent.';
COMMENT ON COLUMN mart.fct_investment.investor_ultimate_parent_country_code IS 'Headquarters country of the ultimate parent.';
COMMENT ON COLUMN mart.fct_investment.is_chinese_controlled IS 'Investor or its ultimate parent is headquartered in China (e.g. Volvo Cars via Geely); direction itself uses the investor''s own country.';
COMMENT ON COLUMN mart.fct_investment.target_key IS 'Target organization key, if the target is a registered organization.';
COMMENT ON COLUMN mart.fct_investment.target_name IS 'Target organization or project.';
COMMENT ON COLUMN mart.fct_investment.host_country_code IS 'Country where the investment is made (ISO alpha-2).';
COMMENT ON COLUMN mart.fct_investment.host_country_name IS 'Host country name.';
COMMENT ON COLUMN mart.fct_investment.location IS 'Town or region as stated.';
COMMENT ON COLUMN mart.fct_investment.investment_type IS 'greenfield, acquisition, stake, merger, joint_venture, rnd_centre, expansion, fund or other.';
COMMENT ON COLUMN mart.fct_investment.status IS 'announced, planned, under_construction, operational, completed, under_review, blocked, withdrawn, cancelled, suspended, pledged or unknown.';
COMMENT ON COLUMN mart.fct_investment.amount IS 'Amount as stated, in currency.';
COMMENT ON COLUMN mart.fct_investment.amount_max IS 'Upper bound of a stated range.';
COMMENT ON COLUMN mart.fct_investment.amount_qualifier IS 'exact, approx, at_least, up_to or range.';
COMMENT ON COLUMN mart.fct_investment.currency IS 'ISO 4217 currency of amount.';
COMMENT ON COLUMN mart.fct_investment.amount_eur IS 'Amount in EUR at the ECB reference rate of the announcement year.';
COMMENT ON COLUMN mart.fct_investment.fx_rate IS 'Units of currency per EUR used.';
COMMENT ON COLUMN mart.fct_investment.fx_rate_date IS 'Date of the ECB rate used.';
COMMENT ON COLUMN mart.fct_investment.announced_year IS 'Year announced.';
COMMENT ON COLUMN mart.fct_investment.announced_date IS 'Date announced at date_precision.';
COMMENT ON COLUMN mart.fct_investment.date_precision IS 'day, month, year or unknown.';
COMMENT ON COLUMN mart.fct_investment.direction IS 'china_to_europe, europe_to_china or other (derived from investor and host country).';
COMMENT ON COLUMN mart.fct_investment.sector_names IS 'Sectors of the investment.';
COMMENT ON COLUMN mart.fct_investment.parent_sector_names IS 'Top-level sectors of the investment.';
COMMENT ON COLUMN mart.fct_investment.recommended_for_aggregates IS 'Safe to sum (not a pledge, cancellation, umbrella or double count).';
COMMENT ON COLUMN mart.fct_investment.note IS 'Curator note (why a value is missing, caveats).';
