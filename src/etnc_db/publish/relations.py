"""What the database says about itself: relations, columns, their COMMENTs and types,
and the values a column may hold.

Allowed values come from two places: the curated vocabularies (a table column with a
foreign key to `core.vocab_<name>`; the values are read from `mart.dim_vocabulary`) and
the code enumerations (a CHECK constraint of the form `column IN (...)`, read from
pg_constraint). A view column inherits a base column's allowed values when the view
depends on that column's table (directly or through other views, per pg_depend) and its
COMMENT is the base column's — which is what a `=schema.table.column` reference in a
view's .yml produces. Everything is returned sorted, so output built from it is
deterministic."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import psycopg

VOCAB_PREFIX = "vocab_"
_ENUM_CHECK = re.compile(r"^CHECK \(\(\(?(\w+)\)?(?:::text)? = ANY \(\(?ARRAY\[(.+)\]\)?(?:::text\[\])?\)\)\)$")
_LITERAL = re.compile(r"'((?:[^']|'')*)'::")
KINDS = {"r": "table", "p": "table", "v": "view", "m": "materialized view"}


@dataclass(frozen=True)
class Allowed:
    """The values a column may hold: a curated vocabulary (by name) or a code enumeration."""

    values: tuple[str, ...]
    vocabulary: str | None = None  # None: a CHECK constraint of the code

    def text(self) -> str:
        """One line: `a; b; c` (the vocabulary named first when there is one)."""
        head = f"vocabulary {self.vocabulary}: " if self.vocabulary else ""
        return head + "; ".join(self.values)


@dataclass
class Column:
    name: str
    position: int
    type: str
    description: str
    not_null: bool
    allowed: Allowed | None = None


@dataclass
class Relation:
    schema: str
    name: str
    kind: str
    description: str
    oid: int = field(repr=False)
    columns: list[Column] = field(default_factory=list)

    @property
    def qualified(self) -> str:
        """schema.name"""
        return f"{self.schema}.{self.name}"


def read_relations(conn: psycopg.Connection, schemas: tuple[str, ...]) -> list[Relation]:
    """Tables, views and materialized views of `schemas` with their columns, sorted by
    schema and name (columns in table order)."""
    rels = [Relation(s, n, KINDS[k], d or "", oid) for s, n, k, d, oid in conn.execute(
        "SELECT n.nspname, c.relname, c.relkind, obj_description(c.oid, 'pg_class'), c.oid::int "
        "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = ANY(%s) AND c.relkind IN ('r', 'p', 'v', 'm') ORDER BY 1, 2", (list(schemas),))]
    by_oid = {r.oid: r for r in rels}
    for oid, num, name, typ, desc, not_null in conn.execute(
            "SELECT a.attrelid::int, a.attnum, a.attname, format_type(a.atttypid, a.atttypmod), "
            "col_description(a.attrelid, a.attnum), a.attnotnull FROM pg_attribute a "
            "WHERE a.attrelid = ANY(%s) AND a.attnum > 0 AND NOT a.attisdropped ORDER BY 1, 2", (list(by_oid),)):
        by_oid[oid].columns.append(Column(name, num, typ, desc or "", not_null))
    return rels


def vocabularies(conn: psycopg.Connection) -> dict[str, list[tuple[str, str, str]]]:
    """{vocabulary: [(value, label, definition), ...] in the vocabulary's order} from
    mart.dim_vocabulary (empty when the mart is not there)."""
    if not conn.execute("SELECT to_regclass('mart.dim_vocabulary') IS NOT NULL").fetchone()[0]:
        return {}
    out: dict[str, list[tuple[str, str, str]]] = {}
    for vocab, value, label, definition in conn.execute(
            "SELECT vocabulary, value, label, definition FROM mart.dim_vocabulary ORDER BY vocabulary, ordinal, value"):
        out.setdefault(vocab, []).append((value, label, definition))
    return out


def _base_allowed(conn: psycopg.Connection, vocabs: dict[str, list]) -> dict[tuple[int, int], Allowed]:
    """{(table oid, attnum): allowed values} from foreign keys to core.vocab_* tables and
    single-column `IN (...)` CHECK constraints."""
    out: dict[tuple[int, int], Allowed] = {}
    for rel, key, target in conn.execute(
            "SELECT conrelid::int, conkey[1], confrelid::regclass::text FROM pg_constraint "
            "WHERE contype = 'f' AND cardinality(conkey) = 1 AND confrelid::regclass::text LIKE 'core.vocab\\_%%'"):
        name = target.removeprefix("core." + VOCAB_PREFIX)
        out[(rel, key)] = Allowed(tuple(v for v, _, _ in vocabs.get(name, [])), vocabulary=name)
    for rel, key, definition in conn.execute(
            "SELECT conrelid::int, conkey[1], pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE contype = 'c' AND cardinality(conkey) = 1 ORDER BY conname"):
        match = _ENUM_CHECK.match(definition)
        if match:
            values = tuple(v.replace("''", "'") for v in _LITERAL.findall(match.group(2)))
            out.setdefault((rel, key), Allowed(values))
    return out


def _depends_on(conn: psycopg.Connection) -> dict[int, set[int]]:
    """{view or materialized view oid: oids of the relations its query reads}."""
    out: dict[int, set[int]] = {}
    for view, rel in conn.execute(
            "SELECT DISTINCT r.ev_class::int, d.refobjid::int FROM pg_depend d JOIN pg_rewrite r ON r.oid = d.objid "
            "WHERE d.classid = 'pg_rewrite'::regclass AND d.refclassid = 'pg_class'::regclass "
            "AND d.refobjsubid > 0 AND r.ev_class <> d.refobjid"):
        out.setdefault(view, set()).add(rel)
    return out


def _closure(oid: int, deps: dict[int, set[int]]) -> set[int]:
    """Every relation `oid` reads, directly or through the views it reads."""
    seen: set[int] = set()
    todo = list(deps.get(oid, ()))
    while todo:
        rel = todo.pop()
        if rel not in seen:
            seen.add(rel)
            todo.extend(deps.get(rel, ()))
    return seen


def attach_allowed(conn: psycopg.Connection, relations: list[Relation]) -> None:
    """Set `Column.allowed` on every column of `relations` that has allowed values (see
    the module docstring). `relations` must include the base tables the views read."""
    vocabs = vocabularies(conn)
    base = _base_allowed(conn, vocabs)
    by_oid = {r.oid: r for r in relations}
    documented: dict[tuple[int, str], Allowed] = {}
    for rel in relations:
        for col in rel.columns:
            col.allowed = base.get((rel.oid, col.position))
            if col.allowed and col.description:
                documented[(rel.oid, col.description)] = col.allowed
    deps = _depends_on(conn)
    for rel in relations:
        if rel.kind == "table":
            continue
        sources = [o for o in sorted(_closure(rel.oid, deps)) if o in by_oid and by_oid[o].kind == "table"]
        for col in rel.columns:
            found = {documented[(o, col.description)] for o in sources if (o, col.description) in documented}
            if len(found) == 1 and col.description:
                col.allowed = found.pop()
            elif rel.qualified == "mart.dim_vocabulary" and col.name == "vocabulary":
                col.allowed = Allowed(tuple(vocabs))


def read_catalog(conn: psycopg.Connection, schemas: tuple[str, ...]) -> list[Relation]:
    """The relations of `schemas`, each column with its allowed values (base tables of
    core are read as well, to trace the views' columns to them)."""
    wanted = set(schemas)
    everything = read_relations(conn, tuple(sorted(wanted | {"core", "etl", "mart", "mart_cache"})))
    attach_allowed(conn, everything)
    return [r for r in everything if r.schema in wanted]
