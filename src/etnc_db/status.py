"""Read-side queries for `etnc-db status` and `etnc-db changes`."""

from __future__ import annotations

import psycopg


def collect_status(url: str, runs: int = 5) -> dict:
    """The last `runs` runs, rows per core/etl table and the last data-quality counts."""
    with psycopg.connect(url) as conn:
        cur = conn.execute(
            "SELECT run_id, command, status, started_at, finished_at, "
            "extract(epoch FROM finished_at - started_at) AS seconds, rows_inserted, rows_updated, "
            "rows_deleted, table_counts, documents, timings, error FROM etl.runs ORDER BY run_id DESC LIMIT %s",
            (runs,),
        )
        names = [d.name for d in cur.description]
        last_runs = []
        for row in cur.fetchall():
            r = dict(zip(names, row, strict=False))
            r["seconds"] = float(r["seconds"]) if r["seconds"] is not None else None
            last_runs.append(r)
        counts = {}
        for schema, name in conn.execute(
            "SELECT schemaname, tablename FROM pg_tables WHERE schemaname IN ('core', 'etl', 'review') ORDER BY 1, 2"
        ).fetchall():
            counts[f"{schema}.{name}"] = conn.execute(f'SELECT count(*) FROM "{schema}"."{name}"').fetchone()[0]
        review = collect_review(conn)
        dq = conn.execute(
            "SELECT run_id, count(*) FILTER (WHERE success), count(*) FILTER (WHERE NOT success) "
            "FROM etl.dq_results WHERE run_id = (SELECT max(run_id) FROM etl.dq_results) GROUP BY run_id"
        ).fetchone()
    return {
        "runs": last_runs,
        "row_counts": counts,
        "review": review,
        "data_quality": {"run_id": dq[0], "passed": dq[1], "failed": dq[2]} if dq else None,
    }


def collect_changes(url: str, run_id: int | None) -> tuple[int | None, list[dict]]:
    """The changes of run `run_id` (default: the last run that changed something).
    Raises LookupError for a run id that does not exist."""
    with psycopg.connect(url) as conn:
        if run_id is not None:
            last = conn.execute("SELECT max(run_id), bool_or(run_id = %s) FROM etl.runs", (run_id,)).fetchone()
            if not last[1]:
                known = f"runs 1–{last[0]}" if last[0] else "no runs yet"
                raise LookupError(f"no run {run_id} in etl.runs ({known}; see `etnc-db status`)")
        if run_id is None:
            row = conn.execute("SELECT max(run_id) FROM etl.changes").fetchone()
            run_id = row[0] if row else None
            if run_id is None:
                return None, []
        rows = conn.execute(
            "SELECT table_name, business_key, change FROM etl.changes WHERE run_id = %s "
            "ORDER BY table_name, change, business_key",
            (run_id,),
        ).fetchall()
    return run_id, [{"table": t, "key": k, "change": c} for t, k, c in rows]


def collect_review(conn: psycopg.Connection) -> dict:
    """The review queue: candidates per document and status, and the decisions file's
    entries that name no loaded candidate or document (they may belong to documents not
    loaded)."""
    documents: dict[str, dict[str, int]] = {}
    for doc, status, n in conn.execute(
        "SELECT d.document_key, c.status, count(c.candidate_id) FROM core.documents d "
        "LEFT JOIN review.candidates c USING (document_id) GROUP BY 1, 2 ORDER BY 1, 2"
    ).fetchall():
        counts = documents.setdefault(doc, {"pending": 0, "accepted": 0, "rejected": 0, "superseded": 0})
        if status is not None:
            counts[status] = n
    total, unmatched = conn.execute(
        "SELECT count(*), count(*) FILTER (WHERE NOT matched) FROM review.decisions").fetchone()
    names = [r[0] for r in conn.execute(
        "SELECT decision_key FROM review.decisions WHERE NOT matched ORDER BY 1 LIMIT 20").fetchall()]
    return {"documents": documents, "pending": sum(c["pending"] for c in documents.values()),
            "decisions": {"entries": total, "unmatched": unmatched, "unmatched_keys": names}}
