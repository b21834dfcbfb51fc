"""Fact history, stable keys and releases (docs/history.md), on the real corpus: a changed
amount, a rename, a merge, a withdrawal and a re-addition across releases end with the
right versions, redirects and deltas; keys survive a rebuild from an empty database and
a downgrade of the history migration; a vanished key and a release without a passing check
are refused."""

from __future__ import annotations

import dataclasses
import re
import shutil
import signal
from pathlib import Path

import psycopg
import pytest
from test_safety import runs, start_load
from typer.testing import CliRunner

from conftest import table_checksums
from etnc_db.cli import app
from etnc_db.config import Settings
from etnc_db.db.session import downgrade, upgrade
from etnc_db.pipeline import RunFailed, RunOptions, run
from etnc_db.publish.export import export
from etnc_db.publish.history import timeline
from etnc_db.publish.releases import ReleaseOptions, ReleaseRefused, create_release, diff, next_tag

ROOT = Path(__file__).resolve().parents[2]
REPORT = "etnc-2026-report"
PART = "de"  # the chapter whose records the tests rename, merge and withdraw
# A quick suite for the checks a release needs (the real suites are tested in test_gx_checks).
SUITE = """\
description: facts have keys (test suite for releases)
key: fact_key
expectations:
  - expect_column_values_to_not_be_null: {column: fact_key}
    why: test
"""
FAILING_SUITE = SUITE.replace("expect_column_values_to_not_be_null: {column: fact_key}",
                              "expect_table_row_count_to_be_between: {max_value: 0}")


# -- editing a copy of the curated files -----------------------------------------------------------


class Curated:
    """A writable copy of etl/curated with record-level edits."""

    def __init__(self, root: Path):
        self.root = root

    def path(self, part: str) -> Path:
        return self.root / REPORT / f"{part}.yaml"

    def _block(self, lines: list[str], key: str) -> tuple[int, int, str]:
        """(first line, end line, field indent) of the record `key`."""
        start = next(i for i, line in enumerate(lines) if re.fullmatch(rf"\s*- id: {re.escape(key)}\s*", line))
        indent = len(lines[start]) - len(lines[start].lstrip())
        end = start + 1
        while end < len(lines) and (not lines[end].strip() or len(lines[end]) - len(lines[end].lstrip()) > indent):
            end += 1
        return start, end, " " * (indent + 2)

    def edit(self, part: str, key: str, old: str, new: str) -> None:
        lines = self.path(part).read_text(encoding="utf-8").split("\n")
        start, end, _ = self._block(lines, key)
        block = "\n".join(lines[start:end])
        assert old in block, (key, old)
        lines[start:end] = block.replace(old, new, 1).split("\n")
        self.path(part).write_text("\n".join(lines), encoding="utf-8")

    def cut(self, part: str, key: str) -> list[str]:
        """Delete a record; returns its lines."""
        lines = self.path(part).read_text(encoding="utf-8").split("\n")
        start, end, _ = self._block(lines, key)
        block = lines[start:end]
        del lines[start:end]
        self.path(part).write_text("\n".join(lines), encoding="utf-8")
        return block

    def paste(self, part: str, after_key: str, block: list[str]) -> None:
        lines = self.path(part).read_text(encoding="utf-8").split("\n")
        _, end, _ = self._block(lines, after_key)
        lines[end:end] = block
        self.path(part).write_text("\n".join(lines), encoding="utf-8")

    def add_field(self, part: str, key: str, text: str) -> None:
        lines = self.path(part).read_text(encoding="utf-8").split("\n")
        start, _, indent = self._block(lines, key)
        lines.insert(start + 1, indent + text)
        self.path(part).write_text("\n".join(lines), encoding="utf-8")

    def withdraw(self, key: str, reason: str) -> None:
        (self.root / REPORT / "zz-history-test.yaml").write_text(
            f"document: {REPORT}\npart: zz-history-test\nwithdrawn:\n  - id: {key}\n    reason: \"{reason}\"\n",
            encoding="utf-8")

    def unwithdraw(self) -> None:
        (self.root / REPORT / "zz-history-test.yaml").unlink()


