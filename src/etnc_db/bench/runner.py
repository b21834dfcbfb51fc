"""The benchmark behind `etnc-db bench` (issue 18's measurements).

Per scale (1× = the real corpus, N× = a synthetic corpus from the generator):

* full build: `etnc-db run` as a CLI process into an empty migrated database (a fresh
  copy of a migrated template; server start and migration are never timed), `repeat`
  times, each on its own fresh database, with its per-stage timings from etl.runs;
* the floors the benchmark computes itself from that build's rows: every core table of
  the built database dumped with COPY TO, then (a) COPY FROM into a fresh migrated
  database in FK order, and (b) COPY FROM into bare tables and every key, index, check,
  FK and trigger built after, each `repeat` times in its own process and database;
* no-op `etnc-db load` and no-op `etnc-db run` (CLI processes) on the built database;
* at the largest scale: etl.changes' share of the database after the first build,
  `etnc-db check` (with the GX import time its run records) and every analysis query.

Every measurement records wall time, the process's peak RSS (ru_maxrss from wait4) and
the 1-minute load average before and after. Writes results.json, results.md and plans/
to the output folder. No timing is asserted: numbers are set beside the targets."""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

from etnc_db.bench import measure
from etnc_db.bench.generator import generate
from etnc_db.bench.results_markdown import kept_sections, markdown, with_kept
from etnc_db.config import project_dir
from etnc_db.workers import TIMING_PREFIX as WORKER

DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
PREFIX = "bench_"


@dataclass
class Proc:
    """One measured child process."""

    wall: float
    rss_mb: float
    rc: int
    data: dict
    stderr: str
    load: tuple[float, float]  # 1-minute load average before and after

    def record(self, **extra) -> dict:
        """The run as stored in results.json."""
        return {"s": self.wall, "rss_mb": self.rss_mb, "rc": self.rc, "load1": list(self.load), **extra}


def run_measured(args: list[str], env: dict | None = None, cwd: Path | None = None) -> Proc:
    """Run `args` to completion; wall time from spawn to exit, peak RSS from os.wait4
    (outputs go through temporary files, so a chatty child never blocks on a pipe)."""
    import tempfile

    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        before = os.getloadavg()[0]
        t = time.perf_counter()
        p = subprocess.Popen(args, stdout=out, stderr=err, env=env, cwd=cwd, text=True)
        _, status, usage = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t
        p.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    return Proc(round(wall, 4), round(usage.ru_maxrss / 1024, 1), p.returncode, json_tail(stdout),
                stderr.strip()[-2000:], (round(before, 2), round(os.getloadavg()[0], 2)))


def json_tail(out: str) -> dict:
    """The JSON object a child printed last (one line, or the CLI's pretty-printed block)."""
    text = out.strip()
    start = 0 if text.startswith("{") else text.rfind("\n{") + 1
    for candidate in (text, text[start:]):
        try:
            data = json.loads(candidate)
            return data if isinstance(data, dict) else {}
        except ValueError:
            continue
    return {}


