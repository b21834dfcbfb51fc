"""The benchmark's Markdown: the measurements beside issue 18's targets, judged on the
minimum and on the median of the runs, then where the time goes, the floors, the
analysis queries and every run with its load average."""

from __future__ import annotations

from etnc_db.workers import TIMING_PREFIX as WORKER

# issue 18's targets: (key, limit, unit)
TARGETS = {
    "build_1x_s": 4.0,
    "build_1x_over_floor": 8.0,
    "build_100x_s": 90.0,
    "build_100x_over_floor": 2.2,
    "build_100x_over_10x": 10.0,
    "noop_1x_s": 0.5,
    "noop_100x_s": 0.8,
    "check_100x_excl_import_s": 15.0,
    "changes_share": 0.01,
    "rss_100x_mb": 1024.0,
    "query_100x_ms": 50.0,
}


def _f(value, digits: int = 2) -> str:
    """A number with `digits` decimals, or a dash."""
    return "–" if value is None else f"{value:.{digits}f}"


def _verdict(value, limit) -> str:
    """met / **missed** against a limit (nothing without one)."""
    if value is None or limit is None:
        return ""
    return "met" if value <= limit else "**missed**"


def _ratio(a, b):
    """a / b, None when either is missing."""
    return None if a is None or not b else a / b


def _loads(block: dict | None) -> str:
    """The 1-minute load averages of a measurement's runs."""
    loads = (block or {}).get("load1") or []
    return ", ".join(f"{x:.1f}" for x in loads)


class _Table:
    """The targets table: one row per measurement."""

    def __init__(self):
        """The header rows."""
        self.lines = ["| measurement | min | median | target | by min | by median | peak RSS MB | load avg (1 min) at each run's start |",
                      "|---|---|---|---|---|---|---|---|"]

    def row(self, name: str, values: tuple, target: tuple = (None, ""), block: dict | None = None, digits: int = 2) -> None:
        """`values` = (min, median); `target` = (limit, text)."""
        lo, med = values
        limit, text = target
        rss = (block or {}).get("rss_mb")
        self.lines.append(f"| {name} | {_f(lo, digits)} | {_f(med, digits)} | {text} | {_verdict(lo, limit)} | "
                          f"{_verdict(med, limit)} | {_f(rss, 0) if rss else ''} | {_loads(block)} |")


def _mm(block: dict | None) -> tuple:
    """(min, median) of a measurement."""
    block = block or {}
    return block.get("min"), block.get("median")


def _build_rows(t: _Table, n: int, s: dict) -> None:
    """Build, floors and build/floor ratios of one scale."""
    b = s.get("build") or {}
    fl = s.get("floors") or {}
    limit = {1: (TARGETS["build_1x_s"], "≤ 4 s"), 100: (TARGETS["build_100x_s"], "≤ 90 s")}.get(n, (None, ""))
    name = "real corpus" if n == 1 else f"{n}× corpus"
    t.row(f"{name}: full build, `etnc-db run` process, s", _mm(b), limit, b)
    for kind, text in (("indexed", "(a) indexed COPY of its core rows"), ("bare", "(b) COPY into bare tables + keys, FKs, indexes, triggers")):
        t.row(f"{n}× floor {text}, s", _mm(fl.get(kind)), block=fl.get(kind))
    over = {1: (TARGETS["build_1x_over_floor"], "≤ 8×"), 100: (TARGETS["build_100x_over_floor"], "≤ 2.2×")}.get(n, (None, ""))
    for kind, target in (("indexed", over), ("bare", (None, ""))):
        f = fl.get(kind) or {}
        t.row(f"{n}× build / floor ({'a' if kind == 'indexed' else 'b'}), ×",
              (_ratio(b.get("min"), f.get("min")), _ratio(b.get("median"), f.get("median"))), target)


def _noop_rows(t: _Table, n: int, s: dict) -> None:
    """No-op load and run of one scale."""
    limit = (TARGETS["noop_1x_s"], "≤ 0.5 s") if n == 1 else (TARGETS["noop_100x_s"], "≤ 0.8 s") if n == 100 else (None, "")
    for command in ("load", "run"):
        block = (s.get("noop") or {}).get(command)
        if block:
            t.row(f"{n}×: no-op `etnc-db {command}` process, s", _mm(block), limit, block)


def _at_100(n: int, limit: float, text: str) -> tuple:
    """A target that the issue sets for the 100× corpus only."""
    return (limit, text) if n == 100 else (None, "")


