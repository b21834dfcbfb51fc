-- Agreements with at least one Chinese party (China, or an organization headquartered
-- there), per European party country. For the partner names, filter mart.fct_agreement_party.
SELECT c.country_code AS european_country_code,
       c.country_name,
       count(*) AS agreements,
       count(*) FILTER (WHERE a.agreement_type = 'mou') AS mous,
       min(a.signed_year) AS first_year,
       max(a.signed_year) AS last_year
FROM mart.fct_agreement a
CROSS JOIN LATERAL unnest(a.party_country_codes) AS p(code)
JOIN mart.dim_country c ON c.country_code = p.code
WHERE a.party_country_codes && ARRAY['CN', 'HK', 'MO']::varchar[]
  AND (c.region = 'Europe' OR c.country_code = 'EU')
GROUP BY c.country_code, c.country_name
ORDER BY agreements DESC, european_country_code;
