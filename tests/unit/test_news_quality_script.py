"""scripts/news_quality.py's comparisons (the labelled real pages stay outside the
repository): legal forms do not make a registered name unregistered, and a publisher
with an explaining parenthesis is the same publisher."""

from pathlib import Path

from conftest import load_script
from etnc_db.link.linker import Linker
from etnc_db.link.unknown_orgs import load_cues
from etnc_db.reference.registry import load_registry

ROOT = Path(__file__).resolve().parents[2]


def test_legal_forms_are_stripped_before_the_registry_is_asked():
    mod = load_script("news_quality")
    forms = load_cues().legal_forms
    assert mod.strip_legal_forms("Wingtech Technology Co Ltd", forms) == "Wingtech Technology"
    assert mod.strip_legal_forms("Nokia Oyj", forms) == "Nokia"
    assert mod.strip_legal_forms("Huawei Technologies Co., Ltd.", forms) == "Huawei Technologies"
    assert mod.strip_legal_forms("Zorblax", forms) == "Zorblax"
    linker = Linker(load_registry(ROOT / "etl" / "reference", strict=False))
    for surface in ("ZTE Corp", "Ericsson AB", "Nokia Oyj", "Wingtech Technology Co Ltd"):
        assert mod.is_registered(surface, linker, forms), surface
    assert not mod.is_registered("Zorblax Widgets GmbH", linker, forms)


def test_publishers_compare_without_an_explaining_parenthesis():
    mod = load_script("news_quality")
    assert mod.same_publisher("dpa (German press agency)", "dpa")
    assert mod.same_publisher("The Guardian", "guardian")
    assert not mod.same_publisher("AFP", "Reuters")
    assert mod.same_publisher(None, None) and not mod.same_publisher("AFP", None)
