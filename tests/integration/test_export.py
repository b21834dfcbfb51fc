"""`etnc-db export`: every mart relation read back from its file in each format and
compared with the database (rows, columns, a sample of values, no arrays, ISO dates),
the manifest's checksums and counts, one snapshot for all files, chunked reading."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest
from typer.testing import CliRunner

from etnc_db.cli import app
from etnc_db.publish import export as export_module
from etnc_db.publish.export import export
from etnc_db.publish.manifest import package_version
from etnc_db.publish.relations import read_catalog
from etnc_db.publish.snapshot import snapshot

ROOT = Path(__file__).resolve().parents[2]
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@pytest.fixture(scope="module")
def relations(built_db_readonly):
    with psycopg.connect(built_db_readonly) as conn:
        return read_catalog(conn, ("mart",))


@pytest.fixture(scope="module", params=["csv", "parquet", "xlsx"])
def exported(request, built_db_readonly, tmp_path_factory):
    """(format, folder) of an export through the CLI."""
    out = tmp_path_factory.mktemp(f"export-{request.param}")
    result = CliRunner().invoke(app, ["export", "--format", request.param, "--out", str(out)],
                                env={"DATABASE_URL": built_db_readonly})
    assert result.exit_code == 0, result.output
    assert f"to {out}" in result.output and len(result.output.strip().splitlines()) == 1
    return request.param, out


def _read_csv(path: Path, rel) -> tuple[list[str], list[list]]:
    import pandas as pd

    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    return list(frame.columns), frame.values.tolist()


def _read_parquet(path: Path, rel) -> tuple[list[str], list[list]]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    for field in table.schema:
        assert not pa.types.is_nested(field.type), f"{path.name}: {field.name} is {field.type}"
        if next(c for c in rel.columns if c.name == field.name).type == "date":
            assert pa.types.is_date32(field.type), f"{path.name}: {field.name} is {field.type}"
    rows = table.to_pylist()
    return table.column_names, [list(r.values()) for r in rows]


def _read_xlsx(path: Path, rel) -> tuple[list[str], list[list]]:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True)
    long_text: dict[tuple[str, int, str], list[str]] = {}
    if "long_text" in book.sheetnames:
        for sheet, row, column, _part, text in list(book["long_text"].iter_rows(values_only=True))[1:]:
            long_text.setdefault((sheet, row, column), []).append(text)
    sheet = book[rel.name[:28]]
    cells = list(sheet.iter_rows())
    header = [c.value for c in cells[0]]
    dates = {i for i, c in enumerate(rel.columns) if c.type == "date"}
    rows = []
    for excel_row, row in enumerate(cells[1:], start=2):
        values = []
        for i, cell in enumerate(row):
            value = cell.value
            if i in dates and value is not None:
                assert cell.is_date and cell.number_format == "yyyy-mm-dd", (path.name, header[i], value)
            if isinstance(value, str) and value.startswith("[") and "sheet long_text" in value:
                value = "".join(long_text[(rel.name[:28], excel_row, header[i])])
            values.append(value)
        rows.append(values + [None] * (len(header) - len(values)))  # trailing empty cells are not stored
    book.close()
    return header, rows


READERS = {"csv": _read_csv, "parquet": _read_parquet, "xlsx": _read_xlsx}


def _norm(value) -> str:
    """One spelling per value across formats: '' for NULL, ISO dates, lower-case
    booleans, decimals without trailing zeros."""
    if value is None or value == "":
        return ""
    if isinstance(value, (dict, list)):  # json/jsonb from the database: files hold its JSON text
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool) or value in ("True", "False"):
        return str(value).lower()
    if isinstance(value, (int, float, Decimal)):
        return format(Decimal(str(value)).normalize(), "f")
    if re.fullmatch(r"-?\d+(\.\d+)?", str(value)):
        return format(Decimal(str(value)).normalize(), "f")
    return str(value)


def _database_rows(conn, rel) -> list[tuple]:
    return conn.execute(export_module._select(rel)).fetchall()


def test_every_relation_reads_back_equal_to_the_database(exported, relations, built_db_readonly):
    fmt, out = exported
    with psycopg.connect(built_db_readonly) as conn:
        for rel in relations:
            path = out / f"{rel.name}.{fmt}"
            columns, rows = READERS[fmt](path, rel)
            expected = _database_rows(conn, rel)
            assert columns == [c.name for c in rel.columns], path.name
            assert len(rows) == len(expected), path.name
            sample = sorted({0, len(rows) // 2, len(rows) - 1}) if rows else []
            for i in sample:
                assert [_norm(v) for v in rows[i]] == [_norm(v) for v in expected[i]], (path.name, i)
            for j, col in enumerate(rel.columns):
                values = [r[j] for r in rows if r[j] not in (None, "")]
                assert not any(isinstance(v, (list, dict)) for v in values), (path.name, col.name)
                if fmt == "csv" and col.type == "date":
                    assert all(ISO_DATE.match(v) for v in values), (path.name, col.name)
                if fmt == "csv" and not col.type.startswith("json"):
                    assert not any(re.fullmatch(r"\{.*\}", str(v), re.S) for v in values), (path.name, col.name)


def test_the_citable_text_is_exported_whole(exported, built_db_readonly, relations):
    fmt, out = exported
    rel = next(r for r in relations if r.name == "dim_document")
    columns, rows = READERS[fmt](out / f"dim_document.{fmt}", rel)
    with psycopg.connect(built_db_readonly) as conn:
        content = dict(conn.execute("SELECT document_key, content FROM mart.dim_document").fetchall())
    got = {r[columns.index("document_key")]: r[columns.index("content")] for r in rows}
    assert got == content
    assert max(len(t) for t in content.values()) > 32_767  # longer than an Excel cell


def test_manifest_lists_every_file_with_its_checksum_and_rows(exported, relations, built_db_readonly):
    fmt, out = exported
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    files = {f["path"]: f for f in manifest["files"]}
    assert {f"{r.name}.{fmt}" for r in relations} | {"data-dictionary.csv", "data-dictionary.md", "codebook.md",
                                                    "delta.csv"} == set(files)
    for name, entry in files.items():
        data = (out / name).read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest(), name
        assert entry["bytes"] == len(data), name
    with psycopg.connect(built_db_readonly) as conn:
        for rel in relations:
            assert files[f"{rel.name}.{fmt}"]["rows"] == \
                conn.execute(f"SELECT count(*) FROM {rel.qualified}").fetchone()[0], rel.name
        run_id, finished = conn.execute(
            "SELECT run_id, finished_at FROM etl.runs WHERE status = 'succeeded' AND command <> 'check' "
            "ORDER BY run_id DESC LIMIT 1").fetchone()
        docs = dict(conn.execute("SELECT document_key, sha256 FROM mart.dim_document").fetchall())
    assert manifest["dataset_version"] == f"{package_version()}+run.{run_id}"
    assert manifest["run"]["run_id"] == run_id and manifest["run"]["finished_at"].startswith(str(finished.date()))
    assert {d["document_key"]: d["sha256"] for d in manifest["source_documents"]} == docs
    assert manifest["format"] == fmt and manifest["built_at"]
    assert manifest["data_quality"]["gate"]["failed"] == 0 and "check" in manifest["data_quality"]
    assert (out / "codebook.md").read_bytes() == (ROOT / "docs" / "curation.md").read_bytes()


def test_dictionary_files_describe_every_exported_column(exported, relations):
    import pandas as pd

    _fmt, out = exported
    table = pd.read_csv(out / "data-dictionary.csv", dtype=str, keep_default_na=False)
    assert set(zip(table["relation"], table["column"], strict=True)) == \
        {(r.name, c.name) for r in relations for c in r.columns}
    assert (table["description"] != "").all()
    stance = table[(table["relation"] == "fct_policy_measure") & (table["column"] == "stance")].iloc[0]
    assert stance["vocabulary"] == "stance" and "restrictive" in stance["allowed_values"].split("; ")
    assert "fct_policy_measure" in (out / "data-dictionary.md").read_text(encoding="utf-8")


def test_the_export_is_one_read_only_snapshot(built_db, tmp_path, monkeypatch):
    """A load committing while the export runs changes none of its files."""
    with snapshot(built_db) as conn:
        assert conn.execute("SHOW transaction_isolation").fetchone()[0] == "repeatable read"
        assert conn.execute("SHOW transaction_read_only").fetchone()[0] == "on"
    with psycopg.connect(built_db) as conn:
        key, title = conn.execute("SELECT investment_key, title FROM mart.fct_investment ORDER BY 1 LIMIT 1").fetchone()
    original = export_module.export_relation
    changed = []

    def export_then_change(conn, rel, *args, **kwargs):
        entry = original(conn, rel, *args, **kwargs)
        if not changed:  # after the first file, another session commits a change
            with psycopg.connect(built_db, autocommit=True) as other:
                other.execute("UPDATE core.facts SET title = 'changed meanwhile' WHERE fact_key = %s", (key,))
            changed.append(rel.name)
        return entry
    monkeypatch.setattr(export_module, "export_relation", export_then_change)
    export(built_db, tmp_path, "csv")
    assert changed and changed[0] < "fct_investment"
    text = (tmp_path / "fct_investment.csv").read_text(encoding="utf-8")
    assert title in text and "changed meanwhile" not in text


def test_large_views_are_read_and_written_in_chunks(built_db_readonly, tmp_path):
    import pyarrow.parquet as pq

    export(built_db_readonly, tmp_path, "parquet", chunk_rows=500)
    meta = pq.ParquetFile(tmp_path / "fct_mention.parquet").metadata
    with psycopg.connect(built_db_readonly) as conn:
        rows = conn.execute("SELECT count(*) FROM mart.fct_mention").fetchone()[0]
    assert meta.num_rows == rows and meta.num_row_groups == -(-rows // 500)


def test_export_to_the_projects_reports_folder_by_default(built_db_readonly, tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    (project / "etnc.yaml").write_text("name: test\nreports: out\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["--project-dir", str(project), "export", "--format", "csv"],
                                env={"DATABASE_URL": built_db_readonly})
    assert result.exit_code == 0, result.output
    assert (project / "out" / "export" / "manifest.json").is_file()


def test_unknown_format_fails_in_one_line(built_db_readonly, tmp_path):
    result = CliRunner().invoke(app, ["export", "--format", "ods", "--out", str(tmp_path)],
                                env={"DATABASE_URL": built_db_readonly})
    assert result.exit_code != 0 and "ods" in result.output