def _unreferenced(curated: Path, part: str, list_key: str, count: int) -> list[str]:
    """Ids of `list_key` records in a part that no other text names and that replace nothing."""
    text = "\n".join(p.read_text(encoding="utf-8") for p in sorted(curated.rglob("*.yaml")))
    own = (curated / REPORT / f"{part}.yaml").read_text(encoding="utf-8")
    section = re.search(rf"^{list_key}:\n(.*?)(?=^[a-z_]+:|\Z)", own, re.M | re.S).group(1)
    ids = re.findall(r"^\s*- id: ([a-z0-9-]+)\s*$", section, re.M)
    free = [k for k in ids if len(re.findall(rf"(?<![a-z0-9-]){re.escape(k)}(?![a-z0-9-])", text)) == 1]
    blocks = Curated(curated)
    lines = (curated / REPORT / f"{part}.yaml").read_text(encoding="utf-8").split("\n")
    free = [k for k in free if not any("replaces" in line for line in lines[slice(*blocks._block(lines, k)[:2])])]
    assert len(free) >= count, (part, list_key, free)
    return free[:count]


@pytest.fixture
def curated(tmp_path) -> Curated:
    target = tmp_path / "curated"
    shutil.copytree(ROOT / "etl" / "curated", target)
    return Curated(target)


@pytest.fixture
def suites(tmp_path) -> dict[str, Path]:
    out = {}
    for name, text in (("passing", SUITE), ("failing", FAILING_SUITE)):
        (tmp_path / "suites" / name).mkdir(parents=True)
        (tmp_path / "suites" / name / "core.facts.yaml").write_text(text, encoding="utf-8")
        out[name] = tmp_path / "suites" / name
    return out


def _run(url: str, settings: Settings, curated: Curated, **options):
    return run(url, dataclasses.replace(settings, curated_dir=curated.root), RunOptions(command="test", **options))


def _check(url: str, suites_dir: Path, tmp_path: Path):
    from etnc_db.quality.check import CheckOptions, run_check

    return run_check(url, tmp_path / "dq.md", None, CheckOptions(suites_dir=suites_dir, wait_seconds=5))


def _release(url: str, curated: Curated, tag: str | None = None, **kw):
    return create_release(url, curated.root, ReleaseOptions(tag=tag, wait_seconds=5, **kw))


def _versions(conn, key: str) -> list[tuple]:
    return conn.execute(
        "SELECT version, change, lower(valid_runs), upper(valid_runs), changed_fields, removal_reason, redirect_to "
        "FROM core.fact_versions WHERE fact_key = %s ORDER BY version", (key,)).fetchall()


def _amount(curated: Curated, part: str = "hu") -> tuple[str, str, str]:
    """(key, amount line, a different amount line) of the first investment with an amount."""
    lines = curated.path(part).read_text(encoding="utf-8").split("\n")
    for key in re.findall(r"^\s*- id: ([a-z0-9-]+)\s*$", "\n".join(lines), re.M):
        start, end, _ = curated._block(lines, key)
        line = next((x.strip() for x in lines[start:end] if re.fullmatch(r"\s*amount: \d+(\.\d+)?\s*", x)), None)
        if line:
            value = float(line.split(": ")[1])
            return key, line, f"amount: {int(value) + 1_000_000}"
    raise AssertionError("no investment with an amount")


# -- the scenario ----------------------------------------------------------------------------------


