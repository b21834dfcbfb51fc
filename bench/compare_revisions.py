"""Before/after benchmark of several revisions of etnc-db in one run (issue 12).

What it runs: each revision is a git worktree of this repository at one commit (made
beforehand with `git worktree add --detach DIR COMMIT`, outside the repository). Every
measurement is a separate process of THAT revision's code, `python -c <driver>` with
PYTHONPATH=<worktree>/src and the worktree as current directory, so it reads its own
etl/, data/ and sql/ (old code finds its project root from the package path, new code
from the current directory; both are the worktree). Each revision builds its own data:
1x = its data/corpus, etl/curated and etl/reference; 100x = the synthetic corpus its own
generator (etnc_db.bench.generator.generate, seed 20260) writes from those folders.

Per revision, scale and repetition, revisions interleaved (rev A, rev B, rev C, rev A, ...)
so that machine load falls on all of them alike, each in a fresh database
<prefix>_<rev>_x<N> (created, migrated with `etnc-db db upgrade` untimed):

* build without checks: `etnc-db run --json` into the empty database. For a revision
  that ran Great Expectations inside the run (RunOptions.validate), the driver sets
  validate=False on the options the CLI builds, and nothing else changes;
* checks alone: `etnc-db check` on the database just built;
* no-op reload: `etnc-db load --json` with nothing changed, `--noops` times;
* build with checks: for an in-run-GX revision, `etnc-db run --json` with GX on into a
  second fresh database (its `validate` stage time is recorded too); for the others,
  `run` followed by `check`, so the sum of the two measured processes.

Every measurement records wall time (spawn to exit), peak RSS (/usr/bin/time -v,
"Maximum resident set size"), the process's CPU seconds (user + system, client side
only: PostgreSQL's own work is not in them), the rows a build inserted, the run's own
stage timings (--json) and the load average (/proc/loadavg) before and after.
One untimed warm-up build per revision at 1x comes first (byte-compiles the revision's
modules, fills its state folder's FX cache). Results go to OUT/compare.json after every
measurement, and OUT/compare.md (the summary table and the median seconds per stage)
at the end.

    /work/main/.venv/bin/python bench/compare_revisions.py \\
        --rev before=/work/wt/rev-before --rev after=/work/wt/rev-after --rev today=/work/wt/rev-today \\
        [--server postgresql://postgres@127.0.0.1:5432/postgres] [--prefix bench12] \\
        [--reps 3] [--reps-100x 1] [--noops 5] [--out bench/out/compare] [--work /tmp/bench12]

No timing is asserted: the script measures and reports.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
from etnc_db.bench.runner import json_tail  # noqa: E402  (the child's JSON summary, read as `etnc-db bench` reads it)

DRIVER = ("import sys\n"
          "from etnc_db.cli import main\n"
          "sys.argv = ['etnc-db'] + sys.argv[1:]\n"
          "main()\n")
# the same CLI with the in-run Great Expectations validation switched off (old revisions)
DRIVER_NO_GX = ("import sys\n"
                "import etnc_db.load.pipeline as p\n"
                "_run = p.run\n"
                "def run(url, settings, options, progress=None):\n"
                "    options.validate = False\n"
                "    return _run(url, settings, options, progress=progress)\n"
                "p.run = run\n"
                "from etnc_db.cli import main\n"
                "sys.argv = ['etnc-db'] + sys.argv[1:]\n"
                "main()\n")
GENERATE = ("import inspect, sys\n"
            "from pathlib import Path\n"
            "from etnc_db.bench.generator import generate\n"
            "root, out, n = Path.cwd(), Path(sys.argv[1]), int(sys.argv[2])\n"
            "kw = {'source_reference': root / 'etl' / 'reference'} "
            "if 'source_reference' in inspect.signature(generate).parameters else {}\n"
            "g = generate(root / 'data' / 'corpus', root / 'etl' / 'curated', out, n, seed=20260, **kw)\n"
            "import json; print(json.dumps({'documents': g.documents, 'text_bytes': g.text_bytes, "
            "'fact_files': g.fact_files, 'reference': str(getattr(g, 'reference_dir', '') or '')}))\n")


def loadavg() -> float:
    return float(Path("/proc/loadavg").read_text().split()[0])


class Revision:
    """One worktree: how to run its CLI and where its inputs are."""

    def __init__(self, name: str, tree: Path, python: str):
        self.name, self.tree, self.python = name, tree.resolve(), python
        self.commit = subprocess.run(["git", "-C", str(self.tree), "rev-parse", "--short", "HEAD"],
                                     capture_output=True, text=True, check=True).stdout.strip()
        pipeline = self.tree / "src" / "etnc_db" / "load" / "pipeline.py"
        self.gx_in_run = pipeline.exists() and "validate: bool = True" in pipeline.read_text(encoding="utf-8")
        self.inputs: dict[int, dict] = {1: {}}

    def env(self, url: str, scale: int) -> dict:
        env = dict(os.environ, PYTHONPATH=str(self.tree / "src"), DATABASE_URL=url)
        for key in ("ETNC_CORPUS", "ETNC_CURATED", "ETNC_REFERENCE", "ETNC_PROJECT_DIR", "ETNC_PROJECT_ROOT"):
            env.pop(key, None)
        for key, value in self.inputs[scale].items():
            if key.startswith("ETNC_"):
                env[key] = value
        return env

    def generate(self, scale: int, work: Path) -> None:
        out = work / self.name / f"x{scale}"
        p = subprocess.run([self.python, "-c", GENERATE, str(out), str(scale)], cwd=self.tree,
                           env=dict(os.environ, PYTHONPATH=str(self.tree / "src")), capture_output=True, text=True)
        if p.returncode:
            raise SystemExit(f"{self.name}: generator failed: {p.stderr[-800:]}")
        info = json_tail(p.stdout)
        inputs = {"ETNC_CORPUS": str(out / "corpus"), "ETNC_CURATED": str(out / "curated")}
        if info.get("reference"):
            inputs["ETNC_REFERENCE"] = info["reference"]
        self.inputs[scale] = {**inputs, "generated": info}

    def cli(self, args: list[str], url: str, scale: int, no_gx: bool = False) -> dict:
        """One measured CLI process of this revision."""
        driver = DRIVER_NO_GX if no_gx else DRIVER
        before = loadavg()
        t = time.perf_counter()
        p = subprocess.run(["/usr/bin/time", "-v", self.python, "-c", driver, *args], cwd=self.tree,
                           env=self.env(url, scale), capture_output=True, text=True)
        wall = time.perf_counter() - t
        m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr)
        cpu = sum(float(x) for x in re.findall(r"(?:User|System) time \(seconds\): ([\d.]+)", p.stderr))
        data = json_tail(p.stdout)
        err = "" if p.returncode == 0 else "\n".join(p.stderr.strip().splitlines()[-25:])
        return {"s": round(wall, 3), "rss_mb": round(int(m.group(1)) / 1024, 1) if m else None, "rc": p.returncode,
                "cpu_s": round(cpu, 2), "load1": [before, loadavg()], "timings": data.get("timings"),
                "rows_inserted": sum(t.get("inserted", 0) for t in (data.get("tables") or {}).values()) or None,
                "error": err}


class Server:
    def __init__(self, url: str, prefix: str):
        self.url, self.prefix = url, prefix

    def db_url(self, name: str) -> str:
        return self.url.rsplit("/", 1)[0] + "/" + name

    def fresh(self, rev: Revision, scale: int, tag: str = "") -> str:
        name = f"{self.prefix}_{rev.name}_x{scale}{tag}"
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        url = self.db_url(name)
        p = subprocess.run([rev.python, "-c", DRIVER, "db", "upgrade"], cwd=rev.tree, env=rev.env(url, scale),
                           capture_output=True, text=True)
        if p.returncode:
            raise SystemExit(f"{rev.name}: db upgrade failed: {p.stderr[-800:]}")
        return url

    def drop(self, url: str) -> None:
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')


def one_round(rev: Revision, server: Server, scale: int, noops: int, work: Path) -> dict:
    """Build without checks, check, no-op loads, build with checks (see the module doc)."""
    report = work / f"dq-{rev.name}.md"
    url = server.fresh(rev, scale)
    rec: dict = {"build": rev.cli(["run", "--json"], url, scale, no_gx=rev.gx_in_run)}
    rec["check"] = rev.cli(["check", "--report", str(report)], url, scale)
    rec["noop_load"] = [rev.cli(["load", "--json"], url, scale) for _ in range(noops)]
    server.drop(url)
    if rev.gx_in_run:
        url = server.fresh(rev, scale, "_gx")
        rec["build_with_checks"] = rev.cli(["run", "--json"], url, scale)
        server.drop(url)
    return rec


def med(values: list[float]) -> float | None:
    values = [v for v in values if v is not None]
    return round(statistics.median(values), 2) if values else None


def summarize(results: dict) -> dict:
    """Per revision and scale: min/median of each measurement."""
    table: dict = {}
    for name, rev in results["revisions"].items():
        for scale, rounds in rev["rounds"].items():
            ok = [r for r in rounds if r["build"]["rc"] == 0]
            row = {"n": len(ok), "failed": len(rounds) - len(ok)}
            build = [r["build"]["s"] for r in ok]
            check = [r["check"]["s"] for r in ok if r["check"]["rc"] == 0]
            if rev["gx_in_run"]:
                wc = [r["build_with_checks"]["s"] for r in ok if r["build_with_checks"]["rc"] == 0]
                gx_stage = [(r["build_with_checks"]["timings"] or {}).get("validate") for r in ok]
                row["in_run_validate_s"] = med(gx_stage)
            else:
                wc = [r["build"]["s"] + r["check"]["s"] for r in ok if r["check"]["rc"] == 0]
            noop = [med([x["s"] for x in r["noop_load"] if x["rc"] == 0]) for r in ok]
            rss = [x["rss_mb"] for r in ok for x in (r["build"], r["check"], r.get("build_with_checks") or r["build"])]
            row.update({"build_s": (min(build, default=None), med(build)), "check_s": (min(check, default=None), med(check)),
                        "build_with_checks_s": (min(wc, default=None), med(wc)), "noop_load_s": med(noop),
                        "build_cpu_s": med([r["build"].get("cpu_s") for r in ok]),
                        "build_rss_mb": max((r["build"]["rss_mb"] or 0) for r in ok) if ok else None,
                        "max_rss_mb": max((v or 0) for v in rss) if rss else None,
                        "load1": [r["build"]["load1"][0] for r in rounds]})
            table.setdefault(scale, {})[name] = row
    return table


def markdown(results: dict) -> str:
    lines = ["| scale | revision | builds | build, no checks (min / median s) | checks alone (s) | build with checks (s) "
             "| GX inside the run (s) | no-op `load` (median s) | build CPU, client (median s) | peak RSS build / any (MB) "
             "| load avg at each build |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    revs = results["revisions"]
    for scale, rows in sorted(summarize(results).items(), key=lambda kv: int(kv[0])):
        for name, r in rows.items():
            failed = f" (+{r['failed']} failed)" if r["failed"] else ""

            def mm(pair):
                return "–" if pair[0] is None else f"{pair[0]:.2f} / {pair[1]:.2f}"
            lines.append(f"| {scale}× | {name} `{revs[name]['commit']}` | {r['n']}{failed} "
                         f"| {mm(r['build_s'])} | {mm(r['check_s'])} | {mm(r['build_with_checks_s'])} "
                         f"| {r.get('in_run_validate_s', '–') or '–'} | {r['noop_load_s']} | {r['build_cpu_s'] or '–'} "
                         f"| {r['build_rss_mb']:.0f} / {r['max_rss_mb']:.0f} | {', '.join(f'{x:.1f}' for x in r['load1'])} |")
    return "\n".join(lines) + "\n"


def stage_table(results: dict) -> str:
    """Median seconds per stage of the builds without checks (the run's own timings; the
    in-run GX `validate` stage from the builds with checks), one column per revision."""
    revs = results["revisions"]
    lines = []
    for scale in sorted({sc for r in revs.values() for sc in r["rounds"]}, key=int):
        stages: dict[str, dict[str, float | None]] = {}
        for name, rev in revs.items():
            rounds = [r for r in rev["rounds"].get(scale, []) if r["build"]["rc"] == 0]
            runs = [r["build"]["timings"] or {} for r in rounds]
            runs_gx = [(r.get("build_with_checks") or {}).get("timings") or {} for r in rounds]
            for stage in dict.fromkeys(k for t in runs for k in t):
                stages.setdefault(stage, {})[name] = med([t.get(stage) for t in runs])
            if any("validate" in t for t in runs_gx):
                stages.setdefault("validate (GX, in the run with checks)", {})[name] = med(
                    [t.get("validate") for t in runs_gx])
        lines += [f"{scale}×:", "", "| stage | " + " | ".join(revs) + " |", "|---|" + "---|" * len(revs)]
        for stage, by_rev in stages.items():
            lines.append(f"| {stage} | " + " | ".join(f"{by_rev[n]:.2f}" if by_rev.get(n) is not None else "–"
                                                        for n in revs) + " |")
        lines.append("")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rev", action="append", required=True, help="NAME=WORKTREE, in the order to interleave")
    ap.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432/postgres")
    ap.add_argument("--prefix", default="bench12")
    ap.add_argument("--python", default=sys.executable)
    ap.add_argument("--reps", type=int, default=3, help="repetitions at 1x")
    ap.add_argument("--reps-100x", type=int, default=1, help="repetitions at 100x (0: skip)")
    ap.add_argument("--noops", type=int, default=5)
    ap.add_argument("--out", type=Path, default=Path("bench/out/compare"))
    ap.add_argument("--work", type=Path, default=Path("/tmp/bench12"))
    a = ap.parse_args()
    revs = [Revision(n, Path(t), a.python) for n, t in (r.split("=", 1) for r in a.rev)]
    server = Server(a.server, a.prefix)
    a.out.mkdir(parents=True, exist_ok=True)
    a.work.mkdir(parents=True, exist_ok=True)
    results: dict = {"started": time.strftime("%Y-%m-%d %H:%M:%S %z"), "cpus": os.cpu_count(),
                     "revisions": {r.name: {"commit": r.commit, "gx_in_run": r.gx_in_run, "rounds": {}} for r in revs}}

    def save() -> None:
        (a.out / "compare.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")

    for rev in revs:  # warm-up: byte-compile, FX cache; not recorded
        url = server.fresh(rev, 1, "_warm")
        w = rev.cli(["run", "--json"], url, 1)
        server.drop(url)
        print(f"[warm-up] {rev.name} {rev.commit}: {w['s']} s rc {w['rc']} {w['error'][-300:]}", flush=True)
    plan = [1] * a.reps + [100] * a.reps_100x
    if a.reps_100x:
        for rev in revs:
            rev.generate(100, a.work)
            results["revisions"][rev.name]["generated_100x"] = rev.inputs[100]["generated"]
    for scale in plan:
        for rev in revs:
            rec = one_round(rev, server, scale, a.noops, a.work)
            results["revisions"][rev.name]["rounds"].setdefault(str(scale), []).append(rec)
            save()
            b = rec["build"]
            print(f"[{scale}x] {rev.name}: build {b['s']} s (rc {b['rc']}, load {b['load1']}) check {rec['check']['s']} s "
                  f"(rc {rec['check']['rc']}) noop {med([x['s'] for x in rec['noop_load']])} s"
                  + (f" with-GX build {rec['build_with_checks']['s']} s" if 'build_with_checks' in rec else "")
                  + (f"\n  {b['error'][-600:]}" if b['rc'] else ""), flush=True)
    results["finished"] = time.strftime("%Y-%m-%d %H:%M:%S %z")
    save()
    page = markdown(results) + "\n" + stage_table(results)
    (a.out / "compare.md").write_text(page, encoding="utf-8")
    print(page)


if __name__ == "__main__":
    main()
