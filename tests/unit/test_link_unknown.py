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


NEWS_PAGE = """Battery makers sign a cell supply deal

Contemporary Amperex Technology Co., Limited agreed on Monday to supply cells to Zorblax Motors Co., Ltd. for a plant near Lyon.

Engineers from the University of Nowhere and the Frobnitz Space Agency will test the packs, the Ministry of Imaginary Affairs said.

Volkswagen and CATL did not comment.
"""


def test_a_run_passes_its_own_mentions_and_the_unknown_names_are_those_of_linking_again(registry):
    """The pipeline hands propose the mentions it linked; the unknown-organization step
    reuses their organization spans instead of linking each passage again, and finds the
    names it finds when it links the passage itself (the registered names it skips included)."""
    from etnc_db.extract import parse_document
    from etnc_db.link.linker import Linker
    from etnc_db.propose.inputs import input_from_parsed
    from etnc_db.workers import link_document as _link_document

    parsed = parse_document(NEWS_PAGE, kind="news_article", file_name="page.txt", title=None)
    linker = Linker(registry)
    given = input_from_parsed("page", NEWS_PAGE, parsed, published=None, linker=linker,
                              mentions=_link_document(NEWS_PAGE, parsed, linker))
    assert given == input_from_parsed("page", NEWS_PAGE, parsed, published=None, linker=linker)
    relinked = sorted((u.char_start + s, u.char_end + s, u.surface) for p in parsed.passages for s, e in p.segments
                      for u in detect_unknown_organizations(NEWS_PAGE[s:e], registry))
    found = sorted((m.char_start, m.char_end, m.surface) for m in given.mentions if m.rule.startswith("unknown:"))
    assert found == relinked
    assert {"Zorblax Motors Co., Ltd.", "University of Nowhere", "Frobnitz Space Agency"} <= {s for *_, s in found}
    assert not any("Amperex" in s for *_, s in found)  # registered: linked, so not an unknown name
