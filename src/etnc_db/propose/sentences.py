"""pysbd's English segmenter, same boundaries, less work.

Two steps of pysbd 0.3.4 (the pinned version) cost most of its time on our paragraphs and
are replaced here by equivalents that skip only provably idle work:

* the abbreviation pass runs, for every one of ~190 abbreviations found anywhere in a
  line, a regex scan plus a full-text substitution per occurrence; each substitution only
  turns a period that directly follows the abbreviation into a placeholder. An
  alphabetic abbreviation whose lowercase form is never followed by a period in the line
  therefore cannot change it and is skipped (a line holding a character that matches an
  ASCII letter case-insensitively without lowering to it, such as 'ſ' or 'ı', takes
  pysbd's own path);
* the character spans are found with ``str.find`` instead of compiling one regex per
  sentence (which also flushed ``re``'s pattern cache, so pysbd recompiled its fixed
  patterns over and over).

``tests/unit/test_propose_sentences.py`` compares this segmenter with pysbd's on varied
and random text."""

from __future__ import annotations

import re

import pysbd
from pysbd.processor import Processor
from pysbd.utils import TextSpan

from .prefilter import folds_safe

_TRAILING_SPACE = re.compile(r"\s*")


def _abbreviation_replacer(base: type) -> type:
    class _Replacer(base):
        def search_for_abbreviations_in_string(self, text):
            """pysbd's loop, minus the abbreviations that no period follows (module docstring)."""
            if not folds_safe(text):
                return super().search_for_abbreviations_in_string(text)
            lowered = text.lower()
            for abbr in self.lang.Abbreviation.ABBREVIATIONS:
                stripped = abbr.strip()
                if stripped not in lowered:
                    continue
                if stripped.isascii() and stripped.isalpha() and stripped + "." not in lowered:
                    continue
                abbrev_match = re.findall(rf"(?:^|\s|\r|\n){stripped}", text, flags=re.IGNORECASE)
                if not abbrev_match:
                    continue
                next_word_start = r"(?<={" + str(re.escape(stripped)) + "} ).{1}"
                char_array = re.findall(next_word_start, text)
                for ind, match in enumerate(abbrev_match):
                    text = self.scan_for_replacements(text, match, ind, char_array)
            return text

    return _Replacer


class _Processor(Processor):
    def abbreviations_replacer(self):
        return self.lang.fast_abbreviation_replacer(self.text, self.lang)


class Segmenter(pysbd.Segmenter):
    """``pysbd.Segmenter(language="en", clean=False, char_span=False)``, faster."""

    def __init__(self):
        super().__init__(language="en", clean=False, char_span=False)
        english = self.language_module
        self.language_module = type("FastEnglish", (english,), {
            "fast_abbreviation_replacer": _abbreviation_replacer(english.AbbreviationReplacer)})

    def processor(self, text):
        return _Processor(text, self.language_module, char_span=self.char_span)

    def sentences_with_char_spans(self, sentences):
        """pysbd's spans: per sentence, the first match of ``re.escape(sent) + r'\\s*'``
        in the original text (matches taken left to right, not overlapping) that ends
        after the previous span."""
        if any(not s for s in sentences):
            return super().sentences_with_char_spans(sentences)
        text, spans, prior = self.original_text, [], 0
        for sent in sentences:
            pos = 0
            while (found := text.find(sent, pos)) >= 0:
                end = _TRAILING_SPACE.match(text, found + len(sent)).end()
                if end > prior:
                    spans.append(TextSpan(text[found:end], found, end))
                    prior = end
                    break
                pos = end
        return spans
