"""The literal prefilter of the rule regexes (etnc_db.propose.prefilter) never skips a
text the regex matches: checked on the shipped rules against written and random text,
and on the character folds it relies on."""

from __future__ import annotations

import random
import re

import pytest

from etnc_db.propose import RULES_DIR, load_rules
from etnc_db.propose.prefilter import LiteralIndex, ascii_case_folds, can_match, literals, lowered, may_match


@pytest.mark.parametrize(("pattern", "flags", "expected"), [
    (r"\bgigafactor(?:y|ies)\b", re.IGNORECASE, ("gigafactor",)),
    (r"\b(?:build|built)\b[^.;]{0,60}\b(?:plant|factory)\b", re.IGNORECASE, ("factory", "plant")),
    (r"\bEV\s+makers?\b", 0, ("maker",)),
    (r"(?:a|b)?c+", 0, ("c",)),
    (r"\d{4}", 0, None),
    (r"x?y*", 0, None),
    (r"vis-à-vis", re.IGNORECASE, ("vis-",)),
    (r"(?i:Joint) (?-i:Venture)s?", 0, ("venture",)),
])
def test_literals_of_written_patterns(pattern, flags, expected):
    assert literals(re.compile(pattern, flags)) == expected


def _rule_regexes():
    rules = load_rules(RULES_DIR)
    out = [t.regex for ts in rules.triggers.values() for t in ts]
    out += [b.regex for bs in rules.blockers.values() for b in bs]
    out += [c.regex for cs in rules.status_cues.values() for c in cs]
    out += [c.regex for c in (*rules.stance_cues, *rules.jurisdiction, *rules.unnamed_actor)]
    return out


def _random_texts(regexes, n: int = 3000) -> list[str]:
    words = sorted({w for rx in regexes for w in re.findall(r"[A-Za-z]{3,}", rx.pattern)})
    filler = ["the", "China", "firm", "EUR", "5", "2021", ",", ".", "'s", "-", "ſ", "ı", "İ", "K", "é", "(", ")"]
    rng = random.Random(18)
    texts = []
    for _ in range(n):
        picks = [rng.choice(words if rng.random() < 0.5 else filler) for _ in range(rng.randint(1, 25))]
        texts.append(" ".join(w.upper() if rng.random() < 0.2 else w for w in picks))
    return texts


def test_no_rule_regex_match_is_prefiltered_away():
    regexes = _rule_regexes()
    matched = 0
    for text in _random_texts(regexes):
        low = lowered(text)
        for rx in regexes:
            if rx.search(text):
                matched += 1
                assert may_match(rx, low), (rx.pattern, text)
    assert matched > 1000


def test_one_pass_index_answers_as_the_per_regex_test():
    """LiteralIndex finds every literal in one Aho-Corasick pass; per regex its answer
    is may_match's, on text that holds literals inside other words and overlapping ones."""
    regexes = _rule_regexes()
    half = len(regexes) // 2
    index = LiteralIndex(regexes[:half], also=regexes[half:])
    texts = _random_texts(regexes, 1500) + ["rebuilding", "jointventures", "signedmemorandum", "ſigned"]
    skipped = 0
    for text in texts:
        low, found = lowered(text), index.found(text)
        answers = [may_match(rx, low) for rx in regexes]
        assert [can_match(rx, found) for rx in regexes] == answers, text
        assert index.possible(text) == answers[:half], text
        skipped += answers.count(False)
    assert skipped > 10000  # the test exercises the prefilter, not only texts it lets through


def test_folds_are_the_known_three_and_other_letters_lower_to_themselves():
    assert ascii_case_folds() == {"İ", "ı", "ſ"}
    letters = [re.compile(ch, re.IGNORECASE) for ch in "abcdefghijklmnopqrstuvwxyz"]
    for code in range(0x80, 0x10000):
        ch = chr(code)
        for letter in letters:
            if letter.fullmatch(ch):
                assert ch in ascii_case_folds() or ch.lower() == letter.pattern


def test_text_with_a_fold_is_not_prefiltered():
    assert lowered("Der ſtaat") is None
    assert may_match(re.compile("staat", re.IGNORECASE), lowered("Der ſtaat"))
