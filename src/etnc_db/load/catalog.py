"""What the loader needs to know about a table, read from the database catalog (the
migrated schema is the models' schema, proven by `alembic check`), so loading imports
neither SQLAlchemy nor the models: column types, the business key, and the foreign keys
with the business key of each referenced table."""

from __future__ import annotations

from dataclasses import dataclass, field

import psycopg


@dataclass(frozen=True)
class Reference:
    """A foreign key `column` filled from staging column `source` (the referenced row's
    business key) by looking it up in `table.key` and taking `table.id`."""

    column: str
    source: str
    table: str
    key: str
    id: str


@dataclass
class TableInfo:
    name: str
    key: str  # business-key column
    columns: dict[str, str]  # column -> type as PostgreSQL spells it (format_type)
    references: dict[str, Reference] = field(default_factory=dict)  # by staging source column

    def staging_type(self, column: str) -> str:
        """The type of a staged column: the target's type, text for a business key."""
        if column in self.references:
            return "text"
        if column not in self.columns:
            raise KeyError(f"{self.name} has no column {column!r} (and no foreign key fed by it)")
        return self.columns[column]


_CACHE: dict[tuple[int, str], TableInfo] = {}

_COLUMNS = """
SELECT a.attname, format_type(a.atttypid, a.atttypmod)
FROM pg_attribute a WHERE a.attrelid = %s::regclass AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum"""
_UNIQUE_KEYS = """
SELECT a.attname, c.contype FROM pg_constraint c
JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
WHERE c.conrelid = %s::regclass AND c.contype IN ('u', 'p') AND array_length(c.conkey, 1) = 1"""
_FOREIGN_KEYS = """
SELECT a.attname, c.confrelid::regclass::text, fa.attname FROM pg_constraint c
JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
JOIN pg_attribute fa ON fa.attrelid = c.confrelid AND fa.attnum = c.confkey[1]
WHERE c.conrelid = %s::regclass AND c.contype = 'f'"""


def table_info(conn: psycopg.Connection, table: str) -> TableInfo:
    """The loader's view of `table` (schema-qualified), cached per server connection."""
    cache_key = (id(conn.pgconn), table)
    if cache_key not in _CACHE:
        _CACHE[cache_key] = _read(conn, table)
    return _CACHE[cache_key]


def _business_key(conn: psycopg.Connection, table: str) -> str:
    """The single-column unique text key named *_key or *_code (a lookup table's `value`)."""
    keys = conn.execute(_UNIQUE_KEYS, (table,)).fetchall()
    named = sorted(c for c, _ in keys if c.endswith(("_key", "_code")))
    if named:
        return named[0]
    if any(c == "value" for c, kind in keys if kind == "p"):
        return "value"
    raise LookupError(f"{table} has no business key (a unique *_key or *_code column)")


def _read(conn: psycopg.Connection, table: str) -> TableInfo:
    columns = dict(conn.execute(_COLUMNS, (table,)).fetchall())
    info = TableInfo(table, _business_key(conn, table), columns)
    for column, ref_table, ref_column in conn.execute(_FOREIGN_KEYS, (table,)).fetchall():
        if not column.endswith("_id"):
            continue  # a text foreign key (a vocabulary value) is its own business key
        ref_table = ref_table if "." in ref_table else f"public.{ref_table}"
        source = column.removesuffix("_id") + "_key"
        info.references[source] = Reference(column, source, ref_table, _business_key(conn, ref_table), ref_column)
    return info


def forget(conn: psycopg.Connection) -> None:
    """Drop cached table descriptions of `conn` (after DDL such as a bulk-mode restore)."""
    for key in [k for k in _CACHE if k[0] == id(conn.pgconn)]:
        del _CACHE[key]
