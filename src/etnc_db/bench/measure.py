"""One benchmark measurement, run in its own process so its peak RSS is its own.

    python -m etnc_db.bench.measure pipeline <url> <corpus> <curated>
    python -m etnc_db.bench.measure loaders <url> <corpus>
    python -m etnc_db.bench.measure gx-import

Prints one JSON object on stdout (the parent adds wall time and peak RSS from wait4)."""

from __future__ import annotations

import io
import json
import sys
import time
from pathlib import Path


def pipeline(url: str, corpus: str, curated: str) -> dict:
    import os

    os.environ["ETNC_CORPUS"] = corpus
    os.environ["ETNC_CURATED"] = curated
    from etnc_db.config import Settings
    from etnc_db.pipeline import RunOptions, run

    t = time.perf_counter()
    result = run(url, Settings.from_env(), RunOptions(command="bench"))
    wall = time.perf_counter() - t
    return {"status": result.status, "run_id": result.run_id, "pipeline_seconds": round(wall, 4),
            "timings": result.timings, "rows_changed": result.rows_changed, "tables": result.tables,
            "documents_parsed": sum(1 for d in result.documents if d["action"] in ("new", "changed", "rederived"))}


def gx_import() -> dict:
    t = time.perf_counter()
    import great_expectations  # noqa: F401

    return {"gx_import_seconds": round(time.perf_counter() - t, 4)}


def loaders(url: str, corpus: str) -> dict:
    """The same document-stage rows loaded three ways into one fresh migrated database:
    the project's loader, raw COPY of pre-rendered rows, pandas.DataFrame.to_sql."""
    import psycopg

    from etnc_db.config import Settings
    from etnc_db.extract.errata import load_errata
    from etnc_db.link.linker import Linker
    from etnc_db.load import bulk
    from etnc_db.load import document_stage as ds
    from etnc_db.load.reference_stage import reference_loads
    from etnc_db.load.upsert import load_tables, stage
    from etnc_db.reference.registry import load_registry

    settings = Settings.from_env()
    registry = load_registry(settings.reference_dir)
    files = ds.scan_corpus(Path(corpus))
    rows = ds.DocumentRows()
    linker = Linker(registry)
    errata = load_errata(settings.reference_dir)
    for f in files:
        text, parsed = ds.parse_source(f, errata)
        rows.add(f, text, parsed, linker, "bench")
    keys = [f.key for f in files]
    out: dict = {"documents": len(files)}
    from etnc_db.db.ledger import Ledger

    ledger = Ledger(url)
    run_id = ledger.start("bench-loaders", corpus)
    ledger.close()
    with psycopg.connect(url) as conn:
        load_tables(conn, reference_loads(registry), run_id)
        conn.commit()
        loads = ds.document_loads(rows, keys)
        n_rows = sum(len(load.rows) for load in loads)
        out["rows"] = n_rows

        # (b) pre-render: COPY each load into its staging table once, read the COPY text back
        rendered: list[tuple[str, list[str], bytes, list[str]]] = []
        for load in loads:
            name, _ = stage(conn, load)
            types = [r[0] for r in conn.execute(
                "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = %s::regclass "
                "AND attnum > 0 AND NOT attisdropped ORDER BY attnum", (name,))]
            buf = io.BytesIO()
            with conn.cursor().copy(f"COPY {name} TO STDOUT") as copy:
                for chunk in copy:
                    buf.write(chunk)
            rendered.append((load.table.replace("core.", ""), list(load.columns), buf.getvalue(), types))
        conn.rollback()
        out["copy_bytes"] = sum(len(b) for _, _, b, _ in rendered)

        doc_tables = [load.table for load in loads]
        truncate = f"TRUNCATE {', '.join(doc_tables)} CASCADE"  # the fact tables are empty here

        # (a) the project's loader as the pipeline runs it for this load: the run adds all
        #     of its text to an empty database, so `--bulk auto` chooses bulk mode
        #     (secondary indexes and foreign keys dropped, re-created and validated after)
        t = time.perf_counter()
        deferred = bulk.drop(conn, doc_tables)
        load_tables(conn, ds.document_loads(rows, keys), run_id)
        bulk.restore(conn, deferred)
        conn.commit()
        out["loader_seconds"] = round(time.perf_counter() - t, 4)

        # the rows the loader wrote (ids resolved), exported as COPY text and as tuples,
        # for the baselines that load into the schema's own tables
        exported = {}
        same_schema_frames = []
        for table in doc_tables:
            buf = io.BytesIO()
            with conn.cursor().copy(f"COPY {table} TO STDOUT") as copy:
                for chunk in copy:
                    buf.write(chunk)
            exported[table] = buf.getvalue()
            cur = conn.execute(f"SELECT * FROM {table} ORDER BY 1")
            cols = [d.name for d in cur.description]
            same_schema_frames.append((table, cols, _parents_first(table, cols, cur.fetchall())))
        conn.execute(truncate)
        conn.commit()

        # (a2) the loader's per-row path (`--bulk never`; what a periodic load of a few
        #      documents uses): every index and foreign key checked row by row
        t = time.perf_counter()
        load_tables(conn, ds.document_loads(rows, keys), run_id)
        conn.commit()
        out["loader_per_row_seconds"] = round(time.perf_counter() - t, 4)
        conn.execute(truncate)
        conn.commit()

        # (b2) raw COPY of the same id-resolved rows into the schema's own tables
        #      (constraints, indexes, foreign keys): what PostgreSQL itself ingests into
        #      this schema
        t = time.perf_counter()
        with conn.cursor() as cur:
            for table in doc_tables:
                with cur.copy(f"COPY {table} FROM STDIN") as copy:
                    copy.write(exported[table])
        conn.commit()
        out["raw_copy_same_schema_seconds"] = round(time.perf_counter() - t, 4)
        conn.execute(truncate)
        conn.commit()

        # (b) raw COPY of the pre-rendered bytes into plain tables, nothing else
        conn.execute("DROP SCHEMA IF EXISTS bench_raw CASCADE")
        conn.execute("CREATE SCHEMA bench_raw")
        for table, cols, _, types in rendered:
            conn.execute(f"CREATE TABLE bench_raw.{table} ({', '.join(f'{c} {t}' for c, t in zip(cols, types, strict=False))})")
        conn.commit()
        t = time.perf_counter()
        with conn.cursor() as cur:
            for table, cols, data, _ in rendered:
                with cur.copy(f"COPY bench_raw.{table} ({', '.join(cols)}) FROM STDIN") as copy:
                    copy.write(data)
        conn.commit()
        out["raw_copy_seconds"] = round(time.perf_counter() - t, 4)

    # (c) pandas.DataFrame.to_sql, SQLAlchemy engine, method=None, chunksize 10 000, same
    #     column types. SQLAlchemy 2 hands a RETURNING-less executemany to the driver, and
    #     psycopg 3 sends it as one INSERT per row in pipeline mode (one round trip per batch).
    import pandas as pd
    from sqlalchemy import create_engine, text
    from sqlalchemy.dialects.postgresql import ARRAY, JSONB
    from sqlalchemy.types import Text

    from etnc_db.config import to_sqlalchemy_url
    from etnc_db.db.models import metadata

    engine = create_engine(to_sqlalchemy_url(url))
    frames = []
    for load in loads:
        ref_sources = {r.source for r in load.refs}
        dtype = {c: (Text() if c in ref_sources else metadata.tables[load.table].c[c].type) for c in load.columns}
        frames.append((load.table.replace("core.", ""), pd.DataFrame(list(load.rows), columns=list(load.columns)), dtype))
    with engine.begin() as c:
        c.execute(text("DROP SCHEMA IF EXISTS bench_pandas CASCADE"))
        c.execute(text("CREATE SCHEMA bench_pandas"))
    t = time.perf_counter()
    with engine.begin() as c:
        for table, frame, dtype in frames:
            frame.to_sql(table, c, schema="bench_pandas", if_exists="replace", index=False, dtype=dtype,
                         method=None, chunksize=10_000)
    out["to_sql_seconds"] = round(time.perf_counter() - t, 4)
    # (c2) to_sql of the same id-resolved rows into the schema's own tables
    from sqlalchemy import Integer as _Int

    def _frame(table, cols, rows_):
        frame = pd.DataFrame(rows_, columns=cols)
        for c in cols:  # nullable integer columns would otherwise become floats
            if isinstance(metadata.tables[table].c[c].type, _Int):
                frame[c] = frame[c].astype("Int64")
        return frame

    same = [(table, _frame(table, cols, rows_), {c: metadata.tables[table].c[c].type for c in cols})
            for table, cols, rows_ in same_schema_frames]
    t = time.perf_counter()
    with engine.begin() as c:
        for table, frame, dtype in same:
            schema_, name_ = table.split(".")
            frame.to_sql(name_, c, schema=schema_, if_exists="append", index=False, dtype=dtype,
                         method=None, chunksize=10_000)
    out["to_sql_same_schema_seconds"] = round(time.perf_counter() - t, 4)
    out["to_sql_method"] = "None (executemany: psycopg 3 pipelined INSERTs), chunksize=10000"
    engine.dispose()
    _ = (ARRAY, JSONB)
    return out


