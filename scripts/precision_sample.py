"""Draw a seeded random sample of curated facts per type, for a second reader to judge
(docs/curation.md, "Precision sample"; verdicts in tests/data/precision_verdicts.yaml).

Reads the curated files directly (no database): every agreement, investment and policy
measure with its fields, its own evidence quotes (document / part of its file) and the
`evidence_for` quotes other files add to it. The draw depends only on the seed, the
size and the set of fact ids of each type: ids are sorted and sampled with a generator
seeded by "<seed>:<type>", so adding a record of one type does not move the sample of
another.

Usage:
  .venv/bin/python scripts/precision_sample.py [--seed 2026] [--size 40]
      [--format yaml|text] [--type agreement|investment|policy_measure]
      [--context] [--ids-only] [--curated etl/curated]

--context adds the paragraph of the source document that holds each quote (read with the
project's parser; needs the corpus in data/corpus).
"""

from __future__ import annotations

import argparse
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SEED = 2026
DEFAULT_SIZE = 40
# curated-file list key -> fact type (etnc_db.facts.schema.list_keys(), without importing
# the models when the package is not installed)
try:
    sys.path.insert(0, str(ROOT / "src"))
    from etnc_db.facts.schema import list_keys as _list_keys

    LIST_KEYS = dict(_list_keys())
except Exception:  # pragma: no cover - the format is fixed by docs/curation.md §4
    LIST_KEYS = {"agreements": "agreement", "investments": "investment", "policy_measures": "policy_measure"}
TYPES = tuple(LIST_KEYS.values())
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class Quote:
    quote: str
    document: str
    part: str
    file: str
    occurrence: int | None = None
    evidence_for: bool = False  # added by another file's evidence_for entry


@dataclass
class Fact:
    id: str
    type: str
    file: str
    document: str
    part: str
    fields: dict
    quotes: list[Quote] = field(default_factory=list)


def load_facts(curated: Path = ROOT / "etl" / "curated") -> dict[str, Fact]:
    """Every curated fact by id, with its own quotes and the evidence_for quotes."""
    facts: dict[str, Fact] = {}
    extra: list[tuple[str, Quote]] = []
    for path in sorted(Path(curated).rglob("*.yaml")):
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader) or {}
        rel = path.relative_to(curated).as_posix()
        doc, part = data.get("document"), data.get("part")
        for list_key, fact_type in LIST_KEYS.items():
            for rec in data.get(list_key) or []:
                fields = {k: v for k, v in rec.items() if k != "evidence"}
                fact = Fact(rec["id"], fact_type, rel, doc, part, fields)
                for ev in rec.get("evidence") or []:
                    d = ev.get("document") or doc
                    fact.quotes.append(Quote(ev["quote"], d, part if d == doc else None, rel, ev.get("occurrence")))
                facts[fact.id] = fact
        for ev in data.get("evidence_for") or []:
            d = ev.get("document") or doc
            extra.append((ev["fact_id"], Quote(ev["quote"], d, part if d == doc else None, rel,
                                               ev.get("occurrence"), evidence_for=True)))
    for fact_id, quote in extra:
        if fact_id in facts:
            facts[fact_id].quotes.append(quote)
    return facts


def draw(facts: dict[str, Fact], seed: int = DEFAULT_SEED, size: int = DEFAULT_SIZE,
         types: tuple[str, ...] = TYPES) -> dict[str, list[str]]:
    """Sampled ids per type (sorted): `size` of each type, or all when there are fewer."""
    out = {}
    for fact_type in types:
        ids = sorted(f.id for f in facts.values() if f.type == fact_type)
        rng = random.Random(f"{seed}:{fact_type}")
        out[fact_type] = sorted(rng.sample(ids, min(size, len(ids))))
    return out


