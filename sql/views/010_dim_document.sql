CREATE VIEW mart.dim_document AS
SELECT d.document_key,
       d.file_name,
       d.sha256,
       d.title,
       d.publisher,
       d.published_date,
       d.published_precision,
       core.date_key(d.published_date, d.published_precision) AS published_date_key,
       EXTRACT(YEAR FROM d.published_date)::int AS published_year,
       d.document_kind,
       d.byte_size,
       length(d.content) AS char_length,
       (SELECT count(DISTINCT e.fact_id) FROM core.evidence e WHERE e.document_id = d.document_id)::int AS facts_published,
       (SELECT count(*) FROM review.candidates c WHERE c.document_id = d.document_id AND c.status = 'pending')::int AS candidates_pending,
       d.content
FROM core.documents d;
