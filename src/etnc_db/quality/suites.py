"""Great Expectations validation of a run and of the published database.

The suites are data (quality/spec.py). They run from an ephemeral GX context over
pandas frames in *load shape* (quality/frames.py):

* `validate_run` (inside a load's transaction, before it commits):
  phase `pre_load` validates the frames the run produced (its TableLoads), phase
  `post_load` validates every published core table and mart view as the run's own
  connection sees them, plus a row-count guard against the state before the run.
  Results go to etl.dq_results in the run's transaction; when anything failed they
  are also written through a separate autocommit connection, because the pipeline
  then rolls the transaction back. Returns the failure messages.
* `check_database` (`etnc-db check`): phase `check` on the published database under
  a new etl.runs row, plus a Markdown report.

GX is imported only here, lazily (its import takes seconds), with analytics and
progress bars off. A reload that changes nothing never reaches this module.
"""

from __future__ import annotations

import json
import math
import os
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from etnc_db.quality import spec
from etnc_db.quality.frames import DERIVATIONS, Frames, read_view, with_derived
from etnc_db.quality.frames import frame_from_cursor as _frame_from

ROW_COUNT = "expect_table_row_count_to_be_between"
SAMPLE = 5

# seconds spent in the last validation, by step (gx_import, pre_load, post_load, check)
LAST_TIMINGS: dict[str, float] = {}


@dataclass
class Result:
    phase: str
    suite: str
    expectation: str
    table_name: str
    column_name: str | None
    success: bool
    observed_value: dict[str, Any] = field(default_factory=dict)
    unexpected_sample: list[Any] = field(default_factory=list)

    def message(self) -> str:
        col = f"({self.column_name})" if self.column_name else ""
        obs = self.observed_value
        if "exception" in obs:
            what = f"error: {obs['exception']}"
        elif "unexpected_count" in obs:
            what = f"{obs['unexpected_count']} unexpected of {obs.get('element_count')}"
            if self.unexpected_sample:
                what += ", e.g. " + ", ".join(str(v) for v in self.unexpected_sample[:3])
        else:
            what = f"observed {json.dumps({k: v for k, v in obs.items()}, default=str)}"
        return f"{self.table_name}: {self.expectation}{col} failed [{self.phase}]: {what}"


# ----------------------------------------------------------------------------------
# GX, lazily
# ----------------------------------------------------------------------------------

_GX: dict[str, Any] = {}


def _gx():
    """(gx module, batch definition) from a process-wide ephemeral context."""
    if not _GX:
        t = time.perf_counter()
        os.environ["GX_ANALYTICS_ENABLED"] = "false"
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig

        LAST_TIMINGS["gx_import"] = round(time.perf_counter() - t, 3)
        context = gx.get_context(mode="ephemeral")
        context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
        source = context.data_sources.add_pandas("etnc")
        asset = source.add_dataframe_asset("frame")
        _GX["gx"] = gx
        _GX["batch_definition"] = asset.add_batch_definition_whole_dataframe("whole")
    return _GX["gx"], _GX["batch_definition"]


def _date_max(today: date) -> datetime:
    return datetime(today.year + spec.DATE_FUTURE_YEARS, today.month, min(today.day, 28))


def _values(v):
    if v == spec.COUNTRY:
        return list(spec.country_codes())
    if v == spec.CURRENCY:
        return list(spec.currency_codes())
    return list(v)


