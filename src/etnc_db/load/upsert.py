"""Set-based loading of one table: COPY the named rows into a temporary staging table,
resolve foreign keys by business key, upsert by business key (touching only rows whose
values differ), delete rows of the load's scope that left the sources, and log every
change in etl.changes. Nothing here commits: the caller owns the transaction.

A row the database refuses (a CHECK, NOT NULL or foreign-key violation, a duplicate
key, an unknown referenced key) is reported as one line naming its origin
(`file:line: reason`) when the row carried one, found by evaluating the violated
constraint on the staged rows — the rule is stated once, in the schema.

The change log records every update and delete row by row; inserts into a table that
was empty when the run began (a first build) are one entry per table (business key
`*`, `row_count` the rows inserted), so the log grows with change, not with size."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import psycopg
from psycopg import errors, sql

from etnc_db.load.catalog import Reference, TableInfo, table_info
from etnc_db.load.staging import columns_of, copy_to_staging, staging_name
from etnc_db.tables import ORIGIN, LoadError, TableLoad, TableResult


@dataclass
class RunLog:
    """Per-run loader state: the run id and which tables were empty when the run first
    touched them (their inserts are logged as one entry)."""

    run_id: int
    empty_at_start: dict[str, bool] = field(default_factory=dict)

    def first_build(self, conn: psycopg.Connection, table: str) -> bool:
        if table not in self.empty_at_start:
            self.empty_at_start[table] = not conn.execute(
                sql.SQL("SELECT EXISTS (SELECT 1 FROM {})").format(_ident(table))).fetchone()[0]
        return self.empty_at_start[table]


def _ident(qualified: str) -> sql.Identifier:
    return sql.Identifier(*qualified.split("."))


def load_tables(conn: psycopg.Connection, loads: Sequence[TableLoad], log: RunLog) -> dict[str, TableResult]:
    """Upsert `loads` parent-first, then delete what left the sources child-first, so
    every deletion is logged (none hides behind ON DELETE CASCADE)."""
    results: dict[str, TableResult] = {}
    for load in loads:
        results[load.table] = upsert(conn, load, log)
    for load in reversed(loads):
        results[load.table].deleted = delete_missing(conn, load, log)
    return results


def _select(info: TableInfo, columns: Sequence[str]) -> tuple[list, list, list, list[Reference]]:
    """Target columns, the SELECT expressions filling them from staging (alias s), the
    joins resolving business keys, and the self references (set in a second pass)."""
    targets, exprs, joins, self_refs = [], [], [], []
    for col in columns:
        if col == ORIGIN:
            continue
        ref = info.references.get(col)
        if ref is None:
            targets.append(sql.Identifier(col))
            exprs.append(sql.SQL("s.{}").format(sql.Identifier(col)))
            continue
        alias = sql.Identifier("r_" + ref.column)
        targets.append(sql.Identifier(ref.column))
        exprs.append(sql.SQL("{}.{}").format(alias, sql.Identifier(ref.id)))
        joins.append(sql.SQL("LEFT JOIN {rt} {a} ON {a}.{rkey} = s.{src}").format(
            rt=_ident(ref.table), a=alias, rkey=sql.Identifier(ref.key), src=sql.Identifier(col)))
        if ref.table == info.name:
            self_refs.append(ref)
    return targets, exprs, joins, self_refs


def _origin_expr(columns: Sequence[str], key: str) -> sql.Composable:
    return sql.SQL("s.{}").format(sql.Identifier(ORIGIN if ORIGIN in columns else key))


def _check_refs(conn: psycopg.Connection, load: TableLoad, info: TableInfo, columns: Sequence[str]) -> None:
    """Every business key a staged row points at must exist (self references: among the
    staged rows or the table)."""
    stg = sql.Identifier(staging_name(load.table))
    for col in columns:
        ref = info.references.get(col)
        if ref is None:
            continue
        extra = sql.SQL("")
        if ref.table == info.name:
            extra = sql.SQL(" AND NOT EXISTS (SELECT 1 FROM {stg} s2 WHERE s2.{key} = s.{src})").format(
                stg=stg, key=sql.Identifier(info.key), src=sql.Identifier(col))
        missing = conn.execute(sql.SQL(
            "SELECT {origin}, s.{src} FROM {stg} s LEFT JOIN {rt} r ON r.{rkey} = s.{src} "
            "WHERE s.{src} IS NOT NULL AND r.{rkey} IS NULL{extra} ORDER BY 1 LIMIT 5"
        ).format(origin=_origin_expr(columns, info.key), src=sql.Identifier(col), stg=stg, rt=_ident(ref.table),
                 rkey=sql.Identifier(ref.key), extra=extra)).fetchall()
        if missing:
            where, value = missing[0]
            more = f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""
            raise LoadError(f"{where}: unknown {ref.table.split('.')[-1]} key {value!r} in {col}{more}")


def upsert(conn: psycopg.Connection, load: TableLoad, log: RunLog) -> TableResult:
    """Insert new rows, update changed rows, leave identical rows untouched."""
    info = table_info(conn, load.table)
    columns = columns_of(load) or [info.key]
    with conn.transaction():  # a savepoint: a refused row is diagnosed on the staged data
        try:
            n = copy_to_staging(conn, load, info, columns)
        except errors.UniqueViolation:
            raise _duplicate_key_error(load, info) from None
    _check_refs(conn, load, info, columns)
    targets, exprs, joins, self_refs = _select(info, columns)
    write = _Write(conn, load, info, log.run_id, log.first_build(conn, load.table))
    result = TableResult(load.table, staged=n)
    try:
        with conn.transaction():
            result.inserted, result.updated, inserted = write.insert(targets, exprs, joins, want_keys=bool(self_refs))
    except (errors.IntegrityError, errors.DataException) as exc:
        raise _diagnose(conn, load, info, columns, exc) from None
    for ref in self_refs:
        result.updated += write.fix_self_ref(ref, inserted)
    return result


@dataclass
class _Write:
    """The upsert of one staged table in one run."""

    conn: psycopg.Connection
    load: TableLoad
    info: TableInfo
    run_id: int
    first_build: bool  # the table was empty at the run's start

    def insert(self, targets: list, exprs: list, joins: list, *, want_keys: bool) -> tuple[int, int, set]:
        """INSERT ... ON CONFLICT DO UPDATE of the changed rows, logged in etl.changes:
        (inserted, updated, the keys inserted when `want_keys`)."""
        conn, load, info, first_build, run_id = self.conn, self.load, self.info, self.first_build, self.run_id
        key = sql.Identifier(info.key)
        update_cols = [c for c in targets if c != key]
        existing = conn.execute(sql.SQL("SELECT EXISTS (SELECT 1 FROM {stg} s JOIN {t} t ON t.{key} = s.{key})").format(
            stg=sql.Identifier(staging_name(load.table)), t=_ident(load.table), key=key)).fetchone()[0]
        if not existing:
            on_conflict = sql.SQL("")
        elif update_cols:
            on_conflict = sql.SQL("ON CONFLICT ({}) DO UPDATE SET {} WHERE ({}) IS DISTINCT FROM ({})").format(
                key, sql.SQL(", ").join(sql.SQL("{0} = EXCLUDED.{0}").format(c) for c in update_cols),
                sql.SQL(", ").join(sql.SQL("t.{}").format(c) for c in update_cols),
                sql.SQL(", ").join(sql.SQL("EXCLUDED.{}").format(c) for c in update_cols))
        else:
            on_conflict = sql.SQL("ON CONFLICT ({}) DO NOTHING").format(key)
        # inserts into a table empty at the run's start are logged as one entry (see module doc)
        log_rows = sql.SQL("WHERE NOT ins") if first_build else sql.SQL("")
        # ORDER BY: new rows get their surrogate ids in business-key order, whatever plan the
        # joins take, so the same sources always give the same ids.
        stmt = sql.SQL(
            "WITH up AS (INSERT INTO {t} AS t ({cols}) SELECT {exprs} FROM {stg} s {joins} ORDER BY s.{key} "
            "{on_conflict} RETURNING t.{key} AS k, (xmax = 0) AS ins), "
            "logged AS (INSERT INTO etl.changes (run_id, table_name, business_key, change) "
            "SELECT %(run)s, %(table)s, k, CASE WHEN ins THEN 'insert' ELSE 'update' END FROM up {log_rows}) "
            "SELECT count(*) FILTER (WHERE ins), count(*) FILTER (WHERE NOT ins), "
            "CASE WHEN %(keys)s THEN coalesce(array_agg(k) FILTER (WHERE ins), '{{}}') END FROM up"
        ).format(t=_ident(load.table), cols=sql.SQL(", ").join(targets), exprs=sql.SQL(", ").join(exprs),
                 stg=sql.Identifier(staging_name(load.table)), joins=sql.SQL(" ").join(joins), key=key,
                 on_conflict=on_conflict, log_rows=log_rows)
        inserted, updated, keys = conn.execute(stmt, {"run": run_id, "table": load.table, "keys": want_keys}).fetchone()
        if first_build and inserted:
            conn.execute("INSERT INTO etl.changes (run_id, table_name, business_key, change, row_count) "
                         "VALUES (%s, %s, '*', 'insert', %s)", (run_id, load.table, inserted))
        return inserted, updated, set(keys or ())

    def fix_self_ref(self, ref: Reference, inserted: set) -> int:
        """Second pass for parent pointers into the same table; logs as updates the rows not
        inserted by this run."""
        conn, load, info, run_id = self.conn, self.load, self.info, self.run_id
        rows = conn.execute(sql.SQL(
            "WITH up AS (UPDATE {t} t SET {col} = p.{rid} FROM {stg} s LEFT JOIN {t} p ON p.{rkey} = s.{src} "
            "WHERE t.{key} = s.{key} AND t.{col} IS DISTINCT FROM p.{rid} RETURNING t.{key} AS k), "
            "logged AS (INSERT INTO etl.changes (run_id, table_name, business_key, change) "
            "SELECT %(run)s, %(table)s, k, 'update' FROM up WHERE k <> ALL(%(inserted)s)) "
            "SELECT k FROM up"
        ).format(t=_ident(load.table), col=sql.Identifier(ref.column), rid=sql.Identifier(ref.id),
                 stg=sql.Identifier(staging_name(load.table)), rkey=sql.Identifier(ref.key),
                 src=sql.Identifier(ref.source), key=sql.Identifier(info.key)),
            {"run": run_id, "table": load.table, "inserted": list(inserted)}).fetchall()
        return sum(1 for (k,) in rows if k not in inserted)


def delete_missing(conn: psycopg.Connection, load: TableLoad, log: RunLog) -> int:
    """Delete rows of the load's scope whose business key is no longer staged."""
    if load.scope == "":
        return 0
    info = table_info(conn, load.table)
    scope = sql.SQL(load.scope) if load.scope else sql.SQL("TRUE")
    stmt = sql.SQL(
        "WITH del AS (DELETE FROM {t} t WHERE ({scope}) AND NOT EXISTS "
        "(SELECT 1 FROM {stg} s WHERE s.{key} = t.{key}) RETURNING t.{key} AS k) "
        "INSERT INTO etl.changes (run_id, table_name, business_key, change) "
        "SELECT %(run)s, %(table)s, k, 'delete' FROM del"
    ).format(t=_ident(load.table), scope=scope, stg=sql.Identifier(staging_name(load.table)),
             key=sql.Identifier(info.key))
    try:
        with conn.transaction():
            return conn.execute(stmt, {"run": log.run_id, "table": load.table, **load.scope_params}).rowcount
    except errors.ForeignKeyViolation as exc:
        detail = (exc.diag.message_detail or "").strip()
        raise LoadError(f"{load.table}: a row that left the sources is still referenced ({detail})") from None


