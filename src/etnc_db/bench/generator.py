"""Synthetic corpus generator: N× the real corpus, deterministic for a given seed.

Copy 0 is the real corpus unchanged. Copy i (1 ≤ i < N) holds every real document
again under a new document key (`<key>-s<i>`), a new file name and a shifted
publication date; its text is the real text with a synthetic preface paragraph in
front, so its sha256 differs and every stage (parse, link, resolve facts, load) does
real work on it. The curated fact files are copied alongside, re-targeted at the
synthetic documents: every fact id gets the `-s<i>` suffix, every `document:` points
at the synthetic key, and the quotes stay verbatim (the synthetic text contains the
real text unchanged after the preface, so every quote resolves).

The output folder gets `corpus/` (the files + `sources.yaml`) and `curated/`.
"""

from __future__ import annotations

import hashlib
import random
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

MANIFEST = "sources.yaml"
PREFACES = (
    "Synthetic benchmark copy {i} of {title}, re-issued for load testing (seed {seed}).",
    "Benchmark reprint {i}: {title}. This preface is synthetic; the text below is unchanged (seed {seed}).",
    "Load-test edition {i} of {title} (synthetic preface, seed {seed}).",
)


@dataclass(frozen=True)
class GeneratedCorpus:
    root: Path
    corpus_dir: Path
    curated_dir: Path
    documents: int
    text_bytes: int
    fact_files: int


def suffix(i: int) -> str:
    return f"-s{i:03d}"


def _shift_date(value: Any, rng: random.Random) -> str | None:
    """Move a YYYY / YYYY-MM / YYYY-MM-DD date back by 0..3 years (and a month for
    month-precision dates), keeping its precision."""
    if value is None:
        return None
    parts = [int(p) for p in str(value).split("-")]
    parts[0] -= rng.randint(0, 3)
    if len(parts) >= 2:
        parts[1] = rng.randint(1, 12)
    if len(parts) == 3:
        parts[2] = min(parts[2], 28)
    return "-".join([f"{parts[0]:04d}"] + [f"{p:02d}" for p in parts[1:]])


def _errata_duplicates() -> dict[str, set[int]]:
    """Endnote numbers the parser tolerates twice, by real file name (etl/reference/errata.yaml).
    The errata are keyed by file name, so a synthetic copy under a new name must not
    repeat the defect: its second note of that number is dropped."""
    from etnc_db.extract.errata import load_errata

    out: dict[str, set[int]] = {}
    for e in load_errata(Path(__file__).resolve().parents[3] / "etl" / "reference"):
        out.setdefault(e.file, set()).add(e.number)
    return out


_NOTE = re.compile(rb"^- (\d+) \|")


def _drop_duplicate_notes(data: bytes, numbers: set[int]) -> bytes:
    """Drop an endnote line whose number repeats the previous endnote's number."""
    lines = data.split(b"\n")
    keep, previous = [], None
    for line in lines:
        m = _NOTE.match(line)
        if m:
            n = int(m.group(1))
            if n == previous and n in numbers:
                continue
            previous = n
        keep.append(line)
    return b"\n".join(keep)


def _retarget(data: Any, key_map: dict[str, str], sfx: str) -> Any:
    """A deep copy of a curated file with ids suffixed and document keys mapped."""
    if isinstance(data, list):
        return [_retarget(v, key_map, sfx) for v in data]
    if not isinstance(data, dict):
        return data
    out = {}
    for k, v in data.items():
        if k in ("id", "fact_id") and isinstance(v, str):
            out[k] = v + sfx
        elif k == "document" and isinstance(v, str):
            out[k] = key_map.get(v, v)
        else:
            out[k] = _retarget(v, key_map, sfx)
    return out


