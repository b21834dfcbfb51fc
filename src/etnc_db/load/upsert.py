"""Set-based loading of one table: COPY rows into a temporary staging table, resolve
foreign keys by business key, upsert by business key (touching only rows whose values
differ), delete rows of the load's scope that left the sources, and log every change
in etl.changes. Nothing here commits: the caller owns the transaction."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb


class LoadError(Exception):
    """A row cannot be loaded (e.g. a reference to a key that does not exist)."""


@dataclass(frozen=True)
class Ref:
    """A foreign key filled by looking up `source` (a business key) in `table.key`."""

    column: str  # target FK column, e.g. country_id
    source: str  # staging column with the referenced business key, e.g. country_code
    table: str  # referenced table, e.g. core.countries
    key: str  # business-key column of the referenced table
    id: str  # surrogate key column of the referenced table


@dataclass
class TableLoad:
    """Everything needed to bring one table in line with its sources.

    rows: tuples in the order of `columns` (plain target columns and Ref sources).
    scope: SQL predicate on the target (alias t) naming the rows this load is
        authoritative for; rows in scope but not in `rows` are deleted. None means the
        whole table; an empty string means nothing is deleted.
    """

    table: str
    key: str
    columns: Sequence[str]
    rows: Iterable[Sequence[Any]]
    refs: Sequence[Ref] = ()
    scope: str | None = None
    scope_params: dict[str, Any] = field(default_factory=dict)


@dataclass
class TableResult:
    table: str
    inserted: int = 0
    updated: int = 0
    deleted: int = 0
    staged: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"inserted": self.inserted, "updated": self.updated, "deleted": self.deleted}


def _pg_type(table: str, column: str) -> str:
    """The column's PostgreSQL type, from the models (imported only when rows are written)."""
    from sqlalchemy.dialects import postgresql
    from sqlalchemy.types import ARRAY

    from etnc_db.db.models import metadata

    dialect = postgresql.dialect()
    col = metadata.tables[table].c[column]
    if isinstance(col.type, ARRAY):
        return col.type.item_type.compile(dialect=dialect).lower() + "[]"
    return col.type.compile(dialect=dialect).lower()


def _copy_type(pg_type: str) -> str:
    base = pg_type.replace(" ", "")
    for prefix, name in (("varchar", "text"), ("character varying", "text"), ("numeric", "numeric")):
        if base.startswith(prefix) and not base.endswith("[]"):
            return name
    if base.startswith("varchar") and base.endswith("[]"):
        return "text[]"
    return {"timestamp with time zone": "timestamptz", "timestamp": "timestamp"}.get(base, base)


def _ident(qualified: str) -> sql.Identifier:
    return sql.Identifier(*qualified.split("."))


def stage(conn: psycopg.Connection, load: TableLoad) -> tuple[str, int]:
    """Create a temporary staging table for `load` and COPY its rows into it."""
    ref_sources = {r.source for r in load.refs}
    types = []
    for col in load.columns:
        types.append("text" if col in ref_sources else _pg_type(load.table, col))
    name = "stg_" + load.table.replace(".", "_")
    conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(name)))
    coldefs = sql.SQL(", ").join(
        sql.SQL("{} {}").format(sql.Identifier(c), sql.SQL(t)) for c, t in zip(load.columns, types, strict=False)
    )
    conn.execute(
        sql.SQL("CREATE TEMP TABLE {} ({}) ON COMMIT DROP").format(sql.Identifier(name), coldefs)
    )
    copy_types = [_copy_type(t) for t in types]
    jsonb_positions = [i for i, t in enumerate(copy_types) if t == "jsonb"]
    n = 0
    with conn.cursor() as cur:
        stmt = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(name), sql.SQL(", ").join(map(sql.Identifier, load.columns))
        )
        with cur.copy(stmt) as copy:
            copy.set_types(copy_types)
            for row in load.rows:
                if jsonb_positions:
                    row = list(row)
                    for i in jsonb_positions:
                        if row[i] is not None:
                            row[i] = Jsonb(row[i])
                copy.write_row(row)
                n += 1
    conn.execute(
        sql.SQL("CREATE UNIQUE INDEX ON {} ({})").format(sql.Identifier(name), sql.Identifier(load.key))
    )
    # statistics only for the columns the upsert joins on: enough to plan its hash joins,
    # and far cheaper than sampling every text column of a large batch
    join_cols = [load.key, *(r.source for r in load.refs)]
    conn.execute(
        sql.SQL("ANALYZE {} ({})").format(sql.Identifier(name), sql.SQL(", ").join(map(sql.Identifier, join_cols)))
    )
    return name, n


