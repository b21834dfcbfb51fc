"""Adding a document as the README says — drop it into the corpus folder (with or
without a manifest entry), curate it, run — in a copy of the project, run from inside
the copy: the build, the facts, the analysis queries and the curation-count check all
stay green. Nothing in the tests assumes the shipped five documents."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from conftest import load_script

ROOT = Path(__file__).resolve().parents[2]

ARTICLE = """Danish robot maker opens research lab with Chinese university

COPENHAGEN, 3 February 2026 - Universal Robots said on Tuesday it had signed a memorandum
of understanding with Tsinghua University to set up a joint laboratory for collaborative
robots in Beijing.
"""
CURATED = """document: {key}
part: main
agreements:
- id: {key}-ur-tsinghua-lab-mou
  title: Universal Robots and Tsinghua University MoU on a joint robotics laboratory
  agreement_type: mou
  status: signed
  date: '2026-02'
  parties:
  - {{description: Universal Robots, country: DK, role: signatory}}
  - {{organization: tsinghua-university, role: signatory}}
  evidence:
  - quote: "Universal Robots said on Tuesday it had signed a memorandum"
"""


def _copy(tmp_path: Path) -> Path:
    copy = tmp_path / "project"
    copy.mkdir()
    for name in ("data", "etl", "sql", "etnc.yaml", "docs"):
        src = ROOT / name
        (shutil.copytree if src.is_dir() else shutil.copy)(src, copy / name)
    return copy


def _run(copy: Path, url: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": url}
    for var in ("ETNC_CORPUS", "ETNC_CURATED", "ETNC_REFERENCE", "ETNC_PROJECT_DIR"):
        env.pop(var, None)
    return subprocess.run([sys.executable, "-c", "from etnc_db.cli import main; main()", *args], cwd=copy, env=env,
                          capture_output=True, text=True, timeout=600)


@pytest.mark.parametrize("with_manifest_entry", [True, False], ids=["manifest-entry", "no-manifest-entry"])
def test_a_sixth_document_builds_and_every_check_stays_green(databases, migrated_template, tmp_path, with_manifest_entry):
    copy = _copy(tmp_path)
    corpus = copy / "data" / "corpus"
    (corpus / "ur-tsinghua.txt").write_text(ARTICLE, encoding="utf-8")
    key = "ur-tsinghua"  # the file name's slug when the manifest does not list it
    if with_manifest_entry:
        key = "robots-lab-2026"
        with (corpus / "sources.yaml").open("a", encoding="utf-8") as f:
            f.write(f"  - file: ur-tsinghua.txt\n    key: {key}\n    kind: news_article\n")
    (copy / "etl" / "curated" / key).mkdir()
    (copy / "etl" / "curated" / key / "main.yaml").write_text(CURATED.format(key=key), encoding="utf-8")

    url = databases.create(template=migrated_template)
    res = _run(copy, url, "run")
    assert res.returncode == 0, res.stderr[-3000:]
    assert f"{key} (new): 1 facts published" in res.stdout
    with psycopg.connect(url) as conn:
        documents = conn.execute("SELECT count(*) FROM core.documents").fetchone()[0]
        fact = conn.execute("SELECT fact_type, first_document_key FROM mart.fct_fact WHERE fact_key = %s",
                            (f"{key}-ur-tsinghua-lab-mou",)).fetchone()
        for query in sorted((copy / "sql" / "analysis").glob("*.sql")):
            conn.execute(query.read_text(encoding="utf-8")).fetchall()
    files = [p for p in corpus.iterdir() if p.suffix in (".txt", ".md")]
    assert documents == len(files) and fact == ("agreement", key)
    # the curation-count table is checked against the files: the new file is reported, not refused
    assert load_script("curation_counts").check_doc(copy / "docs" / "curation.md", copy / "etl" / "curated") == \
        [f"{key}/main.yaml"]