def build_expectations(gx, rules: list[tuple], today: date) -> list:
    """Turn spec rules into GX expectation objects."""
    E = gx.expectations
    out = []
    for rule in rules:
        kind, args = rule[0], rule[1:]
        if kind == "not_null":
            out += [E.ExpectColumnValuesToNotBeNull(column=c) for c in args[0]]
        elif kind == "unique":
            out.append(E.ExpectColumnValuesToBeUnique(column=args[0]))
        elif kind == "unique_together":
            out.append(E.ExpectCompoundColumnsToBeUnique(column_list=list(args[0])))
        elif kind == "in_set":
            out.append(E.ExpectColumnValuesToBeInSet(column=args[0], value_set=_values(args[1])))
        elif kind == "between":
            out.append(E.ExpectColumnValuesToBeBetween(column=args[0], min_value=args[1], max_value=args[2]))
        elif kind == "positive":
            out.append(E.ExpectColumnValuesToBeBetween(column=args[0], min_value=0, strict_min=True))
        elif kind == "dates":
            lo, hi = datetime.fromisoformat(spec.DATE_MIN), _date_max(today)
            out += [E.ExpectColumnValuesToBeBetween(column=c, min_value=lo, max_value=hi) for c in args[0]]
        elif kind == "regex":
            out.append(E.ExpectColumnValuesToMatchRegex(column=args[0], regex=args[1]))
        elif kind == "true":
            out.append(E.ExpectColumnValuesToBeInSet(column=args[0], value_set=[True]))
        else:
            raise ValueError(f"unknown rule {kind!r}")
    return out


def _jsonable(v):
    if v is None or isinstance(v, (bool, int, str)):
        return v
    if isinstance(v, float):
        return None if math.isnan(v) else v
    if isinstance(v, Decimal):
        return float(v)
    if hasattr(v, "isoformat"):
        try:
            return v.isoformat()
        except ValueError:  # NaT
            return None
    if hasattr(v, "item"):  # numpy scalar
        return _jsonable(v.item())
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    return str(v)


def run_suite(phase: str, table: str, df, expectations: list, detail: bool = True) -> list[Result]:
    """Validate `df` against `expectations` in one GX call; one Result per expectation.
    Without `detail`, GX computes pass/fail only (about 40 % cheaper) and a failing suite
    is validated again with details (observed values, unexpected samples)."""
    gx, bd = _gx()
    suite = gx.ExpectationSuite(name=table)
    for e in expectations:
        suite.add_expectation(e)
    batch = bd.get_batch(batch_parameters={"dataframe": df})
    fmt = {"result_format": "SUMMARY", "partial_unexpected_count": SAMPLE} if detail else {"result_format": "BOOLEAN_ONLY"}
    validation = batch.validate(suite, result_format=fmt)
    if not detail and not validation.success:
        return run_suite(phase, table, df, expectations, detail=True)
    results = []
    for r in validation.results:
        cfg = r.expectation_config
        kwargs = cfg.kwargs
        column = kwargs.get("column") or (",".join(kwargs["column_list"]) if kwargs.get("column_list") else None)
        observed = {k: _jsonable(r.result[k]) for k in
                    ("observed_value", "element_count", "unexpected_count", "unexpected_percent", "missing_count")
                    if k in r.result}
        if cfg.meta:
            observed.update(_jsonable(dict(cfg.meta)))
        info = r.exception_info or {}
        if info.get("raised_exception"):
            observed["exception"] = info.get("exception_message")
        else:  # GX reports per-metric exceptions as a dict of dicts
            for v in info.values() if isinstance(info, dict) else ():
                if isinstance(v, dict) and v.get("raised_exception"):
                    observed["exception"] = v.get("exception_message")
        sample = _jsonable(list(r.result.get("partial_unexpected_list") or []))[:SAMPLE]
        results.append(Result(phase, table, cfg.type, table, column, bool(r.success) and "exception" not in observed,
                              observed, sample))
    return results


# ----------------------------------------------------------------------------------
# suites over frames
# ----------------------------------------------------------------------------------


def _core_results(phase: str, frames: Frames, tables, today: date, counts: dict[str, dict] | None,
                  detail: bool = True) -> list[Result]:
    gx, _ = _gx()
    results = []
    for table in tables:
        df = frames.get(table)
        df = with_derived(table, df, tuple(DERIVATIONS.get(table, {})), frames)
        expectations = build_expectations(gx, spec.CORE[table], today)
        if counts is not None and table in counts:
            c = counts[table]
            expectations.append(gx.expectations.ExpectTableRowCountToBeBetween(
                min_value=c["min"], meta={"previous": c["previous"], "max_drop": spec.MAX_ROW_DROP,
                                          "forced": c.get("forced", False)}))
        results += run_suite(phase, table, df, expectations, detail)
    return results


