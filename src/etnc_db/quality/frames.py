"""DataFrames for validation, all in *load shape* (see spec.py): from a run's TableLoads
(before they are written), or read back from the published tables through the run's
own connection (its uncommitted data is visible only there)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from functools import cache

import pandas as pd
import psycopg
from sqlalchemy import Identity

from etnc_db.db.models import metadata

# FK columns whose load-shape name does not follow the `<x>_id -> <x>_key|_code` rule.
RENAMES = {("core.citations", "ibid_of_id"): "ibid_key"}


def _business_key(table) -> str:
    if table.fullname == "core.countries":
        return "country_code"
    for col in table.c:
        if col.name.endswith("_key") and col.unique and not col.primary_key:
            return col.name
    raise KeyError(f"{table.fullname} has no business key column")


@cache
def load_shape_sql(table_name: str) -> tuple[str, tuple[str, ...]]:
    """SELECT that returns `table_name` with surrogate keys left out and foreign keys
    replaced by the business keys they point at."""
    table = metadata.tables[table_name]
    exprs, joins, names = [], [], []
    for i, col in enumerate(table.c):
        fks = list(col.foreign_keys)
        if not fks:
            if col.primary_key and isinstance(col.identity, Identity):
                continue  # surrogate key
            exprs.append(f't."{col.name}"')
            names.append(col.name)
            continue
        target = fks[0].column.table
        bkey = _business_key(target)
        suffix = "_code" if target.fullname == "core.countries" else "_key"
        name = RENAMES.get((table_name, col.name), col.name[: -len("_id")] + suffix)
        alias = f"r{i}"
        schema, tname = target.fullname.split(".")
        joins.append(f'LEFT JOIN "{schema}"."{tname}" {alias} ON {alias}."{fks[0].column.name}" = t."{col.name}"')
        exprs.append(f'{alias}."{bkey}" AS "{name}"')
        names.append(name)
    schema, tname = table_name.split(".")
    sql = f'SELECT {", ".join(exprs)} FROM "{schema}"."{tname}" t {" ".join(joins)}'
    return sql, tuple(names)


def _frame(rows, columns) -> pd.DataFrame:
    df = pd.DataFrame.from_records(list(rows), columns=list(columns))
    return normalize(df)


def normalize(df: pd.DataFrame) -> pd.DataFrame:
    """Dates to datetime64 and Decimals to float, so GX compares them with plain values."""
    import datetime as dt

    for col in df.columns:
        if df[col].dtype != object:
            continue
        sample = df[col].dropna()
        if sample.empty:
            continue
        first = sample.iloc[0]
        if isinstance(first, dt.date) and not isinstance(first, dt.datetime):
            df[col] = pd.to_datetime(df[col], errors="coerce")
        elif isinstance(first, Decimal):
            df[col] = df[col].map(lambda v: None if v is None else float(v)).astype("float64")
    return df


def read_table(conn: psycopg.Connection, table_name: str) -> pd.DataFrame:
    sql, names = load_shape_sql(table_name)
    return _frame(conn.execute(sql).fetchall(), names)


def read_view(conn: psycopg.Connection, view: str) -> pd.DataFrame:
    schema, name = view.split(".")
    return frame_from_cursor(conn.execute(f'SELECT * FROM "{schema}"."{name}"'))


def frame_from_cursor(cur) -> pd.DataFrame:
    return _frame(cur.fetchall(), [d.name for d in cur.description])


class Frames:
    """Frames by table name: the run's own frames first (pre_load), else the database."""

    def __init__(self, conn: psycopg.Connection, own: dict[str, pd.DataFrame] | None = None):
        self.conn = conn
        self.own = own or {}
        self.db: dict[str, pd.DataFrame] = {}

    @classmethod
    def from_loads(cls, conn, loads_by_stage: dict) -> Frames:
        own = {}
        for loads in loads_by_stage.values():
            for load in loads:
                rows = load.rows if isinstance(load.rows, list) else list(load.rows)
                own[load.table] = _frame(rows, load.columns)
        return cls(conn, own)

    def get(self, table: str) -> pd.DataFrame:
        if table in self.own:
            return self.own[table]
        return self.published(table)

    def published(self, table: str) -> pd.DataFrame:
        if table not in self.db:
            self.db[table] = read_table(self.conn, table)
        return self.db[table]

    def contents(self) -> dict[str, str]:
        """document_key -> content, from the run's documents and the database."""
        if "_contents" not in self.db:
            out = dict(self.conn.execute("SELECT document_key, content FROM core.documents").fetchall())
            own = self.own.get("core.documents")
            if own is not None:
                out.update(zip(own["document_key"], own["content"], strict=False))
            self.db["_contents"] = out
        return self.db["_contents"]


