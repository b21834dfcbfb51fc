"""Bulk-load mode (load/bulk.py): the document tables' secondary indexes and foreign keys
are dropped for a large load and re-created afterwards. It must produce the same data
and the same schema as the per-row path, validate every foreign key it re-creates, and
leave schema and data untouched when the run fails."""

from __future__ import annotations

import json
import signal

import psycopg
import pytest
from test_safety import change_document, start_load
from typer.testing import CliRunner

from conftest import RUN_TIMES, table_checksums
from etnc_db.cli import app
from etnc_db.extract.parsed import ParsedDocument, Section
from etnc_db.extract.rows import DOCUMENT_TABLES, DocumentMeta, DocumentRows
from etnc_db.load import bulk
from etnc_db.load.catalog import table_info
from etnc_db.load.upsert import RunLog, load_tables
from etnc_db.pipeline import RunFailed, RunOptions, run


def catalog(url: str) -> set[tuple]:
    """Every index and constraint definition in the core schema."""
    with psycopg.connect(url) as conn:
        indexes = conn.execute(
            "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'core'"
        ).fetchall()
        constraints = conn.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE connamespace = 'core'::regnamespace"
        ).fetchall()
    return {("index", *i) for i in indexes} | {("constraint", *c) for c in constraints}


def foreign_keys(conn: psycopg.Connection, table: str) -> set[str]:
    return {r[0] for r in conn.execute(
        "SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'f'", (table,))}


def test_bulk_build_gives_the_same_data_and_schema_as_the_per_row_build(databases, migrated_template, settings):
    per_row = databases.create(template=migrated_template)
    bulk_db = databases.create(template=migrated_template)
    schema_before = catalog(bulk_db)
    with psycopg.connect(bulk_db) as conn:
        assert foreign_keys(conn, "core.mentions")  # there is something to drop

    result = run(per_row, settings, RunOptions(command="test", bulk="never"))
    assert result.bulk is False
    cli = CliRunner().invoke(app, ["run", "--bulk", "always", "--json"], env={"DATABASE_URL": bulk_db})
    assert cli.exit_code == 0, cli.output
    assert json.loads(cli.stdout)["bulk"] is True

    assert catalog(bulk_db) == schema_before
    assert table_checksums(bulk_db, schemas=("core", "mart"), ignore=RUN_TIMES) == \
        table_checksums(per_row, schemas=("core", "mart"), ignore=RUN_TIMES)
    # every re-created index was usable by the rest of the run (not built over HOT chains
    # the run created, which would have made the run's checks scan whole tables)
    with psycopg.connect(bulk_db) as conn:
        assert conn.execute(
            "SELECT indexrelid::regclass::text FROM pg_index WHERE indcheckxmin "
            "AND indrelid::regclass::text LIKE 'core.%'"
        ).fetchall() == []


def test_restore_validates_every_foreign_key_it_recreates(migrated_db):
    schema_before = catalog(migrated_db)
    with psycopg.connect(migrated_db) as conn:
        deferred = bulk.drop(conn, ["core.document_sections"])
        assert {fk[1] for fk in deferred.foreign_keys} >= {"fk_document_sections_document_id_documents"}
        assert not foreign_keys(conn, "core.document_sections")
        # with the foreign key gone, a section of a document that does not exist goes in
        conn.execute(
            "INSERT INTO core.document_sections (section_key, document_id, section_kind, ordinal, title, authors, "
            "author_institutions, char_start, char_end) VALUES ('ghost/s1', 987654, 'chapter', 1, 'Ghost', '{}', '{}', 0, 10)"
        )
        with pytest.raises(psycopg.errors.ForeignKeyViolation):
            bulk.restore(conn, deferred)
        conn.rollback()
    assert catalog(migrated_db) == schema_before


