"""The whole build on the real corpus: what `make run` must leave behind."""

from __future__ import annotations

import hashlib

import psycopg

from conftest import CORPUS, table_checksums
from etnc_db.pipeline import RunOptions, run


def test_build_loads_countries_documents_and_a_successful_run(built_db_readonly):
    with psycopg.connect(built_db_readonly) as conn:
        assert conn.execute("SELECT count(*) FROM core.countries").fetchone()[0] >= 249
        eu = conn.execute(
            "SELECT is_supranational, alpha3 FROM core.countries WHERE country_code = 'EU'"
        ).fetchone()
        assert eu == (True, "EUU")
        stored = dict(conn.execute("SELECT file_name, sha256 FROM core.documents").fetchall())
        status = conn.execute("SELECT status FROM etl.runs ORDER BY run_id DESC LIMIT 1").fetchone()[0]
    files = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in CORPUS.glob("*.txt")}
    assert stored == files
    assert status == "succeeded"


def test_second_run_changes_nothing_and_says_so(built_db, settings):
    before = table_checksums(built_db, schemas=("core",))
    result = run(built_db, settings, RunOptions(command="test"))
    assert result.status == "succeeded"
    assert result.rows_changed == 0
    assert {d["action"] for d in result.documents} == {"unchanged"}
    assert table_checksums(built_db, schemas=("core",)) == before
    with psycopg.connect(built_db) as conn:
        row = conn.execute(
            "SELECT status, rows_inserted + rows_updated + rows_deleted FROM etl.runs ORDER BY run_id DESC LIMIT 1"
        ).fetchone()
        changes = conn.execute("SELECT count(*) FROM etl.changes WHERE run_id = %s", (result.run_id,)).fetchone()[0]
    assert row == ("succeeded", 0)
    assert changes == 0