# ----------------------------------------------------------------------------------
# naming the source of a refused row
# ----------------------------------------------------------------------------------


def _duplicate_key_error(load: TableLoad, info: TableInfo) -> LoadError:
    seen: dict[object, str] = {}
    for row in load.rows:
        k = row.get(info.key)
        where = row.get(ORIGIN) or load.table
        if k in seen:
            return LoadError(f"{where}: duplicate {info.key} {k!r} (first at {seen[k]})")
        seen[k] = where
    return LoadError(f"{load.table}: duplicate {info.key}")


def _diagnose(conn, load: TableLoad, info: TableInfo, columns, exc: Exception) -> LoadError:
    """Turn a refused INSERT into `origin: reason` by evaluating the violated rule on the
    staged rows (as they would be inserted)."""
    diag = exc.diag
    reason = (diag.message_primary or str(exc)).strip()
    test = None
    if isinstance(exc, errors.CheckViolation) and diag.constraint_name:
        row = conn.execute("SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = %s "
                           "AND conrelid = %s::regclass", (diag.constraint_name, load.table)).fetchone()
        if row:
            test = sql.SQL("NOT ({})").format(sql.SQL(row[0].removeprefix("CHECK ")))
            reason = f"violates {diag.constraint_name.removeprefix('ck_')}: {row[0].removeprefix('CHECK ')}"
    elif isinstance(exc, errors.NotNullViolation) and diag.column_name:
        test = sql.SQL("{} IS NULL").format(sql.Identifier(diag.column_name))
        reason = f"{diag.column_name} is required"
    where = _first_origin(conn, load, info, columns, test) if test is not None else None
    return LoadError(f"{where or load.table}: {reason}")


def _first_origin(conn, load: TableLoad, info: TableInfo, columns, test: sql.Composable) -> str | None:
    targets, exprs, joins, _ = _select(info, columns)
    named = sql.SQL(", ").join(sql.SQL("{} AS {}").format(e, t) for e, t in zip(exprs, targets, strict=True))
    row = conn.execute(sql.SQL(
        "SELECT origin FROM (SELECT {named}, {origin} AS origin FROM {stg} s {joins}) AS r WHERE {test} "
        "ORDER BY origin LIMIT 1"
    ).format(named=named, origin=_origin_expr(columns, info.key), stg=sql.Identifier(staging_name(load.table)),
             joins=sql.SQL(" ").join(joins), test=test)).fetchone()
    return row[0] if row else None