# ----------------------------------------------------------------------------------
# derived columns: f(frame, frames) -> Series aligned with frame
# ----------------------------------------------------------------------------------


def _has_evidence(kind: str) -> Callable:
    def f(df: pd.DataFrame, frames: Frames) -> pd.Series:
        ev = frames.get("core.evidence")
        keys = set(ev.loc[ev["fact_type"] == kind, f"{kind}_key"].dropna())
        return df[f"{kind}_key"].isin(keys)

    return f


def _span_reproduces(column: str) -> Callable:
    def f(df: pd.DataFrame, frames: Frames) -> pd.Series:
        contents = frames.contents()
        return pd.Series(
            [
                (c := contents.get(d)) is not None and c[int(s):int(e)] == v
                for d, s, e, v in zip(df["document_key"], df["char_start"], df["char_end"], df[column], strict=False)
            ],
            index=df.index, dtype=bool,
        )

    return f


def _span_in_document(df: pd.DataFrame, frames: Frames) -> pd.Series:
    contents = frames.contents()
    return pd.Series(
        [d in contents and 0 <= int(s) <= int(e) <= len(contents[d])
         for d, s, e in zip(df["document_key"], df["char_start"], df["char_end"], strict=False)],
        index=df.index, dtype=bool,
    )


def _eur_error(df: pd.DataFrame, frames: Frames) -> pd.Series:
    amount = pd.to_numeric(df["amount"], errors="coerce")
    rate = pd.to_numeric(df["fx_rate"], errors="coerce")
    eur = pd.to_numeric(df["amount_eur"], errors="coerce")
    return (eur - (amount / rate).round(2)).abs()  # NaN (ignored) where there is no EUR amount


def _host_country_known(df: pd.DataFrame, frames: Frames) -> pd.Series:
    codes = set(frames.get("core.countries")["country_code"])
    return df["host_country_code"].isin(codes)


def _amount_has_currency(df: pd.DataFrame, frames: Frames) -> pd.Series:
    return df["amount"].isna() == df["currency"].isna()


def _parent_known(df: pd.DataFrame, frames: Frames) -> pd.Series:
    keys = set(df["sector_key"])
    return df["parent_key"].isna() | df["parent_key"].isin(keys)


def _one_party(df: pd.DataFrame, frames: Frames) -> pd.Series:
    return df["organization_key"].isna() != df["country_code"].isna()


def _fact_key(df: pd.DataFrame, frames: Frames) -> pd.Series:
    out = pd.Series([None] * len(df), index=df.index, dtype=object)
    for kind in ("agreement", "investment", "policy_measure"):
        mask = df["fact_type"] == kind
        out[mask] = df.loc[mask, f"{kind}_key"]
    return out


def _aggregates_have_eur(df: pd.DataFrame, frames: Frames) -> pd.Series:
    return ~df["recommended_for_aggregates"].astype(bool) | df["amount_eur"].notna()


DERIVATIONS: dict[str, dict[str, Callable]] = {
    "core.sectors": {"parent_known": _parent_known},
    "core.document_sections": {"span_in_document": _span_in_document},
    "core.passages": {"span_in_document": _span_in_document},
    "core.citations": {"span_reproduces_text": _span_reproduces("raw_text")},
    "core.mentions": {"span_reproduces_text": _span_reproduces("surface")},
    "core.agreements": {"has_evidence": _has_evidence("agreement")},
    "core.agreement_parties": {"one_party": _one_party},
    "core.investments": {"has_evidence": _has_evidence("investment"), "host_country_known": _host_country_known,
                         "eur_error": _eur_error, "amount_has_currency": _amount_has_currency},
    "core.policy_measures": {"has_evidence": _has_evidence("policy_measure")},
    "core.evidence": {"fact_key": _fact_key, "span_reproduces_text": _span_reproduces("quote")},
    "mart.fct_investment": {"aggregates_have_eur": _aggregates_have_eur},
}


def with_derived(table: str, df: pd.DataFrame, names: tuple[str, ...], frames: Frames) -> pd.DataFrame:
    if not names:
        return df
    df = df.copy()
    for name in names:
        df[name] = DERIVATIONS[table][name](df, frames)
    return df
