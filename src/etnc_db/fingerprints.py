"""Fingerprints of input files: a hash of their names and bytes, so a stage whose inputs'
fingerprint is unchanged can skip itself (etnc_db.pipeline)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from etnc_db.config import Settings


def files_fingerprint(paths: list[Path], salt: str = "") -> str:
    h = hashlib.sha256(salt.encode())
    for p in sorted(paths, key=lambda p: p.parts):  # the order of sorted(paths), without slow Path comparisons
        h.update(p.name.encode())
        h.update(hashlib.sha256(p.read_bytes()).digest())
    return h.hexdigest()


def reference_fingerprint(settings: Settings) -> str:
    return files_fingerprint(sorted(settings.reference_dir.rglob("*.yaml")), salt="reference-v2")