def _mart_results(phase: str, conn, frames: Frames, today: date) -> list[Result]:
    gx, _ = _gx()
    results = []
    for view, rules in spec.MART.items():
        df = read_view(conn, view)
        df = with_derived(view, df, tuple(DERIVATIONS.get(view, {})), frames)
        results += run_suite(phase, view, df, build_expectations(gx, rules, today))
    return results


def _row_count_limits(conn, run_id: int, force: bool) -> dict[str, dict]:
    """Per core table: rows before this run (now - inserted + deleted) and the minimum allowed."""
    limits = {}
    changes = dict(
        ((t, c), n) for t, c, n in conn.execute(
            "SELECT table_name, change, count(*) FROM etl.changes WHERE run_id = %s GROUP BY 1, 2", (run_id,))
    )
    for table in spec.CORE:
        schema, name = table.split(".")
        now = conn.execute(f'SELECT count(*) FROM "{schema}"."{name}"').fetchone()[0]
        previous = now - changes.get((table, "insert"), 0) + changes.get((table, "delete"), 0)
        limits[table] = {**_limit(previous, force), "now": now}
    return limits


def _limit(previous: int, force: bool) -> dict:
    if force or previous <= 0:
        minimum = 0
    else:
        allowed_drop = max(math.floor(previous * spec.MAX_ROW_DROP), spec.MIN_ROW_DROP)
        minimum = max(previous - allowed_drop, 0)
    return {"previous": previous, "min": minimum, "forced": force}


def _published_row_counts(conn) -> dict[str, dict]:
    """For `check`: the row count each table had at the last successful load's post_load."""
    rows = conn.execute(
        "SELECT DISTINCT ON (d.table_name) d.table_name, (d.observed_value->>'observed_value')::int "
        "FROM etl.dq_results d JOIN etl.runs r USING (run_id) "
        "WHERE d.expectation = %s AND d.phase = 'post_load' AND r.status = 'succeeded' "
        "ORDER BY d.table_name, d.run_id DESC",
        (ROW_COUNT,),
    ).fetchall()
    return {t: _limit(n, False) for t, n in rows if t in spec.CORE and n is not None}


# ----------------------------------------------------------------------------------
# recording
# ----------------------------------------------------------------------------------

_COPY = (
    "COPY etl.dq_results (run_id, phase, suite, expectation, table_name, column_name, success, "
    "observed_value, unexpected_sample) FROM STDIN"
)


def record(conn, run_id: int, results: list[Result]) -> None:
    with conn.cursor() as cur, cur.copy(_COPY) as copy:
        copy.set_types(["int8", "text", "text", "text", "text", "text", "bool", "jsonb", "jsonb"])
        for r in results:
            copy.write_row((run_id, r.phase, r.suite, r.expectation, r.table_name, r.column_name, r.success,
                            Jsonb(r.observed_value), Jsonb(r.unexpected_sample)))


def _record_outside(conn: psycopg.Connection, run_id: int, results: list[Result]) -> None:
    """Write results on a new autocommit connection: they survive the run's rollback."""
    with psycopg.connect(conn.info.dsn, password=conn.info.password, autocommit=True) as other:
        record(other, run_id, results)


# ----------------------------------------------------------------------------------
# entry points
# ----------------------------------------------------------------------------------


# Rows of a mart view that a run published: the view's key matches a business key the run
# inserted or updated in the core table behind it.
MART_SOURCES: dict[str, tuple[str, str]] = {
    "mart.dim_document": ("core.documents", "document_key"),
    "mart.dim_section": ("core.document_sections", "section_key"),
    "mart.dim_citation": ("core.citations", "citation_key"),
    "mart.dim_passage": ("core.passages", "passage_key"),
    "mart.dim_country": ("core.countries", "country_code"),
    "mart.dim_sector": ("core.sectors", "sector_key"),
    "mart.dim_organization": ("core.organizations", "organization_key"),
    "mart.fct_mention": ("core.mentions", "mention_key"),
    "mart.fct_investment": ("core.investments", "investment_key"),
    "mart.fct_agreement": ("core.agreements", "agreement_key"),
    "mart.fct_agreement_party": ("core.agreement_parties", "agreement_party_key"),
    "mart.fct_policy_measure": ("core.policy_measures", "policy_measure_key"),
    "mart.fct_evidence": ("core.evidence", "evidence_key"),
}
MART_CHUNK = 50_000


