"""The linker meets its quality bar on the hand-labelled sample
(tests/data/linker_sample.yaml; scripts/linker_quality.py prints the details)."""

from collections import Counter
from pathlib import Path

import yaml

from conftest import load_script
from etnc_db.link.linker import Linker
from etnc_db.reference.registry import load_registry

ROOT = Path(__file__).resolve().parents[2]




def test_sample_covers_enough_ground():
    blocks = yaml.safe_load((ROOT / "tests" / "data" / "linker_sample.yaml").read_text("utf-8"))
    docs = Counter(b["document"] for b in blocks)
    assert {"000_8fe22c03e34f164c.txt", "001_9362aa277b1e106a.txt",
            "003_cb0aaeaa7b8570f9.txt", "004_09549ea9816e79fd.txt"} <= set(docs)
    assert docs["002_44c2a5c8c66c6785.txt"] >= 12  # one paragraph per chapter at least
    labels = [lab for b in blocks for lab in b["labels"]]
    assert len(labels) >= 300
    assert sum(lab["expect"] is None for lab in labels) >= 20


def test_precision_and_recall_on_the_sample():
    linker = Linker(load_registry(ROOT / "etl" / "reference", strict=False))
    score = load_script("linker_quality").evaluate(linker)
    assert score.precision >= 0.95, score.errors
    assert score.recall >= 0.90, score.errors
