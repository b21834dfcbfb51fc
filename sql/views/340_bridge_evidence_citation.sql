CREATE VIEW mart.bridge_evidence_citation AS
SELECT e.evidence_key,
       f.fact_key,
       f.fact_type,
       c.citation_key,
       c.note_number,
       c.url,
       c.title,
       c.outlet,
       c.published_date,
       c.date_precision,
       core.date_key(c.published_date, c.date_precision) AS published_date_key
FROM core.evidence_citations ec
JOIN core.evidence e ON e.evidence_id = ec.evidence_id
JOIN core.facts f ON f.fact_id = e.fact_id
JOIN core.citations c ON c.citation_id = ec.citation_id;
