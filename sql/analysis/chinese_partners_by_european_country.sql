-- Agreements with at least one Chinese party (China, or an organization headquartered
-- there), per European party country. Partner names: mart.bridge_agreement_party.
SELECT p.party_country_code AS european_country_code,
       c.country_name,
       count(DISTINCT a.agreement_key) AS agreements,
       count(DISTINCT a.agreement_key) FILTER (WHERE a.agreement_type = 'mou') AS mous,
       min(a.best_year) AS first_year,
       max(a.best_year) AS last_year
FROM mart.fct_agreement a
JOIN mart.bridge_agreement_party p ON p.agreement_key = a.agreement_key
JOIN mart.dim_country c ON c.country_code = p.party_country_code AND c.is_european
WHERE a.has_chinese_party
GROUP BY p.party_country_code, c.country_name
ORDER BY agreements DESC, european_country_code;
