CREATE VIEW mart.bridge_fact_relation AS
SELECT f.fact_key, f.fact_type, r.relation, v.label AS relation_label, 'declared' AS direction,
       g.fact_key AS related_fact_key, g.fact_type AS related_fact_type, g.title AS related_title
FROM core.fact_relations r
JOIN core.vocab_relation v ON v.value = r.relation
JOIN core.facts f ON f.fact_id = r.fact_id
JOIN core.facts g ON g.fact_id = r.related_fact_id
UNION ALL
SELECT g.fact_key, g.fact_type, r.relation, v.label, 'inverse',
       f.fact_key, f.fact_type, f.title
FROM core.fact_relations r
JOIN core.vocab_relation v ON v.value = r.relation
JOIN core.facts f ON f.fact_id = r.fact_id
JOIN core.facts g ON g.fact_id = r.related_fact_id;