def validate_loads(conn, loads: list) -> list[Result]:
    """pre_load: the rows a stage is about to write, before they are written."""
    frames = Frames.from_loads(conn, {"stage": loads})
    tables = [tb for tb in frames.own if tb in spec.CORE]
    return _core_results("pre_load", frames, tables, date.today(), None, detail=False)


def _row_count_results(conn, run_id: int, force: bool) -> list[Result]:
    """post_load row counts against the table sizes before the run (SQL counts, no frames)."""
    results = []
    for table, c in _row_count_limits(conn, run_id, force).items():
        now = c["now"]
        observed = {"observed_value": now, "previous": c["previous"], "max_drop": spec.MAX_ROW_DROP,
                    "min_drop_rows": spec.MIN_ROW_DROP, "forced": c["forced"]}
        results.append(Result("post_load", table, ROW_COUNT, table, None, now >= c["min"], observed, []))
    return results


def _changed_mart_results(conn, run_id: int) -> list[Result]:
    """post_load: the mart contract on the rows this run inserted or updated, in chunks so
    memory does not grow with the database."""
    gx, _ = _gx()
    today = date.today()
    frames = Frames(conn)
    results: list[Result] = []
    for view, rules in spec.MART.items():
        source, key = MART_SOURCES[view]
        keys = [k for (k,) in conn.execute(
            "SELECT business_key FROM etl.changes WHERE run_id = %s AND table_name = %s AND change <> 'delete'",
            (run_id, source))]
        schema, name = view.split(".")
        for i in range(0, len(keys), MART_CHUNK):
            cur = conn.execute(f'SELECT * FROM "{schema}"."{name}" WHERE "{key}" = ANY(%s)', (keys[i:i + MART_CHUNK],))
            df = _frame_from(cur)
            df = with_derived(view, df, tuple(DERIVATIONS.get(view, {})), frames)
            results += run_suite("post_load", view, df, build_expectations(gx, rules, today), detail=False)
    return results


def validate_published(conn, run_id: int, force: bool = False) -> list[Result]:
    """post_load, inside the run's transaction: row-count limits for every core table and
    the mart contract on the rows the run published."""
    t = time.perf_counter()
    results = _row_count_results(conn, run_id, force)
    results += _changed_mart_results(conn, run_id)
    LAST_TIMINGS["post_load"] = round(time.perf_counter() - t, 3)
    return results


def finish_validation(conn, run_id: int, results: list[Result]) -> list[str]:
    """Record results in the run's transaction (and, when something failed, outside it so
    they survive the rollback); return the failure messages."""
    failures = [r for r in results if not r.success]
    record(conn, run_id, results)
    if failures:
        _record_outside(conn, run_id, results)
    return [r.message() for r in failures]


def validate_run(conn, run_id: int, loads_by_stage: dict, force: bool = False) -> list[str]:
    """Both phases at once (for callers holding all loads): the frames, then the published
    tables. The pipeline calls validate_loads before each write instead."""
    LAST_TIMINGS.clear()
    results = []
    for loads in loads_by_stage.values():
        results += validate_loads(conn, loads)
    results += validate_published(conn, run_id, force)
    return finish_validation(conn, run_id, results)


