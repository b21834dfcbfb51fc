"""The Markdown report of `etnc-db check` (reports/data-quality.md): per suite pass/fail
counts, every failure with its observed value and a sample of unexpected rows, then
every expectation."""

from __future__ import annotations

import json
import os
from datetime import UTC, date, datetime
from pathlib import Path

from etnc_db.quality.suite_files import Suite


def _cell(v, limit: int = 160) -> str:
    if v is None or v == [] or v == {}:
        return ""
    text = v if isinstance(v, str) else json.dumps(v, default=str, ensure_ascii=False)
    text = text.replace("|", "\\|").replace("\n", " ")
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _observed(obs: dict) -> dict:
    return {k: v for k, v in obs.items() if k not in ("details", "missing_count")}


def _link(target: Path | None, base: Path) -> str | None:
    if target is None:
        return None
    try:
        return os.path.relpath(target, base.parent.resolve())
    except ValueError:  # another drive
        return str(target)


def write(path: Path, summary, suites: list[Suite], today: date) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    results = summary.results
    by_suite: dict[str, list] = {s.name: [] for s in suites}
    for r in results:
        by_suite.setdefault(r.suite, []).append(r)
    failed = [r for r in results if not r.success]
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    verdict = "**all passed**" if not failed else f"**{len(failed)} failed**"
    lines = [
        "# etnc-db data-quality report", "",
        f"Run {summary.run_id} (`etnc-db check`), {now}, today = {today.isoformat()}: {verdict} — "
        f"{summary.passed} passed, {summary.failed} failed, {len(results)} expectations in {len(suites)} suites.",
        "",
        "Suites are the YAML files in `etl/expectations/` (format: docs/data-quality.md). Results are in "
        f"`etl.dq_results` (phase `check`, run_id {summary.run_id}).",
    ]
    docs = _link(summary.data_docs, path)
    if docs:
        lines.append(f"GX Data Docs: [{docs}]({docs}).")
    lines += ["", "## Failures", ""]
    if failed:
        lines += ["| suite | expectation | column | observed | unexpected sample |", "|---|---|---|---|---|"]
        lines += [f"| {r.suite} | {r.expectation} | {r.column_name or ''} | {_cell(_observed(r.observed_value))} | "
                  f"{_cell(r.unexpected_sample)} |" for r in failed]
        lines.append("")
        for r in failed:
            if r.why:
                lines.append(f"- **{r.suite}** `{r.expectation}`{f' ({r.column_name})' if r.column_name else ''}: {r.why}")
        lines.append("")
    else:
        lines += ["Nothing failed.", ""]
    lines += ["## Suites", "", "| suite | about | passed | failed |", "|---|---|---:|---:|"]
    abouts = {s.name: s.about for s in suites}
    for name, rs in by_suite.items():
        lines.append(f"| {name} | {abouts.get(name, '')} | {sum(r.success for r in rs)} | "
                     f"{sum(not r.success for r in rs)} |")
    lines += ["", "## Every expectation", ""]
    descriptions = {s.name: s.description for s in suites}
    for name, rs in by_suite.items():
        lines += [f"### {name}", "", descriptions.get(name, ""), "",
                  "| | expectation | column | observed |", "|---|---|---|---|"]
        for r in rs:
            mark = "pass" if r.success else "**FAIL**"
            lines.append(f"| {mark} | {r.expectation} | {r.column_name or ''} | {_cell(_observed(r.observed_value))} |")
        lines.append("")
    if summary.timings:
        lines += ["## Timings (seconds)", "", ", ".join(f"{k}: {v}" for k, v in summary.timings.items()), ""]
    path.write_text("\n".join(lines), encoding="utf-8")
