"""The benchmark corpus generator (no database): deterministic per seed, copies that the
corpus scanner accepts and the parser parses with the generated errata, curated copies in
the v2 format whose fact id references are suffixed consistently and whose quotes occur
verbatim, and a corpus file without a manifest entry (issue 13)."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
import yaml

from etnc_db.bench.generator import generate, retarget, suffix
from etnc_db.config import PACKAGE_ROOT as PROJECT_ROOT
from etnc_db.extract import parse_document
from etnc_db.extract.corpus import scan_corpus
from etnc_db.extract.errata import load_errata
from etnc_db.facts.documents import DocumentText
from etnc_db.facts.resolve import resolve_facts
from etnc_db.reference.registry import load_registry

CORPUS = PROJECT_ROOT / "data" / "corpus"
CURATED = PROJECT_ROOT / "etl" / "curated"
REFERENCE = PROJECT_ROOT / "etl" / "reference"
UNLISTED = "Unlisted Note 2025.txt"


def _digest(folder: Path) -> dict[str, str]:
    """sha256 of every file under `folder`, by relative path."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _manifest(folder: Path) -> list[dict]:
    """The `documents:` entries of a corpus folder's manifest."""
    return yaml.safe_load((folder / "sources.yaml").read_text(encoding="utf-8"))["documents"]


def _curated(folder: Path):
    """(path, data) of every curated file under `folder`."""
    for path in sorted(folder.rglob("*.yaml")):
        yield path, yaml.safe_load(path.read_text(encoding="utf-8"))


def _records(data: dict):
    """Every fact record of a curated file."""
    for list_key in ("agreements", "investments", "policy_measures"):
        yield from data.get(list_key) or []


def _quotes(data: dict):
    """(document key, quote) of every evidence item of a curated file."""
    for fact in _records(data):
        for ev in fact["evidence"]:
            yield ev.get("document") or data["document"], ev["quote"]
    for ev in data.get("evidence_for") or []:
        yield ev.get("document") or data["document"], ev["quote"]


@pytest.fixture(scope="module")
def two(tmp_path_factory):
    """The real corpus at 2× (generated once for the module)."""
    return generate(CORPUS, CURATED, tmp_path_factory.mktemp("gen") / "x2", 2)


def test_same_seed_same_bytes(tmp_path):
    a = generate(CORPUS, CURATED, tmp_path / "a", 3, seed=7)
    b = generate(CORPUS, CURATED, tmp_path / "b", 3, seed=7)
    assert _digest(a.root) == _digest(b.root)
    c = generate(CORPUS, CURATED, tmp_path / "c", 3, seed=8)
    assert _digest(a.root) != _digest(c.root)


def test_scaled_corpus_is_accepted_by_the_scanner(two):
    real = _manifest(CORPUS)
    entries = _manifest(two.corpus_dir)
    assert len(entries) == 2 * len(real) == two.documents
    assert entries[:len(real)] == real  # copy 0: the real entries, sha256 included
    corpus = scan_corpus(two.corpus_dir)
    assert corpus.problems == []
    assert len(corpus.files) == two.documents
    assert len({f.key for f in corpus.files}) == len({f.sha256 for f in corpus.files}) == two.documents
    for f in corpus.files:
        assert f.path.is_file() and not f.path.is_symlink()
    for e in entries[len(real):]:
        assert e["key"].endswith(suffix(1))
        assert hashlib.sha256((two.corpus_dir / e["file"]).read_bytes()).hexdigest() == e["sha256"]
    for e in real:
        assert (two.corpus_dir / e["file"]).read_bytes() == (CORPUS / e["file"]).read_bytes()


def test_copies_parse_with_the_generated_errata(two):
    errata = load_errata(two.reference_dir)
    assert load_errata(REFERENCE) < errata  # the real errata plus one per copy
    entries = {e["key"]: e for e in _manifest(two.corpus_dir)}
    for key, e in entries.items():
        if not key.endswith(suffix(1)):
            continue
        orig = entries[key.removesuffix(suffix(1))]
        a = parse_document((CORPUS / orig["file"]).read_text(encoding="utf-8"), kind=orig["kind"],
                           file_name=orig["file"], title=orig.get("title"), errata=load_errata(REFERENCE))
        b = parse_document((two.corpus_dir / e["file"]).read_text(encoding="utf-8"), kind=e["kind"],
                           file_name=e["file"], title=e.get("title"), errata=errata)
        assert len(b.passages) >= len(a.passages) and b.passages
        assert len(b.citations) == len(a.citations)


