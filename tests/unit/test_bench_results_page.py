"""A new benchmark page keeps the sections other harnesses wrote into bench/results.md
(the issue-12 before/after comparison of bench/compare_revisions.py), so copying a new
`etnc-db bench` run over the committed page does not erase them."""

from __future__ import annotations

from pathlib import Path

from etnc_db.bench.results_markdown import KEPT_SECTIONS
from etnc_db.bench.runner import write_page

HEADING = KEPT_SECTIONS[0]
SECTION = f"{HEADING}\n\nOld revision 9.1 s, new revision 8.7 s.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"
NEW_RUN = "# etnc-db benchmark results\n\n## Measurements and targets\n\n| build | 11.3 |\n"


def _committed(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "project" / "bench" / "results.md"
    path.parent.mkdir(parents=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_the_section_of_the_committed_page_follows_the_new_run(tmp_path):
    committed = _committed(tmp_path, "# etnc-db benchmark results\n\n## Measurements and targets\n\n| build | 99 |\n\n"
                           + SECTION + "\n## What the numbers say\n\nSlow.\n")
    out = tmp_path / "out" / "results.md"
    out.parent.mkdir()
    write_page(out, NEW_RUN, committed)
    page = out.read_text(encoding="utf-8")
    assert page.startswith(NEW_RUN.rstrip("\n"))
    assert SECTION in page
    assert "| build | 99 |" not in page  # the old run's own tables are replaced
    assert "What the numbers say" not in page  # only the kept section is carried, up to the next heading


def test_saving_again_keeps_one_copy(tmp_path):
    committed = _committed(tmp_path, SECTION)
    out = tmp_path / "results.md"
    for _ in range(3):  # the runner saves after every measurement
        write_page(out, NEW_RUN, committed)
    assert out.read_text(encoding="utf-8").count(HEADING) == 1


def test_writing_over_the_committed_page_itself_keeps_the_section(tmp_path):
    committed = _committed(tmp_path, NEW_RUN + "\n" + SECTION)
    write_page(committed, "# etnc-db benchmark results\n\nnew\n", committed)
    page = committed.read_text(encoding="utf-8")
    assert "new" in page and SECTION in page


def test_without_a_kept_section_the_page_is_the_new_run(tmp_path):
    committed = _committed(tmp_path, "# etnc-db benchmark results\n\n## Other\n\nx\n")
    out = tmp_path / "results.md"
    write_page(out, NEW_RUN, committed)
    assert out.read_text(encoding="utf-8") == NEW_RUN


def test_worker_seconds_are_listed_after_the_wall_time_and_given_no_share():
    """Work in worker processes runs alongside the run's own stages: its seconds are not
    a share of the process's wall time, and the own stages' shares add up to it."""
    from etnc_db.bench.results_markdown import stages_table

    build = {"median": 10.0, "stages": {"facts": 2.0, "derive_wait": 5.0, "(not in a stage)": 3.0,
                                        "worker propose": 12.0, "worker parse": 4.0}}
    lines = stages_table({"scales": {"1": {"build": build}}})
    names = [line.split("|")[1].strip() for line in lines[2:]]
    assert names == ["derive_wait", "(not in a stage)", "facts", "*process wall (median)*", "worker propose",
                     "worker parse"]
    shares = {line.split("|")[1].strip(): line.split("|")[3].strip() for line in lines[2:]}
    assert shares["facts"] == "20 %" and shares["derive_wait"] == "50 %"
    assert shares["worker propose"] == "" and shares["worker parse"] == ""
