"""yaml_lines.lines_only: the line skeleton a validated curated record keeps."""

from etnc_db.yaml_lines import Lines, lines_only, parse_yaml_with_lines

TEXT = """\
id: a-fact
title: Something happened
sectors: [energy, ports]
evidence:
  - quote: first quote
    document: doc-1
  - plain scalar
parties:
  - organization: org-a
    role: buyer
"""


def test_lines_only_keeps_every_line_of_the_parse():
    raw = parse_yaml_with_lines(TEXT, "x.yaml")
    skel = lines_only(raw)
    assert isinstance(skel, Lines) and skel.line == raw.line == 1
    assert {k: skel.line_of(k) for k in raw} == {k: raw.line_of(k) for k in raw} == {
        "id": 1, "title": 2, "sectors": 3, "evidence": 4, "parties": 8}
    assert skel.line_of("note") == raw.line_of("note") == 1  # an absent key: the mapping's line
    ev = skel["evidence"]
    assert ev.line == raw["evidence"].line and [ev.line_of(i) for i in range(3)] == [5, 7, 5]
    assert ev[0].line == 5 and ev[0].line_of("document") == 6 and ev[0].line_of("quote") == 5
    assert ev[1] is None and getattr(ev[1], "line", 1) == getattr(raw["evidence"][1], "line", 1)
    assert skel["parties"][0].line_of("role") == 10
    assert skel["sectors"].line == 3 and skel["sectors"][1] is None  # a list of scalars: its lines only
    assert skel["id"] is None and ev[0]["quote"] is None  # scalars: nothing kept
    assert lines_only("scalar") is None
