"""Export writers and the network layout, without a database."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pandas as pd
import pytest

from etnc_db.publish import writers
from etnc_db.publish.network import layout, network_frames


@pytest.mark.parametrize(("pg_type", "kind"), [
    ("integer", "int32"), ("bigint", "int64"), ("boolean", "bool"), ("date", "date"), ("numeric(20,2)", "decimal"),
    ("numeric", "float"), ("text", "text"), ("character varying(2)", "text"), ("jsonb", "json"), ("text[]", "json"),
    ("timestamp with time zone", "timestamptz")])
def test_value_kinds(pg_type, kind):
    assert writers.value_kind(pg_type) == kind


def test_values_are_flattened():
    assert writers.flatten({"b": 1, "a": "é"}, "json") == '{"a": "é", "b": 1}'
    assert json.loads(writers.flatten(["x", "y"], "json")) == ["x", "y"]
    stamp = datetime(2026, 6, 1, 12, 0, tzinfo=timezone(timedelta(hours=2)))
    assert writers.flatten(stamp, "timestamptz") == "2026-06-01T10:00:00+00:00"
    assert writers.flatten(date(2024, 1, 2), "date") == date(2024, 1, 2)
    assert writers.flatten(None, "json") is None


def test_null_integers_stay_integers_in_csv(tmp_path):
    path = tmp_path / "t.csv"
    w = writers.open_writer("csv", path, ["n", "d", "amount"], ["integer", "date", "numeric(20,2)"], "t")
    w.write([(1, date(2024, 3, 5), Decimal("10.50")), (None, None, None)])
    w.close()
    assert path.read_text(encoding="utf-8") == "n,d,amount\n1,2024-03-05,10.50\n,,\n"


def test_parquet_schema_comes_from_the_column_types(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "t.parquet"
    w = writers.open_writer("parquet", path, ["n", "d", "amount", "j"], ["integer", "date", "numeric(20,2)", "jsonb"], "t")
    w.write([(None, None, None, None)])  # a chunk of NULLs cannot change the schema
    w.write([(2, date(2024, 1, 1), Decimal("1.25"), {"a": 1})])
    w.close()
    table = pq.read_table(path)
    assert table.schema.field("n").type == pa.int32() and table.schema.field("d").type == pa.date32()
    assert table.schema.field("amount").type == pa.decimal128(20, 2) and table.schema.field("j").type == pa.string()
    assert table.to_pylist()[1] == {"n": 2, "d": date(2024, 1, 1), "amount": Decimal("1.25"), "j": '{"a": 1}'}


def test_empty_relations_still_get_a_file(tmp_path):
    import pyarrow.parquet as pq

    for fmt in writers.FORMATS:
        path = tmp_path / f"e.{fmt}"
        w = writers.open_writer(fmt, path, ["a"], ["text"], "e")
        w.close()
        assert path.stat().st_size > 0
    assert pq.read_table(tmp_path / "e.parquet").num_rows == 0


def test_excel_keeps_long_texts_and_control_characters(tmp_path):
    from openpyxl import load_workbook

    text = "ab" * 40_000
    path = tmp_path / "t.xlsx"
    w = writers.open_writer("xlsx", path, ["k", "content", "d"], ["text", "text", "date"], "dim_document")
    w.write([("k1", text, date(2024, 1, 2)), ("k2", "form\x0cfeed", None)])
    w.close()
    book = load_workbook(path, read_only=True)
    rows = list(book["dim_document"].iter_rows(values_only=True))
    assert rows[1][0] == "k1" and rows[1][1] == "[80000 characters: sheet long_text, row 2]"
    assert rows[1][2] == datetime(2024, 1, 2)
    assert rows[2][1] == "form_x000C_feed"
    parts = list(book["long_text"].iter_rows(values_only=True))[1:]
    assert [p[:4] for p in parts] == [("dim_document", 2, "content", i) for i in (1, 2, 3)]
    assert "".join(p[4] for p in parts) == text


def test_the_network_layout_is_deterministic():
    parties = pd.DataFrame([
        {"fact_key": "a1", "node": "org:catl", "party_name": "CATL", "party_country_code": "CN",
         "party_is_chinese": True, "party_is_european": False},
        {"fact_key": "a1", "node": "gov:HU", "party_name": "Hungary", "party_country_code": "HU",
         "party_is_chinese": False, "party_is_european": True},
        {"fact_key": "a2", "node": "org:catl", "party_name": "CATL", "party_country_code": "CN",
         "party_is_chinese": True, "party_is_european": False},
        {"fact_key": "a2", "node": "org:bmw", "party_name": "BMW", "party_country_code": "DE",
         "party_is_chinese": False, "party_is_european": True},
        {"fact_key": "a3", "node": "unnamed:x", "party_name": "x", "party_country_code": None,
         "party_is_chinese": False, "party_is_european": False}])
    nodes, edges, left_out = network_frames(parties)
    again, _, _ = network_frames(parties.iloc[::-1])
    assert nodes.equals(again) and left_out == 0
    assert dict(zip(nodes["node"], nodes["group"], strict=True)) == {
        "gov:HU": "European", "org:bmw": "European", "org:catl": "Chinese", "unnamed:x": "other"}
    assert dict(zip(nodes["node"], nodes["agreements"], strict=True))["org:catl"] == 2
    assert sorted(zip(edges["source"], edges["target"], edges["agreements"], strict=True)) == [
        ("gov:HU", "org:catl", "a1"), ("org:bmw", "org:catl", "a2")]
    assert layout(__import__("networkx").Graph()) == {}
