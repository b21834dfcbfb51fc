"""scripts/linker_quality.py --news on a tiny labelled page written for this test (the
real news pages stay outside the repository)."""

from pathlib import Path

from conftest import load_script
from etnc_db.link.linker import Linker
from etnc_db.reference.registry import load_registry

ROOT = Path(__file__).resolve().parents[2]

PAGE = """Menu | Home
Huawei and Telefonica talked to Zorblax Widgets about masts.
The huawei board met later.
"""

LABELS = """\
split: dev
organizations:
  - surface: Huawei
    all_surfaces: [Huawei, huawei]
  - surface: Telefonica
    all_surfaces: [Telefonica]
  - surface: Zorblax Widgets
    all_surfaces: [Zorblax Widgets]
"""


def test_news_scores_registered_and_found_surfaces(tmp_path):
    (tmp_path / "p01.txt").write_text(PAGE, encoding="utf-8")
    (tmp_path / "p01.yaml").write_text(LABELS, encoding="utf-8")
    (tmp_path / "p02.txt").write_text("Nokia.", encoding="utf-8")
    (tmp_path / "p02.yaml").write_text("split: test\norganizations:\n  - surface: Nokia\n", "utf-8")
    mod = load_script("linker_quality")
    registry = load_registry(ROOT / "etl" / "reference", strict=False)
    score = mod.evaluate_news(Linker(registry), registry, tmp_path, "dev")
    assert (score.pages, score.surfaces) == (1, 4)
    # Zorblax is unknown; "huawei" is known (folded) but lower case never links
    assert score.registered == 3 and score.unregistered == ["p01: 'Zorblax Widgets'"]
    assert score.found == 2 and score.missing == ["p01: 'huawei'"]
    test = mod.evaluate_news(Linker(registry), registry, tmp_path, "test")
    assert (test.pages, test.surfaces, test.found) == (1, 1, 1)