def with_db(server_url: str, name: str) -> str:
    """The server URL pointing at database `name`."""
    parts = urlsplit(server_url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def etnc_db() -> str:
    """The etnc-db console script of this interpreter's environment."""
    return str(Path(sys.executable).with_name("etnc-db"))


@dataclass
class Inputs:
    """The folders one build reads (ETNC_CORPUS, ETNC_CURATED, ETNC_REFERENCE)."""

    corpus: Path
    curated: Path
    reference: Path
    documents: int = 0
    text_bytes: int = 0

    def env(self, url: str) -> dict:
        """The environment of an etnc-db process that builds these inputs into `url`."""
        return dict(os.environ, DATABASE_URL=url, ETNC_CORPUS=str(self.corpus), ETNC_CURATED=str(self.curated),
                    ETNC_REFERENCE=str(self.reference))


class Databases:
    """bench_* databases on one server: a migrated template, fresh copies of it, dropped
    at the end (or kept with --keep)."""

    def __init__(self, server_url: str, keep: bool):
        """Databases on the server at `server_url`; `keep`: --keep."""
        self.server_url, self.keep = server_url, keep
        self.created: list[str] = []
        self.template = PREFIX + "template"

    def _admin(self, *statements: str) -> None:
        """Run statements on the server's maintenance database (autocommit)."""
        with psycopg.connect(self.server_url, autocommit=True) as conn:
            for s in statements:
                conn.execute(s)

    def migrate_template(self) -> None:
        """Create the template and migrate it (schema and views) with `etnc-db db upgrade`."""
        self._admin(f'DROP DATABASE IF EXISTS "{self.template}" WITH (FORCE)', f'CREATE DATABASE "{self.template}"')
        self.created.append(self.template)
        env = dict(os.environ, DATABASE_URL=with_db(self.server_url, self.template))
        subprocess.run([etnc_db(), "db", "upgrade"], env=env, check=True, capture_output=True)

    def fresh(self, name: str) -> str:
        """A new database `name`, a copy of the migrated template with its database-level
        settings (CREATE DATABASE … TEMPLATE copies the contents only, not what migrations
        set with ALTER DATABASE, such as jit = off); its URL."""
        name = PREFIX + name
        self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        self.created.append(name)
        with psycopg.connect(self.server_url, autocommit=True) as conn:
            settings = conn.execute(
                "SELECT unnest(s.setconfig) FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase "
                "WHERE d.datname = %s AND s.setrole = 0", (self.template,)).fetchall()
            for (setting,) in settings:
                key, value = setting.split("=", 1)
                conn.execute(sql.SQL("ALTER DATABASE {} SET {} = {}").format(
                    sql.Identifier(name), sql.Identifier(key), sql.Literal(value)))
        return with_db(self.server_url, name)

    def drop(self, url: str, built: bool = False) -> None:
        """Drop a database made by `fresh` now; with --keep, a scale's `built` database stays."""
        name = urlsplit(url).path.lstrip("/")
        if not (self.keep and built):
            self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            self.created.remove(name)

    def drop_all(self) -> None:
        """Drop what is left (the template always, the built databases unless --keep)."""
        for name in list(self.created):
            if not self.keep or name == self.template:
                self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                self.created.remove(name)


def summary(runs: list[dict]) -> dict:
    """min, median and max peak RSS of runs recorded by Proc.record (failed runs excluded
    from the times, counted in `failed`)."""
    ok = [r["s"] for r in runs if r["rc"] == 0]
    return {"min": min(ok) if ok else None, "median": round(statistics.median(ok), 4) if ok else None,
            "rss_mb": max((r["rss_mb"] for r in runs), default=None),
            "load1": [r["load1"][0] for r in runs], "failed": len(runs) - len(ok), "runs": runs}


def last_run(url: str, command: str) -> dict:
    """The last etl.runs row of `command`: status, timings, error."""
    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT run_id, status, timings, error FROM etl.runs WHERE command = %s "
                           "ORDER BY run_id DESC LIMIT 1", (command,)).fetchone()
    return {} if row is None else {"run_id": row[0], "status": row[1], "timings": row[2] or {}, "error": row[3]}


def stage_medians(runs: list[dict]) -> dict[str, float]:
    """Median seconds per stage over the runs' etl.runs timings."""
    names = sorted({k for r in runs for k in (r.get("timings") or {})})
    return {k: round(statistics.median((r.get("timings") or {}).get(k, 0.0) for r in runs), 4) for k in names}