def test_fact_id_references_are_suffixed_consistently(two):
    ids: dict[str, set[str]] = {"": set(), suffix(1): set()}
    refs: list[tuple[str, str]] = []
    for path, data in _curated(two.curated_dir):
        sfx = suffix(1) if data["document"].endswith(suffix(1)) else ""
        assert path.parent.name == data["document"]
        for fact in _records(data):
            assert fact["id"] not in ids[sfx] and fact["id"].endswith(sfx)
            ids[sfx].add(fact["id"])
            refs += [(sfx, r["fact"]) for r in fact.get("related") or []]
            refs += [(sfx, r) for r in fact.get("replaces") or []]
        refs += [(sfx, ev["fact_id"]) for ev in data.get("evidence_for") or []]
        for w in data.get("withdrawn") or []:
            assert w["id"].endswith(sfx)
    assert len(ids[suffix(1)]) == len(ids[""]) > 100
    related = [(s, r) for s, r in refs if r in ids[""] or r in ids[suffix(1)]]
    assert related and all(r in ids[s] for s, r in related)  # every link stays inside its copy


def test_retarget_covers_every_v2_reference():
    data = {
        "document": "doc", "part": "hu",
        "agreements": [{"id": "a", "related": [{"fact": "b", "relation": "creates"}], "replaces": ["old"],
                        "candidate": "c0ffee", "parties": [{"organization": "catl", "role": "partner"}],
                        "evidence": [{"quote": "q" * 20, "occurrence": 2}, {"quote": "r" * 20, "document": "doc"}]}],
        "evidence_for": [{"fact_id": "b", "quote": "s" * 20, "document": "doc"}],
        "withdrawn": [{"id": "gone", "reason": "merged into a"}],
    }
    out = retarget(data, {"doc": "doc-s002"}, "-s002")
    a = out["agreements"][0]
    assert out["document"] == "doc-s002" and out["part"] == "hu"
    assert a["id"] == "a-s002" and a["related"][0] == {"fact": "b-s002", "relation": "creates"}
    assert a["replaces"] == ["old-s002"] and a["candidate"] == "c0ffee"
    assert a["parties"] == [{"organization": "catl", "role": "partner"}]  # registry keys unchanged
    assert a["evidence"] == [{"quote": "q" * 20, "occurrence": 2}, {"quote": "r" * 20, "document": "doc-s002"}]
    assert out["evidence_for"] == [{"fact_id": "b-s002", "quote": "s" * 20, "document": "doc-s002"}]
    assert out["withdrawn"] == [{"id": "gone-s002", "reason": "merged into a"}]
    assert data["agreements"][0]["id"] == "a"  # the input is not changed


def test_quotes_are_copied_verbatim_over_the_real_text(two):
    """Each copy's quotes are its original's, and each copy is a preface followed by the
    real text unchanged; that every quote is found in its part is the next test's."""
    entries = _manifest(two.corpus_dir)
    texts = {e["key"]: (two.corpus_dir / e["file"]).read_bytes() for e in entries}
    for key, text in texts.items():
        if key.endswith(suffix(1)):
            original = texts[key.removesuffix(suffix(1))]
            assert text.endswith(b"\n\n" + original) and len(text) > len(original)
    quotes = {}
    for path, data in _curated(two.curated_dir):
        quotes[(path.name, data["document"])] = [q for _, q in _quotes(data)]
    copied = [(name, doc) for name, doc in quotes if doc.endswith(suffix(1))]
    assert len(copied) > 20
    for name, doc in copied:
        assert quotes[(name, doc)] == quotes[(name, doc.removesuffix(suffix(1)))]


def _documents(g) -> dict[str, DocumentText]:
    """The generated documents as the facts stage reads them (chapters, no endnotes)."""
    errata = load_errata(g.reference_dir)
    docs = {}
    for f in scan_corpus(g.corpus_dir).files:
        text = f.path.read_text(encoding="utf-8")
        parsed = parse_document(text, kind=f.kind, file_name=f.file_name, title=f.title, errata=errata)
        doc = DocumentText(f.key, text)
        doc.chapters = [(s.char_start, s.char_end, s.key, s.country_code) for s in parsed.sections if s.parent_key is None]
        docs[f.key] = doc
    return docs


def test_the_facts_stage_resolves_the_copies(two):
    result = resolve_facts(two.curated_dir, load_registry(two.reference_dir), _documents(two))
    assert result.facts_per_document["etnc-2026-report" + suffix(1)] == result.facts_per_document["etnc-2026-report"] > 0


def test_a_file_without_a_manifest_entry(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    (corpus / UNLISTED).write_text("Unlisted note\n\nA short article that no manifest entry describes.\n", encoding="utf-8")
    g = generate(corpus, CURATED, tmp_path / "g", 3)
    entries = _manifest(g.corpus_dir)
    assert UNLISTED not in {e["file"] for e in entries}  # copy 0 leaves it unlisted, as in the real folder
    copies = [e for e in entries if e["file"].endswith(UNLISTED)]
    assert [(e["key"], e["kind"]) for e in copies] == [("unlisted-note-2025-s001", "article"),
                                                      ("unlisted-note-2025-s002", "article")]
    scanned = scan_corpus(g.corpus_dir)
    assert scanned.problems == [] and len(scanned.files) == g.documents == 3 * (len(_manifest(CORPUS)) + 1)
    assert "unlisted-note-2025" in {f.key for f in scanned.files}
