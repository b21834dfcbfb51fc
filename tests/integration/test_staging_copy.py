"""The loader's COPY into staging keeps every value as it was: the characters COPY's text
format escapes (backslash, tab, newline, carriage return), the NULL marker's spelling
as text, JSON and arrays holding them, and long texts."""

from __future__ import annotations

import psycopg
from psycopg.types.json import Jsonb

from etnc_db.load.catalog import TableInfo
from etnc_db.load.staging import copy_to_staging, staging_name
from etnc_db.tables import TableLoad

TRICKY = [
    "plain",
    "back\\slash \\N and \\t written out",
    "tab\there",
    "two\nlines\r\nand a carriage\rreturn",
    "\\N",
    "",
    "trailing backslash \\",
    "unicode – ‘quotes’ 中国 \u00a0 no-break",
    "long paragraph\twith\\every\nkind\r" * 2000,
]


def test_copy_to_staging_keeps_escaped_characters_json_and_arrays(empty_db):
    info = TableInfo("x.sample", "sample_key", {"sample_key": "text", "body": "text", "extra": "jsonb",
                                                "tags": "text[]", "n": "integer", "flag": "boolean"})
    rows = [{"sample_key": f"k{i:02d}\t{i}", "body": s, "extra": {"s": s, "list": [s, None]} if i % 2 else None,
             "tags": [s, "a,b", 'quote "x"', None] if i % 3 else None, "n": i if i % 4 else None, "flag": i % 2 == 0}
            for i, s in enumerate(TRICKY)]
    columns = ["sample_key", "body", "extra", "tags", "n", "flag"]
    with psycopg.connect(empty_db) as conn:
        assert copy_to_staging(conn, TableLoad("x.sample", rows), info, columns) == len(TRICKY)
        got = conn.execute(f'SELECT sample_key, body, extra, tags, n, flag FROM "{staging_name("x.sample")}" '
                           "ORDER BY sample_key").fetchall()
        # the same values, cast by PostgreSQL from parameters, compare equal column by column
        expected = [conn.execute("SELECT %s::text, %s::text, %s::jsonb, %s::text[], %s::integer, %s::boolean",
                                 (r["sample_key"], r["body"], None if r["extra"] is None else Jsonb(r["extra"]),
                                  r["tags"], r["n"], r["flag"])).fetchone() for r in rows]
    assert got == sorted(expected, key=lambda r: r[0])
    assert [r[1] for r in got] == [r["body"] for r in sorted(rows, key=lambda r: r["sample_key"])]