@dataclass
class Bench:
    """One benchmark invocation: where it writes, which server, how often it repeats."""

    out_dir: Path
    dbs: Databases
    repeat: int
    log: object = print
    report: dict = field(default_factory=dict)

    def cli(self, args: list[str], url: str, inputs: Inputs) -> Proc:
        """`etnc-db ARGS` as a measured process on database `url` with `inputs`."""
        return run_measured([etnc_db(), *args], env=inputs.env(url))

    def builds(self, n: int, inputs: Inputs) -> tuple[dict, str]:
        """`repeat` full builds, each into a fresh migrated database; the first good
        one's database is kept for the measurements that need a built database."""
        runs, kept = [], None
        for r in range(self.repeat):
            url = self.dbs.fresh(f"x{n}_build{r}")
            p = self.cli(["run", "--json"], url, inputs)
            ledger = last_run(url, "run")
            runs.append(p.record(timings=ledger.get("timings"), status=ledger.get("status"),
                                 error=ledger.get("error") or (p.stderr.splitlines()[-1:] or [None])[0] if p.rc else None))
            self.log(f"[bench] {n}x build {r + 1}/{self.repeat}: {p.wall:.2f} s (rc {p.rc}, load {p.load[0]})")
            if kept is None and p.rc == 0:
                kept = url
            else:
                self.dbs.drop(url)
        out = summary(runs)
        good = [r for r in runs if r["rc"] == 0]
        out["stages"] = stage_medians(good)
        if good:  # process start, imports, schema check, run lock and ledger, commit
            out["stages"]["(not in a stage)"] = round(statistics.median(
                r["s"] - sum(v for k, v in (r.get("timings") or {}).items() if not k.startswith(WORKER))
                for r in good), 4)
        return out, kept

    def floors(self, n: int, dump_dir: Path) -> dict:
        """Floors (a) indexed and (b) bare, `repeat` times each, each in a fresh database."""
        out = {}
        for kind in ("indexed", "bare"):
            runs = []
            for r in range(self.repeat):
                url = self.dbs.fresh(f"x{n}_floor_{kind}{r}")
                p = run_measured([sys.executable, "-m", "etnc_db.bench.measure", f"floor-{kind}", url, str(dump_dir)])
                runs.append(p.record(db_s=p.data.get("seconds"), detail=p.data, error=p.stderr[-300:] if p.rc else None))
                self.log(f"[bench] {n}x floor {kind} {r + 1}/{self.repeat}: {p.data.get('seconds')} s (rc {p.rc})")
                self.dbs.drop(url)
            out[kind] = _db_summary(runs)
        return out

    def noops(self, url: str, inputs: Inputs) -> dict:
        """No-op `etnc-db load` and `etnc-db run` on the built database."""
        out = {}
        for command in ("load", "run"):
            runs = []
            for _ in range(self.repeat):
                p = self.cli([command, "--json"], url, inputs)
                runs.append(p.record(rows_changed=sum(sum(c.values()) for c in (p.data.get("tables") or {}).values()),
                                     timings=p.data.get("timings"), error=p.stderr[-300:] if p.rc else None))
            out[command] = summary(runs)
            self.log(f"[bench] no-op {command}: median {out[command]['median']} s")
        return out

    def check(self, url: str, inputs: Inputs) -> dict:
        """`etnc-db check` on the built database, with the timings its run records."""
        folder = self.out_dir / "check"
        runs = []
        for _ in range(self.repeat):
            before = last_run(url, "check").get("run_id")
            p = self.cli(["check", "--report", str(folder / "data-quality.md"), "--data-docs", str(folder / "data-docs")],
                         url, inputs)
            ledger = last_run(url, "check")
            ledger = ledger if ledger.get("run_id") != before else {}
            timings = ledger.get("timings") or {}
            p.rc = 0 if ledger.get("status") in ("succeeded", "failed") else p.rc or 1  # failed expectations still timed
            runs.append(p.record(timings=timings, status=ledger.get("status"), error=ledger.get("error"),
                                 gx_import_s=timings.get("gx_import"),
                                 excl_import_s=round(p.wall - timings.get("gx_import", 0.0), 4)))
            self.log(f"[bench] check: {p.wall:.2f} s (GX import {timings.get('gx_import')})")
        out = summary(runs)
        ok = [r for r in runs if r["rc"] == 0]
        out["excl_import"] = {"min": min((r["excl_import_s"] for r in ok), default=None),
                              "median": statistics.median([r["excl_import_s"] for r in ok]) if ok else None}
        out["gx_import"] = {"min": min((r["gx_import_s"] or 0 for r in ok), default=None),
                            "median": statistics.median([r["gx_import_s"] or 0 for r in ok]) if ok else None}
        return out

    def queries(self, url: str) -> dict:
        """The analysis queries, in their own process (see measure.queries)."""
        p = run_measured([sys.executable, "-m", "etnc_db.bench.measure", "queries", url, str(self.out_dir / "plans")])
        return {"rss_mb": p.rss_mb, "load1": list(p.load), "queries": p.data.get("queries", []),
                "error": p.stderr[-500:] if p.rc else None}

    def save(self) -> None:
        """Write results.json and results.md as they stand (after every measurement)."""
        _write(self.out_dir, self.report)

    def scale(self, n: int, inputs: Inputs, largest: bool) -> None:
        """Every measurement of one scale, saved as each one is done."""
        s: dict = {"documents": inputs.documents, "text_mb": round(inputs.text_bytes / 1e6, 3)}
        self.report["scales"][n] = s
        s["build"], url = self.builds(n, inputs)
        self.save()
        if url is None:
            return
        try:
            s["changes"] = changes_share(url)
            dump_dir = self.out_dir / "dumps" / f"x{n}"
            s["dump"] = measure.dump_core(url, dump_dir)
            s["floors"] = self.floors(n, dump_dir)
            _remove_dump(dump_dir)
            self.save()
            s["noop"] = self.noops(url, inputs)
            self.save()
            if largest:
                s["queries"] = self.queries(url)
                s["check"] = self.check(url, inputs)
        finally:
            self.dbs.drop(url, built=True)
            self.save()