def check_database(url: str, report_path: Path | str, wait_seconds: float = 60.0) -> dict[str, int]:
    """Run every suite on the published database (phase check) under a new etl.runs row,
    record the results, write a Markdown report. Returns {"passed": n, "failed": n}."""
    from etnc_db.load.ledger import Ledger, acquire_lock, release_lock

    report_path = Path(report_path)
    LAST_TIMINGS.clear()
    ledger = Ledger(url)
    conn = psycopg.connect(url, autocommit=False)
    run_id = None
    try:
        acquire_lock(conn, wait_seconds)  # no load may change the tables under the check
        conn.commit()
        ledger.mark_abandoned()
        run_id = ledger.start("check", "")
        t = time.perf_counter()
        today = date.today()
        frames = Frames(conn)
        results = _core_results("check", frames, list(spec.CORE), today, _published_row_counts(conn))
        results += _mart_results("check", conn, frames, today)
        LAST_TIMINGS["check"] = round(time.perf_counter() - t - LAST_TIMINGS.get("gx_import", 0), 3)
        conn.rollback()  # the check only read
        record(ledger.conn, run_id, results)
        failed = [r for r in results if not r.success]
        summary = {"passed": len(results) - len(failed), "failed": len(failed)}
        write_report(report_path, run_id, results, LAST_TIMINGS)
        ledger.finish(run_id, status="failed" if failed else "succeeded",
                      error=f"data-quality check: {len(failed)} of {len(results)} expectations failed" if failed else None,
                      timings=dict(LAST_TIMINGS))
        return summary
    except BaseException as exc:
        conn.rollback()
        if run_id is not None:
            text = str(exc).strip().splitlines()
            ledger.finish(run_id, status="failed", error=text[0] if text else exc.__class__.__name__,
                          timings=dict(LAST_TIMINGS))
        raise
    finally:
        try:
            release_lock(conn)
            conn.commit()
        except Exception:  # noqa: BLE001
            pass
        conn.close()
        ledger.close()


def _cell(v) -> str:
    text = json.dumps(v, default=str, ensure_ascii=False) if not isinstance(v, str) else v
    text = text.replace("|", "\\|").replace("\n", " ")
    return text if len(text) <= 120 else text[:117] + "..."


def write_report(path: Path, run_id: int, results: list[Result], timings: dict[str, float]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    failed = [r for r in results if not r.success]
    suites: dict[str, list[Result]] = {}
    for r in results:
        suites.setdefault(r.suite, []).append(r)
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# etnc-db data-quality report", "",
        f"Run {run_id} (`etnc-db check`), {now}: **{len(results) - len(failed)} passed, {len(failed)} failed** "
        f"across {len(suites)} suites ({len([s for s in suites if s.startswith('core.')])} core tables, "
        f"{len([s for s in suites if s.startswith('mart.')])} mart views).", "",
        "Results are also in `etl.dq_results` (phase `check`, run_id above). "
        "Suites are defined in `src/etnc_db/quality/spec.py`; see docs/data-quality.md.", "",
    ]
    if failed:
        lines += ["## Failed", "", "| suite | expectation | column | observed | unexpected sample |",
                  "|---|---|---|---|---|"]
        lines += [f"| {r.suite} | {r.expectation} | {r.column_name or ''} | {_cell(r.observed_value)} | "
                  f"{_cell(r.unexpected_sample)} |" for r in failed]
        lines.append("")
    else:
        lines += ["## Failed", "", "Nothing failed.", ""]
    lines += ["## Suites", "", "| suite | passed | failed | rows |", "|---|---:|---:|---:|"]
    for name, rs in suites.items():
        rows = next((r.observed_value.get("element_count") for r in rs if "element_count" in r.observed_value), "")
        count = next((r.observed_value.get("observed_value") for r in rs if r.expectation == ROW_COUNT), rows)
        lines.append(f"| {name} | {sum(r.success for r in rs)} | {sum(not r.success for r in rs)} | {count} |")
    lines += ["", "## Every expectation", ""]
    for name, rs in suites.items():
        lines += [f"### {name}", "", "| | expectation | column | observed |", "|---|---|---|---|"]
        for r in rs:
            obs = {k: v for k, v in r.observed_value.items() if k != "missing_count"}
            lines.append(f"| {'pass' if r.success else '**FAIL**'} | {r.expectation} | {r.column_name or ''} | {_cell(obs)} |")
        lines.append("")
    if timings:
        lines += ["## Timings (seconds)", "", ", ".join(f"{k}: {v}" for k, v in timings.items()), ""]
    path.write_text("\n".join(lines), encoding="utf-8")
