"""The mart views: repeatable, not migrated (dbt's model).

`sql/views/*.sql` are the definition of every view, applied in file-name order (a file
may only use views of files sorting before it); the `.yml` beside each file documents
its view(s) — a description and one per column, `=schema.table.column` to reuse a
documented column's — and becomes COMMENT ON; a column left undocumented, or a
documented column the view lacks, fails the apply. Migrations never create views: after
every `db upgrade` and every `run`, `apply_views` compares the files' checksum with the
one recorded in `etl.view_state` and, when they differ, drops every view of the view
schemas and creates them all again from the files, grants included, in one
transaction. So a fresh database, an upgrade and a changed view file all end in the
same state, and a migration that alters a table only has to drop the views first
(`drop_views`), which `upgrade` does whenever migrations are pending.

Views that aggregate over the fact tables are materialized in schema `mart_cache` (their
storage) and read through plain views of the same name in `mart`, so every mart
relation is visible through `information_schema`; `refresh_materialized` brings the
storage up to date inside a load's transaction (CONCURRENTLY: readers are never
blocked, and a rolled-back load leaves them as they were)."""

from __future__ import annotations

import hashlib
from pathlib import Path

VIEW_SCHEMAS = ("mart", "mart_cache")
VIEW_SET = "mart"
MATVIEWS_SQL = "SELECT schemaname, matviewname FROM pg_matviews WHERE schemaname = ANY(%s) ORDER BY 1, 2"
# (materialized view, relation it reads) from the views' rewrite rules
MATVIEW_READS_SQL = """
SELECT DISTINCT n.nspname || '.' || v.relname, un.nspname || '.' || u.relname
FROM pg_class v
JOIN pg_namespace n ON n.oid = v.relnamespace
JOIN pg_rewrite r ON r.ev_class = v.oid
JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = r.oid AND d.refclassid = 'pg_class'::regclass
JOIN pg_class u ON u.oid = d.refobjid AND u.oid <> v.oid
JOIN pg_namespace un ON un.oid = u.relnamespace
WHERE v.relkind = 'm' AND n.nspname = ANY(%s)
ORDER BY 1, 2"""


def view_files(directory: Path) -> list[Path]:
    return sorted(Path(directory).glob("*.sql"))


def views_checksum(directory: Path) -> str:
    """SHA-256 over the view files' and their documentation's names and bytes."""
    h = hashlib.sha256(b"views-v2")
    for path in sorted([*Path(directory).glob("*.sql"), *Path(directory).glob("*.yml")]):
        h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def applied_checksum(conn) -> str | None:
    """The checksum recorded by the last `apply_views` (None before the first)."""
    if conn.execute("SELECT to_regclass('etl.view_state')").fetchone()[0] is None:
        return None
    row = conn.execute("SELECT checksum FROM etl.view_state WHERE view_set = %s", (VIEW_SET,)).fetchone()
    return row[0] if row else None


def drop_views(conn) -> None:
    """Drop every view and materialized view of the view schemas (psycopg connection,
    in its transaction) and forget the applied checksum."""
    for schema, name in conn.execute(MATVIEWS_SQL, (list(VIEW_SCHEMAS),)).fetchall():
        conn.execute(f'DROP MATERIALIZED VIEW IF EXISTS "{schema}"."{name}" CASCADE')
    for schema, name in conn.execute(
        "SELECT schemaname, viewname FROM pg_views WHERE schemaname = ANY(%s)", (list(VIEW_SCHEMAS),)
    ).fetchall():
        conn.execute(f'DROP VIEW IF EXISTS "{schema}"."{name}" CASCADE')
    if conn.execute("SELECT to_regclass('etl.view_state')").fetchone()[0] is not None:
        conn.execute("DELETE FROM etl.view_state WHERE view_set = %s", (VIEW_SET,))


def apply_views(conn, directory: Path, *, force: bool = False) -> bool:
    """Create the views from `directory` unless the recorded checksum equals the files'
    (psycopg connection, in its transaction; the caller commits). True when applied."""
    checksum = views_checksum(directory)
    if not force and applied_checksum(conn) == checksum:
        return False
    drop_views(conn)
    for schema in VIEW_SCHEMAS:
        conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
    files = view_files(directory)
    for path in files:
        try:
            conn.execute(path.read_text(encoding="utf-8"))
        except Exception as exc:  # noqa: BLE001 - name the file, keep the database's reason
            raise ViewError(f"{path}: {str(exc).strip().splitlines()[0]}") from exc
        document_views(conn, path.with_suffix(".yml"))
    _regrant(conn)
    conn.execute(
        "INSERT INTO etl.view_state (view_set, checksum, files, applied_at) VALUES (%s, %s, %s::jsonb, now()) "
        "ON CONFLICT (view_set) DO UPDATE SET checksum = EXCLUDED.checksum, files = EXCLUDED.files, "
        "applied_at = EXCLUDED.applied_at",
        (VIEW_SET, checksum, _json([p.name for p in files])),
    )
    return True


