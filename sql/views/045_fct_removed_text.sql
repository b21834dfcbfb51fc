CREATE VIEW mart.fct_removed_text AS
SELECT d.document_key,
       r.char_start,
       r.char_end,
       substring(d.content FROM r.char_start + 1 FOR r.char_end - r.char_start) AS removed_text,
       r.rule_id,
       r.reason
FROM core.removed_text r
JOIN core.documents d ON d.document_id = r.document_id;
