"""The curated-file format (docs/curation.md §4) as pydantic models, built from the fact
types declared in the models (`etnc_db.db.models.FACT_TYPES`): every column whose `info`
names a `field` is a field of the format, typed from the column (text, number within the
column's precision, boolean, registry key, vocabulary value, partial date); a NOT NULL
column is a required field. Rules across fields (an amount needs a currency, a party is
an organization, a government or an unnamed party, ...) are CHECK constraints of the
schema, reported at the record's `file:line` by the loader. So a new column or fact type
is declared once, in the models.

Unknown keys are refused (`extra="forbid"`); repeated keys are refused by the YAML
reader."""

from __future__ import annotations

import datetime
import math
import re
from functools import cache
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, create_model

ID = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=120)]
DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
YEARS = (1949, 2031)  # the database's period: from the PRC's founding to five years ahead


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _partial_date(value: Any) -> Any:
    """'2025' / '2025-03' / '2025-03-04' (or a YAML date) -> the string, checked."""
    if value is None:
        return None
    if isinstance(value, datetime.date):
        value = value.isoformat()
    value = str(value)
    m = DATE_RE.match(value)
    if not m:
        raise ValueError(f"{value!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = int(m.group(1)), int(m.group(2) or 1), int(m.group(3) or 1)
    if not YEARS[0] <= year <= YEARS[1]:
        raise ValueError(f"{value!r} is outside {YEARS[0]}..{YEARS[1]}")
    try:
        datetime.date(year, month, day)
    except ValueError:
        raise ValueError(f"{value!r} is not a real date") from None
    return value


def _country_code(value: Any) -> Any:
    """YAML 1.1 reads an unquoted NO (Norway) as false: take it back."""
    return "NO" if value is False else value


PartialDate = Annotated[str | None, BeforeValidator(_partial_date)]
CountryCode = Annotated[str, BeforeValidator(_country_code), Field(pattern=r"^[A-Z]{2}$")]


def _not_bool(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError("a number is required")
    return value


def _below(limit: float):
    """After float coercion, so `1e30` (a string to YAML 1.1, which wants a dot in a float)
    is checked like `1.0e30`."""
    def check(value: float | None) -> float | None:
        if value is not None and (not math.isfinite(value) or abs(value) >= limit):
            raise ValueError(f"{value!r} must be a finite number below {limit:.0e}")
        return value
    return check


def _python_type(column) -> Any:
    """The pydantic type of a curated field, from its column."""
    info = column.info
    if info.get("ref") == "country":
        return CountryCode
    if info.get("ref") == "jurisdiction":
        return Annotated[str, BeforeValidator(_country_code), Field(pattern=r"^([A-Z]{2}|multilateral)$")]
    if info.get("ref") or info.get("vocabulary"):
        return Annotated[str, Field(min_length=1)]
    if info.get("precision"):
        return PartialDate
    kind = column.type.__class__.__name__
    if kind == "Numeric":
        digits = (column.type.precision or 20) - (column.type.scale or 0)
        return Annotated[float, BeforeValidator(_not_bool), Field(allow_inf_nan=False),
                         AfterValidator(_below(10.0 ** digits))]
    if kind == "Boolean":
        return bool
    if kind == "String" and column.type.length:
        return Annotated[str, Field(max_length=column.type.length)]
    return str


def _fields(table) -> dict[str, tuple]:
    """Curated fields of a table: name -> (type, default)."""
    out = {}
    for column in table.columns:
        name = column.info.get("field")
        if not name:
            continue
        typ = _python_type(column)
        required = not column.nullable and column.default is None
        if required:
            out[name] = (typ, ...)
        elif column.default is not None and not callable(column.default.arg):
            out[name] = (typ, column.default.arg)
        else:
            out[name] = (typ | None if typ is not PartialDate else typ, None)
    return out


class Evidence(Strict):
    quote: Annotated[str, Field(min_length=12, max_length=5000)]
    document: str | None = None
    occurrence: Annotated[int, Field(ge=1)] | None = None


class EvidenceFor(Evidence):
    fact_id: ID


class Related(Strict):
    fact: ID
    relation: Annotated[str, Field(min_length=1)]


class Withdrawn(Strict):
    id: ID
    reason: Annotated[str, Field(min_length=5)]


@cache
def file_model() -> type[BaseModel]:
    """The top level of a curated file: document, part, one list per fact type,
    evidence_for and withdrawn."""
    fields: dict[str, tuple] = {
        "document": (str, ...),
        "part": (Annotated[str, Field(pattern=r"^[a-z0-9-]+$")], ...),
        "evidence_for": (list[Any], []),
        "withdrawn": (list[Withdrawn], []),
    }
    fields.update({key: (list[Any], []) for key in list_keys()})
    return create_model("curated_file", __base__=Strict, **fields)


@cache
def record_model(fact_type: str) -> type[BaseModel]:
    """The model of one record of `fact_type` (fields of core.facts, of the type's table
    and of its child tables as lists)."""
    from etnc_db.db.models import FACT_TYPES, metadata

    spec = FACT_TYPES[fact_type]
    fields: dict[str, tuple] = {"id": (ID, ...)}
    fields.update(_fields(metadata.tables["core.facts"]))
    fields.update(_fields(metadata.tables[spec.table]))
    for list_key, child_table in spec.children:
        child = create_model(f"{fact_type}_{list_key}", __base__=Strict, **_fields(metadata.tables[child_table]))
        fields[list_key] = (list[child], [])
    fields.update({
        "sectors": (list[Annotated[str, Field(min_length=1)]], []),
        "related": (list[Related], []),
        "replaces": (list[ID], []),
        "evidence": (Annotated[list[Evidence], Field(min_length=1)], ...),
    })
    return create_model(f"{fact_type}_record", __base__=Strict, **fields)


def list_keys() -> dict[str, str]:
    """Curated-file list key -> fact type."""
    from etnc_db.db.models import FACT_TYPES

    return {spec.list_key: name for name, spec in FACT_TYPES.items()}