def _largest_rows(t: _Table, n: int, s: dict) -> None:
    """check, etl.changes, peak memory and queries at the largest scale."""
    c = s.get("check")
    if c:
        t.row(f"{n}×: `etnc-db check` process, s", _mm(c), block=c)
        t.row(f"{n}×: its GX import (etl.runs.timings), s", _mm(c.get("gx_import")))
        t.row(f"{n}×: check without the GX import, s", _mm(c.get("excl_import")),
              _at_100(n, TARGETS["check_100x_excl_import_s"], "≤ 15 s + import"))
    ch = s.get("changes")
    if ch:
        pct = 100 * ch["share"]
        t.row(f"{n}×: etl.changes / database after the first build, % ({ch['changes_bytes'] / 1e6:.2f} of "
              f"{ch['database_bytes'] / 1e6:.0f} MB, {ch['rows']} rows)", (pct, pct),
              _at_100(n, 100 * TARGETS["changes_share"], "≤ 1 %"), digits=3)
    rss = peak_rss(s)
    t.row(f"{n}×: peak RSS of any measurement, MB", (rss, rss), _at_100(n, TARGETS["rss_100x_mb"], "≤ 1 GB"), digits=0)
    qs = (s.get("queries") or {}).get("queries") or []
    if qs:
        worst = max(q["median_ms"] for q in qs)
        t.row(f"{n}×: slowest analysis query (median of 7), ms", (None, worst),
              _at_100(n, TARGETS["query_100x_ms"], "≤ 50 ms each"))


def peak_rss(s: dict) -> float | None:
    """The largest peak RSS of a scale's measurements."""
    blocks = [s.get("build"), *(s.get("floors") or {}).values(), *(s.get("noop") or {}).values(), s.get("check"),
              s.get("queries")]
    values = [b["rss_mb"] for b in blocks if b and b.get("rss_mb")]
    return max(values) if values else None


def targets_table(report: dict) -> list[str]:
    """The measurements beside the targets, every scale."""
    t = _Table()
    sc = report["scales"]
    for n, s in sc.items():
        _build_rows(t, int(n), s)
    b10, b100 = (sc.get(10) or sc.get("10") or {}).get("build"), (sc.get(100) or sc.get("100") or {}).get("build")
    if b10 and b100:
        t.row("100× build / 10× build, ×", (_ratio(b100.get("min"), b10.get("min")), _ratio(b100.get("median"), b10.get("median"))),
              (TARGETS["build_100x_over_10x"], "≤ 10×"))
    for n, s in sc.items():
        _noop_rows(t, int(n), s)
    largest = max(sc, key=int) if sc else None
    if largest is not None:
        _largest_rows(t, int(largest), sc[largest])
    every = [v for s in sc.values() if (v := peak_rss(s))]
    if every:
        t.row("peak RSS of any measurement at any scale, MB", (max(every), max(every)), digits=0)
    return t.lines


def stages_table(report: dict) -> list[str]:
    """Median seconds per stage of the builds (etl.runs.timings), one column per scale: the
    run's own process (its shares add up to its wall time), then the work done in worker
    processes alongside it ("worker …": seconds summed over the workers, no share)."""
    sc = report["scales"]
    stages = sorted({k for s in sc.values() for k in ((s.get("build") or {}).get("stages") or {})})
    if not stages:
        return []
    cols = list(sc)

    def row(stage: str, share: bool) -> str:
        cells = []
        for n in cols:
            v = ((sc[n].get("build") or {}).get("stages") or {}).get(stage)
            total = (sc[n].get("build") or {}).get("median") or 0
            cells.append(f"{_f(v)} | {f'{100 * v / total:.0f} %' if share and v is not None and total else ''}")
        return f"| {stage} | " + " | ".join(cells) + " |"

    def biggest(k: str) -> float:
        return -max((sc[n].get("build") or {}).get("stages", {}).get(k, 0) for n in cols)

    own = sorted((k for k in stages if not k.startswith(WORKER)), key=biggest)
    workers = sorted((k for k in stages if k.startswith(WORKER)), key=biggest)
    return ["| stage | " + " | ".join(f"{n}× s | {n}× share" for n in cols) + " |",
            "|---|" + "---|---|" * len(cols),
            *(row(k, True) for k in own),
            "| *process wall (median)* | " + " | ".join(
                f"{_f((sc[n].get('build') or {}).get('median'))} | 100 %" for n in cols) + " |",
            *(row(k, False) for k in workers)]


