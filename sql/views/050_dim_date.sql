CREATE VIEW mart.dim_date AS
SELECT DISTINCT core.date_key(x.d, x.p) AS date_key,
       x.p AS date_precision,
       EXTRACT(YEAR FROM x.d)::int AS year,
       CASE WHEN x.p IN ('month', 'day') THEN EXTRACT(QUARTER FROM x.d)::int END AS quarter,
       CASE WHEN x.p IN ('month', 'day') THEN EXTRACT(MONTH FROM x.d)::int END AS month,
       CASE WHEN x.p = 'day' THEN EXTRACT(DAY FROM x.d)::int END AS day,
       core.date_label(x.d, x.p) AS date_label,
       x.d AS period_start,
       (CASE x.p WHEN 'year' THEN x.d + interval '1 year' WHEN 'month' THEN x.d + interval '1 month'
                 ELSE x.d + interval '1 day' END)::date - 1 AS period_end
FROM (
    SELECT fact_date, date_precision FROM core.facts
    UNION SELECT status_date, status_date_precision FROM core.facts
    UNION SELECT reported_date, reported_date_precision FROM core.facts
    UNION SELECT published_date, published_precision FROM core.documents
    UNION SELECT published_date, date_precision FROM core.citations
) AS x(d, p)
WHERE x.d IS NOT NULL AND x.p <> 'unknown';
