"""Facts stage: read every curated file, validate it, resolve its keys against the
registry, locate each evidence quote in the stored document text, attach the endnotes
cited in or right after the span, convert amounts to EUR, derive the investment
direction, and return table loads. Any invalid record rejects the whole stage with
`file:line: reason` (all problems are collected and listed, the first one leads)."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
from pydantic import ValidationError

from etnc_db.facts import schema
from etnc_db.facts.quotes import Match, NormalizedText, _prefer, find_quote
from etnc_db.load.document_stage import partial_date
from etnc_db.load.upsert import Ref, TableLoad
from etnc_db.reference import fx
from etnc_db.reference.registry import Registry
from etnc_db.reference.yaml_lines import LineDict, YamlSyntaxError, load_yaml_with_lines
from etnc_db.vocab import CHINA_CODES

AFTER_SPAN = re.compile(r"^[\s.,;:!?)\]\"'”’»—–-]*$")

DOC = ("core.documents", "document_key", "document_id")
SECTION = ("core.document_sections", "section_key", "section_id")
COUNTRY = ("core.countries", "country_code", "country_id")
ORG = ("core.organizations", "organization_key", "organization_id")
SECTOR = ("core.sectors", "sector_key", "sector_id")
CITATION = ("core.citations", "citation_key", "citation_id")
AGREEMENT = ("core.agreements", "agreement_key", "agreement_id")
INVESTMENT = ("core.investments", "investment_key", "investment_id")
POLICY = ("core.policy_measures", "policy_measure_key", "policy_measure_id")


class FactsError(Exception):
    """Curated files are invalid. `problems` lists every `file:line: reason`."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
        super().__init__(problems[0] + more)


def _r(column: str, source: str, target: tuple[str, str, str]) -> Ref:
    return Ref(column, source, *target)


@dataclass
class DocumentText:
    key: str
    text: str
    chapters: list[tuple[int, int, str, str | None]]  # start, end, section_key, country
    markers: list[tuple[int, int, str]]  # start, end, citation_key (resolved markers only)
    _normalized: NormalizedText | None = None

    @property
    def normalized(self) -> NormalizedText:
        if self._normalized is None:
            self._normalized = NormalizedText(self.text)
        return self._normalized

    def chapter_at(self, offset: int) -> tuple[int, int, str, str | None] | None:
        for chapter in self.chapters:
            if chapter[0] <= offset < chapter[1]:
                return chapter
        return None

    def part_span(self, part: str) -> tuple[int, int] | None:
        for start, end, key, _ in self.chapters:
            if key.rsplit("/", 1)[-1] == part:
                return start, end
        return None

    def cited(self, start: int, end: int) -> list[str]:
        """Citations whose markers sit inside the span or right after it (only
        punctuation and spaces between, at most 8 characters)."""
        keys = []
        i = bisect.bisect_left(self.markers, (start,))
        while i < len(self.markers):
            m_start, _, citation_key = self.markers[i]
            if m_start >= end and (m_start - end > 8 or not AFTER_SPAN.match(self.text[end:m_start])):
                break
            keys.append(citation_key)
            i += 1
        return list(dict.fromkeys(keys))


def evidence_documents(conn: psycopg.Connection) -> set[str]:
    """Keys of the documents the published evidence quotes (the facts stage's inputs
    besides the curated files and the reference data)."""
    return {k for (k,) in conn.execute(
        "SELECT DISTINCT d.document_key FROM core.evidence e JOIN core.documents d USING (document_id)")}


def load_documents(conn: psycopg.Connection) -> dict[str, DocumentText]:
    docs: dict[str, DocumentText] = {}
    for key, content in conn.execute("SELECT document_key, content FROM core.documents"):
        docs[key] = DocumentText(key, content, [], [])
    for doc_key, start, end, section_key, country in conn.execute(
        "SELECT d.document_key, s.char_start, s.char_end, s.section_key, c.country_code "
        "FROM core.document_sections s JOIN core.documents d USING (document_id) "
        "LEFT JOIN core.countries c ON c.country_id = s.country_id "
        "WHERE s.parent_id IS NULL ORDER BY s.char_start"
    ):
        docs[doc_key].chapters.append((start, end, section_key, country))
    for doc_key, start, end, citation_key in conn.execute(
        "SELECT d.document_key, m.char_start, m.char_end, c.citation_key FROM core.citation_markers m "
        "JOIN core.documents d USING (document_id) JOIN core.citations c USING (citation_id) "
        "ORDER BY m.char_start"
    ):
        docs[doc_key].markers.append((start, end, citation_key))
    return docs