def test_indexes_recreated_after_parent_pointer_updates_stay_usable(migrated_db):
    """The loader sets a section's parent pointer with an UPDATE after the insert. Were
    that a HOT update (no index on the column), the re-created indexes would be unusable
    for the rest of the transaction and every later query of the run a full scan."""
    parsed = ParsedDocument(title="A", published="2026-01-01", kind="article", sections=(
        Section("s1", None, "chapter", "One", None, None, (), 0, 10, 1),
        Section("s2", "s1", "heading", "Two", None, None, (), 0, 5, 2)))
    rows = DocumentRows()
    rows.add(DocumentMeta("doc-a", "a.txt", "0" * 64, 10, "article", "fp"), "0123456789", parsed, [])
    with psycopg.connect(migrated_db) as conn:
        run_id = conn.execute(
            "INSERT INTO etl.runs (command, corpus_path, status, started_at) "
            "VALUES ('test', '', 'running', now()) RETURNING run_id").fetchone()[0]
        for table in DOCUMENT_TABLES:
            table_info(conn, table)  # the loader reads the foreign keys before they are dropped
        deferred = bulk.drop(conn, DOCUMENT_TABLES)
        load_tables(conn, rows.loads(), RunLog(run_id))
        bulk.restore(conn, deferred)
        assert conn.execute(
            "SELECT p.section_key FROM core.document_sections s JOIN core.document_sections p "
            "ON p.section_id = s.parent_id").fetchall() == [("doc-a/s1",)]
        assert bulk.unusable_indexes(conn, deferred) == []
        assert conn.execute(
            "SELECT indexrelid::regclass::text FROM pg_index WHERE indcheckxmin "
            "AND indrelid::regclass::text LIKE 'core.%'").fetchall() == []
        conn.rollback()


def test_failed_bulk_run_leaves_schema_and_data_as_they_were(built_db, corpus_copy, settings):
    change_document(corpus_copy)
    schema_before = catalog(built_db)
    data_before = table_checksums(built_db, schemas=("core", "mart"))

    def fail_after_documents(stage: str) -> None:
        if stage == "facts":  # the document tables are loaded, their indexes re-created
            raise RuntimeError("stop after the documents")

    with pytest.raises(RunFailed, match="stop after the documents"):
        run(built_db, settings, RunOptions(command="test", corpus_dir=corpus_copy, bulk="always",
                                           on_stage=fail_after_documents))
    assert catalog(built_db) == schema_before
    assert table_checksums(built_db, schemas=("core", "mart")) == data_before


def test_killed_bulk_run_leaves_schema_and_data_as_they_were(built_db, corpus_copy):
    change_document(corpus_copy)
    schema_before = catalog(built_db)
    data_before = table_checksums(built_db, schemas=("core", "mart"))
    # killed after writing the rows, while the document tables have no secondary indexes
    # or foreign keys
    proc = start_load(built_db, corpus_copy, "documents_bulk_restore:kill", "--bulk", "always")
    proc.communicate(timeout=300)
    assert proc.returncode == -signal.SIGKILL
    assert catalog(built_db) == schema_before
    assert table_checksums(built_db, schemas=("core", "mart")) == data_before


def test_auto_mode_is_only_for_a_first_build(built_db, corpus_copy, settings):
    """An ordinary load never takes the locks readers would wait on, however large the
    document it adds (here 1.3 MB next to a 0.6 MB corpus)."""
    paragraph = ("A European battery maker and a Chinese partner discussed a cell plant in a port town; "
                 "nothing was signed and no amount was named.\n")
    (corpus_copy / "long-digest.txt").write_text("Long digest\n" + paragraph * 6000, encoding="utf-8")
    result = run(built_db, settings, RunOptions(command="test", corpus_dir=corpus_copy))
    assert result.status == "succeeded" and result.rows_changed > 0
    assert result.bulk is False
    # the rule itself
    assert bulk.choose("auto", first_build=True) is True
    assert bulk.choose("auto", first_build=False) is False
    assert bulk.choose("always", first_build=False) is True
    assert bulk.choose("never", first_build=True) is False
    with pytest.raises(ValueError, match="bulk mode must be one of"):
        bulk.choose("sometimes", first_build=True)