def _check_refs(conn: psycopg.Connection, load: TableLoad, staging: str) -> None:
    for ref in load.refs:
        if ref.table == load.table:
            continue  # self references are checked after the upsert
        missing = conn.execute(
            sql.SQL(
                "SELECT s.{key}, s.{src} FROM {stg} s LEFT JOIN {rt} r ON r.{rkey} = s.{src} "
                "WHERE s.{src} IS NOT NULL AND r.{rid} IS NULL LIMIT 5"
            ).format(
                key=sql.Identifier(load.key), src=sql.Identifier(ref.source), stg=sql.Identifier(staging),
                rt=_ident(ref.table), rkey=sql.Identifier(ref.key), rid=sql.Identifier(ref.id),
            )
        ).fetchall()
        if missing:
            sample = ", ".join(f"{k} -> {v}" for k, v in missing)
            raise LoadError(f"{load.table}: unknown {ref.table} key in {ref.source}: {sample}")


def upsert(conn: psycopg.Connection, load: TableLoad, run_id: int) -> TableResult:
    """Insert new rows, update changed rows, leave identical rows untouched."""
    staging, n = stage(conn, load)
    _check_refs(conn, load, staging)
    ref_by_source = {r.source: r for r in load.refs}
    target_cols: list[sql.Composable] = []
    select_exprs: list[sql.Composable] = []
    joins: list[sql.Composable] = []
    self_refs = []
    for col in load.columns:
        ref = ref_by_source.get(col)
        if ref is None:
            target_cols.append(sql.Identifier(col))
            select_exprs.append(sql.SQL("s.{}").format(sql.Identifier(col)))
            continue
        alias = sql.Identifier("r_" + ref.column)
        target_cols.append(sql.Identifier(ref.column))
        select_exprs.append(sql.SQL("{}.{}").format(alias, sql.Identifier(ref.id)))
        joins.append(
            sql.SQL("LEFT JOIN {rt} {a} ON {a}.{rkey} = s.{src}").format(
                rt=_ident(ref.table), a=alias, rkey=sql.Identifier(ref.key), src=sql.Identifier(col)
            )
        )
        if ref.table == load.table:
            self_refs.append(ref)
    update_cols = [c for c in target_cols if c != sql.Identifier(load.key)]
    set_clause = sql.SQL(", ").join(sql.SQL("{0} = EXCLUDED.{0}").format(c) for c in update_cols)
    differs = sql.SQL("({}) IS DISTINCT FROM ({})").format(
        sql.SQL(", ").join(sql.SQL("t.{}").format(c) for c in update_cols),
        sql.SQL(", ").join(sql.SQL("EXCLUDED.{}").format(c) for c in update_cols),
    )
    # When no staged key is in the table yet (new documents, a first build) a plain
    # INSERT does the same as the upsert without a speculative insertion per row.
    existing = conn.execute(
        sql.SQL("SELECT EXISTS (SELECT 1 FROM {stg} s JOIN {target} t ON t.{key} = s.{key})").format(
            stg=sql.Identifier(staging), target=_ident(load.table), key=sql.Identifier(load.key)
        )
    ).fetchone()[0]
    if not existing:
        on_conflict = sql.SQL("")
    elif update_cols:
        on_conflict = sql.SQL("ON CONFLICT ({}) DO UPDATE SET {} WHERE {}").format(
            sql.Identifier(load.key), set_clause, differs
        )
    else:
        on_conflict = sql.SQL("ON CONFLICT ({}) DO NOTHING").format(sql.Identifier(load.key))
    # ORDER BY: new rows get their surrogate ids in business-key order, whatever plan the
    # joins take, so the same sources always give the same ids.
    stmt = sql.SQL(
        "WITH up AS (INSERT INTO {target} AS t ({cols}) SELECT {exprs} FROM {stg} s {joins} ORDER BY s.{key} "
        "{on_conflict} RETURNING t.{key} AS k, (xmax = 0) AS ins), "
        "logged AS (INSERT INTO etl.changes (run_id, table_name, business_key, change) "
        "SELECT %(run)s, %(table)s, k, CASE WHEN ins THEN 'insert' ELSE 'update' END FROM up) "
        "SELECT count(*) FILTER (WHERE ins), count(*) FILTER (WHERE NOT ins), "
        "CASE WHEN %(keys)s THEN coalesce(array_agg(k) FILTER (WHERE ins), '{{}}') END FROM up"
    ).format(
        target=_ident(load.table), cols=sql.SQL(", ").join(target_cols),
        exprs=sql.SQL(", ").join(select_exprs), stg=sql.Identifier(staging),
        joins=sql.SQL(" ").join(joins), key=sql.Identifier(load.key), on_conflict=on_conflict,
    )
    result = TableResult(load.table, staged=n)
    # the inserted keys come back only where a self reference needs them
    result.inserted, result.updated, keys = conn.execute(
        stmt, {"run": run_id, "table": load.table, "keys": bool(self_refs)}
    ).fetchone()
    inserted_keys = set(keys or ())
    for ref in self_refs:
        result.updated += _fix_self_ref(conn, load, staging, ref, run_id, inserted_keys)
    return result


