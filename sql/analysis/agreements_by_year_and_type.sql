-- Agreements per year and type (undated agreements grouped under NULL).
SELECT a.signed_year,
       a.agreement_type,
       count(*) AS agreements
FROM mart.fct_agreement a
GROUP BY a.signed_year, a.agreement_type
ORDER BY a.signed_year NULLS LAST, agreements DESC, a.agreement_type;