def sizes_table(report: dict) -> list[str]:
    """Corpus and database size per scale, and floor (b) split into copy and build."""
    lines = ["| scale | documents | text MB | core rows | COPY text MB | floor (b) copy s | floor (b) build s |",
             "|---|---|---|---|---|---|---|"]
    for n, s in report["scales"].items():
        d = s.get("dump") or {}
        runs = [r for r in ((s.get("floors") or {}).get("bare") or {}).get("runs", []) if r["rc"] == 0]
        copy = sorted(r["detail"].get("copy_seconds", 0) for r in runs)
        build = sorted(r["detail"].get("build_seconds", 0) for r in runs)
        mid = len(runs) // 2
        lines.append(f"| {n}× | {s.get('documents')} | {s.get('text_mb')} | {d.get('rows', '')} | "
                     f"{_f(d.get('bytes', 0) / 1e6, 1) if d else ''} | {_f(copy[mid]) if copy else ''} | "
                     f"{_f(build[mid]) if build else ''} |")
    return lines


def queries_table(report: dict) -> list[str]:
    """Every analysis query at the largest scale beside its target."""
    sc = report["scales"]
    largest = max(sc, key=int) if sc else None
    qs = ((sc.get(largest) or {}).get("queries") or {}).get("queries") if largest is not None else None
    if not qs:
        return []
    lines = [f"Analysis queries on the {largest}× database (one warm-up, median and max of 7; "
             "EXPLAIN (ANALYZE, BUFFERS) in plans/):", "",
             "| query | rows | median ms | max ms | target | result | seq scans |", "|---|---|---|---|---|---|---|"]
    for q in qs:
        lines.append(f"| {q['query']} | {q['rows']} | {q['median_ms']} | {q['max_ms']} | ≤ 50 ms | "
                     f"{_verdict(q['median_ms'], TARGETS['query_100x_ms'])} | {', '.join(q['seq_scans'])} |")
    return lines


# Sections of bench/results.md that `etnc-db bench` does not measure (another harness
# wrote them, e.g. bench/compare_revisions.py); a new run's page carries them over.
KEPT_SECTIONS = ("## Structure change (issue 12): before/after in one run",)


def kept_sections(previous: str) -> list[str]:
    """The KEPT_SECTIONS found in a previous results page, each from its heading to the
    next `## ` heading (or the end), verbatim."""
    found = []
    lines = previous.splitlines()
    for heading in KEPT_SECTIONS:
        if heading not in lines:
            continue
        start = lines.index(heading)
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
        found.append("\n".join(lines[start:end]).rstrip() + "\n")
    return found


def with_kept(page: str, previous: str | None) -> str:
    """`page` followed by the kept sections of `previous` that `page` does not have."""
    extra = [sec for sec in kept_sections(previous or "") if sec.splitlines()[0] not in page.splitlines()]
    return page if not extra else page.rstrip("\n") + "\n\n" + "\n".join(extra)


def markdown(report: dict) -> str:
    """The whole results page."""
    m = report["machine"]
    head = [
        "# etnc-db benchmark results", "",
        f"Machine: {m['cpus']} CPUs, {m.get('memory_gb')} GB, Python {m['python']}, {m['platform']}. "
        f"Seed {report['seed']}; {report['repeat']} runs per measurement; started {report.get('started')}, "
        f"finished {report.get('finished', '(running)')}; load average at start "
        f"{', '.join(f'{x:.1f}' for x in report.get('load_at_start', []))}"
        + (f", at end {', '.join(f'{x:.1f}' for x in report['load_at_end'])}" if report.get("load_at_end") else "") + ".",
        "", "Builds and no-op runs are whole `etnc-db` processes (spawn to exit, server start excluded, "
        "database migrated before); floors are the database time of a process that only loads. "
        "\"by min\" and \"by median\" judge the target on the fastest and on the median run.", "",
        "## Measurements and targets", ""]
    out = head + targets_table(report)
    out += ["", "## Where the time goes (median seconds per stage, etl.runs.timings of the builds)", ""] + stages_table(report)
    out += ["", "## Sizes and floor (b) split (median run)", ""] + sizes_table(report)
    q = queries_table(report)
    if q:
        out += ["", "## Analysis queries", ""] + q
    return "\n".join(out) + "\n"
