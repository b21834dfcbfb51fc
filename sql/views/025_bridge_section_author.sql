CREATE VIEW mart.bridge_section_author AS
SELECT s.section_key,
       a.position::int AS author_position,
       a.author,
       NULLIF(s.author_institutions[a.position], '') AS institution
FROM core.document_sections s
CROSS JOIN LATERAL unnest(s.authors) WITH ORDINALITY AS a(author, position);
