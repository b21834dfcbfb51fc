"""The Great Expectations engine of `etnc-db check`: validate parsed suites
(`suite_files`) against PostgreSQL with GX's SQL execution engine, so that every metric
is computed by a query in the database (no table is read into pandas), and build GX
Data Docs.

GX is imported only inside these functions (its import takes seconds; the CLI must stay
fast), with analytics off, progress bars off, its log quieted and its warnings caught, so
a check prints nothing of GX's. Two modules GX imports but never uses for SQL checks
(`scipy.stats` for KS/KL-divergence expectations and `altair` for their charts) are
loaded lazily, on first use.
"""

from __future__ import annotations

import importlib.util
import logging
import math
import os
import shutil
import sys
import time
import warnings
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from etnc_db.config import to_sqlalchemy_url
from etnc_db.quality.suite_files import Suite

SAMPLE = 5  # unexpected values (or rows, with the suite's key) kept per expectation
DATA_SOURCE = "etnc"
DOCS_SITE = "etnc"
_RESULT_KEYS = ("observed_value", "element_count", "unexpected_count", "unexpected_percent", "missing_count",
                "details")
_DEFERRED = ("scipy.stats", "altair")  # GX imports them eagerly; only KS/KL-divergence expectations use them


@dataclass
class Result:
    """One expectation's outcome, as plain data (what goes into etl.dq_results)."""

    suite: str
    expectation: str
    table_name: str
    column_name: str | None
    success: bool
    observed_value: dict[str, Any] = field(default_factory=dict)
    unexpected_sample: list[Any] = field(default_factory=list)
    why: str | None = None
    index: int = 0  # position in the suite file

    def message(self) -> str:
        col = f"({self.column_name})" if self.column_name else ""
        obs = self.observed_value
        if "exception" in obs:
            what = f"error: {obs['exception']}"
        elif "unexpected_count" in obs:
            what = f"{obs['unexpected_count']} unexpected of {obs.get('element_count')}"
            if self.unexpected_sample:
                what += ", e.g. " + ", ".join(_short(v) for v in self.unexpected_sample[:3])
        else:
            shown = {k: v for k, v in obs.items() if k != "details"}
            what = "observed " + ", ".join(f"{k} {_short(v)}" for k, v in shown.items())
        return f"{self.suite}: {self.expectation}{col}: {what}"


@dataclass
class Validation:
    results: list[Result]
    timings: dict[str, float]
    data_docs_index: Path | None


def _short(v) -> str:
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k}: {_short(x)}" for k, x in v.items()) + "}"
    text = str(v)
    return text if len(text) <= 60 else text[:57] + "..."


# ----------------------------------------------------------------------------------
# importing GX
# ----------------------------------------------------------------------------------


def _defer_import(name: str) -> None:
    """Put a lazily loading module in sys.modules: it is executed on first attribute
    access (importlib.util.LazyLoader), so `from scipy import stats` at GX's import costs
    nothing until a KS test actually runs."""
    if name in sys.modules:
        return
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return
    if spec is None or spec.loader is None:
        return
    spec.loader = importlib.util.LazyLoader(spec.loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    parent, _, child = name.rpartition(".")
    if parent and parent in sys.modules:
        setattr(sys.modules[parent], child, module)


def import_gx():
    """Import great_expectations quietly; returns the module."""
    if "great_expectations" in sys.modules:
        return sys.modules["great_expectations"]
    os.environ["GX_ANALYTICS_ENABLED"] = "false"
    for name in _DEFERRED:
        _defer_import(name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import great_expectations as gx
    return gx


# ----------------------------------------------------------------------------------
# turning GX results into plain data
# ----------------------------------------------------------------------------------


def jsonable(v):
    if v is None or isinstance(v, (bool, int, str)):
        return v
    if isinstance(v, float):
        return None if math.isnan(v) or math.isinf(v) else v
    if isinstance(v, Decimal):
        return float(v)
    if hasattr(v, "isoformat"):
        try:
            return v.isoformat()
        except ValueError:
            return None
    if hasattr(v, "item"):  # numpy scalar
        return jsonable(v.item())
    if isinstance(v, (list, tuple, set)):
        return [jsonable(x) for x in v]
    if isinstance(v, dict):
        return {str(k): jsonable(x) for k, x in v.items()}
    return str(v)


def _exception(info) -> str | None:
    if not info:
        return None
    if info.get("raised_exception"):
        return str(info.get("exception_message") or "exception").strip().splitlines()[0]
    for v in info.values():  # per-metric exceptions: a dict of dicts
        if isinstance(v, dict) and v.get("raised_exception"):
            return str(v.get("exception_message") or "exception").strip().splitlines()[0]
    return None


def _result(suite: Suite, r) -> Result:
    cfg = r.expectation_config
    meta = dict(cfg.meta or {})
    index = int(meta.get("etnc_index", 0))
    spec = suite.expectations[index]
    res = r.result or {}
    observed = {k: jsonable(res[k]) for k in _RESULT_KEYS if k in res and res[k] is not None}
    if "details" in observed and not observed["details"]:
        del observed["details"]
    error = _exception(r.exception_info)
    if error:
        observed["exception"] = error
    sample = res.get("partial_unexpected_index_list") or res.get("partial_unexpected_list") or []
    if not sample and isinstance(res.get("details"), dict):
        sample = res["details"].get("unexpected_rows") or []
    return Result(suite.name, cfg.type, suite.about, spec.column, bool(r.success) and not error, observed,
                  jsonable(list(sample))[:SAMPLE], spec.why, index)


def _failed_suite(suite: Suite, error: str) -> list[Result]:
    """A suite GX could not run at all (its table is gone, its query does not parse)."""
    return [Result(suite.name, e.type, suite.about, e.column, False, {"exception": error}, [], e.why, i)
            for i, e in enumerate(suite.expectations)]


# ----------------------------------------------------------------------------------
# validation
# ----------------------------------------------------------------------------------


def _clear_docs(directory: Path) -> None:
    """Remove what an earlier build left (GX only adds files), and nothing else."""
    for name in ("index.html", "static", "expectations", "validations"):
        p = directory / name
        if p.is_dir():
            shutil.rmtree(p)
        elif p.exists():
            p.unlink()


def _context(gx, docs_dir: Path | None):
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    sites = {}
    if docs_dir is not None:
        sites[DOCS_SITE] = {
            "class_name": "SiteBuilder",
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(docs_dir)},
        }
    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
        data_docs_sites=sites,
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False, metric_calculations=False),
    )
    return gx.get_context(mode="ephemeral", project_config=config)