def test_amount_rename_merge_withdrawal_and_readdition_across_releases(built_db, settings, curated, suites, tmp_path):
    _check(built_db, suites["passing"], tmp_path)
    r1 = _release(built_db, curated, "v2026.06.1")
    assert r1.delta == {"added": r1.fact_count} and r1.previous_tag is None

    amount_key, amount_line, new_amount = _amount(curated)
    renamed, merged, survivor, gone = _unreferenced(curated.root, PART, "policy_measures", 4)
    curated.edit("hu", amount_key, amount_line, new_amount)
    curated.edit(PART, renamed, f"- id: {renamed}", f"- id: {renamed}-v2")
    curated.add_field(PART, f"{renamed}-v2", f"replaces: [{renamed}]")
    curated.cut(PART, merged)
    curated.add_field(PART, survivor, f"replaces: [{merged}]")
    gone_block = curated.cut(PART, gone)
    curated.withdraw(gone, "not a measure after all (test)")
    result = _run(built_db, settings, curated)
    _check(built_db, suites["passing"], tmp_path)
    # the merged and withdrawn records no longer cover their review candidates: those wait
    # for a person again, so this release is made with --allow-pending
    r2 = _release(built_db, curated, "v2026.06.2", allow_pending=True)

    with psycopg.connect(built_db) as conn:
        assert r2.pending_candidates == conn.execute(
            "SELECT count(*) FROM review.candidates WHERE status = 'pending'").fetchone()[0]
        amount_versions = _versions(conn, amount_key)
        assert [(v[0], v[1], v[3]) for v in amount_versions] == [(1, "added", result.run_id), (2, "changed", None)]
        assert "amount" in amount_versions[1][4] and set(amount_versions[1][4]) <= {"amount", "amount_eur"}
        assert _versions(conn, renamed)[-1][1:] == ("removed", result.run_id, None, [], "renamed", f"{renamed}-v2")
        assert _versions(conn, f"{renamed}-v2") == [(1, "added", result.run_id, None, [], None, None)]
        assert _versions(conn, merged)[-1][1:] == ("removed", result.run_id, None, [], "merged", survivor)
        assert [v[1] for v in _versions(conn, survivor)] == ["added"]  # its values did not change
        assert _versions(conn, gone)[-1][5] == "withdrawn"
        redirects = dict((o, (n, r)) for o, n, r in conn.execute("SELECT old_key, new_key, reason FROM core.key_redirects"))
        assert redirects[renamed] == (f"{renamed}-v2", "renamed") and redirects[merged] == (survivor, "merged")
        assert conn.execute("SELECT kind, reason, run_id FROM core.withdrawn_keys WHERE withdrawn_key = %s",
                            (gone,)).fetchone() == ("withdrawn", "not a measure after all (test)", result.run_id)
        first, last = conn.execute("SELECT first_seen_run, last_changed_run FROM core.facts WHERE fact_key = %s",
                                   (amount_key,)).fetchone()
        assert first < result.run_id == last
        delta = {r["fact_key"]: r for r in diff(conn, "v2026.06.1", "v2026.06.2")}
        stored = dict(conn.execute("SELECT fact_key, change FROM mart.release_delta").fetchall())
        follow = timeline(conn, renamed)
    assert {k: r["change"] for k, r in delta.items()} == stored == {
        amount_key: "changed", renamed: "redirected", f"{renamed}-v2": "added", merged: "redirected", gone: "removed"}
    assert delta[amount_key]["new_values"]["amount"] == float(new_amount.split(": ")[1])
    assert delta[renamed]["reason"] == "renamed" and delta[renamed]["redirect_to"] == f"{renamed}-v2"
    assert delta[merged]["reason"] == "merged" and delta[merged]["redirect_to"] == survivor
    assert delta[gone]["reason"] == "withdrawn" and delta[gone]["reason_text"] == "not a measure after all (test)"
    assert r2.delta == {"changed": 1, "redirected": 2, "added": 1, "removed": 1}
    assert [k["fact_key"] for k in follow["keys"]] == [renamed, f"{renamed}-v2"] and follow["final_key"] == f"{renamed}-v2"

    # re-addition: the withdrawn record comes back
    curated.unwithdraw()
    curated.paste(PART, survivor, gone_block)
    readd = _run(built_db, settings, curated)
    _check(built_db, suites["passing"], tmp_path)
    _release(built_db, curated, "v2026.06.3", allow_pending=True)
    with psycopg.connect(built_db) as conn:
        assert [v[1] for v in _versions(conn, gone)] == ["added", "removed", "readded"]
        assert _versions(conn, gone)[-1][2:5] == (readd.run_id, None, [])  # same values as before the removal
        assert conn.execute("SELECT count(*) FROM core.withdrawn_keys WHERE withdrawn_key = %s", (gone,)).fetchone()[0] == 0
        first_seen = conn.execute("SELECT first_seen_run FROM core.facts WHERE fact_key = %s", (gone,)).fetchone()[0]
        assert first_seen == _versions(conn, gone)[0][2] < readd.run_id  # first appearance, not the re-addition
        assert [(r["fact_key"], r["change"]) for r in diff(conn, "v2026.06.2", "v2026.06.3")] == [(gone, "added")]
        assert diff(conn, "v2026.06.1", "v2026.06.3") == diff(conn, "1", "3")


