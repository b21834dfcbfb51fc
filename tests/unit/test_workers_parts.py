"""The worker pool's rules (etnc_db.workers) without a database: a long document proposed
in parts by several workers gives the candidates of the whole document (the same keys, a
repeated evidence numbered across the parts, the same extraction hashes, in the same
order); which documents are split; how many workers; and prefetched work the run no
longer asks for."""

from __future__ import annotations

from dataclasses import replace

from etnc_db.propose import propose
from etnc_db.propose.candidate import PassageInput
from etnc_db.propose.extract import numbered
from etnc_db.propose.inputs import input_from_text, part_of
from etnc_db.review.stage import candidate_row
from etnc_db.workers import Derived, merge

PARAGRAPHS = [
    "Huawei signed a memorandum of understanding with Vodafone on 5G research in 2021.",
    "The government banned Huawei equipment from the core network in 2022.",
    "Huawei signed a memorandum of understanding with Vodafone on 5G research in 2021.",
    "CATL will invest EUR 7.3 billion in a battery plant in Debrecen, Hungary.",
    "Huawei signed a memorandum of understanding with Vodafone on 5G research in 2021.",
]


def _document(linker):
    """The paragraphs as one text of five passages, linked as one fragment."""
    text = "\n\n".join(PARAGRAPHS)
    doc = input_from_text(text, linker, document_key="long-report")
    passages, start = [], 0
    for i, paragraph in enumerate(PARAGRAPHS):
        passages.append(PassageInput(f"p{i + 1}", paragraph, ((start, start + len(paragraph)),)))
        start += len(paragraph) + 2
    return replace(doc, passages=tuple(passages))


def test_numbered_counts_each_key_across_parts():
    assert numbered(["a", "b", "a", "a-2", "b", "c-4"]) == ["a", "b", "a-2", "a-3", "b-2", "c"]


def test_parts_cover_every_passage_once_in_order(linker):
    doc = _document(linker)
    for n in (1, 2, 3, 5, 7):
        keys = [p.key for k in range(n) for p in part_of(doc, k, n).passages]
        assert keys == [p.key for p in doc.passages]


def test_merged_parts_are_the_whole_documents_candidates(linker, rules):
    from etnc_db.propose import RULES_DIR, load_weights

    weights = load_weights(RULES_DIR / "confidence.json")
    doc = _document(linker)
    whole = [candidate_row(c, doc.text) for c in propose(doc, rules, weights)]
    assert len({row["candidate_key"].partition("-")[0] for row in whole}) < len(whole)  # a key repeats
    for n in (2, 3):
        parts = [Derived("long-report", {}, [], [candidate_row(c, doc.text) for c in propose(part_of(doc, k, n), rules,
                                                                                              weights)], set())
                 for k in range(n)]
        merged = merge(parts)
        assert merged.candidates == whole
        assert merged.proposed == {row["candidate_key"] for row in whole}


def test_worker_count_comes_from_the_option_then_the_environment_then_the_cores(monkeypatch):
    import os

    import pytest

    from etnc_db.workers import worker_count

    monkeypatch.setenv("ETNC_WORKERS", "3")
    assert worker_count() == 3
    assert worker_count(1) == 1
    monkeypatch.delenv("ETNC_WORKERS")
    assert worker_count() == len(os.sched_getaffinity(0))
    monkeypatch.setenv("ETNC_WORKERS", "two")
    with pytest.raises(ValueError, match="ETNC_WORKERS='two' is not a whole number"):
        worker_count()
    with pytest.raises(ValueError, match="1 or more"):
        worker_count(0)


def test_only_a_document_holding_most_of_the_text_is_split(tmp_path):
    from etnc_db.extract.corpus import SourceFile
    from etnc_db.workers import tasks_of

    report = SourceFile(tmp_path / "r.txt", "report", "report", size=500_000)
    page = SourceFile(tmp_path / "p.txt", "page", "news_article", size=4_000)
    assert [t[2] for t in tasks_of([(page, "a"), (report, "b")], 2)] == [(0, 1), (0, 2), (1, 2)]
    assert [t[2] for t in tasks_of([(page, "a"), (report, "b")], 1)] == [(0, 1), (0, 1)]
    many = [(report, str(i)) for i in range(3)]  # three long reports: each is a third of the text
    assert [t[2] for t in tasks_of(many, 2)] == [(0, 1)] * 3


def test_prefetched_work_the_run_no_longer_asks_for_is_dropped(settings):
    """A first build starts deriving before it plans; what the plan then asks for is what
    comes back, in its order, the same as derived in the run's own process."""
    from etnc_db.extract import corpus as corpus_folder
    from etnc_db.workers import Deriver

    pages = [f for f in corpus_folder.scan_corpus(settings.corpus_dir).files if f.kind != "report"]
    assert len(pages) >= 3
    deriver = Deriver(settings, 2, "salt").start()
    try:
        deriver.prefetch([(f, "old") for f in pages])  # e.g. the files' fingerprints changed since
        asked = [(pages[2], "new"), (pages[0], "old")]
        got = [(source.key, derived.key, derived.rows["core.documents"][0]["fingerprint"])
               for source, derived in deriver.results(asked)]
        assert deriver.pending == {}
    finally:
        deriver.close()
    assert got == [(pages[2].key, pages[2].key, "new"), (pages[0].key, pages[0].key, "old")]
    expected = [derived.candidates for _, derived in Deriver(settings, 1).results(asked)]
    pool = Deriver(settings, 2).start()
    try:
        assert [derived.candidates for _, derived in pool.results(asked)] == expected
    finally:
        pool.close()
