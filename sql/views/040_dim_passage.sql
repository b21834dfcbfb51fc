CREATE VIEW mart.dim_passage AS
SELECT p.passage_key,
       d.document_key,
       s.section_key,
       p.ordinal,
       p.char_start,
       p.char_end,
       p.passage_text
FROM core.passages p
JOIN core.documents d ON d.document_id = p.document_id
JOIN core.document_sections s ON s.section_id = p.section_id;