class ViewError(Exception):
    """A view file failed to apply; `str()` names the file and the reason."""


def _json(value) -> str:
    import json

    return json.dumps(value)


def _view_docs(path: Path) -> dict[str, dict]:
    """{view name: {description, columns}} from a view's .yml (one `view:` or `views:`)."""
    from etnc_db.yaml_lines import YamlSyntaxError, load_yaml_with_lines

    try:
        data = load_yaml_with_lines(path)
    except YamlSyntaxError as exc:
        raise ViewError(str(exc)) from None
    if not isinstance(data, dict):
        raise ViewError(f"{path}:1: expected view, description and columns")
    if "views" in data:
        return dict(data["views"])
    return {data.get("view"): {"description": data.get("description"), "columns": data.get("columns")}}


def _column_comment(conn, text: str, path: Path) -> str:
    """A description, or the comment of the column `=schema.table.column` names."""
    if not str(text).startswith("="):
        return str(text)
    relation, _, column = str(text)[1:].rpartition(".")
    row = conn.execute(
        "SELECT col_description(c.oid, a.attnum) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
        "WHERE c.oid = to_regclass(%s) AND a.attname = %s AND NOT a.attisdropped", (relation, column)).fetchone()
    if not row or not row[0]:
        raise ViewError(f"{path}: {text} names no documented column")
    return row[0]


def document_views(conn, path: Path) -> None:
    """COMMENT ON the views of one file from its .yml; every column documented."""
    if not path.exists():
        raise ViewError(f"{path}: missing (every view file is documented by a .yml beside it)")
    for view, doc in _view_docs(path).items():
        columns = [r[0] for r in conn.execute(
            "SELECT attname FROM pg_attribute WHERE attrelid = to_regclass(%s) AND attnum > 0 AND NOT attisdropped "
            "ORDER BY attnum", (view,)).fetchall()]
        if not columns or not doc.get("description"):
            raise ViewError(f"{path}: view {view!r} does not exist or has no description")
        described = dict(doc.get("columns") or {})
        missing, extra = [c for c in columns if c not in described], [c for c in described if c not in columns]
        if missing or extra:
            raise ViewError(f"{path}: {view}: undocumented columns {missing}, documented but absent {extra}")
        conn.execute(f"COMMENT ON VIEW {view} IS %s".replace("%s", _literal(doc["description"])))
        for column in columns:
            comment = _column_comment(conn, described[column], path)
            conn.execute(f'COMMENT ON COLUMN {view}."{column}" IS {_literal(comment)}')


def _literal(text: str) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def _regrant(conn) -> None:
    """Readers (roles with USAGE on schema mart) keep SELECT on the re-created views."""
    roles = [r[0] for r in conn.execute(
        "SELECT r.rolname FROM pg_roles r WHERE has_schema_privilege(r.oid, 'mart', 'USAGE') "
        "AND NOT r.rolsuper AND r.rolname NOT LIKE 'pg\\_%' "
        "AND r.oid <> (SELECT nspowner FROM pg_namespace WHERE nspname = 'mart')"
    ).fetchall()]
    for role in roles:
        conn.execute(f'GRANT SELECT ON ALL TABLES IN SCHEMA mart TO "{role}"')


def refresh_materialized(conn) -> list[str]:
    """Refresh every materialized view of the view schemas on a psycopg connection (in its
    transaction), concurrently so readers are not blocked, each after the materialized
    views it reads (mart_cache.fct_investment reads mart_cache.fct_fact)."""
    from graphlib import TopologicalSorter

    names = [f"{schema}.{name}" for schema, name in conn.execute(MATVIEWS_SQL, (list(VIEW_SCHEMAS),))]
    reads: dict[str, set[str]] = {name: set() for name in names}
    for view, used in conn.execute(MATVIEW_READS_SQL, (list(VIEW_SCHEMAS),)):
        if used in reads:
            reads[view].add(used)
    ordered = list(TopologicalSorter(reads).static_order())
    for name in ordered:
        schema, _, view = name.partition(".")
        conn.execute(f'REFRESH MATERIALIZED VIEW CONCURRENTLY "{schema}"."{view}"')
    return ordered
