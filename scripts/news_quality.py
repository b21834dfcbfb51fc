#!/usr/bin/env python3
"""Measure the news intake on a folder of labelled pages (pNN.txt + pNN.yaml).

    .venv/bin/python scripts/news_quality.py /path/to/pages [--split dev,test|test2|all] [--verbose]

Label schema (one YAML per page): split, title, published, publisher, debris_lines,
organizations [{surface, name, kind, country, all_surfaces}]. The pages themselves stay
outside the repository. Measures:

* date found / stated: pages whose stated date (``published``) the parser returns
  exactly (value and precision); dates returned for pages that state none are counted
  as wrong dates;
* title right: parsed title equals the labelled headline (None for none);
* publisher right: parsed publisher equals the labelled one (case-insensitive, an
  explaining parenthesis and a leading "The" ignored: "dpa (German press agency)" is
  "dpa");
* debris lines kept: labelled debris lines that end up (in part) in a passage or a
  heading; content lines lost: other non-blank lines that are in neither (the headline
  line excepted) - a warning sign, since some labelled content (repeats) may be dropped;
* unknown organizations: labelled organizations none of whose surfaces the registry
  links (as an organization, or as a country: "European Union") are "unregistered"; a
  surface counts as linked when the linker links all of it, or all of it once trailing
  legal forms are stripped ("ZTE Corp", "Ericsson AB" and "Wingtech Technology Co Ltd"
  name registered companies); recall = unregistered ones a finding overlaps;
  precision = distinct names found on a page that overlap an unregistered labelled
  surface. Findings that
  overlap nothing labelled are listed for judging by hand (organizations the labeller
  missed count as right only after that judgement).
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from etnc_db.extract import parse_document  # noqa: E402
from etnc_db.extract.junk import repeat_key  # noqa: E402
from etnc_db.extract.lines import line_spans  # noqa: E402


@dataclass
class Tally:
    pages: int = 0
    dates_stated: int = 0
    dates_found: int = 0
    dates_wrong: int = 0
    titles_right: int = 0
    publishers_right: int = 0
    debris_lines: int = 0
    debris_kept: int = 0
    content_lost: int = 0
    orgs_unregistered: int = 0
    orgs_found: int = 0
    findings: int = 0
    findings_right: int = 0
    notes: list[str] = field(default_factory=list)


def _covered(doc) -> list[tuple[int, int]]:
    """Spans of the text that reach the database as text: passages and headings."""
    out = [seg for p in doc.passages for seg in p.segments]
    out += [(s.char_start, s.char_start + len(s.title)) for s in doc.sections if s.kind == "heading"]
    return out


def _overlaps(a: int, b: int, spans: list[tuple[int, int]]) -> bool:
    return any(s < b and a < e for s, e in spans)


def _debris(text: str, doc, label: dict, t: Tally, name: str) -> None:
    """Count labelled debris lines kept in a passage/heading, and content lines lost."""
    covered = _covered(doc)
    debris = set(label.get("debris_lines") or [])
    title_span = next((m for m in doc.metadata_spans if m.field == "title"), None)
    for s, e in line_spans(text):
        line = text[s:e]
        if not line.strip():
            continue
        if line in debris:
            t.debris_lines += 1
            if _overlaps(s, e, covered):
                t.debris_kept += 1
                t.notes.append(f"{name}: debris kept: {line[:90]!r}")
        elif not _overlaps(s, e, covered) and not (title_span and s <= title_span.char_start < e):
            if any(repeat_key(p.text).startswith(repeat_key(line)) for p in doc.passages):
                continue  # a later copy of a kept paragraph (the page repeats its text)
            t.content_lost += 1
            t.notes.append(f"{name}: content lost: {line[:90]!r}")


def _norm(x: str | None) -> str | None:
    return re.sub(r"\s+", " ", x).strip().casefold() if x else None


def _same(a: str | None, b: str | None) -> bool:
    return _norm(a) == _norm(b)


def _publisher_key(x: str | None) -> str | None:
    """A publisher name for comparison: case, spacing, an explaining parenthesis and a
    leading article ignored ("dpa (German press agency)" -> "dpa")."""
    if not x:
        return None
    x = re.sub(r"\s*\([^()]*\)\s*$", "", x)
    return _norm(re.sub(r"(?i)^the\s+", "", x)) or None


def same_publisher(a: str | None, b: str | None) -> bool:
    return _publisher_key(a) == _publisher_key(b)


def _metadata(doc, label: dict, t: Tally, name: str) -> None:
    stated = label.get("published")
    if stated:
        t.dates_stated += 1
        t.dates_found += str(doc.published) == str(stated)
    elif doc.published:
        t.dates_wrong += 1
    if str(doc.published or None) != str(stated or None):
        t.notes.append(f"{name}: date {doc.published!r} ({doc.published_precision}) vs {stated!r}")
    if _same(doc.title, label.get("title")):
        t.titles_right += 1
    else:
        t.notes.append(f"{name}: title {doc.title!r} vs {label.get('title')!r}")
    if same_publisher(doc.publisher, label.get("publisher")):
        t.publishers_right += 1
    else:
        t.notes.append(f"{name}: publisher {doc.publisher!r} vs {label.get('publisher')!r}")


def _occurrences(text: str, surfaces: list[str]) -> list[tuple[int, int]]:
    out = []
    for surf in surfaces:
        out += [(m.start(), m.end()) for m in re.finditer(re.escape(surf), text)]
    return out


def strip_legal_forms(surface: str, legal_forms: frozenset[str]) -> str:
    """The surface without trailing legal forms ("Wingtech Technology Co Ltd" ->
    "Wingtech Technology", "Nokia Oyj" -> "Nokia"); commas before them go too."""
    words = surface.split()
    while len(words) > 1:
        for n in (3, 2, 1):
            tail = " ".join(words[-n:]).rstrip(",")
            if len(words) > n and (tail in legal_forms or tail.rstrip(".") in legal_forms):
                words = words[:-n]
                words[-1] = words[-1].rstrip(",")
                break
        else:
            break
    return " ".join(words)


def is_registered(surface: str, linker, legal_forms: frozenset[str]) -> bool:
    """The linker links the whole surface (or the whole of it without its legal forms)
    as an organization or a country."""
    for s in dict.fromkeys([surface, strip_legal_forms(surface, legal_forms)]):
        if any(m.entity_type in ("organization", "country") and m.char_start == 0 and m.char_end == len(s)
               for m in linker.link(s)):
            return True
    return False


def _unknown_orgs(text: str, doc, label: dict, t: Tally, name: str, registry, linker) -> None:
    """Recall and precision of the unknown-organization detector against the labels."""
    from etnc_db.link.unknown_orgs import detect_in_document, load_cues

    legal_forms = load_cues().legal_forms
    covered = _covered(doc)
    unregistered = []
    for org in label.get("organizations") or []:
        surfaces = list(dict.fromkeys([org["surface"], *(org.get("all_surfaces") or [])]))
        registered = any(is_registered(s, linker, legal_forms) for s in surfaces)
        occ = [o for o in _occurrences(text, surfaces) if _overlaps(*o, covered)]
        if not registered and occ:
            unregistered.append((org, occ))
    findings = detect_in_document(text, doc, registry, linker=linker)
    t.orgs_unregistered += len(unregistered)
    for org, occ in unregistered:
        hit = any(_overlaps(f.char_start, f.char_end, occ) for f in findings)
        t.orgs_found += hit
        if not hit:
            t.notes.append(f"{name}: org missed: {org['surface']!r}")
    all_occ = [o for _org, occ in unregistered for o in occ]
    by_surface: dict[str, list] = {}
    for f in findings:  # precision counts each distinct name of a page once
        by_surface.setdefault(f.surface, []).append(f)
    for surface, fs in by_surface.items():
        t.findings += 1
        if any(_overlaps(f.char_start, f.char_end, all_occ) for f in fs):
            t.findings_right += 1
        else:
            t.notes.append(f"{name}: finding not labelled (judge by hand): {surface!r} [{fs[0].cue}]")


def _pct(a: int, b: int) -> str:
    return f"{a}/{b} ({100 * a / b:.0f} %)" if b else f"{a}/0"


def report(t: Tally, split: str) -> str:
    lines = [
        f"## news intake quality: {split} ({t.pages} pages)",
        "",
        "| measure | result |",
        "| --- | --- |",
        f"| dates found / stated | {_pct(t.dates_found, t.dates_stated)} |",
        f"| dates given where none is stated | {t.dates_wrong} |",
        f"| titles right | {_pct(t.titles_right, t.pages)} |",
        f"| publishers right | {_pct(t.publishers_right, t.pages)} |",
        f"| debris lines kept in a passage or heading | {_pct(t.debris_kept, t.debris_lines)} |",
        f"| content lines lost (not debris, not in a passage) | {t.content_lost} |",
        f"| unknown organizations: recall | {_pct(t.orgs_found, t.orgs_unregistered)} |",
        f"| unknown organizations: precision (labelled only) | {_pct(t.findings_right, t.findings)} |",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("folder", type=Path)
    ap.add_argument("--split", default="all", nargs="+",
                    help="splits to score: all, or one or more of dev, test, test2 (also comma-separated)")
    ap.add_argument("--verbose", "-v", action="store_true")
    ap.add_argument("--no-orgs", action="store_true", help="skip the unknown-organization measure")
    args = ap.parse_args(argv)
    registry = linker = None
    if not args.no_orgs:
        from etnc_db.link.linker import Linker
        from etnc_db.reference.registry import load_registry

        registry = load_registry(ROOT / "etl" / "reference")
        linker = Linker(registry)
    splits = {s for arg in args.split for s in arg.split(",") if s}
    t = Tally()
    for yml in sorted(args.folder.glob("*.yaml")):
        label = yaml.safe_load(yml.read_text(encoding="utf-8"))
        if not isinstance(label, dict) or "split" not in label or not ("all" in splits or label["split"] in splits):
            continue
        text = yml.with_suffix(".txt").read_text(encoding="utf-8")
        doc = parse_document(text, kind="news_article", file_name=yml.with_suffix(".txt").name)
        t.pages += 1
        _metadata(doc, label, t, yml.stem)
        _debris(text, doc, label, t, yml.stem)
        if registry is not None:
            _unknown_orgs(text, doc, label, t, yml.stem, registry, linker)
    print(report(t, "+".join(sorted(splits))))
    if args.verbose:
        print("\n" + "\n".join(t.notes))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
