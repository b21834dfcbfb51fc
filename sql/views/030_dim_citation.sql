CREATE VIEW mart.dim_citation AS
SELECT ci.citation_key,
       d.document_key,
       s.section_key,
       c.country_code AS chapter_country_code,
       ci.note_number,
       ci.raw_text,
       ci.url,
       ci.urls,
       ci.title,
       ci.outlet,
       ci.published_date,
       ci.date_precision,
       ib.citation_key AS ibid_of_citation_key,
       ci.char_start,
       ci.char_end
FROM core.citations ci
JOIN core.documents d ON d.document_id = ci.document_id
JOIN core.document_sections s ON s.section_id = ci.section_id
LEFT JOIN core.countries c ON c.country_id = s.country_id
LEFT JOIN core.citations ib ON ib.citation_id = ci.ibid_of_id;
COMMENT ON VIEW mart.dim_citation IS 'Endnotes of the report chapters, one row per note.';
COMMENT ON COLUMN mart.dim_citation.citation_key IS 'Stable key: section_key#note number.';
COMMENT ON COLUMN mart.dim_citation.document_key IS 'Document of the endnote.';
COMMENT ON COLUMN mart.dim_citation.section_key IS 'Chapter whose Endnotes list holds it.';
COMMENT ON COLUMN mart.dim_citation.chapter_country_code IS 'Country of that chapter (EU for the EU chapter; null for the summary).';
COMMENT ON COLUMN mart.dim_citation.note_number IS 'Endnote number.';
COMMENT ON COLUMN mart.dim_citation.raw_text IS 'Endnote as written.';
COMMENT ON COLUMN mart.dim_citation.url IS 'First URL of the endnote.';
COMMENT ON COLUMN mart.dim_citation.urls IS 'All URLs of the endnote.';
COMMENT ON COLUMN mart.dim_citation.title IS 'Title of the cited work (parsed, best effort).';
COMMENT ON COLUMN mart.dim_citation.outlet IS 'Outlet or author (parsed, best effort).';
COMMENT ON COLUMN mart.dim_citation.published_date IS 'Publication date of the cited work.';
COMMENT ON COLUMN mart.dim_citation.date_precision IS 'day, month, year or unknown.';
COMMENT ON COLUMN mart.dim_citation.ibid_of_citation_key IS 'For ibid. notes: the citation repeated.';
COMMENT ON COLUMN mart.dim_citation.char_start IS 'Start offset of the endnote in the document content.';
COMMENT ON COLUMN mart.dim_citation.char_end IS 'End offset (exclusive).';