def load_tables(conn: psycopg.Connection, loads: Sequence[TableLoad], run_id: int) -> dict[str, TableResult]:
    """Upsert `loads` parent-first, then delete what left the sources child-first, so
    every deletion is logged (none hides behind ON DELETE CASCADE)."""
    results: dict[str, TableResult] = {}
    staged: list[tuple[TableLoad, str]] = []
    for load in loads:
        results[load.table] = upsert(conn, load, run_id)
        staged.append((load, "stg_" + load.table.replace(".", "_")))
    for load, staging in reversed(staged):
        results[load.table].deleted = delete_missing(conn, load, staging, run_id)
    return results


def _fix_self_ref(conn, load: TableLoad, staging: str, ref: Ref, run_id: int, inserted: set) -> int:
    """Second pass for parent pointers into the same table (rows inserted this run)."""
    # one statement: set the pointers, and log as updates the rows not inserted this run
    rows = conn.execute(
        sql.SQL(
            "WITH up AS (UPDATE {t} t SET {col} = p.{rid} FROM {stg} s LEFT JOIN {t} p ON p.{rkey} = s.{src} "
            "WHERE t.{key} = s.{key} AND t.{col} IS DISTINCT FROM p.{rid} RETURNING t.{key} AS k, s.{src} AS src, p.{rid} AS pid), "
            "logged AS (INSERT INTO etl.changes (run_id, table_name, business_key, change) "
            "SELECT %(run)s, %(table)s, k, 'update' FROM up WHERE k <> ALL(%(inserted)s)) "
            "SELECT k, src, pid FROM up"
        ).format(
            t=_ident(load.table), col=sql.Identifier(ref.column), rid=sql.Identifier(ref.id),
            stg=sql.Identifier(staging), rkey=sql.Identifier(ref.key), src=sql.Identifier(ref.source),
            key=sql.Identifier(load.key),
        ),
        {"run": run_id, "table": load.table, "inserted": list(inserted)},
    ).fetchall()
    broken = [(k, s) for k, s, pid in rows if s is not None and pid is None]
    if broken:
        raise LoadError(f"{load.table}: unknown parent key in {ref.source}: {broken[:5]}")
    return sum(1 for k, _, _ in rows if k not in inserted)


def delete_missing(conn: psycopg.Connection, load: TableLoad, staging: str, run_id: int) -> int:
    """Delete rows of the load's scope whose business key is no longer staged."""
    if load.scope == "":
        return 0
    scope = sql.SQL(load.scope) if load.scope else sql.SQL("TRUE")
    stmt = sql.SQL(
        "WITH del AS (DELETE FROM {t} t WHERE ({scope}) AND NOT EXISTS "
        "(SELECT 1 FROM {stg} s WHERE s.{key} = t.{key}) RETURNING t.{key} AS k) "
        "INSERT INTO etl.changes (run_id, table_name, business_key, change) "
        "SELECT %(run)s, %(table)s, k, 'delete' FROM del"
    ).format(t=_ident(load.table), scope=scope, stg=sql.Identifier(staging), key=sql.Identifier(load.key))
    cur = conn.execute(stmt, {"run": run_id, "table": load.table, **load.scope_params})
    return cur.rowcount


def delete_where(conn: psycopg.Connection, table: str, key: str, where: str, params: dict, run_id: int) -> int:
    """Delete rows matching `where` (alias t) and log them; used for removed documents."""
    stmt = sql.SQL(
        "WITH del AS (DELETE FROM {t} t WHERE {w} RETURNING t.{key} AS k) "
        "INSERT INTO etl.changes (run_id, table_name, business_key, change) "
        "SELECT %(run)s, %(table)s, k, 'delete' FROM del"
    ).format(t=_ident(table), w=sql.SQL(where), key=sql.Identifier(key))
    return conn.execute(stmt, {"run": run_id, "table": table, **params}).rowcount
