-- Agreements between a European party and a Chinese party, per European country.
SELECT eu.party_country_code AS european_country_code,
       count(DISTINCT eu.agreement_key) AS agreements,
       string_agg(DISTINCT cn.party_name, '; ') AS chinese_parties
FROM mart.fct_agreement_party eu
JOIN mart.fct_agreement_party cn ON cn.agreement_key = eu.agreement_key
JOIN mart.dim_country c ON c.country_code = eu.party_country_code
WHERE cn.party_country_code IN ('CN', 'HK', 'MO')
  AND (c.region = 'Europe' OR c.country_code = 'EU')
GROUP BY eu.party_country_code
ORDER BY agreements DESC, european_country_code;
