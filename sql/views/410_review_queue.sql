CREATE VIEW mart.review_queue AS
SELECT c.candidate_key,
       c.fact_type,
       d.document_key,
       c.char_start,
       c.char_end,
       c.quote,
       c.proposed,
       c.confidence,
       c.status,
       c.extractor_version,
       c.title,
       c.evidence,
       c.extraction_hash,
       c.decision_source,
       c.edited,
       c.reviewer,
       c.decided_at,
       c.reason,
       c.fact_key,
       c.previous_decision
FROM review.candidates c
JOIN core.documents d ON d.document_id = c.document_id
WHERE c.status <> 'superseded';
