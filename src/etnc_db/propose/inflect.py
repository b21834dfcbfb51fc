"""Word families for triggers: the forms of a word generated from how it is written in
``triggers.yaml`` (``families``), so a rule names a meaning ("preventing", "selling")
once per language instead of listing every inflection by hand.

English entries are lemmas (verbs or nouns): ``ban`` gives ban, bans, banned, banning;
``prevent`` gives prevent, prevents, prevented, preventing; ``fine`` gives fine, fines,
fined, fining; a multi-word entry inflects its first word (``take over`` gives takes
over, taking over ...). An irregular form is written as it is, after ``=`` (``=sold``).
In the other languages an entry is a stem and matches any word that begins with it
(``untersag`` matches untersagt, untersagte, untersagen); ``=`` marks a whole word there
too (``=Zoll``).
"""

from __future__ import annotations

import re

VOWELS = set("aeiou")


def _double_final(word: str) -> bool:
    """One-syllable consonant-vowel-consonant words double their last letter (ban, bar,
    stop: banned, barred, stopped; not open, opened)."""
    return (len(word) >= 3 and sum(ch in VOWELS for ch in word) == 1 and word[-1] not in VOWELS | set("wxy")
            and word[-2] in VOWELS and word[-3] not in VOWELS)


def english_forms(lemma: str) -> list[str]:
    """The inflected forms of an English verb or noun lemma (first word of a phrase)."""
    head, _, rest = lemma.partition(" ")
    tail = f" {rest}" if rest else ""
    if head.endswith("e"):
        base = head[:-1]
        forms = [head, head + "s", head + "d", base + "ing"]
    elif head.endswith("y") and len(head) > 1 and head[-2] not in VOWELS:
        base = head[:-1]
        forms = [head, base + "ies", base + "ied", head + "ing"]
    else:
        stem = head + head[-1] if _double_final(head) else head
        plural = head + "es" if head.endswith(("s", "sh", "ch", "x", "z", "o")) else head + "s"
        forms = [head, plural, stem + "ed", stem + "ing"]
    return [f + tail for f in forms]


def _escape(text: str) -> str:
    return r"\s+".join(re.escape(part) for part in text.split())


def family_pattern(words: dict[str, list[str]]) -> str:
    """One regex alternation (without word boundaries around it) matching every form of
    the family's words: ``{language: [entries]}`` with ``en`` inflected as lemmas and the
    other languages as stems."""
    alternatives: list[str] = []
    for language, entries in words.items():
        for entry in entries:
            if entry.startswith("="):
                alternatives.append(_escape(entry[1:]))
            elif language == "en":
                alternatives.extend(_escape(f) for f in english_forms(entry))
            else:
                alternatives.append(_escape(entry) + r"\w*")
    # longest first, so an alternation never stops at a shorter form of the same word
    alternatives = sorted(dict.fromkeys(alternatives), key=len, reverse=True)
    return r"\b(?:" + "|".join(alternatives) + r")\b"
