CREATE VIEW mart.dim_section AS
SELECT s.section_key,
       d.document_key,
       p.section_key AS parent_section_key,
       s.section_kind,
       s.ordinal,
       s.title,
       s.subtitle,
       c.country_code,
       c.name AS country_name,
       s.authors,
       s.author_institutions,
       s.char_start,
       s.char_end
FROM core.document_sections s
JOIN core.documents d ON d.document_id = s.document_id
LEFT JOIN core.document_sections p ON p.section_id = s.parent_id
LEFT JOIN core.countries c ON c.country_id = s.country_id;
COMMENT ON VIEW mart.dim_section IS 'Document structure: executive summary (summary), EU and country chapters (chapter), their headings, newsletter issues.';
COMMENT ON COLUMN mart.dim_section.section_key IS 'Stable section key (document_key/path).';
COMMENT ON COLUMN mart.dim_section.document_key IS 'Document of the section.';
COMMENT ON COLUMN mart.dim_section.parent_section_key IS 'Enclosing section (the chapter of a heading).';
COMMENT ON COLUMN mart.dim_section.section_kind IS 'front_matter, summary, chapter, heading, issue or article.';
COMMENT ON COLUMN mart.dim_section.ordinal IS 'Order within the document.';
COMMENT ON COLUMN mart.dim_section.title IS 'Section title.';
COMMENT ON COLUMN mart.dim_section.subtitle IS 'Chapter theme line.';
COMMENT ON COLUMN mart.dim_section.country_code IS 'ISO 3166 alpha-2 of the country a chapter covers (EU for the EU chapter, GB for the UK).';
COMMENT ON COLUMN mart.dim_section.country_name IS 'Name of that country.';
COMMENT ON COLUMN mart.dim_section.authors IS 'Authors from the By line.';
COMMENT ON COLUMN mart.dim_section.author_institutions IS 'Institution of each author, same order.';
COMMENT ON COLUMN mart.dim_section.char_start IS 'Start offset in the document content.';
COMMENT ON COLUMN mart.dim_section.char_end IS 'End offset (exclusive).';
