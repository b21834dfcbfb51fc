"""One consistent, read-only view of the database for a publishing command."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from psycopg import IsolationLevel


@contextmanager
def snapshot(url: str) -> Iterator[psycopg.Connection]:
    """A connection inside one READ ONLY, REPEATABLE READ transaction: every query sees
    the data as of its first statement, whatever loads commit meanwhile. Rolled back at
    the end (nothing is ever written)."""
    conn = psycopg.connect(url, autocommit=False)
    try:
        conn.isolation_level = IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        conn.execute("SET application_name = 'etnc-db publish'")
        yield conn
    finally:
        try:
            conn.rollback()
        finally:
            conn.close()


def relation_exists(conn: psycopg.Connection, name: str) -> bool:
    """Whether `schema.relation` exists (without failing the transaction when it does not)."""
    return conn.execute("SELECT to_regclass(%s) IS NOT NULL", (name,)).fetchone()[0]
