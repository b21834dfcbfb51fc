"""Benchmark work that runs in its own process, so its peak RSS is its own, plus the
untimed dump the floors load from.

    python -m etnc_db.bench.measure floor-indexed <url> <dump_dir>
    python -m etnc_db.bench.measure floor-bare <url> <dump_dir>
    python -m etnc_db.bench.measure queries <url> <plans_dir> [repeats]

Each prints one JSON object on stdout (the parent adds wall time and peak RSS from
wait4). The floors time only the database work (preparation excluded): COPY FROM STDIN,
what psql's `\\copy` sends, of every core table's rows as COPY text."""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

import psycopg

SCHEMA = "core"
ORDER_FILE = "order.json"
# Rows outside core that core rows point at (history rows name the run that wrote them):
# copied before the timed COPY, as a database being loaded already holds its run ledger.
PREREQUISITES = ("etl.runs",)
CHUNK = 1 << 20


def core_tables_in_fk_order(conn: psycopg.Connection) -> list[str]:
    """Every table of schema core, each after the core tables its foreign keys point at
    (a table pointing at itself is fine: COPY checks a statement's rows at its end)."""
    tables = [r[0] for r in conn.execute(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = %s AND c.relkind IN ('r', 'p') ORDER BY 1", (SCHEMA,))]
    edges: dict[str, set[str]] = {t: set() for t in tables}
    for child, parent in conn.execute(
            "SELECT c.conrelid::regclass::text, c.confrelid::regclass::text FROM pg_constraint c "
            "JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = %s AND c.contype = 'f'", (SCHEMA,)):
        child, parent = child.split(".")[-1], parent.split(".")[-1]
        if child != parent and parent in edges:
            edges[child].add(parent)
    order: list[str] = []
    while edges:
        ready = sorted(t for t, parents in edges.items() if not parents - set(order))
        if not ready:
            raise RuntimeError(f"foreign-key cycle among {sorted(edges)}")
        for t in ready:
            order.append(t)
            del edges[t]
    return order


def dump_core(url: str, dump_dir: Path) -> dict:
    """COPY TO every core table of the database at `url` into `dump_dir/<table>.copy`
    (text format) and write the FK order; (rows, bytes) per table."""
    dump_dir.mkdir(parents=True, exist_ok=True)
    out: dict = {"tables": {}}
    with psycopg.connect(url) as conn:
        order = core_tables_in_fk_order(conn)
        for table in order:
            rows = conn.execute(f"SELECT count(*) FROM {SCHEMA}.{table}").fetchone()[0]
            with open(dump_dir / f"{table}.copy", "wb") as f, \
                    conn.cursor().copy(f"COPY {SCHEMA}.{table} TO STDOUT") as copy:
                for chunk in copy:
                    f.write(chunk)
            out["tables"][table] = {"rows": rows, "bytes": (dump_dir / f"{table}.copy").stat().st_size}
        for table in PREREQUISITES:
            with open(dump_dir / f"{table}.copy", "wb") as f, conn.cursor().copy(f"COPY {table} TO STDOUT") as copy:
                for chunk in copy:
                    f.write(chunk)
    (dump_dir / ORDER_FILE).write_text(json.dumps(order) + "\n", encoding="utf-8")
    out["rows"] = sum(t["rows"] for t in out["tables"].values())
    out["bytes"] = sum(t["bytes"] for t in out["tables"].values())
    return out


def _copy_in(conn: psycopg.Connection, dump_dir: Path, order: list[str]) -> None:
    """COPY FROM STDIN every dumped table, in `order`, streaming its file."""
    with conn.cursor() as cur:
        for table in order:
            with open(dump_dir / f"{table}.copy", "rb") as f, cur.copy(f"COPY {SCHEMA}.{table} FROM STDIN") as copy:
                while data := f.read(CHUNK):
                    copy.write(data)


def _empty_core(conn: psycopg.Connection, order: list[str], folder: Path) -> None:
    """Empty the core tables (a migrated database already holds the vocabularies) and put
    in the prerequisite rows core rows point at (not timed)."""
    conn.execute(f"TRUNCATE {', '.join(f'{SCHEMA}.{t}' for t in order)} CASCADE")
    with conn.cursor() as cur:
        for table in PREREQUISITES:
            cur.execute(f"TRUNCATE {table} CASCADE")
            with open(folder / f"{table}.copy", "rb") as f, cur.copy(f"COPY {table} FROM STDIN") as copy:
                while data := f.read(CHUNK):
                    copy.write(data)


def floor_indexed(url: str, dump_dir: str) -> dict:
    """Floor (a): every core row COPYed into the migrated schema, constraints, indexes and
    triggers in place, in FK order, in one transaction (commit included: the deferred
    triggers fire there)."""
    folder = Path(dump_dir)
    order = json.loads((folder / ORDER_FILE).read_text(encoding="utf-8"))
    with psycopg.connect(url) as conn:
        _empty_core(conn, order, folder)
        conn.commit()
        t = time.perf_counter()
        _copy_in(conn, folder, order)
        conn.commit()
        seconds = time.perf_counter() - t
    return {"seconds": round(seconds, 4)}


def _catalog_ddl(conn: psycopg.Connection) -> dict[str, list[tuple[str, str]]]:
    """(drop, create) statements of every key, check, FK, index and trigger of the core
    tables, and of the foreign keys other schemas (review) point at them with, grouped by
    kind (NOT NULL and defaults stay: they are column properties)."""
    ddl: dict[str, list[tuple[str, str]]] = {"keys": [], "checks": [], "fks": [], "indexes": [], "triggers": []}
    kinds = {"p": "keys", "u": "keys", "x": "keys", "c": "checks", "f": "fks"}
    for table, name, kind, definition in conn.execute(
            "SELECT c.conrelid::regclass::text, c.conname, c.contype, pg_get_constraintdef(c.oid) FROM pg_constraint c "
            "JOIN pg_namespace n ON n.oid = c.connamespace LEFT JOIN pg_class r ON r.oid = c.confrelid "
            "LEFT JOIN pg_namespace rn ON rn.oid = r.relnamespace WHERE (n.nspname = %s OR (c.contype = 'f' AND "
            "rn.nspname = %s)) AND c.contype IN ('p','u','x','c','f') AND c.conrelid <> 0 ORDER BY 1, 2",
            (SCHEMA, SCHEMA)):
        ddl[kinds[kind]].append((f'ALTER TABLE {table} DROP CONSTRAINT "{name}"',
                                 f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'))
    for name, definition in conn.execute(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "JOIN pg_class t ON t.oid = i.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace "
            "WHERE n.nspname = %s AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid "
            "AND c.contype IN ('p','u','x')) ORDER BY 1", (SCHEMA,)):
        ddl["indexes"].append((f"DROP INDEX {name}", definition))
    for table, name, definition in conn.execute(
            "SELECT t.tgrelid::regclass::text, t.tgname, pg_get_triggerdef(t.oid) FROM pg_trigger t "
            "JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND NOT t.tgisinternal ORDER BY 1, 2", (SCHEMA,)):
        ddl["triggers"].append((f'DROP TRIGGER "{name}" ON {table}', definition))
    return ddl


def _strip(conn: psycopg.Connection) -> dict[str, list[tuple[str, str]]]:
    """Drop the mart (its views read the tables) and every key, check, FK, index and
    trigger of the core tables; the DDL to build them again."""
    conn.execute("DROP SCHEMA IF EXISTS mart CASCADE")
    ddl = _catalog_ddl(conn)
    for kind in ("triggers", "fks", "indexes", "checks", "keys"):
        for drop, _ in ddl[kind]:
            conn.execute(drop)
    return ddl


def floor_bare(url: str, dump_dir: str) -> dict:
    """Floor (b): every core row COPYed into bare tables (columns, NOT NULL and defaults
    only), then every key, index, check, FK and trigger built, in one transaction."""
    folder = Path(dump_dir)
    order = json.loads((folder / ORDER_FILE).read_text(encoding="utf-8"))
    with psycopg.connect(url) as conn:
        _empty_core(conn, order, folder)
        ddl = _strip(conn)
        conn.commit()
        t = time.perf_counter()
        _copy_in(conn, folder, order)
        copied = time.perf_counter()
        for kind in ("keys", "indexes", "checks", "fks", "triggers"):
            for _, create in ddl[kind]:
                conn.execute(create)
        conn.commit()
        done = time.perf_counter()
    return {"seconds": round(done - t, 4), "copy_seconds": round(copied - t, 4),
            "build_seconds": round(done - copied, 4), "objects": {k: len(v) for k, v in ddl.items()}}


def queries(url: str, plans_dir: str, repeats: int = 7) -> dict:
    """Every sql/analysis/*.sql: one warm-up, the median and max of `repeats` runs, then
    EXPLAIN (ANALYZE, BUFFERS) saved to `plans_dir/<name>.txt`."""
    from etnc_db.config import Settings

    plans = Path(plans_dir)
    plans.mkdir(parents=True, exist_ok=True)
    results = []
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("ANALYZE")
        for path in sorted(Settings.from_env().analysis_dir.glob("*.sql")):
            sql = path.read_text(encoding="utf-8").strip().rstrip(";")
            rows = len(conn.execute(sql).fetchall())
            times = []
            for _ in range(repeats):
                t = time.perf_counter()
                conn.execute(sql).fetchall()
                times.append((time.perf_counter() - t) * 1000)
            plan = "\n".join(r[0] for r in conn.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql).fetchall())
            (plans / f"{path.stem}.txt").write_text(plan + "\n", encoding="utf-8")
            seq = sorted({line.split("Seq Scan on ")[1].split()[0] for line in plan.splitlines() if "Seq Scan on " in line})
            results.append({"query": path.name, "rows": rows, "median_ms": round(statistics.median(times), 2),
                            "max_ms": round(max(times), 2), "seq_scans": seq})
    return {"queries": results}


def main(argv: list[str]) -> None:
    """Run one measurement and print its JSON."""
    kind, args = argv[0], argv[1:]
    if kind == "floor-indexed":
        data = floor_indexed(*args[:2])
    elif kind == "floor-bare":
        data = floor_bare(*args[:2])
    elif kind == "queries":
        data = queries(args[0], args[1], int(args[2]) if len(args) > 2 else 7)
    else:
        raise SystemExit(f"unknown measurement {kind!r}")
    sys.stdout.write(json.dumps(data, default=str) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main(sys.argv[1:])
