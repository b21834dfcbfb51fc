"""detect_unknown_organizations on real report sentences."""

from pathlib import Path

import pytest

from etnc_db.link.unknown import detect_unknown_organizations
from etnc_db.reference.registry import load_registry

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def registry():
    return load_registry(ROOT / "etl" / "reference", strict=False)


def test_patterns_on_made_up_names(registry):
    text = ("Zorblax Quantum Devices Co., Ltd. partnered with the University of Nowhere and "
            "Gronk Polytechnic University, the Qwerty Institute, the Ministry of Imaginary "
            "Affairs, the Frobnitz Space Agency and the Zed Academy of Arts. The Institute said.")
    got = {(c.pattern, c.surface) for c in detect_unknown_organizations(text, registry)}
    assert ("company-suffix", "Zorblax Quantum Devices Co., Ltd.") in got
    assert ("university", "University of Nowhere") in got
    assert ("university", "Gronk Polytechnic University") in got
    assert ("x-institute", "Qwerty Institute") in got
    assert ("ministry-of", "Ministry of Imaginary Affairs") in got
    assert ("x-agency", "Frobnitz Space Agency") in got
    assert ("academy-of", "Zed Academy of Arts") in got
    assert not any(s == "Institute" for _, s in got)


def test_offsets_and_real_text(registry):
    text = (ROOT / "data" / "corpus" / "002_44c2a5c8c66c6785.txt").read_text(encoding="utf-8")
    cands = detect_unknown_organizations(text, registry)
    assert cands
    for c in cands:
        assert text[c.char_start : c.char_end] == c.surface
        assert "\n" not in c.surface
