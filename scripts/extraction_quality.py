#!/usr/bin/env python
"""How well the candidate extraction (etnc_db.propose) finds the curated facts.

    .venv/bin/python scripts/extraction_quality.py                 # the report, leave-one-chapter-out
    .venv/bin/python scripts/extraction_quality.py --train         # also refit etl/extraction/confidence.json
    .venv/bin/python scripts/extraction_quality.py --news /work/eval/news --split dev
    .venv/bin/python scripts/extraction_quality.py --json          # figures as JSON
    .venv/bin/python scripts/extraction_quality.py --news /work/eval/news3 --fit-floors  # floors, dev/test

Report mode: the shipped report (data/corpus/002_44c2a5c8c66c6785.txt) against the
curated facts of etl/curated/etnc-2026-report, leave-one-chapter-out: the confidence
weights (when learned) and the per-type thresholds that score chapter c are fitted on
the other chapters only. Both hand-set and learned weights are measured; --train writes
the better of the two (fitted on every chapter) to etl/extraction/confidence.json.

News mode: pages pNN.txt with labels pNN.yaml (split: dev|test; facts: [{type, quote,
fields}]), scored with the shipped confidence.json. A labelled fact is found when a kept
candidate of its type overlaps the quote. The pages' text stays outside the repository.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from etnc_db.extract import parse_document  # noqa: E402
from etnc_db.extract.errata import load_errata  # noqa: E402
from etnc_db.link.linker import Linker  # noqa: E402
from etnc_db.propose import RULES_DIR, load_rules, load_weights  # noqa: E402
from etnc_db.propose.confidence import dump_weights  # noqa: E402
from etnc_db.propose.evaluate import (  # noqa: E402
    FACT_TYPES,
    Truth,
    fit,
    label_items,
    loco,
    score,
)
from etnc_db.propose.extract import extract  # noqa: E402
from etnc_db.propose.inputs import input_from_parsed  # noqa: E402
from etnc_db.propose.truth import load_truth  # noqa: E402
from etnc_db.quotes import find_quote  # noqa: E402
from etnc_db.reference.registry import load_registry  # noqa: E402

REPORT_FILE = "002_44c2a5c8c66c6785.txt"
REPORT_KEY = "etnc-2026-report"
CONFIDENCE = RULES_DIR / "confidence.json"


class ReportCase:
    """The report parsed, linked and extracted once, with its curated truth."""

    def __init__(self, root: Path = ROOT):
        manifest = yaml.safe_load((root / "data" / "corpus" / "sources.yaml").read_text(encoding="utf-8"))
        entry = next(d for d in manifest["documents"] if d["key"] == REPORT_KEY)
        self.registry = load_registry(root / "etl" / "reference")
        self.linker = Linker(self.registry)
        text = (root / "data" / "corpus" / entry["file"]).read_text(encoding="utf-8")
        errata = load_errata(root / "etl" / "reference")  # the source errors the pipeline tolerates
        parsed = parse_document(text, kind="report", file_name=entry["file"], errata=errata)
        self.doc = input_from_parsed(REPORT_KEY, text, parsed, published=entry.get("published"), linker=self.linker)
        parts = {s.key: (s.char_start, s.char_end) for s in parsed.sections if s.parent_key is None}
        self.truth = [Truth(f.id, f.fact_type, f.part, f.fields, f.spans)
                      for f in load_truth(root / "etl" / "curated", REPORT_KEY, text, parts)]
        self.rules = load_rules(root / "etl" / "extraction")
        self.hand = load_weights(root / "etl" / "extraction" / "confidence.json")
        if self.hand.method != "hand":  # the hand-set weights are kept beside learned ones
            self.hand = load_weights(root / "etl" / "extraction" / "confidence_hand.json")
        self.raws = extract(self.doc, self.rules)
        self.items = label_items(self.raws, self.truth, lambda r: r.sentences[0].passage.chapter_key or "?")

    def evaluate(self, method: str, calibrate: bool | None = None, floors: dict[str, float] | None = None):
        """LOCO scores; ``calibrate`` None: as shipped (calibration tables fitted when
        the shipped confidence.json has them); ``floors`` None: the shipped threshold
        floors (evaluate.THRESHOLD_FLOOR), {} none."""
        if calibrate is None:
            calibrate = any(load_weights(CONFIDENCE).calibration.values())  # {type: {}}: none
        kept = loco(self.items, self.truth, method, self.hand, calibrate=calibrate, floors=floors)
        return score([(it.raw.fact_type, it.raw.evidence, proposed) for it, proposed in kept], self.truth)


def print_scores(title: str, s, out=sys.stdout) -> None:
    print(f"\n{title}", file=out)
    print(f"{'type':<16}{'facts':>6}{'found':>6}{'recall':>8}{'cands':>7}{'per fact':>9}{'fields':>8}", file=out)
    for t in FACT_TYPES:
        print(f"{t:<16}{s.facts[t]:>6}{s.found[t]:>6}{s.recall(t):>8.1%}{s.candidates[t]:>7}{s.per_fact(t):>9.2f}"
              f"{s.field_accuracy(t):>8.1%}", file=out)
    print(f"{'all fields':<16}{'':>42}{s.field_accuracy():>8.1%}", file=out)
    for t in FACT_TYPES:
        parts = [f"{name} {r}/{c}" + (f" {r / c:.0%}" if c else "") for name, (r, c) in s.fields[t].items()]
        print(f"  {t}: " + ", ".join(parts), file=out)


# ----------------------------------------------------------------------------- news


def _surface_ok(label: Any, proposed: Any, page_text: str, mentions) -> bool:
    """A labelled surface ('Sinochem') against a proposed registry key or surface."""
    if label in (None, "") or proposed in (None, ""):
        return label in (None, "") and proposed in (None, "")
    label_l = str(label).lower()
    surfaces = {m.surface.lower() for m in mentions if m.entity_key == proposed} | {str(proposed).lower()}
    return any(label_l == s or label_l in s or s in label_l for s in surfaces if len(s) > 2)


from typing import Any  # noqa: E402


def news_compare(page_text: str, mentions):
    def compare(name: str, curated: Any, proposed: Any):
        if curated in (None, "", []) and proposed in (None, "", []):
            return None
        if name in ("investor", "target", "issuer"):
            return _surface_ok(curated, proposed, page_text, mentions)
        if name in ("parties", "targets"):
            labels = curated if isinstance(curated, list) else [curated]
            got = []
            for x in proposed or []:
                if isinstance(x, dict):
                    got.append(x.get("organization") or x.get("country") or x.get("sector") or x.get("description"))
            if not labels or not got:
                return False
            hits = sum(1 for lab in labels if any(_surface_ok(lab, g, page_text, mentions) or
                                                 (isinstance(lab, str) and lab == g) for g in got))
            return hits == len(labels)
        if name == "date":
            return curated is not None and proposed is not None and str(proposed).startswith(str(curated)) \
                and len(str(proposed)) >= len(str(curated))
        if name == "amount":
            return curated is not None and proposed is not None and abs(float(proposed) - float(curated)) <= 0.01 * float(curated)
        return curated == proposed
    return compare


def evaluate_news(directory: Path, split: str, root: Path = ROOT):
    from etnc_db.propose import propose
    from etnc_db.propose.evaluate import Scores

    registry = load_registry(root / "etl" / "reference")
    linker = Linker(registry)
    rules = load_rules(root / "etl" / "extraction")
    weights = load_weights(CONFIDENCE)
    total = Scores()
    pages = 0
    for label_path in sorted(directory.glob("p*.yaml")):
        labels = yaml.safe_load(label_path.read_text(encoding="utf-8"))
        if labels.get("split") != split:
            continue
        text = (directory / labels["file"]).read_text(encoding="utf-8")
        pages += 1
        published = labels.get("published")
        parsed = parse_document(text, kind="news_article", file_name=labels["file"])
        doc = input_from_parsed(label_path.stem, text, parsed, published=str(published) if published else None,
                                linker=linker)
        cands = propose(doc, rules, weights)
        truth = []
        for i, f in enumerate(labels.get("facts") or []):
            if f.get("in_scope") is False:
                continue
            m = find_quote(text, f["quote"])
            if m is None:
                print(f"{label_path.name}: quote not found: {f['quote'][:50]!r}", file=sys.stderr)
                continue
            fields = dict(f.get("fields") or {})
            truth.append(Truth(f"{label_path.stem}-{i}", f["type"], label_path.stem, fields, [(m.start, m.end)]))
        s = score([(c.fact_type, c.evidence, c.proposed) for c in cands], truth, news_compare(text, doc.mentions))
        for t in FACT_TYPES:
            total.facts[t] = total.facts.get(t, 0) + s.facts[t]
            total.found[t] = total.found.get(t, 0) + s.found[t]
            total.candidates[t] = total.candidates.get(t, 0) + s.candidates[t]
            total.fields.setdefault(t, {})
            total.misses.setdefault(t, []).extend(s.misses[t])
            for name, (r, c) in s.fields[t].items():
                acc = total.fields[t].setdefault(name, [0, 0])
                acc[0] += r
                acc[1] += c
    return total, pages


def news_scores(directory: Path, split: str, weights, root: Path = ROOT):
    """Every candidate's (type, confidence), kept or not, and per labelled fact its type
    and the confidences of the candidates of its type overlapping its quote."""
    from etnc_db.propose import propose

    linker = Linker(load_registry(root / "etl" / "reference"))
    rules = load_rules(root / "etl" / "extraction")
    cands_all, facts = [], []
    for label_path in sorted(directory.glob("p*.yaml")):
        labels = yaml.safe_load(label_path.read_text(encoding="utf-8"))
        if labels.get("split") != split:
            continue
        text = (directory / labels["file"]).read_text(encoding="utf-8")
        published = labels.get("published")
        parsed = parse_document(text, kind="news_article", file_name=labels["file"])
        doc = input_from_parsed(label_path.stem, text, parsed, published=str(published) if published else None,
                                linker=linker)
        cands = propose(doc, rules, weights, keep_all=True)
        cands_all += [(c.fact_type, c.confidence) for c in cands]
        for f in labels.get("facts") or []:
            m = find_quote(text, f["quote"]) if f.get("in_scope") is not False else None
            if m is not None:
                facts.append((f["type"], [c.confidence for c in cands if c.fact_type == f["type"]
                                          and any(a < m.end and m.start < b for a, b in c.evidence)]))
    return cands_all, facts


def floor_counts(pages, fact_type: str, threshold: float) -> tuple[int, int, int]:
    """(facts, found, kept candidates) of ``fact_type`` at ``threshold``."""
    cands, facts = pages
    n = sum(1 for t, _ in facts if t == fact_type)
    found = sum(1 for t, sc in facts if t == fact_type and any(x >= threshold for x in sc))
    return n, found, sum(1 for t, c in cands if t == fact_type and c >= threshold)


def fit_floor(pages, fact_type: str, report_threshold: float, budget: float) -> float:
    """The lowest floor (0 or a candidate's confidence) keeping at most ``budget``
    candidates per labelled fact on ``pages``, the report's threshold applying below it."""
    grid = sorted({0.0} | {c for t, c in pages[0] if t == fact_type})
    for floor in grid:
        n, _, kept = floor_counts(pages, fact_type, max(floor, report_threshold))
        if kept <= budget * n:
            return floor
    return grid[-1]


def fit_floors(directory: Path, budget: float = 2.5) -> None:
    """Threshold floors fitted leave-one-split-out over the news splits dev and test
    (fit on one, check on the other), then on both (the shipped floors, rounded)."""
    case = ReportCase()
    weights = fit(case.items, case.truth, "learned", case.hand, calibrate=False, floors={})
    splits = {s: news_scores(directory, s, weights) for s in ("dev", "test")}
    both = tuple(a + b for a, b in zip(splits["dev"], splits["test"], strict=True))
    for t in FACT_TYPES:
        report = weights.thresholds[t]
        for a, b in (("dev", "test"), ("test", "dev")):
            floor = fit_floor(splits[a], t, report, budget)
            (n, f, k), (n2, f2, k2) = (floor_counts(splits[x], t, max(floor, report)) for x in (a, b))
            print(f"{t:<15} fit on {a:<4} floor {floor:.3f}: {f}/{n} found, {k / max(n, 1):.2f} per fact;"
                  f" checked on {b:<4}: {f2}/{n2} found, {k2 / max(n2, 1):.2f} per fact")
        floor = fit_floor(both, t, report, budget)
        n, f, k = floor_counts(both, t, max(floor, report))
        print(f"{t:<15} fit on dev+test floor {floor:.3f} (report threshold {report:.3f}): {f}/{n} found, "
              f"{k / max(n, 1):.2f} per fact")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--news", type=Path, help="folder of news pages pNN.txt + labels pNN.yaml")
    ap.add_argument("--split", default="dev", choices=("dev", "test", "test2", "test3"))
    ap.add_argument("--train", action="store_true", help="refit etl/extraction/confidence.json")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--misses", action="store_true", help="list the ids of curated facts not found")
    ap.add_argument("--fit-floors", action="store_true",
                    help="with --news: fit the threshold floors leave-one-split-out over dev and test")
    args = ap.parse_args(argv)
    if args.news and args.fit_floors:
        fit_floors(args.news)
        return 0
    if args.news:
        s, pages = evaluate_news(args.news, args.split)
        if args.json:
            print(json.dumps({"split": args.split, "pages": pages, "scores": s.as_dict()}, indent=1))
        else:
            print_scores(f"news {args.split}: {pages} pages, shipped confidence.json", s)
        return 0
    case = ReportCase()
    # the two weight sets compared at the same budget (no floors: a floor is a score,
    # it binds the two sets differently); then the better one as shipped, with floors
    results = {m: case.evaluate(m, calibrate=False, floors={}) for m in ("hand", "learned")}

    def goal(s):
        return sum(s.recall(t) for t in FACT_TYPES)

    better = "learned" if goal(results["learned"]) > goal(results["hand"]) else "hand"
    shipped = case.evaluate(better, calibrate=False)
    if args.json:
        print(json.dumps({**{m: s.as_dict() for m, s in results.items()}, "shipped": shipped.as_dict()}, indent=1))
    else:
        for m, s in results.items():
            print_scores(f"report, leave-one-chapter-out, {m} weights, no threshold floors", s)
            if args.misses:
                for t in FACT_TYPES:
                    print(f"  missed {t}: {', '.join(s.misses[t])}")
        print_scores(f"report, leave-one-chapter-out, {better} weights with threshold floors (as shipped)", shipped)
    calibrated = case.evaluate(better, calibrate=True)
    calibrate = calibrated.field_accuracy() > shipped.field_accuracy()
    if not args.json:
        print(f"\nbetter under LOCO (sum of recalls at the same budget): {better}")
        print(f"fields right with calibration tables {calibrated.field_accuracy():.1%}, without "
              f"{shipped.field_accuracy():.1%}: {'calibrate' if calibrate else 'no calibration'}")
    if args.train:
        final = fit(case.items, case.truth, better, case.hand, calibrate=calibrate)
        evaluation = {"loco": {m: {t: {"recall": round(s.recall(t), 4), "candidates_per_fact": round(s.per_fact(t), 3)}
                                   for t in FACT_TYPES} for m, s in {**results, "shipped": shipped}.items()}}
        if better == "learned":
            dump_weights(RULES_DIR / "confidence_hand.json", case.hand, "the hand-set weights, kept for comparison")
        dump_weights(CONFIDENCE, final, f"{better} weights, thresholds fitted on every report chapter "
                     "(scripts/extraction_quality.py --train)", evaluation)
        print(f"wrote {CONFIDENCE.relative_to(ROOT)} ({better})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
