"""`etnc-db export`: one file per mart relation (CSV, Parquet or Excel), the data
dictionary (CSV and Markdown), the codebook, delta.csv (the latest release against the
previous one) and manifest.json, all read inside one
read-only REPEATABLE READ snapshot (a load committing meanwhile changes none of them).

Each relation is read through a server-side cursor in chunks of `chunk_rows` and
written chunk by chunk, so memory does not grow with the database. Rows are ordered by
their columns, so the same data gives the same CSV and Parquet bytes."""

from __future__ import annotations

import csv
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

from etnc_db.publish import writers
from etnc_db.publish.dictionary import Section, dictionary_frame, render_markdown
from etnc_db.publish.manifest import build_manifest
from etnc_db.publish.relations import Relation, read_catalog, vocabularies
from etnc_db.publish.snapshot import snapshot

CHUNK_ROWS = 5_000
MANIFEST = "manifest.json"
DICTIONARY = "data-dictionary"
CODEBOOK = "codebook.md"


@dataclass
class ExportResult:
    """What an export wrote: the folder, the format, the manifest (as written)."""

    out_dir: Path
    fmt: str
    manifest: dict

    @property
    def rows(self) -> int:
        """Rows written over all data files."""
        return sum(f.get("rows") or 0 for f in self.manifest["files"])


def _select(rel: Relation) -> sql.Composed:
    """SELECT every column of `rel`, ordered by all of them that can be ordered."""
    cols = [sql.Identifier(c.name) for c in rel.columns]
    order = [sql.Literal(c.position) for c in rel.columns if writers.value_kind(c.type) != "json"]
    query = sql.SQL("SELECT {} FROM {}.{}").format(sql.SQL(", ").join(cols), sql.Identifier(rel.schema),
                                                  sql.Identifier(rel.name))
    if order:
        query = sql.SQL("{} ORDER BY {}").format(query, sql.SQL(", ").join(
            sql.SQL(str(i + 1)) for i, _ in enumerate(order)))
    return query


def export_relation(conn: psycopg.Connection, rel: Relation, out_dir: Path, fmt: str,
                    chunk_rows: int = CHUNK_ROWS) -> dict:
    """Write one relation to `<out_dir>/<name>.<fmt>`, streaming; its manifest entry."""
    path = out_dir / f"{rel.name}.{fmt}"
    writer = writers.open_writer(fmt, path, [c.name for c in rel.columns], [c.type for c in rel.columns], rel.name)
    with conn.cursor(name=f"export_{rel.name}") as cur:
        cur.itersize = chunk_rows
        cur.execute(_select(rel))
        while rows := cur.fetchmany(chunk_rows):
            writer.write(rows)
    writer.close()
    return {"path": path.name, "relation": rel.qualified, "kind": "data", "rows": writer.rows, "_path": path}


def write_dictionary_files(conn: psycopg.Connection, relations: list[Relation], out_dir: Path,
                           files: dict[str, str]) -> list[dict]:
    """data-dictionary.csv and .md describing the exported relations and their files."""
    sections = [Section("Exported views (schema `mart`)", "One file per view, named after it.", relations)]
    csv_path, md_path = out_dir / f"{DICTIONARY}.csv", out_dir / f"{DICTIONARY}.md"
    table = dictionary_frame(sections, files)
    table.to_csv(csv_path, index=False, encoding="utf-8", lineterminator="\n")
    md_path.write_text(render_markdown(sections, vocabularies(conn), files), encoding="utf-8")
    return [{"path": csv_path.name, "relation": None, "kind": "dictionary", "rows": len(table), "_path": csv_path},
            {"path": md_path.name, "relation": None, "kind": "dictionary", "rows": None, "_path": md_path}]


def _write_delta(conn: psycopg.Connection, out_dir: Path) -> dict:
    """delta.csv beside the full files: the latest release against the previous one, per
    fact key (added, changed, removed with the reason, redirected); a header only before
    the first release. CSV in every format, like the feeds of OpenSanctions and ACLED."""
    from etnc_db.publish.releases import write_delta_csv

    path = write_delta_csv(conn, out_dir)
    with path.open(encoding="utf-8") as f:
        rows = sum(1 for _ in csv.reader(f)) - 1
    return {"path": path.name, "relation": "core.release_changes", "kind": "delta", "rows": rows, "_path": path}


def export(url: str, out_dir: Path, fmt: str = "csv", *, codebook: Path | None = None,
           chunk_rows: int = CHUNK_ROWS, progress=None) -> ExportResult:
    """Export every mart relation to `out_dir` as `fmt`, with dictionary, codebook and
    manifest. `progress`: a Rich Progress (or None) advanced once per relation."""
    if fmt not in writers.FORMATS:
        raise ValueError(f"unknown format {fmt!r} (known: {', '.join(writers.FORMATS)})")
    out_dir.mkdir(parents=True, exist_ok=True)
    with snapshot(url) as conn:
        relations = read_catalog(conn, ("mart",))
        if not relations:
            raise RuntimeError("the database has no mart views: run `etnc-db db upgrade` (or `etnc-db run`)")
        task = progress.add_task(f"export ({fmt})", total=len(relations)) if progress else None
        files = []
        for rel in relations:
            files.append(export_relation(conn, rel, out_dir, fmt, chunk_rows))
            if progress:
                progress.advance(task)
        names = {f["relation"]: f["path"] for f in files}
        files += write_dictionary_files(conn, relations, out_dir, names)
        files.append(_write_delta(conn, out_dir))
        if codebook is not None and codebook.is_file():
            shutil.copyfile(codebook, out_dir / CODEBOOK)
            files.append({"path": CODEBOOK, "relation": None, "kind": "codebook", "rows": None,
                          "_path": out_dir / CODEBOOK})
        manifest = build_manifest(conn, fmt, files)
    (out_dir / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return ExportResult(out_dir, fmt, manifest)
