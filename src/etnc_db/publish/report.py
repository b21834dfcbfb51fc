"""`etnc-db report`: one self-contained static HTML file (Plotly, its JavaScript inlined:
no network needed to open it) with Chinese investment in Europe, policy measures over
time, the agreement network, coverage and data-quality status. Every chart has its data
table under it, and every fact listed links to its evidence (#fact-<key>): the quotes,
their documents and the URLs of the endnotes they cite. Read in one snapshot."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import psycopg

from etnc_db.publish import report_charts as charts
from etnc_db.publish import report_data as data
from etnc_db.publish.report_html import esc, figure, page, section, table
from etnc_db.publish.snapshot import snapshot

TITLE = "Europe–China technology relations: the etnc-db report"
FACT_TYPES = ("agreement", "investment", "policy_measure")


@dataclass
class ReportResult:
    path: Path
    charts: int
    facts: int
    bytes: int


def investment_section(conn: psycopg.Connection) -> str:
    """Chinese investment in Europe by host country and sector."""
    by_cs = data.investment_by_country_sector(conn)
    listed = data.chinese_investments(conn)
    body = (figure(charts.investment_chart(by_cs), "chart-investment")
            + table(by_cs, "investments per host country and sector")
            + table(listed, "every Chinese investment in Europe"))
    intro = ("Investments whose investor is Chinese and whose host country is European (direction "
             "<code>china_to_europe</code>). Every investment is counted; EUR amounts are summed only where "
             "<code>recommended_for_aggregates</code> (a stated, convertible amount of a deal that went ahead). "
             "An investment in several sectors counts in each.")
    return section("investment", "Chinese investment in Europe", intro, body)


def _policy_counts(measures: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Measures counted per `by` + year (best_year, or 'undated') + stance."""
    frame = measures.assign(year=[str(int(y)) if y is not None and not pd.isna(y) else "undated"
                                  for y in measures["best_year"]])
    counts = frame.groupby([*by, "year", "stance"], sort=True).size().reset_index(name="measures")
    return counts


def policy_section(conn: psycopg.Connection) -> str:
    """Policy measures over time, by jurisdiction and stance; undated ones apart."""
    measures = data.policy_measures(conn)
    by_year = _policy_counts(measures, [])
    by_cy = _policy_counts(measures, ["jurisdiction_name"])
    body = (figure(charts.policy_year_chart(by_year), "chart-policy-year")
            + table(by_year, "policy measures per year and stance")
            + figure(charts.policy_country_chart(by_cy), "chart-policy-country")
            + table(by_cy, "policy measures per jurisdiction, year and stance")
            + table(measures, "every policy measure"))
    undated = int((by_year["year"] == "undated").pipe(lambda m: by_year[m]["measures"].sum()))
    intro = (f"Laws, strategies, screening decisions, vendor restrictions and other measures, by the year of their "
             f"best date (the stated date, else the status date, else the date of the cited report). "
             f"{undated} of {len(measures)} measures have no date at all; they are shown apart, not in a year.")
    return section("policy", "Policy measures over time", intro, body)


def network_section(conn: psycopg.Connection) -> str:
    """The agreement network, with its nodes and edges as tables."""
    from etnc_db.publish.network import MAX_NODES, network_frames

    parties = data.agreement_parties(conn)
    nodes, edges, left_out = network_frames(parties)
    agreements = parties.groupby(["fact_key", "title"], sort=True)["party_name"] \
        .apply(lambda s: "; ".join(sorted(set(s)))).reset_index(name="parties")
    body = (figure(charts.network_chart(nodes, edges), "chart-network")
            + table(edges[["source", "target", "weight", "agreements"]], "edges: party pairs and their agreements",
                    links=("agreements",))
            + table(nodes[["node", "name", "country", "group", "agreements"]], "nodes: parties", links=())
            + table(agreements, "every agreement and its parties"))
    cut = (f" The {MAX_NODES} parties in most agreements are drawn; {left_out} others are only in the tables."
           if left_out else "")
    intro = (f"{len(agreements)} agreements between {len(nodes) + left_out} parties: a line joins two parties "
             f"of the same agreement (a force-directed layout computed in Python, seeded).{cut}")
    return section("network", "Agreement network", intro, body)


