"""The benchmark corpus generator is deterministic and its curated copies resolve:
every synthetic quote occurs in the synthetic document it names (no database)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import yaml

from etnc_db.bench.generator import add_news_document, generate
from etnc_db.config import PACKAGE_ROOT as PROJECT_ROOT
from etnc_db.extract import parse_document
from etnc_db.extract.errata import load_errata
from etnc_db.quotes import NormalizedText, find_quote

CORPUS = PROJECT_ROOT / "data" / "corpus"
CURATED = PROJECT_ROOT / "etl" / "curated"
ERRATA = load_errata(PROJECT_ROOT / "etl" / "reference")  # the originals keep their known erratum


def _digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _quotes(data, document):
    """(document key, quote) for every evidence item of a curated file."""
    for list_key in ("agreements", "investments", "policy_measures"):
        for fact in data.get(list_key) or []:
            for ev in fact["evidence"]:
                yield ev.get("document") or document, ev["quote"]
    for ev in data.get("evidence_for") or []:
        yield ev.get("document") or document, ev["quote"]


def test_same_seed_same_bytes(tmp_path):
    a = generate(CORPUS, CURATED, tmp_path / "a", 3, seed=7)
    b = generate(CORPUS, CURATED, tmp_path / "b", 3, seed=7)
    assert _digest(a.root) == _digest(b.root)
    c = generate(CORPUS, CURATED, tmp_path / "c", 3, seed=8)
    assert _digest(a.root) != _digest(c.root)


def test_scaled_corpus_has_unique_keys_and_hashes(tmp_path):
    real = yaml.safe_load((CORPUS / "sources.yaml").read_text(encoding="utf-8"))["documents"]
    g = generate(CORPUS, CURATED, tmp_path / "g", 3)
    entries = yaml.safe_load((g.corpus_dir / "sources.yaml").read_text(encoding="utf-8"))["documents"]
    assert len(entries) == 3 * len(real) == g.documents
    assert len({e["key"] for e in entries}) == len(entries)
    for e in entries:
        data = (g.corpus_dir / e["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == e["sha256"]
    assert len({e["sha256"] for e in entries}) == len(entries)
    # copy 0 is the real corpus, byte for byte
    for e in real:
        assert (g.corpus_dir / e["file"]).read_bytes() == (CORPUS / e["file"]).read_bytes()


def test_synthetic_fact_ids_unique_and_quotes_resolve(tmp_path):
    g = generate(CORPUS, CURATED, tmp_path / "g", 2)
    entries = yaml.safe_load((g.corpus_dir / "sources.yaml").read_text(encoding="utf-8"))["documents"]
    texts = {e["key"]: (g.corpus_dir / e["file"]).read_text(encoding="utf-8") for e in entries}
    normalized: dict[str, NormalizedText] = {}
    ids: set[str] = set()
    checked = 0
    for path in sorted(g.curated_dir.rglob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        synthetic = data["document"].endswith("-s001")
        for list_key in ("agreements", "investments", "policy_measures"):
            for fact in data.get(list_key) or []:
                assert fact["id"] not in ids
                ids.add(fact["id"])
                assert fact["id"].endswith("-s001") == synthetic
        for document, quote in _quotes(data, data["document"]):
            assert document in texts, f"{path}: unknown document {document}"
            assert document.endswith("-s001") == synthetic
            if document not in normalized:
                normalized[document] = NormalizedText(texts[document])
            norm = normalized[document]
            assert find_quote(texts[document], quote, norm, None) is not None, f"{path}: {quote[:60]}"
            checked += 1
    assert checked > 100


def test_synthetic_documents_parse_like_their_originals(tmp_path):
    g = generate(CORPUS, CURATED, tmp_path / "g", 2)
    entries = yaml.safe_load((g.corpus_dir / "sources.yaml").read_text(encoding="utf-8"))["documents"]
    by_key = {e["key"]: e for e in entries}
    for e in entries:
        if not e["key"].endswith("-s001"):
            continue
        orig = by_key[e["key"].removesuffix("-s001")]
        a = parse_document((g.corpus_dir / orig["file"]).read_text(encoding="utf-8"), kind=orig["kind"],
                           file_name=orig["file"], title=orig.get("title"), errata=ERRATA)
        b = parse_document((g.corpus_dir / e["file"]).read_text(encoding="utf-8"), kind=e["kind"],
                           file_name=e["file"], title=e.get("title"))
        assert b.passages and len(b.passages) >= len(a.passages)
        assert abs(len(b.citations) - len(a.citations)) <= 1  # an erratum duplicate is dropped


def test_added_news_document(tmp_path):
    g = generate(CORPUS, CURATED, tmp_path / "g", 1)
    folder, key = add_news_document(g.corpus_dir, tmp_path / "plus")
    entries = yaml.safe_load((folder / "sources.yaml").read_text(encoding="utf-8"))["documents"]
    assert entries[-1]["key"] == key and entries[-1]["kind"] == "news_article"
    assert len(entries) == g.documents + 1
    assert (folder / entries[-1]["file"]).is_file()