def generate(source_corpus: Path, source_curated: Path, out: Path, factor: int, seed: int = 20260) -> GeneratedCorpus:
    """Write a corpus `factor` times the size of `source_corpus` (and its curated facts)
    into `out` (replacing what was there). Same inputs and seed, same bytes."""
    if factor < 1:
        raise ValueError("factor must be at least 1")
    manifest = yaml.safe_load((source_corpus / MANIFEST).read_text(encoding="utf-8")) or {}
    entries = list(manifest.get("documents") or [])
    if out.exists():
        shutil.rmtree(out)
    corpus_dir, curated_dir = out / "corpus", out / "curated"
    corpus_dir.mkdir(parents=True)
    curated_dir.mkdir(parents=True)
    curated_files = sorted(source_curated.rglob("*.yaml")) if source_curated.exists() else []
    curated_data = [(p.relative_to(source_curated), yaml.safe_load(p.read_text(encoding="utf-8"))) for p in curated_files]
    rng = random.Random(seed)
    errata = _errata_duplicates()
    new_entries: list[dict] = []
    text_bytes = 0
    fact_files = 0
    for i in range(factor):
        sfx = suffix(i) if i else ""
        key_map = {e["key"]: e["key"] + sfx for e in entries}
        for e in entries:
            src = source_corpus / e["file"]
            data = src.read_bytes()
            entry = dict(e)
            entry.pop("sha256", None)
            if i:
                preface = rng.choice(PREFACES).format(i=i, title=e.get("title") or e["key"], seed=seed)
                if e["file"] in errata:
                    data = _drop_duplicate_notes(data, errata[e["file"]])
                data = (preface + "\n\n").encode("utf-8") + data
                entry["file"] = f"s{i:03d}_{e['file']}"
                entry["key"] = key_map[e["key"]]
                entry["published"] = _shift_date(e.get("published"), rng)
                entry["notes"] = f"synthetic copy {i} of {e['key']} (benchmark corpus, seed {seed})"
            entry["sha256"] = hashlib.sha256(data).hexdigest()
            (corpus_dir / entry["file"]).write_bytes(data)
            text_bytes += len(data)
            new_entries.append(entry)
        for rel, data in curated_data:
            if not isinstance(data, dict):
                continue
            doc = data.get("document")
            target_dir = key_map.get(doc, doc) if i else rel.parent.as_posix()
            path = curated_dir / target_dir / rel.name if i else curated_dir / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if i:
                path.write_text(yaml.safe_dump(_retarget(data, key_map, sfx), allow_unicode=True, sort_keys=False,
                                               width=100000), encoding="utf-8")
            else:
                shutil.copyfile(source_curated / rel, path)
            fact_files += 1
    header = "# Synthetic benchmark corpus generated by etnc_db.bench.generator; do not edit.\n"
    (corpus_dir / MANIFEST).write_text(
        header + yaml.safe_dump({"documents": new_entries}, allow_unicode=True, sort_keys=False, width=100000),
        encoding="utf-8",
    )
    return GeneratedCorpus(out, corpus_dir, curated_dir, len(new_entries), text_bytes, fact_files)


def add_news_document(corpus_dir: Path, out_dir: Path, seed: int = 20260) -> tuple[Path, str]:
    """A copy of `corpus_dir` (symlinked files, new manifest) plus one new news article
    (a real article under a new key with a synthetic dateline). Returns (folder, key)."""
    manifest = yaml.safe_load((corpus_dir / MANIFEST).read_text(encoding="utf-8")) or {}
    entries = list(manifest.get("documents") or [])
    news = next(e for e in entries if e.get("kind") == "news_article")
    if out_dir.exists():
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True)
    for p in corpus_dir.iterdir():
        if p.is_file() and p.name != MANIFEST:
            (out_dir / p.name).symlink_to(p.resolve())
    key = f"bench-added-news-{seed}"
    data = f"Added news item for the incremental-load benchmark (seed {seed}).\n\n".encode() + (
        corpus_dir / news["file"]).read_bytes()
    fname = f"zz_{key}.txt"
    (out_dir / fname).write_bytes(data)
    entry = {"file": fname, "key": key, "title": f"{news.get('title') or news['key']} (benchmark addition)",
             "publisher": news.get("publisher"), "published": "2026-07-01", "kind": "news_article",
             "sha256": hashlib.sha256(data).hexdigest()}
    (out_dir / MANIFEST).write_text(
        yaml.safe_dump({"documents": entries + [entry]}, allow_unicode=True, sort_keys=False, width=100000),
        encoding="utf-8")
    return out_dir, key