def _pivot_types(frame: pd.DataFrame, index: list[str]) -> pd.DataFrame:
    out = frame.pivot_table(index=index, columns="fact_type", values="facts", aggfunc="sum", fill_value=0)
    out = out.reindex(columns=list(FACT_TYPES), fill_value=0).reset_index()
    out.columns.name = None
    return out


def coverage_section(conn: psycopg.Connection) -> str:
    """Facts per report chapter (top-level section) and per document; the review
    candidates still pending."""
    by_section = data.facts_by_section(conn)
    by_section["section"] = [f"{d}: {t}"[:90] for d, t in zip(by_section["document_key"], by_section["title"],
                                                                 strict=True)]
    sections = _pivot_types(by_section, ["section", "section_key"])
    docs = data.documents(conn)
    docs_chart = docs.rename(columns={"agreements": "agreement", "investments": "investment",
                                      "policy_measures": "policy_measure"})
    body = (figure(charts.stacked_types_chart(sections, "section", "Facts per chapter or section"), "chart-sections")
            + table(sections, "facts per chapter or section", links=())
            + figure(charts.stacked_types_chart(docs_chart, "document_key", "Facts per document"), "chart-documents")
            + table(docs, "documents", links=()))
    pending = data.pending_candidates(conn)
    review = f"<p>Candidate facts pending review: <strong>{pending}</strong>.</p>"
    intro = ("Where the facts come from: a fact counts in every chapter or document that holds one of its "
             "evidence quotes.")
    return section("coverage", "Coverage", intro, review + body)


def _status(ok: bool) -> str:
    return '<span class="ok">passed</span>' if ok else '<span class="bad">failed</span>'


def quality_section(conn: psycopg.Connection) -> str:
    """The last `etnc-db check` and the last in-run gate."""
    run, results = data.last_check(conn)
    gate_run, gate = data.last_gate(conn)
    parts = []
    if run is None:
        parts.append("<p>No <code>etnc-db check</code> has run on this database yet.</p>")
    else:
        passed = int(results["success"].astype(bool).sum()) if len(results) else 0
        parts.append(f"<p>Last check: run {run['run_id']}, finished {esc(run['finished_at'])}: "
                     f"{_status(run['status'] == 'succeeded')} ({passed} passed, {len(results) - passed} failed)"
                     f"{' — ' + esc(run['error']) if run['error'] else ''}.</p>")
        if len(results):
            parts += [figure(charts.dq_chart(results, "Last check: expectations per suite"), "chart-dq-check"),
                      table(results, "expectations of the last check", links=())]
    if gate_run is None:
        parts.append("<p>No load has recorded gate results yet.</p>")
    else:
        passed = int(gate["success"].astype(bool).sum())
        parts.append(f"<p>Last gate (run {gate_run}): {_status(passed == len(gate))} "
                     f"({passed} passed, {len(gate) - passed} failed).</p>")
        parts += [figure(charts.dq_chart(gate, "Last gate: checks per group"), "chart-dq-gate"),
                  table(gate, "checks of the last gate", links=())]
    intro = ("<code>etnc-db check</code> runs the Great Expectations suites on the published data; the gate runs "
             "SQL invariants inside every load's transaction.")
    return section("quality", "Data quality", intro, "".join(parts))


def _citations_html(cites: pd.DataFrame) -> str:
    if cites is None or not len(cites):
        return "no endnote"
    links = []
    for c in cites.itertuples(index=False):
        label = f"[{c.note_number}] " + esc(c.title or c.outlet or c.url or "")
        links.append(f'<a href="{esc(c.url)}" rel="noopener noreferrer">{label}</a>' if c.url else label)
    return "endnotes: " + "; ".join(links)


