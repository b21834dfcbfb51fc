CREATE VIEW mart.dim_release AS
SELECT r.tag AS release_tag,
       r.release_id,
       r.created_at,
       r.run_id,
       r.check_run_id,
       (r.data_quality ->> 'passed')::int AS checks_passed,
       (r.data_quality ->> 'failed')::int AS checks_failed,
       p.tag AS previous_release_tag,
       r.fact_count,
       (SELECT count(*) FROM core.release_documents d WHERE d.release_id = r.release_id)::int AS document_count,
       r.curated_commit,
       r.curated_state,
       r.pending_candidates,
       r.note,
       r.release_id = (SELECT max(x.release_id) FROM core.releases x) AS is_latest
FROM core.releases r
LEFT JOIN core.releases p ON p.release_id = r.previous_release_id;

CREATE VIEW mart.release_delta AS
SELECT r.tag AS release_tag,
       p.tag AS previous_release_tag,
       c.fact_key,
       c.fact_type,
       c.change,
       array_to_string(c.changed_fields, ', ') AS changed_fields,
       (SELECT string_agg(f || ': ' || left(COALESCE(c.old_values ->> f, '(none)'), 200) || ' → '
                          || left(COALESCE(c.new_values ->> f, '(none)'), 200), '; ' ORDER BY f)
        FROM unnest(c.changed_fields) f) AS change_detail,
       c.old_values,
       c.new_values,
       c.reason,
       c.reason_text,
       c.redirect_to
FROM core.release_changes c
JOIN core.releases r ON r.release_id = c.release_id
LEFT JOIN core.releases p ON p.release_id = r.previous_release_id
WHERE c.release_id = (SELECT max(x.release_id) FROM core.releases x);
