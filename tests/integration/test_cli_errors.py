"""Bad inputs: each makes `etnc-db load` exit non-zero with one line naming the file
(and line, where there is one) and leaves the database unchanged."""

from __future__ import annotations

import re
import shutil

import pytest
from typer.testing import CliRunner

from conftest import table_checksums
from etnc_db.cli import app

GT = "gt-voice-volkswagen-catl/main.yaml"


def _corpus_file(name: str, data: bytes):
    def apply(corpus, curated):
        (corpus / name).write_bytes(data)
        return name
    return apply


def _curated_edit(fn):
    def apply(corpus, curated):
        path = curated / GT
        path.write_text(fn(path.read_text(encoding="utf-8")), encoding="utf-8")
        return "main.yaml"
    return apply


CASES = {
    "empty file": _corpus_file("900_empty.txt", b""),
    "binary file": _corpus_file("901_binary.txt", bytes(range(256)) * 4),
    "invalid utf-8": _corpus_file("902_latin1.txt", "Caf\u00e9 in M\u00fcnchen\n".encode("latin-1") * 20),
    "malformed yaml": _curated_edit(lambda t: t.replace("agreements:\n", "agreements:\n  - [unclosed\n", 1)),
    "unknown key": _curated_edit(lambda t: t.replace("  agreement_type:", "  colour: blue\n  agreement_type:", 1)),
    # the file's first agreement written twice
    "duplicate id": _curated_edit(lambda t: t.replace(
        "agreements:\n", "agreements:\n" + t[t.index("- id:"):t.index("investments:")], 1)),
    "quote not found": _curated_edit(lambda t: t.replace("CATL said on Monday", "CATL said on Sunday", 1)),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_fails_with_one_line_and_changes_nothing(built_db, corpus_copy, tmp_path, settings, case):
    curated = tmp_path / "curated"
    shutil.copytree(settings.curated_dir, curated)
    file_name = CASES[case](corpus_copy, curated)
    before = table_checksums(built_db, schemas=("core", "mart"))
    res = CliRunner().invoke(app, ["load"], env={"DATABASE_URL": built_db, "ETNC_CORPUS": str(corpus_copy),
                                                 "ETNC_CURATED": str(curated), "ETNC_FAULT_AT": ""})
    assert res.exit_code != 0
    lines = [line for line in res.output.splitlines() if line.strip()]
    assert len(lines) == 1, res.output
    assert lines[0].startswith("error:") and file_name in lines[0], lines[0]
    if file_name.endswith(".yaml"):
        assert re.search(re.escape(file_name) + r":\d+", lines[0]), lines[0]
    assert table_checksums(built_db, schemas=("core", "mart")) == before
