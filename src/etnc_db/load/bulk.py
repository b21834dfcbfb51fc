"""Bulk-load mode for large loads.

Per-row work dominates a large insert into the document tables: every new row fires
one foreign-key check per FK (core.mentions has six) and updates every secondary
index. PostgreSQL's own advice for populating a database is to drop the indexes and
foreign keys, load, and create them again; a rebuilt index is sorted once and a
re-added foreign key is validated by one set-based query instead of one lookup per row.

`drop` and `restore` do that for a set of tables inside the caller's transaction.
It keeps primary keys, unique constraints (the upsert's conflict arbiters and the
targets of other foreign keys) and CHECK constraints. Every definition is read from the
catalog before it is dropped and re-created verbatim, so the schema after a bulk load is
the schema before it. If anything fails, including the validation of a re-added foreign
key, the transaction rolls back and the drops with it.

The cost is locking: DROP INDEX and ALTER TABLE hold ACCESS EXCLUSIVE locks on the
tables until the transaction ends, so readers of those tables wait for the load. The
pipeline therefore uses bulk mode (in `auto`) only for a first build into empty
document tables, never for a periodic load, whatever its size.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import psycopg
from psycopg import sql

BULK_MODES = ("auto", "always", "never")


@dataclass
class Deferred:
    """What a bulk load dropped, in the order it will be re-created."""

    indexes: list[tuple[str, str]] = field(default_factory=list)  # (qualified name, CREATE INDEX ...)
    foreign_keys: list[tuple[str, str, str]] = field(default_factory=list)  # (table, name, definition)
    tables: list[str] = field(default_factory=list)



def _ident(qualified: str) -> sql.Composable:
    return sql.Identifier(*qualified.split("."))


def drop(conn: psycopg.Connection, tables: Sequence[str]) -> Deferred:
    """Drop the outgoing foreign keys and non-unique indexes of `tables`; return their
    definitions.

    A table with a foreign key to itself keeps its indexes: the loader sets those parent
    pointers with an UPDATE after the insert, and without an index on the updated column
    that UPDATE is a HOT update. An index built over HOT chains that the same transaction
    created is unusable for the rest of that transaction (pg_index.indcheckxmin), so every
    later query of the run would scan the whole table."""
    deferred = Deferred(tables=list(tables))
    for table in tables:
        fks = conn.execute(
            "SELECT conname, pg_get_constraintdef(oid), confrelid = conrelid FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname",
            (table,),
        ).fetchall()
        for name, definition, _ in fks:
            deferred.foreign_keys.append((table, name, definition))
        if any(self_ref for _, _, self_ref in fks):
            continue
        indexes = conn.execute(
            "SELECT n.nspname || '.' || i.relname, pg_get_indexdef(x.indexrelid) "
            "FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
            "JOIN pg_namespace n ON n.oid = i.relnamespace "
            "WHERE x.indrelid = %s::regclass AND NOT x.indisunique AND NOT x.indisprimary "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid) "
            "ORDER BY i.relname",
            (table,),
        ).fetchall()
        deferred.indexes.extend(indexes)
    for table, name, _ in deferred.foreign_keys:
        conn.execute(sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(_ident(table), sql.Identifier(name)))
    for name, _ in deferred.indexes:
        conn.execute(sql.SQL("DROP INDEX {}").format(_ident(name)))
    return deferred


def restore(conn: psycopg.Connection, deferred: Deferred) -> None:
    """Re-create what `drop` removed: indexes first (the FK validation and the rest of
    the run use them), then the foreign keys, each validated over the whole table.
    Finally ANALYZE the tables: they have just grown by at least half, and the rest of
    the run (checks, mart refresh) plans its queries on their statistics."""
    for _, definition in deferred.indexes:
        conn.execute(definition)
    for table, name, definition in deferred.foreign_keys:
        conn.execute(
            sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} {}").format(
                _ident(table), sql.Identifier(name), sql.SQL(definition)
            )
        )
    for table in deferred.tables:
        conn.execute(sql.SQL("ANALYZE {}").format(_ident(table)))


def choose(mode: str, *, first_build: bool) -> bool:
    """Whether to load the document tables in bulk mode: always, never, or (auto) only
    for a first build into empty document tables. An ordinary load never takes the
    ACCESS EXCLUSIVE locks readers would wait on, whatever its size."""
    if mode not in BULK_MODES:
        raise ValueError(f"bulk mode must be one of {', '.join(BULK_MODES)}, not {mode!r}")
    return mode == "always" or (mode == "auto" and first_build)


def unusable_indexes(conn: psycopg.Connection, deferred: Deferred) -> list[str]:
    """Re-created indexes the rest of this transaction cannot use (built over HOT chains
    the transaction itself created); the data is sound, later queries are just slower."""
    if not deferred.indexes:
        return []
    return [r[0] for r in conn.execute(
        "SELECT indexrelid::regclass::text FROM pg_index WHERE indcheckxmin "
        "AND indexrelid = ANY(%s::regclass[])", ([name for name, _ in deferred.indexes],)
    )]