def test_two_releases_of_the_same_sources_have_no_delta_and_one_edit_is_exactly_one_change(
        built_db, settings, curated, suites, tmp_path):
    _check(built_db, suites["passing"], tmp_path)
    first = _release(built_db, curated)
    assert re.fullmatch(r"v\d{4}\.\d{2}\.1", first.tag)
    nothing = _run(built_db, settings, curated)
    assert nothing.rows_changed == 0
    second = _release(built_db, curated)  # the check is still newer than the last change
    assert second.tag == first.tag[:-1] + "2" and second.delta == {}
    with psycopg.connect(built_db) as conn:
        assert diff(conn, first.tag, second.tag) == []
        assert conn.execute("SELECT count(*) FROM mart.release_delta").fetchone()[0] == 0

    key, line, new = _amount(curated)
    curated.edit("hu", key, line, new)
    _run(built_db, settings, curated)
    with pytest.raises(ReleaseRefused, match=r"the last etnc-db check \(run \d+\) is older than run \d+"):
        _release(built_db, curated)
    _check(built_db, suites["passing"], tmp_path)
    third = _release(built_db, curated, note="one amount")
    assert third.delta == {"changed": 1}
    with psycopg.connect(built_db) as conn:
        (row,) = diff(conn, second.tag, third.tag)
        mart = conn.execute("SELECT fact_key, change, changed_fields, change_detail FROM mart.release_delta").fetchall()
    assert row["fact_key"] == key and row["change"] == "changed" and "amount" in row["changed_fields"]
    assert set(row["changed_fields"]) <= {"amount", "amount_eur"}
    assert mart[0][:2] == (key, "changed") and "amount: " in mart[0][3]
    exported = export(built_db, tmp_path / "export")  # etnc-db export writes it beside the full files
    (entry,) = [f for f in exported.manifest["files"] if f["kind"] == "delta"]
    assert entry["path"] == "delta.csv" and entry["rows"] == 1
    lines = (tmp_path / "export" / "delta.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("release_tag,previous_release_tag,fact_key,fact_type,change,changed_fields")
    assert len(lines) == 2 and f"{third.tag},{second.tag},{key},investment,changed," in lines[1]


def test_a_rebuild_from_an_empty_database_reproduces_the_same_keys(databases, migrated_template, built_db, settings,
                                                                   curated):
    renamed, merged, survivor, gone = _unreferenced(curated.root, PART, "policy_measures", 4)
    curated.edit(PART, renamed, f"- id: {renamed}", f"- id: {renamed}-v2")
    curated.add_field(PART, f"{renamed}-v2", f"replaces: [{renamed}]")
    curated.cut(PART, merged)
    curated.add_field(PART, survivor, f"replaces: [{merged}]")
    curated.cut(PART, gone)
    curated.withdraw(gone, "withdrawn for the rebuild test")
    _run(built_db, settings, curated)
    fresh = databases.create(template=migrated_template)
    _run(fresh, settings, curated)

    def keys(url):
        with psycopg.connect(url) as conn:
            return (
                {r[0] for r in conn.execute("SELECT fact_key FROM core.facts")},
                set(conn.execute("SELECT old_key, new_key FROM core.key_redirects").fetchall()),
                {r[0] for r in conn.execute("SELECT withdrawn_key FROM core.withdrawn_keys")},
                {r[0] for r in conn.execute("SELECT fact_key FROM core.fact_versions WHERE upper_inf(valid_runs) "
                                            "AND change <> 'removed'")},
            )

    incremental, rebuilt = keys(built_db), keys(fresh)
    assert incremental == rebuilt
    assert (renamed, f"{renamed}-v2") in rebuilt[1] and (merged, survivor) in rebuilt[1] and gone in rebuilt[2]
    assert rebuilt[0] == rebuilt[3]  # every published fact has a current version


def test_history_survives_a_downgrade_and_upgrade_of_its_migration(built_db, settings, curated):
    key, line, new = _amount(curated)
    curated.edit("hu", key, line, new)
    changed = _run(built_db, settings, curated)

    def state():
        with psycopg.connect(built_db) as conn:
            return (conn.execute("SELECT * FROM core.fact_versions ORDER BY fact_version_id").fetchall(),
                    conn.execute("SELECT fact_key, first_seen_run, first_seen_at, last_changed_run, last_changed_at "
                                 "FROM core.facts ORDER BY 1").fetchall(),
                    conn.execute("SELECT * FROM core.key_redirects ORDER BY 1").fetchall())

    before = state()
    downgrade(built_db, "0006")  # to before the history migration (0007)
    with psycopg.connect(built_db) as conn:
        assert conn.execute("SELECT to_regclass('core.fact_versions')").fetchone()[0] is None
        assert conn.execute("SELECT count(*) FROM history_archive.fact_versions").fetchone()[0] == len(before[0])
    upgrade(built_db, settings.views_dir)
    assert state() == before
    with psycopg.connect(built_db) as conn:
        assert conn.execute("SELECT to_regnamespace('history_archive')").fetchone()[0] is None
    # the next run compares every fact with its history (the stage fingerprints were
    # cleared): nothing changed, so no version is written; keys stay as they were
    again = _run(built_db, settings, curated)
    assert state() == before and again.run_id > changed.run_id
    curated.edit("hu", key, new, line)
    back = _run(built_db, settings, curated)
    with psycopg.connect(built_db) as conn:
        assert [(v[0], v[1], v[2]) for v in _versions(conn, key)][-2:] == [(2, "changed", changed.run_id),
                                                                           (3, "changed", back.run_id)]
        assert {r[0] for r in conn.execute("SELECT fact_key FROM core.facts")} == {r[0] for r in before[1]}


def test_a_published_key_that_disappears_is_refused_unless_forced(built_db, settings, curated):
    (gone,) = _unreferenced(curated.root, PART, "policy_measures", 1)
    with psycopg.connect(built_db) as conn:
        source_file = conn.execute("SELECT source_file FROM core.facts WHERE fact_key = %s", (gone,)).fetchone()[0]
    curated.cut(PART, gone)
    with pytest.raises(RunFailed) as err:
        _run(built_db, settings, curated)
    message = str(err.value)
    assert "\n" not in message and f"{source_file}: published fact key {gone!r} is no longer defined" in message
    assert "--force" in message
    with psycopg.connect(built_db) as conn:
        assert conn.execute("SELECT count(*) FROM core.facts WHERE fact_key = %s", (gone,)).fetchone()[0] == 1
    forced = _run(built_db, settings, curated, force=True)
    with psycopg.connect(built_db) as conn:
        assert _versions(conn, gone)[-1][1:6] == ("removed", forced.run_id, None, [], "forced")
        kind, reason = conn.execute("SELECT kind, reason FROM core.withdrawn_keys WHERE withdrawn_key = %s",
                                    (gone,)).fetchone()
    assert kind == "forced" and "--force" in reason


def test_a_release_is_refused_while_the_check_failed_is_stale_or_candidates_are_pending(
        built_db, settings, curated, suites, tmp_path):
    with pytest.raises(ReleaseRefused, match="no etnc-db check has validated the data: run etnc-db check first"):
        _release(built_db, curated)
    failed = _check(built_db, suites["failing"], tmp_path)
    assert failed.failed == 1
    with pytest.raises(ReleaseRefused, match=rf"the last etnc-db check \(run {failed.run_id}\) failed: run etnc-db check first"):
        _release(built_db, curated)
    _check(built_db, suites["passing"], tmp_path)
    with psycopg.connect(built_db) as conn:  # one candidate of the report back to pending
        assert conn.execute("SELECT count(*) FROM review.candidates WHERE status = 'pending'").fetchone()[0] == 0
        conn.execute("UPDATE review.candidates SET status = 'pending', decision_source = 'extraction' "
                     "WHERE candidate_id = (SELECT min(candidate_id) FROM review.candidates c "
                     "JOIN core.documents d USING (document_id) WHERE d.document_key = %s)", (REPORT,))
    with pytest.raises(ReleaseRefused, match="1 review candidate"):
        _release(built_db, curated)
    made = _release(built_db, curated, allow_pending=True)
    assert made.pending_candidates == 1
    with pytest.raises(ReleaseRefused, match=f"release {made.tag} already exists"):
        _release(built_db, curated, made.tag, allow_pending=True)
    with pytest.raises(ReleaseRefused, match="is not vYYYY.MM.N"):
        _release(built_db, curated, "2026-06", allow_pending=True)


def test_versions_of_one_key_cannot_overlap(built_db):
    with psycopg.connect(built_db) as conn:
        key, run_id = conn.execute("SELECT fact_key, run_id FROM core.fact_versions LIMIT 1").fetchone()
        assert conn.execute("SELECT count(*) FROM pg_extension WHERE extname = 'btree_gist'").fetchone()[0] == 1
        with pytest.raises(psycopg.errors.ExclusionViolation):
            conn.execute("INSERT INTO core.fact_versions (fact_key, version, fact_type, change, valid_runs, valid_from, "
                         "run_id, fact_values) VALUES (%s, 99, 'investment', 'changed', int8range(%s, NULL), now(), %s, "
                         "'{}')", (key, run_id, run_id))


def test_cli_history_release_and_diff(built_db, settings, suites, tmp_path):
    env = {"DATABASE_URL": built_db}
    cli = CliRunner()
    with psycopg.connect(built_db) as conn:
        old, new = conn.execute("SELECT old_key, new_key FROM core.key_redirects ORDER BY 1 LIMIT 1").fetchone()
        withdrawn = conn.execute("SELECT withdrawn_key FROM core.withdrawn_keys ORDER BY 1 LIMIT 1").fetchone()[0]
    res = cli.invoke(app, ["history", old], env=env)
    assert res.exit_code == 0, res.output
    assert f"→ renamed into {new}" in res.output or f"→ merged into {new}" in res.output
    assert f"{new} (" in res.output and "added" in res.output
    res = cli.invoke(app, ["history", withdrawn, "--json"], env=env)
    assert res.exit_code == 0 and '"kind": "withdrawn"' in res.output
    res = cli.invoke(app, ["history", "no-such-key"], env=env)
    assert res.exit_code == 1 and "unknown fact key 'no-such-key'" in res.output
    res = cli.invoke(app, ["release"], env=env)
    assert res.exit_code == 1 and "run etnc-db check first" in res.output
    _check(built_db, suites["passing"], tmp_path)
    for tag in ("v2026.06.1", "v2026.06.2"):
        res = cli.invoke(app, ["release", "--tag", tag], env=env)
        assert res.exit_code == 0, res.output
    assert "release v2026.06.2: run " in res.output and "delta against v2026.06.1: 0 added, 0 changed" in res.output
    res = cli.invoke(app, ["diff", "v2026.06.1", "v2026.06.2"], env=env)
    assert res.exit_code == 0 and "no differences" in res.output
    res = cli.invoke(app, ["diff", "v2026.06.1", "v2099.01.1"], env=env)
    assert res.exit_code == 1 and "unknown release 'v2099.01.1'" in res.output


def test_next_tag_counts_the_month(migrated_db):
    from datetime import date

    with psycopg.connect(migrated_db) as conn:
        assert next_tag(conn, date(2026, 6, 30)) == "v2026.06.1"


def test_a_run_killed_in_the_history_step_leaves_everything_as_it_was(built_db, curated, corpus_copy, monkeypatch):
    key, line, new = _amount(curated)
    curated.edit("hu", key, line, new)
    before = table_checksums(built_db, schemas=("core", "mart"))
    monkeypatch.setenv("ETNC_CURATED", str(curated.root))
    proc = start_load(built_db, corpus_copy, "history:kill")
    proc.communicate(timeout=300)
    assert proc.returncode == -signal.SIGKILL
    assert table_checksums(built_db, schemas=("core", "mart")) == before
    assert runs(built_db)[-1][2] == "running"  # the next run marks it abandoned