@dataclass
class FactRows:
    agreements: list = field(default_factory=list)
    parties: list = field(default_factory=list)
    agreement_sectors: list = field(default_factory=list)
    investments: list = field(default_factory=list)
    investment_sectors: list = field(default_factory=list)
    policies: list = field(default_factory=list)
    targets: list = field(default_factory=list)
    policy_sectors: list = field(default_factory=list)
    evidence: list = field(default_factory=list)
    evidence_citations: list = field(default_factory=list)
    fx_rates: dict = field(default_factory=dict)


class _Context:
    def __init__(self, registry: Registry, docs: dict[str, DocumentText], root: Path):
        self.registry = registry
        self.docs = docs
        self.root = root
        self.problems: list[str] = []
        self.ids: dict[str, str] = {}  # fact id -> "fact_type|file:line"
        self.rows = FactRows()
        self.evidence_keys: set[str] = set()

    def where(self, path: Path, line: int) -> str:
        """`file:line` for messages: relative to the working directory when possible."""
        try:
            rel = path.resolve().relative_to(Path.cwd())
        except ValueError:
            rel = path
        return f"{rel}:{line}"

    def source_ref(self, path: Path, line: int) -> str:
        """`file:line` stored with a record: relative to the curated folder, so the same
        files give the same value wherever the folder lives."""
        return f"{path.relative_to(self.root).as_posix()}:{line}"

    def problem(self, path: Path, line: int, reason: str) -> None:
        self.problems.append(f"{self.where(path, line)}: {reason}")


def _line_of(record: Any, loc: tuple) -> int:
    """The line of the deepest mapping/key that a pydantic error location reaches."""
    line = getattr(record, "line", 1) or 1
    node = record
    for part in loc:
        if isinstance(node, LineDict):
            line = node.line_of(part) if isinstance(part, str) else node.line
            node = node.get(part) if isinstance(part, str) else None
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
            line = getattr(node, "line", line) or line
        else:
            break
    return line


def _validation_problems(ctx: _Context, path: Path, record: Any, exc: ValidationError) -> None:
    for err in exc.errors()[:3]:
        loc = ".".join(str(p) for p in err["loc"]) or "record"
        msg = err["msg"].removeprefix("Value error, ")
        ctx.problem(path, _line_of(record, err["loc"]), f"{loc}: {msg}")


def fact_loads(conn: psycopg.Connection, curated_dir: Path, registry: Registry) -> list[TableLoad]:
    docs = load_documents(conn)
    ctx = _Context(registry, docs, curated_dir)
    files = sorted(curated_dir.rglob("*.yaml")) if curated_dir.exists() else []
    pending_for: list[tuple[Path, LineDict, schema.EvidenceFor, str]] = []
    for path in files:
        _read_file(ctx, path, pending_for)
    for path, raw, item, document in pending_for:
        info = ctx.ids.get(item.fact_id)
        if info is None:
            ctx.problem(path, raw.line_of("fact_id"), f"evidence_for names unknown fact id {item.fact_id!r}")
            continue
        fact_type = info.split("|", 1)[0]
        _evidence(ctx, path, raw, fact_type, item.fact_id, item, document, part=None)
    if ctx.problems:
        raise FactsError(ctx.problems)
    return _loads(ctx.rows)


