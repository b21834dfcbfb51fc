-- Agreements per year and type. The year is the best date's (signing, else the date the
-- status was reached, else when the cited source reported it); best_date_source says which.
SELECT a.best_year,
       a.agreement_type,
       a.agreement_type_label,
       count(*) AS agreements,
       count(*) FILTER (WHERE a.best_date_source = 'stated') AS dated_by_the_text
FROM mart.fct_agreement a
GROUP BY a.best_year, a.agreement_type, a.agreement_type_label
ORDER BY a.best_year NULLS LAST, agreements DESC, a.agreement_type;