def _parents_first(table: str, cols: list[str], rows: list[tuple]) -> list[tuple]:
    """Order rows so a row pointing at its own table (a section's parent, an ibid
    citation's original) comes after the row it points at: to_sql inserts row by row,
    and each INSERT's foreign-key check sees only the rows before it."""
    from etnc_db.db.models import metadata

    t = metadata.tables[table]
    self_cols = [fk.parent.name for fk in t.foreign_keys if fk.column.table is t]
    if not self_cols:
        return rows
    ref = cols.index(self_cols[0])
    by_id = {r[0]: r for r in rows}
    depth: dict = {}

    def depth_of(r: tuple) -> int:
        if r[0] not in depth:
            depth[r[0]] = 0 if r[ref] is None else depth_of(by_id[r[ref]]) + 1
        return depth[r[0]]

    return sorted(rows, key=lambda r: (depth_of(r), r[0]))


def main(argv: list[str]) -> None:
    kind = argv[0]
    if kind == "pipeline":
        data = pipeline(*argv[1:4])
    elif kind == "loaders":
        data = loaders(*argv[1:3])
    elif kind == "gx-import":
        data = gx_import()
    else:
        raise SystemExit(f"unknown measurement {kind!r}")
    sys.stdout.write(json.dumps(data, default=str) + "\n")
    sys.stdout.flush()
    import gc

    gc.freeze()  # exit as the CLI does (etnc_db.cli.main): no final collection over GX's objects


if __name__ == "__main__":
    main(sys.argv[1:])
