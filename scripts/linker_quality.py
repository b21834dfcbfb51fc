#!/usr/bin/env python
"""Precision and recall of the linker on the hand-labelled sample.

    .venv/bin/python scripts/linker_quality.py [--verbose] [--sample PATH ...]
    .venv/bin/python scripts/linker_quality.py --news DIR [--split dev|test] [--verbose]

Without --sample it scores both the original sample (drafted from linker output, so
in-sample) and the blind held-out sample tests/data/linker_sample_heldout.yaml.

--news DIR scores organization detection on labelled news pages kept outside the
repository (DIR/pNN.txt + DIR/pNN.yaml with `split:` and `organizations:` whose entries
have `surface` and `all_surfaces`): the share of labelled surfaces that the registry
knows (a name, acronym or alias with the same case- and accent-folded form), and of
those the share the linker finds (some occurrence in the page lies inside an
organization mention). Pages are linked line by line, as passages are. Only pages of
--split (default dev) are read; nothing of them is written anywhere.

precision = correct links / (links produced on labelled spans + links overlapping a
            span labelled null)
recall    = correctly linked expected entities / expected entities
A link is correct when its span is exactly the labelled span and its entity matches.
Also prints the time to link the whole report once.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from etnc_db.link.linker import Linker  # noqa: E402 - after the sys.path line
from etnc_db.reference.registry import (  # noqa: E402
    Registry,
    load_registry,
    organization_surfaces,
    surface_key,
)

SAMPLE = ROOT / "tests" / "data" / "linker_sample.yaml"
HELDOUT = ROOT / "tests" / "data" / "linker_sample_heldout.yaml"
CORPUS = ROOT / "data" / "corpus"
REPORT = CORPUS / "002_44c2a5c8c66c6785.txt"


@dataclass
class Score:
    correct: int = 0
    produced: int = 0
    expected: int = 0
    spurious: int = 0
    labels: int = 0
    paragraphs: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        denom = self.produced + self.spurious
        return self.correct / denom if denom else 1.0

    @property
    def recall(self) -> float:
        return self.correct / self.expected if self.expected else 1.0


def _span(text: str, surface: str, occurrence: int) -> tuple[int, int]:
    starts = [m.start() for m in re.finditer(re.escape(surface), text)]
    if len(starts) < occurrence:
        raise ValueError(f"{surface!r} occurs {len(starts)} times, label asks for #{occurrence}")
    s = starts[occurrence - 1]
    return s, s + len(surface)


def evaluate(linker: Linker, sample_path: Path = SAMPLE, corpus: Path = CORPUS) -> Score:
    score = Score()
    lines_cache: dict[str, tuple[list[str], list[int]]] = {}
    for block in yaml.safe_load(sample_path.read_text(encoding="utf-8")):
        doc = block["document"]
        if doc not in lines_cache:
            full = (corpus / doc).read_text(encoding="utf-8")
            lines = full.split("\n")
            offsets, pos = [], 0
            for ln in lines:
                offsets.append(pos)
                pos += len(ln) + 1
            lines_cache[doc] = (lines, offsets)
        lines, offsets = lines_cache[doc]
        text = lines[block["line"] - 1]
        base = offsets[block["line"] - 1]
        where = f"{doc}:{block['line']}"
        if not text.startswith(block.get("text_starts", "")):
            raise SystemExit(f"{where}: paragraph changed; relabel the sample")
        score.paragraphs += 1
        mentions = linker.link(text, offset=base)
        by_span = {(m.char_start - base, m.char_end - base): m for m in mentions}
        for label in block["labels"]:
            score.labels += 1
            s, e = _span(text, label["surface"], label.get("occurrence", 1))
            expect = label["expect"]
            if expect is None:
                hits = [m for m in mentions if m.char_start - base < e and s < m.char_end - base]
                score.spurious += len(hits)
                for m in hits:
                    score.errors.append(f"{where}: {m.surface!r} linked to "
                                        f"{m.entity_type}:{m.entity_key}, expected no link")
                continue
            score.expected += 1
            got = by_span.get((s, e))
            overlapping = [m for m in mentions if m.char_start - base < e and s < m.char_end - base]
            score.produced += len(overlapping)
            if got is not None and f"{got.entity_type}:{got.entity_key}" == expect:
                score.correct += 1
            else:
                found = ", ".join(f"{m.surface!r}->{m.entity_type}:{m.entity_key}"
                                  for m in overlapping) or "nothing"
                score.errors.append(f"{where}: {label['surface']!r} expected {expect}, got {found}")
    return score


@dataclass
class NewsScore:
    pages: int = 0
    surfaces: int = 0
    registered: int = 0
    found: int = 0
    missing: list[str] = field(default_factory=list)  # registered, not found
    unregistered: list[str] = field(default_factory=list)
    as_country: list[str] = field(default_factory=list)  # unregistered, but a country name


def _org_spans(linker: Linker, text: str) -> list[tuple[int, int]]:
    """Organization mention spans of ``text``, linked line by line."""
    spans, pos = [], 0
    for line in text.split("\n"):
        spans += [(m.char_start, m.char_end) for m in linker.link(line, offset=pos)
                  if m.entity_type == "organization"]
        pos += len(line) + 1
    return spans


def _covered(text: str, surface: str, spans: list[tuple[int, int]]) -> bool:
    """Does some occurrence of ``surface`` in ``text`` lie inside a mention span?"""
    for m in re.finditer(re.escape(surface), text):
        if any(s <= m.start() and m.end() <= e for s, e in spans):
            return True
    return False


def evaluate_news(linker: Linker, registry: Registry, news_dir: Path, split: str) -> NewsScore:
    """Registered and found shares of the labelled organization surfaces of ``split``."""
    known = {surface_key(s) for o in registry.organizations.values() for s in organization_surfaces(o)}
    countries = {surface_key(a.surface) for a in registry.country_aliases}
    countries |= {surface_key(c.name) for c in registry.countries.values()}
    score = NewsScore()
    for label_path in sorted(news_dir.glob("p*.yaml")):
        labels = yaml.safe_load(label_path.read_text(encoding="utf-8"))
        if labels.get("split") != split:
            continue
        text = label_path.with_suffix(".txt").read_text(encoding="utf-8")
        score.pages += 1
        spans = _org_spans(linker, text)
        for org in labels.get("organizations") or []:
            for surface in dict.fromkeys(org.get("all_surfaces") or [org["surface"]]):
                score.surfaces += 1
                where = f"{label_path.stem}: {surface!r}"
                if surface_key(surface) not in known:
                    score.unregistered.append(where)
                    if surface_key(surface) in countries:
                        score.as_country.append(where)
                    continue
                score.registered += 1
                if _covered(text, surface, spans):
                    score.found += 1
                else:
                    score.missing.append(where)
    return score


def _print_news(score: NewsScore, split: str, verbose: bool) -> None:
    reg = score.registered / score.surfaces if score.surfaces else 0.0
    found = score.found / score.registered if score.registered else 0.0
    print(f"== news pages, split {split}: {score.pages} pages, {score.surfaces} labelled "
          f"organization surfaces")
    print(f"registered {reg:.3f}  ({score.registered} / {score.surfaces} known to the registry; "
          f"{len(score.as_country)} more are registered as a country, e.g. EU)")
    print(f"found      {found:.3f}  ({score.found} / {score.registered} registered surfaces "
          f"inside an organization mention)")
    for err in score.missing:
        print("  not found: " + err)
    if verbose:
        for err in score.unregistered:
            print("  not registered: " + err + (" (a country)" if err in score.as_country else ""))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", "-v", action="store_true", help="list every error")
    parser.add_argument("--strict", action="store_true",
                        help="fail when the registry has alias collisions (default: lenient)")
    parser.add_argument("--sample", type=Path, action="append",
                        help="labelled sample to score (repeatable; default: original and held-out)")
    parser.add_argument("--news", type=Path, metavar="DIR",
                        help="score organization detection on labelled news pages in DIR")
    parser.add_argument("--split", default="dev", help="news split to score (default: dev)")
    args = parser.parse_args()
    t0 = time.perf_counter()
    registry = load_registry(ROOT / "etl" / "reference", strict=args.strict)
    linker = Linker(registry)
    build = time.perf_counter() - t0
    if args.news:
        _print_news(evaluate_news(linker, registry, args.news, args.split), args.split, args.verbose)
        return 0
    for sample in args.sample or [SAMPLE, HELDOUT]:
        score = evaluate(linker, sample)
        docs = {b["document"] for b in yaml.safe_load(sample.read_text(encoding="utf-8"))}
        print(f"== {sample.name}")
        print(f"sample: {score.paragraphs} paragraphs, {len(docs)} documents, {score.labels} labels "
              f"({score.expected} expected entities, {score.labels - score.expected} must-not-link)")
        print(f"precision {score.precision:.3f}  ({score.correct} correct / "
              f"{score.produced} produced on labels + {score.spurious} spurious)")
        print(f"recall    {score.recall:.3f}  ({score.correct} / {score.expected})")
        errors = score.errors if args.verbose else score.errors[:15]
        for err in errors:
            print("  " + err)
        if not args.verbose and len(score.errors) > 15:
            print(f"  ... {len(score.errors) - 15} more (--verbose)")
    report = REPORT.read_text(encoding="utf-8")
    t0 = time.perf_counter()
    n = len(linker.link(report))
    link_time = time.perf_counter() - t0
    print(f"registry: {len(registry.organizations)} organizations, {linker.pattern_count} patterns, "
          f"built in {build:.2f}s; {len(registry.problems)} registry problems")
    print(f"whole report ({len(report):,} chars): {n} mentions in {link_time:.3f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
