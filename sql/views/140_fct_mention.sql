CREATE VIEW mart.fct_mention AS
SELECT m.mention_key,
       d.document_key,
       s.section_key,
       p.passage_key,
       m.char_start,
       m.char_end,
       m.surface,
       m.entity_type,
       COALESCE(c.country_code, o.organization_key, se.sector_key) AS entity_key,
       COALESCE(c.name, o.name, se.name) AS entity_name,
       m.rule,
       ch.country_code AS chapter_country_code
FROM core.mentions m
JOIN core.documents d ON d.document_id = m.document_id
LEFT JOIN core.document_sections s ON s.section_id = m.section_id
LEFT JOIN core.document_sections top ON top.section_id = COALESCE(s.parent_id, s.section_id)
LEFT JOIN core.countries ch ON ch.country_id = top.country_id
LEFT JOIN core.passages p ON p.passage_id = m.passage_id
LEFT JOIN core.countries c ON c.country_id = m.country_id
LEFT JOIN core.organizations o ON o.organization_id = m.organization_id
LEFT JOIN core.sectors se ON se.sector_id = m.sector_id;