def _fact_html(fact, quotes: pd.DataFrame, cites: dict[str, pd.DataFrame]) -> str:
    """One fact's evidence entry: heading, then each quote with document and endnotes."""
    meta = " · ".join(x for x in (fact.fact_type, fact.country_name or "", fact.best_date_key or "undated") if x)
    out = [f'<article class="fact" id="fact-{esc(fact.fact_key)}"><h3>{esc(fact.title)}</h3>'
           f'<p class="meta">{esc(fact.fact_key)} · {esc(meta)}</p>']
    for q in quotes.itertuples(index=False):
        where = f"{esc(q.document_title)} (<code>{esc(q.document_key)}</code>)"
        if q.section_title:
            where += f", {esc(q.section_title)}"
        out.append(f"<blockquote>{esc(q.quote)}<footer>{where}, characters {q.char_start}–"
                   f"{q.char_start + len(q.quote)}; {_citations_html(cites.get(q.evidence_key))}</footer></blockquote>")
    return "".join(out) + "</article>"


def evidence_section(conn: psycopg.Connection) -> tuple[str, int]:
    """Every fact with its quotes (the targets of all fact links); and the fact count."""
    facts = data.facts(conn)
    quotes = data.evidence(conn)
    cites = {k: g for k, g in data.evidence_citations(conn).groupby("evidence_key", sort=False)}
    by_fact = {k: g for k, g in quotes.groupby("fact_key", sort=False)}
    empty = quotes.iloc[0:0]
    body = "".join(_fact_html(f, by_fact.get(f.fact_key, empty), cites) for f in facts.itertuples(index=False))
    intro = ("Every fact with the verbatim quotes that state it, the document and chapter each quote is in, and "
             "the endnotes (with their URLs) that the quote's sentences cite.")
    return section("evidence", "Evidence", intro, body), len(facts)


def header(conn: psycopg.Connection, built_at: str) -> str:
    """What data the report shows: version, run, build time, documents and facts."""
    from etnc_db.publish.manifest import package_version

    run = data.data_run(conn)
    counts = dict(conn.execute("SELECT fact_type, count(*) FROM mart.fct_fact GROUP BY 1").fetchall())
    docs = conn.execute("SELECT count(*) FROM mart.dim_document").fetchone()[0]
    run_text = (f"data of run {run['run_id']} ({esc(run['command'])}, finished {esc(run['finished_at'])})"
                if run else "no successful load yet")
    facts = ", ".join(f"{counts.get(t, 0)} {t.replace('_', ' ')}s" for t in FACT_TYPES)
    return (f'<p class="meta">etnc-db {esc(package_version())}; {run_text}; report built {esc(built_at)}. '
            f"{docs} source documents; {facts}.</p>")


def write_report(url: str, out: Path, progress=None) -> ReportResult:
    """Build the report from the database at `url` (one read-only snapshot) into `out`.
    `progress`: a Rich Progress (or None) advanced once per section."""
    builders = (("investment", "Chinese investment in Europe", investment_section),
                ("policy", "Policy measures", policy_section), ("network", "Agreement network", network_section),
                ("coverage", "Coverage", coverage_section), ("quality", "Data quality", quality_section))
    task = progress.add_task("report", total=len(builders) + 1) if progress else None
    built_at = datetime.now(UTC).isoformat(timespec="seconds")
    with snapshot(url) as conn:
        sections = []
        for anchor, title, build in builders:
            sections.append((anchor, title, build(conn)))
            if progress:
                progress.advance(task)
        evidence, n_facts = evidence_section(conn)
        sections.append(("evidence", "Evidence", evidence))
        head = header(conn, built_at)
    text = page(TITLE, head, sections)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    if progress:
        progress.advance(task)
    return ReportResult(out, text.count('class="plotly-graph-div"'), n_facts, len(text.encode("utf-8")))