def gx_suite(gx, suite: Suite):
    """The GX ExpectationSuite of a parsed suite (GX validates the keyword arguments)."""
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    expectations = []
    for i, e in enumerate(suite.expectations):
        meta = {**e.meta, "etnc_index": i}
        if e.why:
            meta["why"] = e.why
        expectations.append(ExpectationConfiguration(type=e.type, kwargs=dict(e.kwargs), meta=meta).to_domain_obj())
    return gx.ExpectationSuite(name=suite.name, expectations=expectations)


def expectation_types() -> set[str]:
    """Every expectation name GX registers (for checking suite files)."""
    import_gx()
    from great_expectations.expectations.registry import list_registered_expectation_implementations

    return set(list_registered_expectation_implementations())


def validate(url: str, suites: list[Suite], parameters: dict[str, dict[str, Any]] | None = None,
             docs_dir: Path | None = None) -> Validation:
    """Validate every suite on the database at `url`; `parameters[suite]` are its
    `$PARAMETER` values. With `docs_dir`, also build GX Data Docs there."""
    timings: dict[str, float] = {}
    t = time.perf_counter()
    gx = import_gx()
    timings["gx_import"] = time.perf_counter() - t
    from great_expectations.data_context.data_context.context_factory import project_manager

    try:  # GX keeps the last context in a global that suites resolve their store through;
        previous = project_manager.get_current_project()  # give back the one we found
    except Exception:  # noqa: BLE001 - DataContextRequiredError: there was none
        previous = None
    gx_log = logging.getLogger("great_expectations")
    level = gx_log.level
    gx_log.setLevel(logging.CRITICAL)  # failures are in the results; GX need not log them too
    results: list[Result] = []
    source = None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t = time.perf_counter()
            if docs_dir is not None:
                docs_dir = Path(docs_dir).resolve()
                _clear_docs(docs_dir)
            context = _context(gx, docs_dir)
            # add_sql, not add_postgres: GX's PostgreSQL source insists on a host name in the
            # URL and refuses a Unix-socket URL (the embedded server's); the dialect comes
            # from the engine either way.
            source = context.data_sources.add_sql(DATA_SOURCE, connection_string=to_sqlalchemy_url(url))
            definitions = []
            for suite in suites:
                try:
                    if suite.query is not None:
                        asset = source.add_query_asset(suite.name, query=suite.query)
                    else:
                        schema, table = suite.table.split(".", 1)
                        asset = source.add_table_asset(suite.name, table_name=table, schema_name=schema)
                    batch = asset.add_batch_definition_whole_table("all rows")
                    added = context.suites.add(gx_suite(gx, suite))
                    vd = context.validation_definitions.add(
                        gx.ValidationDefinition(name=suite.name, data=batch, suite=added))
                    definitions.append((suite, vd))
                except Exception as exc:  # noqa: BLE001 - recorded as the suite's failure
                    results += _failed_suite(suite, _first_line(exc))
            timings["context"] = time.perf_counter() - t
            t = time.perf_counter()
            for suite, vd in definitions:
                params = (parameters or {}).get(suite.name) or None
                try:
                    # Counts and observed values only: with a sample size of 0 GX's sample
                    # queries are LIMIT 0, which PostgreSQL answers without scanning (on a
                    # view with joins, each sample query otherwise costs a full evaluation).
                    run = vd.run(expectation_parameters=params, result_format=dict(COUNTS))
                    if not run.success:  # again, with samples of the unexpected rows
                        run = vd.run(expectation_parameters=params, result_format=_detail(suite))
                except Exception as exc:  # noqa: BLE001
                    results += _failed_suite(suite, _first_line(exc))
                    continue
                results += sorted((_result(suite, r) for r in run.results), key=lambda r: r.index)
            timings["validate"] = time.perf_counter() - t
            index = None
            if docs_dir is not None:
                t = time.perf_counter()
                context.build_data_docs(site_names=[DOCS_SITE])
                index = docs_dir / "index.html"
                timings["data_docs"] = time.perf_counter() - t
    finally:
        gx_log.setLevel(level)
        if source is not None:
            _close(source)
        project_manager.set_project(previous)
    order = {s.name: i for i, s in enumerate(suites)}
    results.sort(key=lambda r: (order[r.suite], r.index))
    return Validation(results, {k: round(v, 3) for k, v in timings.items()}, index)


COUNTS = {"result_format": "SUMMARY", "partial_unexpected_count": 0}


def _detail(suite: Suite) -> dict[str, Any]:
    fmt: dict[str, Any] = {"result_format": "SUMMARY", "partial_unexpected_count": SAMPLE}
    if suite.key:
        fmt["unexpected_index_column_names"] = [suite.key]
    return fmt


def _close(source) -> None:
    """Close GX's SQLAlchemy connections now rather than at exit."""
    try:
        source.get_execution_engine().close()
    except Exception:  # noqa: BLE001 - best effort
        pass


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else exc.__class__.__name__
