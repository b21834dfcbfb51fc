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
       array_to_string(s.authors, '; ') AS authors,
       s.char_start,
       s.char_end
FROM core.document_sections s
JOIN core.documents d ON d.document_id = s.document_id
LEFT JOIN core.document_sections p ON p.section_id = s.parent_id
LEFT JOIN core.countries c ON c.country_id = s.country_id;
