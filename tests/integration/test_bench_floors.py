"""The benchmark's COPY floors load a built database's core rows into a fresh migrated
database, with the history rows that point at etl.runs and the review rows that point at
core; every row arrives in both floors."""

from __future__ import annotations

import psycopg

from etnc_db.bench import measure


def _core_counts(url: str) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        tables = measure.core_tables_in_fk_order(conn)
        return {t: conn.execute(f"SELECT count(*) FROM core.{t}").fetchone()[0] for t in tables}


def test_both_floors_load_every_core_row_of_a_build(built_db_readonly, migrated_db, tmp_path):
    dumped = measure.dump_core(built_db_readonly, tmp_path / "dump")
    expected = _core_counts(built_db_readonly)
    assert dumped["rows"] == sum(expected.values())
    assert expected["fact_versions"] > 0  # rows that point at etl.runs
    for floor in (measure.floor_indexed, measure.floor_bare):
        result = floor(migrated_db, str(tmp_path / "dump"))
        assert result["seconds"] > 0
        assert _core_counts(migrated_db) == expected, floor.__name__