class Paragraphs:
    """The paragraph of a document that holds a quote (searched in the quote's part)."""

    def __init__(self, root: Path = ROOT):
        from etnc_db.extract import parse_document
        from etnc_db.extract.errata import load_errata

        manifest = yaml.safe_load((root / "data" / "corpus" / "sources.yaml").read_text(encoding="utf-8"))
        errata = load_errata(root / "etl" / "reference")
        self.docs = {}
        for e in manifest["documents"]:
            text = (root / "data" / "corpus" / e["file"]).read_text(encoding="utf-8")
            parsed = parse_document(text, kind=e["kind"], file_name=e["file"], title=e.get("title"), errata=errata)
            parts = {s.key: (s.char_start, s.char_end) for s in parsed.sections if s.parent_key is None}
            self.docs[e["key"]] = (text, parts)

    def of(self, q: Quote) -> str | None:
        from etnc_db.quotes import find_all

        if q.document not in self.docs:
            return None
        text, parts = self.docs[q.document]
        lo, hi = parts.get(q.part, (0, len(text))) if q.part else (0, len(text))
        matches = find_all(text[lo:hi], [q.quote])[q.quote]
        if not matches:
            return None
        m = matches[min((q.occurrence or 1), len(matches)) - 1]
        start, end = lo + m.start, lo + m.end
        # a paragraph is a line of the stored text (a quote stays inside one paragraph)
        p_start = text.rfind("\n", lo, start) + 1 or lo
        p_end = text.find("\n", end, hi)
        p_end = hi if p_end < 0 else p_end
        return " ".join(text[p_start:p_end].split())


def as_records(facts: dict[str, Fact], sample: dict[str, list[str]], context: Paragraphs | None = None) -> list[dict]:
    out = []
    for fact_type, ids in sample.items():
        for fid in ids:
            f = facts[fid]
            quotes = []
            for q in f.quotes:
                entry = {"quote": q.quote, "document": q.document, "part": q.part, "file": q.file}
                if q.occurrence:
                    entry["occurrence"] = q.occurrence
                if q.evidence_for:
                    entry["evidence_for"] = True
                if context is not None:
                    entry["paragraph"] = context.of(q)
                quotes.append(entry)
            out.append({"type": fact_type, "file": f.file, **f.fields, "evidence": quotes})
    return out


def _text(records: list[dict]) -> str:
    lines = []
    for rec in records:
        lines.append(f"=== {rec['type']} {rec['id']}  ({rec['file']})")
        for key, value in rec.items():
            if key in ("type", "file", "id", "evidence") or value in (None, [], ""):
                continue
            if isinstance(value, list):
                lines.append(f"  {key}:")
                lines.extend(f"    - {_flow(v)}" for v in value)
            else:
                lines.append(f"  {key}: {value}")
        for i, q in enumerate(rec["evidence"], 1):
            src = f"{q['document']}/{q['part']}" if q["part"] else q["document"]
            how = f" [evidence_for from {q['file']}]" if q.get("evidence_for") else ""
            occ = f" (occurrence {q['occurrence']})" if q.get("occurrence") else ""
            lines.append(f"  quote {i} ({src}{occ}){how}: “{q['quote']}”")
            if q.get("paragraph"):
                lines.append(f"    paragraph: {q['paragraph']}")
        lines.append("")
    return "\n".join(lines)


def _flow(value) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {v}" for k, v in value.items()) + "}"
    return str(value)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--size", type=int, default=DEFAULT_SIZE, help="facts per type")
    ap.add_argument("--format", choices=("yaml", "text"), default="text")
    ap.add_argument("--type", choices=TYPES, action="append", help="only this type (repeatable)")
    ap.add_argument("--context", action="store_true", help="add each quote's paragraph from the source")
    ap.add_argument("--ids-only", action="store_true", help="print only the sampled ids per type")
    ap.add_argument("--curated", type=Path, default=ROOT / "etl" / "curated")
    args = ap.parse_args(argv)
    facts = load_facts(args.curated)
    sample = draw(facts, args.seed, args.size, tuple(args.type or TYPES))
    header = {"seed": args.seed, "size": args.size,
              "population": {t: sum(1 for f in facts.values() if f.type == t) for t in sample},
              "drawn": {t: len(ids) for t, ids in sample.items()}}
    if args.ids_only:
        print(yaml.safe_dump({**header, "ids": sample}, sort_keys=False, allow_unicode=True), end="")
        return
    records = as_records(facts, sample, Paragraphs() if args.context else None)
    if args.format == "yaml":
        print(yaml.safe_dump({**header, "facts": records}, sort_keys=False, allow_unicode=True, width=120), end="")
    else:
        print(f"# precision sample: seed {args.seed}, {args.size} per type; "
              + ", ".join(f"{t} {header['drawn'][t]} of {header['population'][t]}" for t in sample) + "\n")
        print(_text(records))


if __name__ == "__main__":
    main()
