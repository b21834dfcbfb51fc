"""manifest.json of an export: which data it is (dataset version = package version + the
run that produced the data), when it was written, from which source documents, what each
file holds (rows, sha256) and what the last data-quality checks said."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import psycopg


def package_version() -> str:
    """The installed etnc-db version (package metadata), else the source's."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("etnc-db")
    except PackageNotFoundError:  # pragma: no cover - running from a bare source tree
        from etnc_db import __version__

        return __version__


def sha256_of(path: Path) -> str:
    """SHA-256 of a file, read in 1 MB blocks."""
    h = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(1 << 20):
            h.update(block)
    return h.hexdigest()


def last_data_run(conn: psycopg.Connection) -> dict | None:
    """The latest succeeded run that loaded data (any command but `check`)."""
    row = conn.execute(
        "SELECT run_id, command, finished_at FROM etl.runs WHERE status = 'succeeded' AND command <> 'check' "
        "ORDER BY run_id DESC LIMIT 1").fetchone()
    return {"run_id": row[0], "command": row[1], "finished_at": _iso(row[2])} if row else None


def _iso(value) -> str | None:
    return value.astimezone(UTC).isoformat() if value is not None else None


def data_quality(conn: psycopg.Connection) -> dict:
    """The last `etnc-db check` (its run, status and counts, the failed expectations) and
    the last in-run gate's counts; None for what never ran."""
    check = conn.execute(
        "SELECT r.run_id, r.status, r.finished_at, count(d.*) FILTER (WHERE d.success), "
        "count(d.*) FILTER (WHERE NOT d.success) FROM etl.runs r LEFT JOIN etl.dq_results d USING (run_id) "
        "WHERE r.command = 'check' AND r.status <> 'running' GROUP BY r.run_id ORDER BY r.run_id DESC LIMIT 1").fetchone()
    gate = conn.execute(
        "SELECT run_id, count(*) FILTER (WHERE success), count(*) FILTER (WHERE NOT success) FROM etl.dq_results "
        "WHERE phase = 'gate' AND run_id = (SELECT max(run_id) FROM etl.dq_results WHERE phase = 'gate') "
        "GROUP BY run_id").fetchone()
    out: dict = {"check": None, "gate": None}
    if check:
        failed = [f"{s}: {e}" + (f" ({c})" if c else "") for s, e, c in conn.execute(
            "SELECT suite, expectation, column_name FROM etl.dq_results WHERE run_id = %s AND NOT success "
            "ORDER BY suite, expectation, column_name", (check[0],))]
        out["check"] = {"run_id": check[0], "status": check[1], "finished_at": _iso(check[2]),
                        "passed": check[3], "failed": check[4], "failures": failed}
    if gate:
        out["gate"] = {"run_id": gate[0], "passed": gate[1], "failed": gate[2]}
    return out


def source_documents(conn: psycopg.Connection) -> list[dict]:
    """Every source document with its sha256, sorted by key (published_date is the first
    day of the period when published_precision is month or year)."""
    rows = conn.execute(
        "SELECT document_key, file_name, sha256, title, publisher, published_date, published_precision, "
        "document_kind, byte_size FROM mart.dim_document ORDER BY document_key").fetchall()
    names = ("document_key", "file_name", "sha256", "title", "publisher", "published_date", "published_precision",
             "document_kind", "byte_size")
    docs = [dict(zip(names, r, strict=True)) for r in rows]
    for d in docs:
        d["published_date"] = d["published_date"].isoformat() if d["published_date"] else None
    return docs


def build_manifest(conn: psycopg.Connection, fmt: str, files: list[dict]) -> dict:
    """The manifest of an export whose files (path relative to the export folder,
    relation, rows) are written: adds each file's sha256 and bytes."""
    run = last_data_run(conn)
    version = package_version()
    out_files = []
    for f in files:
        path = Path(f.pop("_path"))
        out_files.append({**f, "bytes": path.stat().st_size, "sha256": sha256_of(path)})
    return {
        "dataset": "etnc-db",
        "dataset_version": f"{version}+run.{run['run_id']}" if run else version,
        "package_version": version,
        "run": run,
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "format": fmt,
        "snapshot": "one READ ONLY, REPEATABLE READ transaction: every file shows the same data",
        "source_documents": source_documents(conn),
        "files": out_files,
        "data_quality": data_quality(conn),
    }