def _read_file(ctx: _Context, path: Path, pending_for: list) -> None:
    try:
        data = load_yaml_with_lines(path)
    except YamlSyntaxError as exc:
        ctx.problem(path, exc.line, exc.reason)
        return
    if not isinstance(data, LineDict):
        ctx.problem(path, 1, "a curated file is a mapping with document, part and fact lists")
        return
    try:
        header = schema.CuratedFile.model_validate(data)
    except ValidationError as exc:
        _validation_problems(ctx, path, data, exc)
        return
    if header.document not in ctx.docs:
        ctx.problem(path, data.line_of("document"), f"unknown document key {header.document!r}")
        return
    models = (("agreement", "agreements", schema.Agreement), ("investment", "investments", schema.Investment),
              ("policy_measure", "policy_measures", schema.PolicyMeasure))
    for fact_type, list_key, model in models:
        for raw in data.get(list_key) or []:
            try:
                fact = model.model_validate(raw)
            except ValidationError as exc:
                _validation_problems(ctx, path, raw, exc)
                continue
            line = getattr(raw, "line", 1)
            if fact.id in ctx.ids:
                ctx.problem(path, raw.line_of("id"), f"duplicate id {fact.id!r} (first at {ctx.ids[fact.id].split('|', 1)[1]})")
                continue
            ctx.ids[fact.id] = f"{fact_type}|{ctx.where(path, line)}"
            _fact(ctx, path, raw, fact_type, fact, header)
    for raw in data.get("evidence_for") or []:
        try:
            item = schema.EvidenceFor.model_validate(raw)
        except ValidationError as exc:
            _validation_problems(ctx, path, raw, exc)
            continue
        pending_for.append((path, raw, item, item.document or header.document))


def _check_key(ctx: _Context, path: Path, line: int, kind: str, key: str | None) -> None:
    if key is None:
        return
    known = {"organization": ctx.registry.organizations, "sector": ctx.registry.sectors,
             "country": ctx.registry.countries}[kind]
    if key not in known:
        ctx.problem(path, line, f"unknown {kind} key {key!r}")


def _fact(ctx: _Context, path: Path, raw: LineDict, fact_type: str, fact, header) -> None:
    line = raw.line
    fact_date, precision = partial_date(fact.date)
    for s in fact.sectors:
        _check_key(ctx, path, raw.line_of("sectors"), "sector", s)
    rel = ctx.source_ref(path, line)
    rows = ctx.rows
    if fact_type == "agreement":
        rows.agreements.append((fact.id, fact.title, fact.agreement_type, fact.status, fact_date, precision, fact.note, rel))
        for i, p in enumerate(fact.parties):
            pline = getattr(raw["parties"][i], "line", raw.line_of("parties"))
            if p.organization:
                _check_key(ctx, path, pline, "organization", p.organization)
                pk = f"{fact.id}|org:{p.organization}|{p.role}"
            else:
                _check_key(ctx, path, pline, "country", p.country)
                pk = f"{fact.id}|country:{p.country}|{p.role}"
            rows.parties.append((pk, fact.id, p.organization, p.country, p.role))
        rows.agreement_sectors += [(f"{fact.id}|{s}", fact.id, s) for s in dict.fromkeys(fact.sectors)]
    elif fact_type == "investment":
        _investment(ctx, path, raw, fact, fact_date, precision, rel)
    else:
        _check_key(ctx, path, raw.line_of("jurisdiction"), "country", fact.jurisdiction)
        _check_key(ctx, path, raw.line_of("issuer"), "organization", fact.issuer)
        rows.policies.append((fact.id, fact.title, fact.jurisdiction, fact.issuer, fact.measure_type, fact.status,
                              fact.stance, fact_date, precision, fact.note, rel))
        for i, t in enumerate(fact.targets):
            tline = getattr(raw["targets"][i], "line", raw.line_of("targets"))
            kind, key = next((k, v) for k, v in (("organization", t.organization), ("country", t.country),
                                                 ("sector", t.sector)) if v is not None)
            _check_key(ctx, path, tline, kind, key)
            rows.targets.append((f"{fact.id}|{kind}:{key}", fact.id, t.organization, t.country, t.sector))
        rows.policy_sectors += [(f"{fact.id}|{s}", fact.id, s) for s in dict.fromkeys(fact.sectors)]
    for i, ev in enumerate(fact.evidence):
        ev_raw = raw["evidence"][i] if isinstance(raw["evidence"][i], LineDict) else raw
        _evidence(ctx, path, ev_raw, fact_type, fact.id, ev, ev.document or header.document, part=header.part)


