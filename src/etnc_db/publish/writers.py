"""File writers for one exported relation, fed chunk by chunk (memory stays flat):
CSV through pandas, Parquet through pyarrow (one row group per chunk), Excel through
openpyxl's write-only workbook.

Values arrive as psycopg returns them and leave flat: json/jsonb and arrays become JSON
text, dates stay dates (ISO `YYYY-MM-DD` in CSV, date32 in Parquet, date cells formatted
`yyyy-mm-dd` in Excel), timestamps become ISO 8601 in UTC. Excel cannot hold more than
32,767 characters in a cell or 1,048,575 data rows in a sheet: a longer text is written in
parts to the sheet `long_text` (sheet, row, column, part, text) and its cell says so; more
rows continue on sheets `<name>_2`, `<name>_3`, ..."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

FORMATS = ("csv", "parquet", "xlsx")
XLSX_CELL_LIMIT = 32_767
XLSX_PART = 32_000
XLSX_ROWS = 1_048_575
LONG_TEXT_SHEET = "long_text"
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def value_kind(pg_type: str) -> str:
    """How a column of PostgreSQL type `pg_type` (format_type) is written."""
    if pg_type.endswith("[]"):
        return "json"
    base = pg_type.split("(")[0]
    return {"integer": "int32", "bigint": "int64", "smallint": "int16", "boolean": "bool", "date": "date",
            "numeric": "decimal" if "(" in pg_type else "float", "double precision": "float", "real": "float",
            "timestamp with time zone": "timestamptz", "timestamp without time zone": "timestamp",
            "json": "json", "jsonb": "json"}.get(base, "text")


def flatten(value: Any, kind: str) -> Any:
    """A value ready for a flat file: JSON text for json and arrays, ISO text for
    timestamps, str for types without a file equivalent."""
    if value is None:
        return None
    if kind == "json":
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    if kind in ("timestamptz", "timestamp"):
        if kind == "timestamptz" and value.tzinfo is not None:
            value = value.astimezone(UTC)
        return value.isoformat()
    if kind == "text" and not isinstance(value, str):
        return str(value)
    return value


def frame(rows: list[tuple], names: list[str], kinds: list[str]) -> pd.DataFrame:
    """A chunk of rows as a DataFrame of flat Python values (object columns: no NaN for
    NULL integers, no float rounding of decimals)."""
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in names]
    data = {n: [flatten(v, k) for v in col] for n, k, col in zip(names, kinds, columns, strict=True)}
    return pd.DataFrame(data, columns=names, dtype=object)


class CsvWriter:
    """UTF-8 CSV with a header row; NULL is an empty field."""

    suffix = "csv"

    def __init__(self, path: Path, names: list[str], kinds: list[str]):
        self.path, self.names, self.kinds, self.rows = path, names, kinds, 0
        frame([], names, kinds).to_csv(path, index=False, encoding="utf-8", lineterminator="\n")

    def write(self, rows: list[tuple]) -> None:
        """Append a chunk of rows."""
        frame(rows, self.names, self.kinds).to_csv(self.path, mode="a", header=False, index=False,
                                                   encoding="utf-8", lineterminator="\n")
        self.rows += len(rows)

    def close(self) -> None:
        """Nothing to flush: each chunk is appended as it comes."""


def arrow_type(kind: str, pg_type: str):
    """The Arrow type of a column."""
    import pyarrow as pa

    if kind == "decimal":
        precision, scale = (int(x) for x in pg_type[pg_type.index("(") + 1:-1].split(","))
        return pa.decimal128(precision, scale)
    return {"int32": pa.int32(), "int64": pa.int64(), "int16": pa.int16(), "bool": pa.bool_(),
            "date": pa.date32(), "float": pa.float64()}.get(kind, pa.string())


class ParquetWriter:
    """Parquet with a schema fixed from the column types (a chunk of NULLs cannot change it)."""

    suffix = "parquet"

    def __init__(self, path: Path, names: list[str], kinds: list[str], pg_types: list[str]):
        import pyarrow as pa
        import pyarrow.parquet as pq

        self.names, self.kinds, self.rows = names, kinds, 0
        self.schema = pa.schema([pa.field(n, arrow_type(k, t)) for n, k, t in zip(names, kinds, pg_types, strict=True)])
        self.writer = pq.ParquetWriter(path, self.schema, compression="zstd")

    def write(self, rows: list[tuple]) -> None:
        """Write a chunk of rows as one row group."""
        import pyarrow as pa

        table = pa.Table.from_pandas(frame(rows, self.names, self.kinds), schema=self.schema, preserve_index=False)
        self.writer.write_table(table)
        self.rows += len(rows)

    def close(self) -> None:
        """Finish the file (a relation without rows still gets its schema)."""
        if self.rows == 0:  # a file with the schema and no row group
            import pyarrow as pa

            self.writer.write_table(pa.Table.from_pylist([], schema=self.schema))
        self.writer.close()


def excel_text(text: str) -> str:
    """`text` without the control characters XML (and so xlsx) cannot hold, each written
    as Excel's own escape `_xHHHH_`."""
    return _ILLEGAL_XML.sub(lambda m: f"_x{ord(m.group()):04X}_", text)


