"""A curated file as it would be after an edit, checked exactly as a load checks it.

The edited text is placed in a mirror of the curated folder (the other files linked,
the edited one written), and the facts stage's own code reads the mirror
(`etnc_db.facts.resolve.resolve_facts`: format, keys, vocabularies, dates, quotes found
in their part, ids unique across files, derived amounts). Its rows are then written in a
transaction that is always rolled back, so the schema's constraints (a named or
described investor, an amount with its currency, one kind of party, ...) are checked
too, each reported at its `file:line`. Problems name the real file, not the mirror."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import psycopg

from etnc_db.facts.documents import DocumentText, read_documents
from etnc_db.facts.resolve import FactsError, resolve_facts
from etnc_db.tables import LoadError, TableLoad

LOCK_TIMEOUT_MS = 60_000


def display(path: Path) -> str:
    """A path as messages show it: relative to the working directory when inside it."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def mirror(curated_dir: Path, target: Path, text: str, into: Path) -> Path:
    """`into` made a copy of the curated folder by links, except `target` (a path inside
    the curated folder), written with `text`. Returns the mirror's path of `target`."""
    curated_dir = Path(curated_dir).resolve()
    relative = Path(target).resolve().relative_to(curated_dir)
    if curated_dir.exists():
        for path in sorted(curated_dir.rglob("*.yaml")):
            rel = path.relative_to(curated_dir)
            if rel == relative:
                continue
            (into / rel).parent.mkdir(parents=True, exist_ok=True)
            os.symlink(path, into / rel)
    (into / relative).parent.mkdir(parents=True, exist_ok=True)
    (into / relative).write_text(text, encoding="utf-8")
    return into / relative


def _real(message: str, into: Path, curated_dir: Path) -> str:
    """A problem message with the mirror's paths put back to the curated folder's."""
    shown = display(curated_dir)
    for prefix in (str(into.resolve()), str(into)):
        message = message.replace(prefix, shown)
    return message


def check_curated_file(url: str, curated_dir: Path, target: Path, text: str, registry,
                       documents: dict[str, DocumentText] | None = None) -> list[str]:
    """Every problem a load would report if `target` held `text` (empty: valid)."""
    with tempfile.TemporaryDirectory(prefix="etnc-review-") as tmp:
        into = Path(tmp)
        mirror(curated_dir, target, text, into)
        with psycopg.connect(url) as conn:
            docs = documents if documents is not None else read_documents(conn)
            try:
                resolved = resolve_facts(into, registry, docs)
            except FactsError as exc:
                return [_real(p, into, curated_dir) for p in exc.problems]
            try:
                _write_and_roll_back(conn, resolved.loads)
            except LoadError as exc:
                return [_real(str(exc), into, curated_dir)]
            except psycopg.errors.LockNotAvailable:
                return ["a load is writing the facts; try again when it has finished"]
            except psycopg.Error as exc:
                text = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
                return [_real(text, into, curated_dir)]
    return []


def _write_and_roll_back(conn: psycopg.Connection, loads: list[TableLoad]) -> None:
    """Write the facts stage's rows (upserts only: nothing is deleted) under a throwaway
    run, so every constraint is checked, then roll everything back."""
    from etnc_db.load.upsert import RunLog, load_tables

    try:
        conn.execute(f"SET LOCAL lock_timeout = {LOCK_TIMEOUT_MS}")
        # the change log needs a run; the last one will do (nothing of this is kept)
        run_id = conn.execute("SELECT max(run_id) FROM etl.runs").fetchone()[0] or conn.execute(
            "INSERT INTO etl.runs (command, corpus_path, status) VALUES ('review-check', '', 'running') "
            "RETURNING run_id").fetchone()[0]
        upserts = [TableLoad(t.table, t.rows, scope="") for t in loads]
        load_tables(conn, upserts, RunLog(run_id))
        conn.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the deferred evidence rule too
    finally:
        conn.rollback()