def _db_summary(runs: list[dict]) -> dict:
    """A floor's summary: min and median of the database time (preparation excluded)."""
    ok = [r["db_s"] for r in runs if r["rc"] == 0 and r["db_s"] is not None]
    out = summary(runs)
    out.update({"min": min(ok) if ok else None, "median": round(statistics.median(ok), 4) if ok else None})
    return out


def _remove_dump(folder: Path) -> None:
    """Delete a scale's dump once its floors are measured (hundreds of MB at 100×)."""
    for p in folder.glob("*"):
        p.unlink()
    folder.rmdir()


def changes_share(url: str) -> dict:
    """etl.changes' size (table, indexes, TOAST) as a share of the database's size."""
    with psycopg.connect(url) as conn:
        changes, database, rows = conn.execute(
            "SELECT pg_total_relation_size('etl.changes'), pg_database_size(current_database()), "
            "(SELECT count(*) FROM etl.changes)").fetchone()
    return {"changes_bytes": changes, "database_bytes": database, "rows": rows, "share": round(changes / database, 5)}


def inputs_for(n: int, corpora_dir: Path, seed: int) -> Inputs:
    """1×: the project's own folders; N×: a synthetic corpus generated from them."""
    from etnc_db.config import Settings

    settings = Settings.from_env()
    if n == 1:
        files = [p for p in settings.corpus_dir.iterdir() if p.suffix in (".txt", ".md")]
        return Inputs(settings.corpus_dir, settings.curated_dir, settings.reference_dir, len(files),
                      sum(p.stat().st_size for p in files))
    g = generate(settings.corpus_dir, settings.curated_dir, corpora_dir / f"x{n}", n, seed=seed,
                 source_reference=settings.reference_dir)
    return Inputs(g.corpus_dir, g.curated_dir, g.reference_dir, g.documents, g.text_bytes)


def _machine() -> dict:
    """What the numbers were measured on."""
    return {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform(),
            "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)}


@dataclass(frozen=True)
class Options:
    """What `etnc-db bench` was asked for."""

    scales: tuple[int, ...] = (1, 10, 100)
    server_url: str | None = None  # default: DATABASE_URL, else DEFAULT_SERVER
    seed: int = 20260
    keep: bool = False
    repeat: int = 5


def run_bench(out_dir: Path, options: Options = Options(), log=print) -> dict:
    """Measure every scale; results.json and results.md are written after every step."""
    server_url = options.server_url or os.environ.get("DATABASE_URL") or DEFAULT_SERVER
    out_dir.mkdir(parents=True, exist_ok=True)
    bench = Bench(out_dir, Databases(server_url, options.keep), max(1, options.repeat), log)
    bench.report = {"machine": _machine(), "seed": options.seed, "repeat": bench.repeat, "scales": {},
                    "started": time.strftime("%Y-%m-%d %H:%M:%S %z"), "load_at_start": list(os.getloadavg())}
    try:
        bench.dbs.migrate_template()
        for n in sorted(options.scales):
            log(f"[bench] {n}x: preparing the corpus")
            inputs = inputs_for(n, out_dir / "corpora", options.seed)
            bench.scale(n, inputs, largest=n == max(options.scales))
    finally:
        bench.dbs.drop_all()
    bench.report["finished"] = time.strftime("%Y-%m-%d %H:%M:%S %z")
    bench.report["load_at_end"] = list(os.getloadavg())
    bench.save()
    return bench.report


def _write(out_dir: Path, report: dict) -> None:
    """results.json (every run) and results.md (the summary)."""
    (out_dir / "results.json").write_text(json.dumps(report, indent=2, default=str) + "\n", encoding="utf-8")
    write_page(out_dir / "results.md", markdown(report), project_dir() / "bench" / "results.md")


def write_page(path: Path, page: str, committed: Path) -> None:
    """Write the results page to `path`, carrying over the sections other harnesses wrote
    (results_markdown.KEPT_SECTIONS) from the page already there or, failing that, from
    the `committed` bench/results.md, so copying a new run over it loses none of them."""
    for source in (path, committed):
        previous = source.read_text(encoding="utf-8") if source.is_file() else ""
        if kept_sections(previous):
            page = with_kept(page, previous)
            break
    path.write_text(page, encoding="utf-8")