class XlsxWriter:
    """One workbook per relation: sheet `<name>` (header row, then the rows), more sheets
    when the rows exceed Excel's limit, and `long_text` for texts over its cell limit."""

    suffix = "xlsx"

    def __init__(self, path: Path, names: list[str], kinds: list[str], sheet: str):
        from openpyxl import Workbook

        self.path, self.names, self.kinds, self.rows = path, names, kinds, 0
        self.book = Workbook(write_only=True)
        self.base, self.sheets, self.long = sheet[:28], 0, None
        self._new_sheet()

    def _new_sheet(self) -> None:
        self.sheets += 1
        self.sheet_name = self.base if self.sheets == 1 else f"{self.base}_{self.sheets}"
        self.sheet = self.book.create_sheet(self.sheet_name)
        self.sheet.append(self.names)
        self.sheet_rows = 0

    def _cell(self, value: Any, column: str):
        from openpyxl.cell import WriteOnlyCell

        if isinstance(value, str):
            value = excel_text(value)
            if len(value) > XLSX_CELL_LIMIT:
                return self._long_text(value, column)
            return value
        if isinstance(value, date) and not isinstance(value, datetime):
            cell = WriteOnlyCell(self.sheet, value=value)
            cell.number_format = "yyyy-mm-dd"
            return cell
        return value

    def _long_text(self, text: str, column: str) -> str:
        """Write `text` in parts to the long_text sheet; the marker its cell shows instead."""
        if self.long is None:
            self.long = self.book.create_sheet(LONG_TEXT_SHEET)
            self.long.append(["sheet", "row", "column", "part", "text"])
        row = self.sheet_rows + 2  # the Excel row of the value being written (header is row 1)
        for part, start in enumerate(range(0, len(text), XLSX_PART), start=1):
            self.long.append([self.sheet_name, row, column, part, text[start:start + XLSX_PART]])
        return f"[{len(text)} characters: sheet {LONG_TEXT_SHEET}, row {row}]"

    def write(self, rows: list[tuple]) -> None:
        """Append a chunk of rows, starting a new sheet at Excel's row limit."""
        chunk = frame(rows, self.names, self.kinds)
        for values in chunk.itertuples(index=False, name=None):
            if self.sheet_rows == XLSX_ROWS:
                self._new_sheet()
            self.sheet.append([self._cell(v, n) for v, n in zip(values, self.names, strict=True)])
            self.sheet_rows += 1
        self.rows += len(rows)

    def close(self) -> None:
        """Save the workbook (write-only: the rows were streamed to temporary files)."""
        self.book.save(self.path)


def open_writer(fmt: str, path: Path, names: list[str], pg_types: list[str], sheet: str):
    """The writer for `fmt` (csv, parquet or xlsx) of one relation's file at `path`."""
    kinds = [value_kind(t) for t in pg_types]
    if fmt == "csv":
        return CsvWriter(path, names, kinds)
    if fmt == "parquet":
        return ParquetWriter(path, names, kinds, pg_types)
    if fmt == "xlsx":
        return XlsxWriter(path, names, kinds, sheet)
    raise ValueError(f"unknown format {fmt!r} (known: {', '.join(FORMATS)})")
