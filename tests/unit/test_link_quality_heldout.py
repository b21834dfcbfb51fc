"""The linker meets its quality bar on the blind held-out sample
(tests/data/linker_sample_heldout.yaml, labelled without running the linker;
scripts/linker_quality.py prints the details for both samples)."""

from collections import Counter
from pathlib import Path

import yaml

from conftest import load_script
from etnc_db.link.linker import Linker
from etnc_db.reference.registry import load_registry

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"




def _blocks(name):
    return yaml.safe_load((DATA / name).read_text("utf-8"))


def test_heldout_sample_is_disjoint_and_covers_enough_ground():
    blocks = _blocks("linker_sample_heldout.yaml")
    original = {(b["document"], b["line"]) for b in _blocks("linker_sample.yaml")}
    assert not original & {(b["document"], b["line"]) for b in blocks}
    docs = Counter(b["document"] for b in blocks)
    assert {"000_8fe22c03e34f164c.txt", "001_9362aa277b1e106a.txt",
            "003_cb0aaeaa7b8570f9.txt", "004_09549ea9816e79fd.txt"} <= set(docs)
    assert docs["002_44c2a5c8c66c6785.txt"] >= 10
    assert len(blocks) >= 20
    labels = [lab for b in blocks for lab in b["labels"]]
    assert len(labels) >= 200
    assert sum(lab["expect"] is None for lab in labels) >= 20


def test_precision_and_recall_on_the_heldout_sample():
    mod = load_script("linker_quality")
    linker = Linker(load_registry(ROOT / "etl" / "reference", strict=False))
    score = mod.evaluate(linker, mod.HELDOUT)
    assert score.precision >= 0.95, score.errors
    assert score.recall >= 0.90, score.errors
