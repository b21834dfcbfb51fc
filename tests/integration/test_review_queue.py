"""The review queue end to end, from the command line, on a real PostgreSQL: documents
propose candidates, a person accepts (with edits), rejects, merges or edits them, and the
next load publishes exactly the accepted records; decisions live in files, so they
survive a rebuild from an empty database; a changed document re-queues only the
candidates whose extraction changed. The texts are short fragments written for these
tests."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
import yaml
from typer.testing import CliRunner

from etnc_db.cli import app

ROOT = Path(__file__).resolve().parents[2]

NEWS = """Battery makers expand in Hungary

Budapest, 12 March 2025

CATL announced on Monday a EUR 7.3 billion battery plant in Debrecen, its second factory in Europe.

Huawei signed a memorandum of understanding with Tsinghua University last year on joint research in artificial intelligence.

Zorblax Batteries GmbH acquired a stake in a Hungarian cathode supplier for EUR 120 million.

The European Commission opened an anti-subsidy investigation into Chinese electric vehicle imports.

Hungary's government adopted tax incentives for CATL in Debrecen in 2024.
"""

REPORT = """Mini report

Contents

Executive Summary\t3
Hungary: Batteries and research\t5

Executive Summary

Summary text one.

Hungary

Hungary: Batteries and research

By Test Author, Test University

In 2023, Hungary's government granted CATL a EUR 800 million subsidy for its battery plant in Debrecen.¹ In 2019, the Hungarian Academy of Sciences and the Chinese Academy of Sciences signed a memorandum of understanding on joint laboratories.²

Endnotes

