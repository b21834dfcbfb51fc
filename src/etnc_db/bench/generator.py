"""Synthetic corpus generator: N× the real corpus, deterministic for a given seed.

Copy 0 is the real corpus unchanged (same files, same bytes, same manifest entries; a
file the manifest does not list stays unlisted). Copy i (1 ≤ i < N) holds every real
document again under a new document key (`<key>-s<i>`), a new file name (`s<i>_<file>`)
and a shifted publication date; its text is a synthetic preface paragraph followed by
the real text unchanged, so its sha256 differs and every stage (parse, link, resolve
facts, load) does real work on it. Every copy gets a manifest entry, also when its
original had none (then it says what the scanner assumes: kind `article`); a copy's
entry carries the sha256 of the copy's bytes (the original's would not match).

Files are regular files (the corpus scanner refuses symbolic links that leave the
folder). The curated fact files (docs/curation.md §4) are copied per synthetic document
with every fact id reference suffixed `-s<i>` the same way — record ids, `related.fact`,
`replaces`, `withdrawn` ids and `evidence_for.fact_id` — and every `document:` mapped to
the synthetic key; quotes, `occurrence` and any other field are copied as they are. The
quotes occur verbatim in the copies (the real text follows the preface unchanged).

The known source errata (`errata.yaml` of the reference folder) are keyed by file name,
so the generator writes `reference/`: the reference folder with each erratum repeated
for every copy of its file. Builds of a generated corpus use that folder (ETNC_REFERENCE).

The output folder gets `corpus/` (files + `sources.yaml`), `curated/` and `reference/`.
"""

from __future__ import annotations

import hashlib
import random
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from etnc_db.config import PACKAGE_ROOT

MANIFEST = "sources.yaml"
ERRATA = "errata.yaml"
PREFACES = (
    "Synthetic benchmark copy {i} of {title}, re-issued for load testing (seed {seed}).",
    "Benchmark reprint {i}: {title}. This preface is synthetic; the text below is unchanged (seed {seed}).",
    "Load-test edition {i} of {title} (synthetic preface, seed {seed}).",
)
# curated keys whose string value (or list of strings, for `replaces`) is a fact id
FACT_ID_KEYS = ("id", "fact", "fact_id", "replaces")


@dataclass(frozen=True)
class GeneratedCorpus:
    """Where a generated corpus is and how big it is."""

    root: Path
    corpus_dir: Path
    curated_dir: Path
    reference_dir: Path
    documents: int
    text_bytes: int
    fact_files: int


@dataclass(frozen=True)
class _Document:
    """One real corpus file: its manifest entry as written (None when unlisted) and the
    key, kind and title the scanner gives it."""

    file: str
    entry: dict | None
    key: str
    kind: str
    title: str | None
    published: str | None


def suffix(i: int) -> str:
    """The key and fact-id suffix of synthetic copy `i`."""
    return f"-s{i:03d}"


_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml when present: 2,800 files at 100×
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _dump(data: Any) -> str:
    """YAML text of `data`, keys in their order, long lines kept whole."""
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100000)


def _load(text: str) -> Any:
    """YAML data of `text` (safe loader)."""
    return yaml.load(text, Loader=_Loader)  # noqa: S506 - a safe loader


def _shift_date(value: Any, rng: random.Random) -> str | None:
    """Move a YYYY / YYYY-MM / YYYY-MM-DD date back by 0..3 years (and to another month
    for month-precision dates), keeping its precision."""
    if value is None:
        return None
    parts = [int(p) for p in str(value).split("-")]
    parts[0] -= rng.randint(0, 3)
    if len(parts) >= 2:
        parts[1] = rng.randint(1, 12)
    if len(parts) == 3:
        parts[2] = min(parts[2], 28)
    return "-".join([f"{parts[0]:04d}"] + [f"{p:02d}" for p in parts[1:]])


def real_documents(corpus_dir: Path) -> list[_Document]:
    """Every document of the real corpus folder as the scanner sees it: the listed ones in
    manifest order, then the unlisted ones by name; a ValueError when the scanner refuses
    anything."""
    from etnc_db.extract.corpus import scan_corpus

    corpus = scan_corpus(corpus_dir)
    if corpus.problems:
        raise ValueError(f"the corpus cannot be copied: {corpus.problems[0]}")
    raw = _load((corpus_dir / MANIFEST).read_text(encoding="utf-8")) if (corpus_dir / MANIFEST).exists() else None
    listed = [e["file"] for e in ((raw or {}).get("documents") or [])]
    entries = {e["file"]: e for e in ((raw or {}).get("documents") or [])}
    order = sorted(corpus.files, key=lambda f: (listed.index(f.file_name) if f.file_name in entries else len(listed),
                                                 f.file_name))
    return [_Document(f.file_name, entries.get(f.file_name), f.key, f.kind, f.title, f.published) for f in order]


