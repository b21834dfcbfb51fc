CREATE VIEW mart.dim_citation AS
SELECT ci.citation_key,
       d.document_key,
       s.section_key,
       c.country_code AS chapter_country_code,
       ci.note_number,
       ci.raw_text,
       ci.url,
       ci.url_as_written,
       ci.title,
       ci.outlet,
       ci.published_date,
       ci.date_precision,
       core.date_key(ci.published_date, ci.date_precision) AS published_date_key,
       ib.citation_key AS ibid_of_citation_key,
       ci.char_start,
       ci.char_end
FROM core.citations ci
JOIN core.documents d ON d.document_id = ci.document_id
JOIN core.document_sections s ON s.section_id = ci.section_id
LEFT JOIN core.countries c ON c.country_id = s.country_id
LEFT JOIN core.citations ib ON ib.citation_id = ci.ibid_of_id;