- 1 | Someone. A title. 29 June 2023. <https://example.org/a>
- 2 | Other. Another. July 15, 2019. https://example.org/b
"""


class Project:
    """A project folder of its own (etnc.yaml, corpus, reference, extraction rules, empty
    curated and review folders) on its own database, driven through the CLI."""

    def __init__(self, root: Path, url: str):
        self.root, self.url = root, url
        (root / "data" / "corpus").mkdir(parents=True)
        shutil.copytree(ROOT / "etl" / "reference", root / "etl" / "reference")
        shutil.copytree(ROOT / "etl" / "extraction", root / "etl" / "extraction")
        (root / "etl" / "curated").mkdir()
        (root / "etl" / "review").mkdir()
        (root / "etnc.yaml").write_text("name: review-test\n", encoding="utf-8")
        self.env = {"DATABASE_URL": url, "ETNC_PROJECT_DIR": str(root), "ETNC_REVIEWER": "tester"}

    def cli(self, *args: str, ok: bool = True, env: dict | None = None):
        result = CliRunner().invoke(app, list(args), env={**self.env, **(env or {})})
        if ok:
            assert result.exit_code == 0, (args, result.stdout, result.stderr, result.exception)
        return result

    def json(self, *args: str) -> dict | list:
        return json.loads(self.cli(*args, "--json").stdout)

    def sql(self, query: str, *params):
        with psycopg.connect(self.url) as conn:
            return conn.execute(query, params).fetchall()

    def statuses(self, document: str = "news1") -> dict[str, tuple]:
        return {k: (s, src) for k, s, src in self.sql(
            "SELECT c.candidate_key, c.status, c.decision_source FROM review.candidates c "
            "JOIN core.documents d USING (document_id) WHERE d.document_key = %s", document)}

    def candidate(self, fact_type: str, words: str, document: str = "news1") -> str:
        rows = self.sql("SELECT c.candidate_key FROM review.candidates c JOIN core.documents d USING (document_id) "
                        "WHERE d.document_key = %s AND c.fact_type = %s AND c.quote LIKE %s AND c.status <> "
                        "'superseded'", document, fact_type, f"%{words}%")
        assert len(rows) == 1, (fact_type, words, rows)
        return rows[0][0]

    def add_report(self) -> None:
        (self.root / "data" / "corpus" / "mini-report.txt").write_text(REPORT, encoding="utf-8")
        with (self.root / "data" / "corpus" / "sources.yaml").open("a", encoding="utf-8") as fh:
            fh.write("  - file: mini-report.txt\n    key: mini-report\n    title: Mini report\n"
                     "    published: '2026-06'\n    kind: report\n")

    @property
    def decisions(self) -> dict:
        from etnc_db.review.decisions import load_decisions

        return load_decisions(self.root / "etl" / "review")


@pytest.fixture
def project(tmp_path, migrated_db) -> Project:
    p = Project(tmp_path / "project", migrated_db)
    (tmp_path / "news1.txt").write_text(NEWS, encoding="utf-8")
    result = p.cli("load", str(tmp_path / "news1.txt"))
    assert "added news1 (news1.txt)" in result.stdout
    assert "news1 (new): 0 facts published, 5 candidates pending" in result.stdout
    return p


def test_accept_with_an_edit_and_reject_publish_exactly_the_accepted_fact(project, databases, migrated_template):
    p = project
    listed = p.json("review")
    assert [d["counts"]["pending"] for d in listed if d["document_key"] == "news1"] == [5]
    plant = p.candidate("investment", "CATL announced")
    mou = p.candidate("agreement", "Huawei signed")
    missing = p.cli("review", "accept", plant, ok=False)  # the page names no country: say which
    assert "main.yaml:5: host_country: Field required" in missing.stderr
    out = p.json("review", "accept", plant[:10], "--set", "title=CATL battery plant in Debrecen",
                 "--set", "amount=7.5e9", "--set", "host_country=HU", "--id", "news1-catl-debrecen")
    assert out["status"] == "accepted" and out["fact_key"] == "news1-catl-debrecen"
    assert out["edited"] == {"title": "CATL battery plant in Debrecen", "amount": 7500000000, "host_country": "HU"}
    curated = yaml.safe_load((p.root / "etl" / "curated" / "news1" / "main.yaml").read_text(encoding="utf-8"))
    record = curated["investments"][0]
    assert record["candidate"] == plant and record["investor"] == "catl" and record["amount"] == 7500000000
    assert record["evidence"] == [{"quote": "CATL announced on Monday a EUR 7.3 billion battery plant in Debrecen, "
                                            "its second factory in Europe."}]
    p.cli("review", "reject", mou, "--reason", "a research memorandum outside this test's scope")
    assert p.statuses()[plant] == ("accepted", "curated_record") and p.statuses()[mou] == ("rejected", "decision")
    assert not p.sql("SELECT 1 FROM core.facts")  # nothing is published before the load

    result = p.cli("load")
    assert "news1 (unchanged): 1 facts published, 3 candidates pending" in result.stdout
    facts = p.sql("SELECT f.fact_key, f.candidate_key, i.amount, e.quote FROM core.facts f "
                  "JOIN core.investments i USING (fact_id) JOIN core.evidence e USING (fact_id)")
    assert facts == [("news1-catl-debrecen", plant, 7500000000, record["evidence"][0]["quote"])]
    assert p.statuses()[plant] == ("accepted", "curated_record") and p.statuses()[mou] == ("rejected", "decision")
    before = p.statuses()

    # a rebuild from an empty database keeps both decisions: they live in files
    fresh = databases.create(template=migrated_template)
    rebuilt = Project.__new__(Project)
    rebuilt.root, rebuilt.url, rebuilt.env = p.root, fresh, {**p.env, "DATABASE_URL": fresh}
    rebuilt.cli("load")
    assert rebuilt.statuses() == before
    assert rebuilt.sql("SELECT fact_key, candidate_key FROM core.facts") == [("news1-catl-debrecen", plant)]
    row = rebuilt.sql("SELECT reviewer, reason, edited FROM review.candidates WHERE candidate_key = %s", plant)
    assert row == [("tester", "accepted as curated record news1-catl-debrecen",
                    {"title": "CATL battery plant in Debrecen", "amount": 7500000000, "host_country": "HU"})]


def test_a_changed_document_requeues_only_the_candidates_whose_extraction_changed(project, tmp_path):
    p = project
    plant = p.candidate("investment", "CATL announced")
    mou = p.candidate("agreement", "Huawei signed")
    probe = p.candidate("policy_measure", "anti-subsidy")
    p.cli("review", "accept", plant, "--set", "host_country=HU")
    p.cli("review", "reject", mou, "--reason", "not in scope")
    p.cli("review", "reject", probe, "--reason", "not in scope either")
    p.cli("load")
    before = p.statuses()
    zorblax = p.candidate("investment", "Zorblax")

    # the Zorblax sentence is rewritten and a sentence is added
    changed = NEWS.replace("for EUR 120 million", "for EUR 150 million") + (
        "\nGeely opened a research centre in Gothenburg in 2024.\n")
    (tmp_path / "news1.txt").write_text(changed, encoding="utf-8")
    assert "updated news1" in p.cli("load", str(tmp_path / "news1.txt")).stdout
    after = p.statuses()
    assert after[zorblax][0] == "superseded"
    for key in (plant, mou, probe):
        assert after[key] == before[key]  # same sentence, same extraction: same decision
    new = {k for k in after if k not in before}
    assert new and all(after[k] == ("pending", "extraction") for k in new)
    assert {s for k, (s, _) in after.items() if k not in new and k != zorblax} == {"accepted", "rejected", "pending"}

    # same sentences, but "last year" now means 2025: only that extraction changed
    manifest = p.root / "data" / "corpus" / "sources.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace('"2025-03-12"', '"2026-01-05"'), encoding="utf-8")
    p.cli("load")
    again = p.statuses()
    assert again[mou] == ("pending", "extraction")
    previous = p.sql("SELECT previous_decision, proposed->>'date' FROM review.candidates WHERE candidate_key = %s", mou)
    assert previous[0][0]["status"] == "rejected" and previous[0][0]["reviewer"] == "tester"
    assert "extraction changed" in previous[0][0]["why_pending"] and previous[0][1] == "2025"
    assert {k: v for k, v in again.items() if k != mou} == {k: v for k, v in after.items() if k != mou}
    shown = p.cli("review", "show", mou).stdout
    assert "previous decision: rejected by tester" in shown and "extraction changed" in shown


def test_endnotes_of_an_accepted_report_candidate_are_published(project):
    p = project
    p.add_report()
    p.cli("load")
    aid = p.candidate("policy_measure", "subsidy", "mini-report")
    out = p.json("review", "accept", aid, "--set", "title=Hungarian state aid for CATL's Debrecen plant",
                 "--set", "stance=promotional")
    assert out["file"].endswith("etl/curated/mini-report/hu.yaml")  # the chapter's part
    p.cli("load")
    rows = p.sql("SELECT e.fact_key, b.citation_key, c.url FROM mart.fct_evidence e "
                 "JOIN mart.bridge_evidence_citation b USING (evidence_key) "
                 "JOIN mart.dim_citation c ON c.citation_key = b.citation_key WHERE e.document_key = 'mini-report'")
    assert rows == [(out["fact_key"], "mini-report/hu#1", "https://example.org/a")]


def test_show_prints_the_evidence_fields_entities_and_possible_duplicates(project):
    p = project
    plant = p.candidate("investment", "CATL announced")
    p.cli("review", "accept", plant, "--id", "news1-catl-debrecen", "--set", "host_country=HU")
    p.cli("load")
    other = p.candidate("policy_measure", "tax incentives")
    shown = p.cli("review", "show", other[:8]).stdout
    assert "»Hungary's government adopted tax incentives for CATL in Debrecen in 2024.«" in shown
    assert "CATL -> organization catl" in shown and "Debrecen" in shown
    assert "news1-catl-debrecen (investment" in shown and "shares HU, catl" in shown
    data = p.json("review", "show", other)
    assert data["key"] == other and data["nearest"][0]["fact_key"] == "news1-catl-debrecen"
    assert any({"surface": "CATL", "entity_type": "organization", "entity_key": "catl"}.items() <= e.items()
               for e in data["entities"])


def test_merge_adds_the_evidence_to_an_existing_fact(project):
    p = project
    plant = p.candidate("investment", "CATL announced")
    p.cli("review", "accept", plant, "--id", "news1-catl-debrecen", "--set", "host_country=HU")
    p.cli("load")
    other = p.candidate("policy_measure", "tax incentives")
    out = p.json("review", "merge", other, "--into", "news1-catl-debrecen")
    assert out["status"] == "accepted" and out["fact_key"] == "news1-catl-debrecen"
    curated = yaml.safe_load((p.root / "etl" / "curated" / "news1" / "main.yaml").read_text(encoding="utf-8"))
    assert curated["evidence_for"][0]["fact_id"] == "news1-catl-debrecen"
    p.cli("load")
    assert p.statuses()[other] == ("accepted", "merge")
    assert p.decisions.candidates[other].decision == "merged"


def test_strict_load_fails_and_changes_nothing_while_candidates_wait(project):
    from conftest import table_checksums

    p = project
    before = table_checksums(p.url, schemas=("core", "review"))
    result = p.cli("load", "--strict", ok=False)
    assert result.exit_code == 1 and "--strict: 5 candidate(s) pending review (news1 5)" in result.stderr
    assert table_checksums(p.url, schemas=("core", "review")) == before
    out = p.json("review", "complete", "news1", "--reason", "read in full for this test")
    assert len(out["candidates"]) == 5
    assert "0 candidates pending" in p.cli("load", "--strict").stdout


def test_a_document_read_in_full_sends_back_only_new_extractions(project, tmp_path):
    p = project
    p.cli("review", "complete", "news1", "--reason", "read in full by two people")
    p.cli("load")
    assert {s for s, _ in p.statuses().values()} == {"rejected"}
    entry = p.decisions.documents["news1"]
    assert len(entry.extractions) == 5 and entry.sha256
    (tmp_path / "news1.txt").write_text(NEWS + "\nGeely opened a research centre in Gothenburg in 2024.\n",
                                        encoding="utf-8")
    p.cli("load", str(tmp_path / "news1.txt"))
    statuses = p.statuses()
    assert sorted(s for s, _ in statuses.values()).count("rejected") == 5
    assert [s for s, _ in statuses.values()].count("pending") >= 1


def test_review_commands_refuse_bad_input_with_file_and_line(project):
    p = project
    plant = p.candidate("investment", "CATL announced")
    zorblax = p.candidate("investment", "Zorblax")
    curated = p.root / "etl" / "curated" / "news1" / "main.yaml"

    unknown = p.cli("review", "accept", zorblax, ok=False)
    assert unknown.exit_code == 1 and "unknown organization key(s) — investor: 'Zorblax Batteries GmbH'" in unknown.stderr
    assert "- key: zorblax-batteries" in unknown.stdout and "name: Zorblax Batteries GmbH" in unknown.stdout
    assert yaml.safe_load(unknown.stdout)[0]["kind"] == "company"  # ready to paste

    bad_value = p.cli("review", "accept", plant, "--set", "status=exploded", "--set", "host_country=HU", ok=False)
    assert bad_value.exit_code == 1
    assert "main.yaml:" in bad_value.stderr and "status: 'exploded' is not one of" in bad_value.stderr
    bad_date = p.cli("review", "accept", plant, "--set", "date=2025-13", "--set", "host_country=HU", ok=False)
    assert "date: '2025-13' is not a real date" in bad_date.stderr
    constraint = p.cli("review", "accept", plant, "--set", "currency=null", "--set", "host_country=HU", ok=False)
    assert "violates investments_amount_has_currency" in constraint.stderr and "main.yaml:" in constraint.stderr
    assert "unknown field(s) colour" in p.cli("review", "accept", plant, "--set", "colour=red", ok=False).stderr
    assert "write field=value" in p.cli("review", "accept", plant, "--set", "amount", ok=False).stderr
    assert not curated.exists()  # nothing was written by any of them
    assert "no candidate 'ffff'" in p.cli("review", "show", "ffff", ok=False).stderr
    assert p.cli("review", "reject", plant, ok=False).exit_code == 2  # --reason is required

    p.cli("review", "accept", plant, "--set", "host_country=HU")
    again = p.cli("review", "reject", plant, "--reason", "changed my mind", ok=False)
    assert "already accepted as curated record" in again.stderr


def _editor(tmp_path: Path, steps: list[dict]) -> str:
    """An $EDITOR that applies one step per call: {"replace": [old, new]} or {"empty": true}."""
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(steps), encoding="utf-8")
    script = tmp_path / "editor.py"
    script.write_text(
        f"#!{sys.executable}\n"
        "import json, sys\n"
        f"plan_path = {str(plan)!r}\n"
        "steps = json.load(open(plan_path))\n"
        "step = steps.pop(0)\n"
        "json.dump(steps, open(plan_path, 'w'))\n"
        "path = sys.argv[1]\n"
        "text = open(path, encoding='utf-8').read()\n"
        "if step.get('empty'):\n"
        "    text = ''\n"
        "else:\n"
        "    old, new = step['replace']\n"
        "    assert old in text, (old, text)\n"
        "    text = text.replace(old, new, 1)\n"
        "open(path, 'w', encoding='utf-8').write(text)\n", encoding="utf-8")
    script.chmod(0o755)
    return str(script)


def test_edit_opens_the_record_and_loops_until_it_is_valid(project, tmp_path):
    p = project
    plant = p.candidate("investment", "CATL announced")
    editor = _editor(tmp_path, [
        {"replace": ["status: announced", "status: exploded\nhost_country: HU"]},
        {"replace": ["{quote: 'CATL announced on Monday", "{quote: 'CATL revealed on Monday"]},
        {"replace": ["status: exploded", "status: planned"]},
        {"replace": ["{quote: 'CATL revealed on Monday", "{quote: 'CATL announced on Monday"]},
    ])
    result = p.cli("review", "edit", plant, env={"EDITOR": editor, "VISUAL": ""})
    assert f"candidate-{plant}.yaml:" in result.stderr
    lines = [x for x in result.stderr.splitlines() if x.startswith("invalid:")]
    assert any("status: 'exploded' is not one of" in x for x in lines)
    assert any("quote not found in news1" in x for x in lines)
    status_line = next(x for x in lines if "exploded" in x)
    line_no = int(status_line.split(f"candidate-{plant}.yaml:")[1].split(":")[0])
    assert line_no > 2  # the line of `status:` in the edited file, after its header
    record = yaml.safe_load((p.root / "etl" / "curated" / "news1" / "main.yaml").read_text())["investments"][0]
    assert record["status"] == "planned" and record["candidate"] == plant
    assert p.statuses()[plant] == ("accepted", "curated_record")


def test_edit_can_be_abandoned(project, tmp_path):
    p = project
    plant = p.candidate("investment", "CATL announced")
    result = p.cli("review", "edit", plant, ok=False, env={"EDITOR": _editor(tmp_path, [{"empty": True}]), "VISUAL": ""})
    assert result.exit_code == 1 and "abandoned: nothing was written" in result.stderr
    assert not (p.root / "etl" / "curated" / "news1").exists()
    assert p.statuses()[plant] == ("pending", "extraction")


def test_the_load_validates_the_decisions_file(project):
    from conftest import table_checksums

    p = project
    path = p.root / "etl" / "review" / "decisions.yaml"
    path.write_text("- candidate: 0123456789abcdef01234567\n  extraction: 0123456789abcdef\n  decision: rejected\n"
                    "  reviewer: someone\n  decided_at: 2026-01-01\n  reason: a document not loaded here\n"
                    "- {candidate: 0123456789abcdef01234567, extraction: 0123456789abcdef, decision: rejected, "
                    "reviewer: x, decided_at: 2026-01-01, reason: twice, colour: red}\n", encoding="utf-8")
    before = table_checksums(p.url, schemas=("core", "review"))
    failed = p.cli("load", ok=False)
    assert "decisions.yaml:7: unknown key 'colour'" in failed.stderr
    assert table_checksums(p.url, schemas=("core", "review")) == before
    path.write_text(path.read_text(encoding="utf-8").split("- {")[0], encoding="utf-8")
    p.cli("load")
    status = p.json("status")["review"]
    assert status["decisions"] == {"entries": 1, "unmatched": 1, "unmatched_keys": ["candidate:0123456789abcdef01234567"]}
    assert status["documents"]["news1"]["pending"] == 5
    assert "1 name candidates or documents not loaded" in p.cli("status").stdout


def test_mart_review_queue_keeps_its_contract(project):
    p = project
    p.add_report()
    p.cli("load")
    rows = p.sql("SELECT q.quote = substr(d.content, q.char_start + 1, q.char_end - q.char_start), q.proposed, "
                 "q.status, q.confidence BETWEEN 0 AND 1 FROM mart.review_queue q "
                 "JOIN mart.dim_document d USING (document_key)")
    assert len(rows) == 8 and all(ok and in_range for ok, _, _, in_range in rows)
    from etnc_db.review.records import field_names

    for _, proposed, status, _ in rows:
        assert status == "pending"
        assert set(proposed) <= set().union(*(field_names(t) for t in ("investment", "agreement", "policy_measure")))
    assert p.sql("SELECT document_key, candidates_pending FROM mart.dim_document ORDER BY 1") == [
        ("mini-report", 3), ("news1", 5)]


def test_remove_takes_the_candidates_with_the_document(project):
    p = project
    p.add_report()
    p.cli("load")
    summary = p.cli("remove", "news1", ok=False)
    assert summary.exit_code == 1 and "news1 (news1.txt): " in summary.stdout and "5 candidates go" in summary.stdout
    assert "nothing removed" in summary.stderr
    result = p.cli("remove", "news1", "--yes")
    assert "removed news1 (news1.txt)" in result.stdout
    assert p.sql("SELECT document_key FROM core.documents") == [("mini-report",)]
    assert p.sql("SELECT count(*) FROM review.candidates") == [(3,)]
    assert p.sql("SELECT count(*) FROM etl.changes WHERE table_name = 'review.candidates' AND change = 'delete'") == [(5,)]


def test_remove_refuses_a_document_curated_facts_quote(project):
    p = project
    p.cli("review", "accept", p.candidate("investment", "CATL announced"), "--set", "host_country=HU")
    p.cli("load")
    result = p.cli("remove", "news1", "--yes", ok=False)
    assert "news1 is quoted by curated facts (news1/main.yaml:" in result.stderr and "nothing removed" in result.stderr
    assert (p.root / "data" / "corpus" / "news1.txt").exists()


def test_a_load_of_another_folder_says_what_would_be_removed(project, tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    result = project.cli("load", "--corpus", str(other), ok=False)
    assert "1 loaded document(s) are not in this folder and would be removed (news1)" in result.stderr


def test_a_review_during_a_load_waits_for_the_load_to_read_its_files(project):
    p = project
    mou = p.candidate("agreement", "Huawei signed")
    env = {**os.environ, **p.env, "ETNC_FAULT_AT": "review:sleep=4"}
    stderr = p.root / "load.stderr"
    with stderr.open("w") as err:
        load = subprocess.Popen([str(Path(sys.executable).with_name("etnc-db")), "load", "--json"], env=env,
                                stdout=subprocess.PIPE, stderr=err, text=True)
    try:
        deadline = time.monotonic() + 60
        while "fault: sleep=4 at review" not in stderr.read_text() and time.monotonic() < deadline:
            assert load.poll() is None, stderr.read_text()
            time.sleep(0.1)
        started = time.monotonic()
        p.cli("review", "reject", mou, "--reason", "decided while a load ran")
        assert time.monotonic() - started > 1.5  # it waited for the load's shared lock
        assert load.wait(timeout=60) == 0, stderr.read_text()
    finally:
        if load.poll() is None:
            load.kill()
    assert json.loads(load.stdout.read())["status"] == "succeeded"
    # the load read the files before the edit: its run left the candidate pending; the
    # command marked it after the load committed, and the next load agrees with it
    assert p.statuses()[mou] == ("rejected", "decision")
    p.cli("load")
    assert p.statuses()[mou] == ("rejected", "decision")
    assert p.decisions.candidates[mou].reason == "decided while a load ran"