def _investment(ctx: _Context, path: Path, raw: LineDict, fact, fact_date, precision, rel: str) -> None:
    reg = ctx.registry
    _check_key(ctx, path, raw.line_of("investor"), "organization", fact.investor)
    _check_key(ctx, path, raw.line_of("target"), "organization", fact.target)
    _check_key(ctx, path, raw.line_of("host_country"), "country", fact.host_country)
    amount_eur = rate = rate_date = None
    if fact.currency is not None:
        if not fx.is_iso_currency(fact.currency):
            ctx.problem(path, raw.line_of("currency"), f"currency {fact.currency!r} is not an ISO 4217 code")
            return
        if fact.currency == "EUR":
            rate, rate_date = Decimal(1), None
            amount_eur = Decimal(str(fact.amount))
        elif fact_date is not None:
            try:
                r = fx.ecb_rate(fact.currency, fact_date.year)
            except fx.FxError as exc:
                ctx.problem(path, raw.line_of("currency"), str(exc))
                return
            ctx.rows.fx_rates[(r.currency, r.year)] = r
            rate, rate_date = r.rate, r.rate_date
            amount_eur = (Decimal(str(fact.amount)) / r.rate).quantize(Decimal("0.01"))
    if fact.recommended_for_aggregates and amount_eur is None:
        ctx.problem(path, raw.line_of("recommended_for_aggregates"),
                    "recommended_for_aggregates needs an amount convertible to EUR (a dated amount)")
        return
    investor = reg.organizations.get(fact.investor)
    host = reg.countries.get(fact.host_country)
    investor_cc = investor.country if investor else None
    european = host is not None and (host.region == "Europe" or host.code == "EU")
    if investor_cc in CHINA_CODES and european:
        direction = "china_to_europe"
    elif fact.host_country in CHINA_CODES and investor_cc and (
        investor_cc == "EU" or (reg.countries.get(investor_cc) and reg.countries[investor_cc].region == "Europe")
    ):
        direction = "europe_to_china"
    else:
        direction = "other"
    ctx.rows.investments.append((
        fact.id, fact.title, fact.investor, fact.target, fact.target_name, fact.host_country, fact.location,
        fact.investment_type, fact.status, _dec(fact.amount), _dec(fact.amount_max), fact.amount_qualifier, fact.currency,
        amount_eur, rate, rate_date, fact_date, precision, direction, fact.recommended_for_aggregates,
        fact.note, rel,
    ))
    ctx.rows.investment_sectors += [(f"{fact.id}|{s}", fact.id, s) for s in dict.fromkeys(fact.sectors)]


