CREATE VIEW mart.fct_history AS
SELECT v.fact_version_id,
       v.fact_key,
       v.fact_type,
       v.version,
       v.change,
       COALESCE(v.fact_values ->> 'title',
                (SELECT p.fact_values ->> 'title' FROM core.fact_versions p
                 WHERE p.fact_key = v.fact_key AND p.version < v.version AND p.fact_values IS NOT NULL
                 ORDER BY p.version DESC LIMIT 1)) AS title,
       lower(v.valid_runs) AS valid_from_run,
       upper(v.valid_runs) AS valid_to_run,
       v.valid_from,
       v.valid_to,
       upper_inf(v.valid_runs) AS is_current,
       array_to_string(v.changed_fields, ', ') AS changed_fields,
       v.removal_reason,
       v.reason_text,
       v.redirect_to,
       v.candidate_key,
       (SELECT string_agg(s.key || ':' || s.value, ', ' ORDER BY s.key) FROM jsonb_each_text(v.source_sha256) s) AS source_sha256,
       v.fact_values,
       v.source_file
FROM core.fact_versions v;
