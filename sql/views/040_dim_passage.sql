CREATE VIEW mart.dim_passage AS
SELECT p.passage_key,
       d.document_key,
       s.section_key,
       p.ordinal,
       p.char_start,
       p.char_end,
       p.passage_text,
       p.segments
FROM core.passages p
JOIN core.documents d ON d.document_id = p.document_id
JOIN core.document_sections s ON s.section_id = p.section_id;
COMMENT ON VIEW mart.dim_passage IS 'Body paragraphs without layout debris; a paragraph split by a pull-quote or page break is one passage.';
COMMENT ON COLUMN mart.dim_passage.passage_key IS 'Stable passage key.';
COMMENT ON COLUMN mart.dim_passage.document_key IS 'Document of the passage.';
COMMENT ON COLUMN mart.dim_passage.section_key IS 'Deepest section holding the passage.';
COMMENT ON COLUMN mart.dim_passage.ordinal IS 'Order within the document.';
COMMENT ON COLUMN mart.dim_passage.char_start IS 'Offset of the first character in the document content.';
COMMENT ON COLUMN mart.dim_passage.char_end IS 'Offset after the last character.';
COMMENT ON COLUMN mart.dim_passage.passage_text IS 'Cleaned passage text (segments joined by a space).';
COMMENT ON COLUMN mart.dim_passage.segments IS 'JSON array of [start, end] spans of content making up the passage.';