def _dec(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _evidence(ctx: _Context, path: Path, raw: LineDict, fact_type: str, fact_id: str, ev, document: str,
              part: str | None) -> None:
    doc = ctx.docs.get(document)
    line = raw.line_of("quote") if isinstance(raw, LineDict) else 1
    if doc is None:
        ctx.problem(path, line, f"unknown document key {document!r}")
        return
    within = doc.part_span(part) if part else None
    match = _locate(doc, ev.quote, within)
    if match is None:
        ctx.problem(path, line, f"quote not found in {document}: {ev.quote[:60]!r}")
        return
    key = f"{fact_id}@{document}:{match.start}-{match.end}"
    if key in ctx.evidence_keys:
        return
    ctx.evidence_keys.add(key)
    chapter = doc.chapter_at(match.start)
    ctx.rows.evidence.append((
        key, fact_type,
        fact_id if fact_type == "agreement" else None,
        fact_id if fact_type == "investment" else None,
        fact_id if fact_type == "policy_measure" else None,
        document, chapter[2] if chapter else None, match.start, match.end,
        doc.text[match.start:match.end], match.method, ctx.source_ref(path, line),
    ))
    for citation_key in doc.cited(match.start, match.end):
        ctx.rows.evidence_citations.append((f"{key}#{citation_key}", key, citation_key))


def _locate(doc: DocumentText, quote: str, within: tuple[int, int] | None):
    """find_quote's answer, faster: exact occurrences by str.find (no regex compiled per
    quote), and the normalized copy of the text built only when the exact search fails."""
    starts, i = [], doc.text.find(quote) if quote else -1
    while i != -1:
        starts.append(i)
        i = doc.text.find(quote, i + len(quote))
    if starts:
        best = _prefer(starts, within)
        return Match(best, best + len(quote), "exact")
    return find_quote(doc.text, quote, doc.normalized, within)


def _loads(rows: FactRows) -> list[TableLoad]:
    fx_rows = [(f"{r.currency}|{r.year}", r.currency, r.year, r.rate, r.rate_date, r.source)
               for r in rows.fx_rates.values()]
    return [
        TableLoad("core.fx_rates", "fx_rate_key", ["fx_rate_key", "currency", "rate_year", "rate", "rate_date", "source"], fx_rows),
        TableLoad("core.agreements", "agreement_key",
                  ["agreement_key", "title", "agreement_type", "status", "fact_date", "date_precision", "note", "source_file"],
                  rows.agreements),
        TableLoad("core.agreement_parties", "agreement_party_key",
                  ["agreement_party_key", "agreement_key", "organization_key", "country_code", "role"], rows.parties,
                  refs=[_r("agreement_id", "agreement_key", AGREEMENT), _r("organization_id", "organization_key", ORG),
                        _r("country_id", "country_code", COUNTRY)]),
        TableLoad("core.agreement_sectors", "agreement_sector_key", ["agreement_sector_key", "agreement_key", "sector_key"],
                  rows.agreement_sectors, refs=[_r("agreement_id", "agreement_key", AGREEMENT), _r("sector_id", "sector_key", SECTOR)]),
        TableLoad("core.investments", "investment_key",
                  ["investment_key", "title", "investor_key", "target_key", "target_name", "host_country_code", "location",
                   "investment_type", "status", "amount", "amount_max", "amount_qualifier", "currency", "amount_eur",
                   "fx_rate", "fx_rate_date", "fact_date", "date_precision", "direction", "recommended_for_aggregates",
                   "note", "source_file"],
                  rows.investments,
                  refs=[_r("investor_id", "investor_key", ORG), _r("target_id", "target_key", ORG),
                        _r("host_country_id", "host_country_code", COUNTRY)]),
        TableLoad("core.investment_sectors", "investment_sector_key", ["investment_sector_key", "investment_key", "sector_key"],
                  rows.investment_sectors, refs=[_r("investment_id", "investment_key", INVESTMENT), _r("sector_id", "sector_key", SECTOR)]),
        TableLoad("core.policy_measures", "policy_measure_key",
                  ["policy_measure_key", "title", "jurisdiction_code", "issuer_key", "measure_type", "status", "stance",
                   "fact_date", "date_precision", "note", "source_file"],
                  rows.policies,
                  refs=[_r("jurisdiction_id", "jurisdiction_code", COUNTRY), _r("issuer_id", "issuer_key", ORG)]),
        TableLoad("core.policy_measure_targets", "policy_measure_target_key",
                  ["policy_measure_target_key", "policy_measure_key", "organization_key", "country_code", "sector_key"],
                  rows.targets,
                  refs=[_r("policy_measure_id", "policy_measure_key", POLICY), _r("organization_id", "organization_key", ORG),
                        _r("country_id", "country_code", COUNTRY), _r("sector_id", "sector_key", SECTOR)]),
        TableLoad("core.policy_measure_sectors", "policy_measure_sector_key",
                  ["policy_measure_sector_key", "policy_measure_key", "sector_key"], rows.policy_sectors,
                  refs=[_r("policy_measure_id", "policy_measure_key", POLICY), _r("sector_id", "sector_key", SECTOR)]),
        TableLoad("core.evidence", "evidence_key",
                  ["evidence_key", "fact_type", "agreement_key", "investment_key", "policy_measure_key", "document_key",
                   "section_key", "char_start", "char_end", "quote", "match_method", "source_file"],
                  rows.evidence,
                  refs=[_r("agreement_id", "agreement_key", AGREEMENT), _r("investment_id", "investment_key", INVESTMENT),
                        _r("policy_measure_id", "policy_measure_key", POLICY), _r("document_id", "document_key", DOC),
                        _r("section_id", "section_key", SECTION)]),
        TableLoad("core.evidence_citations", "evidence_citation_key", ["evidence_citation_key", "evidence_key", "citation_key"],
                  rows.evidence_citations,
                  refs=[_r("evidence_id", "evidence_key", ("core.evidence", "evidence_key", "evidence_id")),
                        _r("citation_id", "citation_key", CITATION)]),
    ]
