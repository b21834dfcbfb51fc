"""Staging: COPY a load's named rows into a temporary table shaped like the target.

Rows are rendered to COPY's text format by one formatter per column (chosen from the
column's type) and written in large chunks, instead of one `write_row` call per row; the
staging table gets a unique index on the business key and statistics on the join
columns, which is what the upsert's joins need."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import psycopg
from psycopg import sql

from etnc_db.load.catalog import TableInfo
from etnc_db.tables import ORIGIN, LoadError, TableLoad

CHUNK_BYTES = 1 << 20


def _escape(s: str) -> str:
    """COPY text escaping of backslash, tab, newline and carriage return. Four
    str.replace calls, not str.translate: a translate table that maps a character to
    two is applied character by character in Python, ~20x slower on long texts."""
    return s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _text(v: Any) -> str:
    return _escape(str(v))


def _bool(v: Any) -> str:
    return "t" if v else "f"


def _plain(v: Any) -> str:
    if isinstance(v, float) and v != v:  # NaN never reaches a numeric column silently
        raise ValueError("NaN")
    return v.isoformat() if isinstance(v, (date, datetime)) else str(v)


def _json(v: Any) -> str:
    return _escape(json.dumps(v, ensure_ascii=False, default=_json_default))


def _json_default(v: Any):
    if isinstance(v, Decimal):
        return float(v)
    if isinstance(v, (date, datetime)):
        return v.isoformat()
    raise TypeError(f"{type(v).__name__} is not JSON serializable")


def _array_item(v: Any) -> str:
    if v is None:
        return "NULL"
    return '"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _array(v: Any) -> str:
    return _escape("{" + ",".join(_array_item(x) for x in v) + "}")


def formatter(pg_type: str) -> Callable[[Any], str]:
    """COPY text renderer for a value of `pg_type` (format_type spelling)."""
    if pg_type.endswith("[]"):
        return _array
    if pg_type in ("boolean",):
        return _bool
    if pg_type in ("jsonb", "json"):
        return _json
    if pg_type in ("text",) or pg_type.startswith(("character", "varchar")):
        return _text
    return _plain


def staging_name(table: str) -> str:
    return "stg_" + table.replace(".", "_")


def columns_of(load: TableLoad) -> list[str]:
    """The row keys of `load` (its first row's, ORIGIN last); every row must have the same."""
    if not load.rows:
        return []
    cols = list(load.rows[0])
    if ORIGIN in cols:
        cols.remove(ORIGIN)
        cols.append(ORIGIN)
    return cols


def _check_shape(load: TableLoad, columns: Sequence[str]) -> None:
    expected = set(columns)
    for i, row in enumerate(load.rows):
        if row.keys() != expected:
            diff = sorted(set(row) ^ expected)
            raise LoadError(f"{load.table}: row {i} has other columns than the first row ({', '.join(diff)})")


def copy_to_staging(conn: psycopg.Connection, load: TableLoad, info: TableInfo, columns: Sequence[str]) -> int:
    """Create the temporary staging table of `load` and COPY its rows into it."""
    _check_shape(load, columns)
    types = ["text" if c == ORIGIN else info.staging_type(c) for c in columns]
    name = staging_name(load.table)
    conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(name)))
    coldefs = sql.SQL(", ").join(sql.SQL("{} {}").format(sql.Identifier(c), sql.SQL(t)) for c, t in zip(columns, types, strict=True))
    conn.execute(sql.SQL("CREATE TEMP TABLE {} ({}) ON COMMIT DROP").format(sql.Identifier(name), coldefs))
    pairs = list(zip(columns, [formatter(t) for t in types], strict=True))
    stmt = sql.SQL("COPY {} ({}) FROM STDIN").format(sql.Identifier(name), sql.SQL(", ").join(map(sql.Identifier, columns)))
    with conn.cursor() as cur, cur.copy(stmt) as copy:
        buf: list[str] = []
        size = 0
        for row in load.rows:
            line = "\t".join(["\\N" if row[c] is None else f(row[c]) for c, f in pairs]) + "\n"
            buf.append(line)
            size += len(line)
            if size >= CHUNK_BYTES:
                copy.write("".join(buf).encode())
                buf, size = [], 0
        if buf:
            copy.write("".join(buf).encode())
    key = info.key
    conn.execute(sql.SQL("CREATE UNIQUE INDEX ON {} ({})").format(sql.Identifier(name), sql.Identifier(key)))
    join_cols = [key, *(c for c in columns if c in info.references)]
    conn.execute(sql.SQL("ANALYZE {} ({})").format(sql.Identifier(name), sql.SQL(", ").join(map(sql.Identifier, join_cols))))
    return len(load.rows)
