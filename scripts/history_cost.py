"""What the fact history costs a run (docs/history.md, "Cost").

    .venv/bin/python scripts/history_cost.py [--server URL] [--scales 1,10] [--repeat 3]

For each scale (1 = the real corpus; N = the synthetic N× corpus of etnc_db.bench) it
builds a fresh database `repeat` times and reads the run's own stage timings: the
`history` step against the whole run (the pipeline call, migration excluded). Then it
changes one investment's amount in a copy of the curated files and loads again: the
history step over one changed fact. Prints a Markdown table; databases are dropped.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[1]


def _database(server: str) -> tuple[str, str]:
    name = f"etnc_hcost_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return name, server.rsplit("/", 1)[0] + "/" + name


def _drop(server: str, name: str) -> None:
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _run(url: str, settings, command: str) -> tuple[float, float, int]:
    """(history step seconds, whole pipeline seconds, facts compared) of one run."""
    from etnc_db.pipeline import RunOptions, run

    t = time.perf_counter()
    result = run(url, settings, RunOptions(command=command))
    wall = time.perf_counter() - t
    compared = sum(result.tables.get("core.fact_versions", {}).values())
    return result.timings.get("history", 0.0), wall, compared


def _bump_one_amount(curated: Path) -> str:
    """Change the first stated investment amount in the curated files; returns its file."""
    for path in sorted(curated.rglob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        m = re.search(r"^(\s*amount: )(\d+)\s*$", text, re.M)
        if m:
            path.write_text(text[:m.start(2)] + str(int(m.group(2)) + 1_000_000) + text[m.end(2):], encoding="utf-8")
            return str(path.relative_to(curated))
    raise SystemExit("no amount to change")


def measure(server: str, scale: int, repeat: int, work: Path) -> dict:
    from etnc_db.config import Settings
    from etnc_db.db.session import ensure_schema

    settings = Settings.from_env()
    if scale > 1:
        from etnc_db.bench.generator import generate

        gen = generate(settings.corpus_dir, settings.curated_dir, work / f"x{scale}", scale)
        corpus, curated = gen.corpus_dir, gen.curated_dir
    else:
        corpus, curated = settings.corpus_dir, work / "curated-x1"
        shutil.copytree(settings.curated_dir, curated)
    settings = dataclasses.replace(settings, corpus_dir=corpus, curated_dir=curated)
    builds = []
    for i in range(repeat):
        name, url = _database(server)
        try:
            ensure_schema(url, settings.views_dir)
            builds.append(_run(url, settings, "history-cost"))
            if i == repeat - 1:
                _bump_one_amount(curated)
                one = _run(url, settings, "history-cost")
        finally:
            _drop(server, name)
    history = [b[0] for b in builds]
    wall = [b[1] for b in builds]
    return {"scale": scale, "versions": builds[0][2], "history": statistics.median(history), "run": statistics.median(wall),
            "share": statistics.median(h / w for h, w, _ in builds), "one_history": one[0], "one_run": one[1]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--server", default=os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"))
    parser.add_argument("--scales", default="1,10")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="etnc-history-cost-") as tmp:
        for scale in (int(s) for s in args.scales.split(",")):
            rows.append(measure(args.server, scale, args.repeat, Path(tmp)))
            print(f"measured {scale}x", file=sys.stderr, flush=True)
    print("| corpus | versions written | history step, full build | whole run | share | history step, one fact changed | whole run |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in rows:
        print(f"| {r['scale']}× | {r['versions']} | {r['history']:.3f} s | {r['run']:.2f} s | {r['share'] * 100:.1f} % "
              f"| {r['one_history']:.3f} s | {r['one_run']:.2f} s |")


if __name__ == "__main__":
    main()