def _copy_entry(doc: _Document, i: int, data: bytes, rng: random.Random, seed: int) -> dict:
    """The manifest entry of synthetic copy `i` of `doc` (its bytes are `data`)."""
    entry = {k: v for k, v in (doc.entry or {}).items() if k not in ("sha256", "notes")}
    entry.update(file=f"s{i:03d}_{doc.file}", key=doc.key + suffix(i), kind=doc.kind,
                 published=_shift_date(doc.published, rng))
    entry["sha256"] = hashlib.sha256(data).hexdigest()
    entry["notes"] = f"synthetic copy {i} of {doc.key} (benchmark corpus, seed {seed})"
    return entry


def _write_documents(docs: list[_Document], source: Path, target: Path, factor: int, seed: int) -> tuple[list, int]:
    """Write every copy of every document into `target`; (manifest entries, text bytes)."""
    rng = random.Random(seed)
    entries: list[dict] = [d.entry for d in docs if d.entry is not None]
    total = 0
    for d in docs:
        shutil.copyfile(source / d.file, target / d.file)
        total += (target / d.file).stat().st_size
    for i in range(1, factor):
        for d in docs:
            preface = rng.choice(PREFACES).format(i=i, title=d.title or d.key, seed=seed)
            data = (preface + "\n\n").encode("utf-8") + (source / d.file).read_bytes()
            entry = _copy_entry(d, i, data, rng, seed)
            (target / entry["file"]).write_bytes(data)
            entries.append(entry)
            total += len(data)
    return entries, total


def retarget(data: Any, key_map: dict[str, str], sfx: str) -> Any:
    """A deep copy of curated YAML data with every fact id reference suffixed (the keys
    of FACT_ID_KEYS) and every `document:` mapped through `key_map`."""
    if isinstance(data, list):
        return [retarget(v, key_map, sfx) for v in data]
    if not isinstance(data, dict):
        return data
    out = {}
    for k, v in data.items():
        if k in FACT_ID_KEYS and isinstance(v, str):
            out[k] = v + sfx
        elif k == "replaces" and isinstance(v, list):
            out[k] = [x + sfx if isinstance(x, str) else x for x in v]
        elif k == "document" and isinstance(v, str):
            out[k] = key_map.get(v, v)
        else:
            out[k] = retarget(v, key_map, sfx)
    return out


def _write_curated(docs: list[_Document], source: Path, target: Path, factor: int) -> int:
    """Copy the curated files (copy 0 byte for byte) and write their synthetic copies;
    the number of files written."""
    files = sorted(source.rglob("*.yaml")) if source.exists() else []
    written = 0
    for path in files:
        rel = path.relative_to(source)
        (target / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target / rel)
        written += 1
    keys = [d.key for d in docs]
    for path in files:
        data = _load(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or not isinstance(data.get("document"), str):
            continue
        for i in range(1, factor):
            key_map = {k: k + suffix(i) for k in keys}
            copy = retarget(data, key_map, suffix(i))
            out = target / copy["document"] / path.name
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(_dump(copy), encoding="utf-8")
            written += 1
    return written


def _write_reference(source: Path, target: Path, docs: list[_Document], factor: int) -> None:
    """The reference folder, with every erratum repeated for each copy of its file."""
    shutil.copytree(source, target)
    path = target / ERRATA
    data = _load(path.read_text(encoding="utf-8")) if path.exists() else None
    if not data:
        return
    files = {d.file for d in docs}
    extra = []
    for item in data.get("endnote_duplicates") or []:
        if item.get("file") not in files:
            continue
        for i in range(1, factor):
            extra.append(dict(item, file=f"s{i:03d}_{item['file']}",
                              reason=f"synthetic copy {i} of {item['file']}: {item.get('reason', '')}".strip()))
    data["endnote_duplicates"] = list(data.get("endnote_duplicates") or []) + extra
    path.write_text("# Generated by etnc_db.bench.generator: the real errata plus one per synthetic copy.\n"
                    + _dump(data), encoding="utf-8")


def generate(source_corpus: Path, source_curated: Path, out: Path, factor: int, seed: int = 20260,
             source_reference: Path | None = None) -> GeneratedCorpus:
    """Write a corpus `factor` times the size of `source_corpus`, its curated facts and its
    reference folder (default: the package's etl/reference) into `out`, replacing what
    was there. Same inputs and seed, same bytes."""
    if factor < 1:
        raise ValueError("factor must be at least 1")
    docs = real_documents(source_corpus)
    if out.exists():
        shutil.rmtree(out)
    corpus_dir, curated_dir, reference_dir = out / "corpus", out / "curated", out / "reference"
    corpus_dir.mkdir(parents=True)
    curated_dir.mkdir(parents=True)
    entries, text_bytes = _write_documents(docs, source_corpus, corpus_dir, factor, seed)
    header = "# Synthetic benchmark corpus generated by etnc_db.bench.generator; do not edit.\n"
    (corpus_dir / MANIFEST).write_text(header + _dump({"documents": entries}), encoding="utf-8")
    fact_files = _write_curated(docs, source_curated, curated_dir, factor)
    _write_reference(source_reference or PACKAGE_ROOT / "etl" / "reference", reference_dir, docs, factor)
    return GeneratedCorpus(out, corpus_dir, curated_dir, reference_dir, len(docs) * factor, text_bytes, fact_files)
