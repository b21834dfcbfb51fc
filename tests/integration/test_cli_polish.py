"""CLI polish: --version, -h everywhere, one-line errors for unknown runs and keys,
plain uncut output off a terminal, --project-dir, no third-party log lines, progress
only on a terminal, and the README documenting what the analysts' commands offer."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import psycopg
import pytest
from rich.console import Console
from typer.main import get_command
from typer.testing import CliRunner

from etnc_db import cli
from etnc_db.cli import app

ROOT = Path(__file__).resolve().parents[2]
ETNC_DB = Path(sys.executable).with_name("etnc-db")
runner = CliRunner()


def _commands(group, prefix=""):
    out = []
    for name, cmd in group.commands.items():
        out += _commands(cmd, f"{prefix}{name} ") if hasattr(cmd, "commands") else [f"{prefix}{name}"]
    return out


COMMANDS = _commands(get_command(app))
GROUPS = ["db", "entities"]


def test_version_comes_from_the_package_metadata():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"etnc-db {version('etnc-db')}"


@pytest.mark.parametrize("command", ["", *GROUPS, *COMMANDS])
def test_dash_h_is_help_on_every_command(command):
    short = runner.invoke(app, [*command.split(), "-h"])
    long = runner.invoke(app, [*command.split(), "--help"])
    assert short.exit_code == 0 and short.output == long.output and "Usage" in short.output


def test_help_off_a_terminal_is_plain_and_not_cut():
    result = runner.invoke(app, ["--help"])
    assert not re.search(r"[╭│╰─]", result.output)
    assert "Export every mart view as a file (CSV, Parquet or Excel), with the data dictionary, the codebook and " \
           "manifest.json." in result.output


def test_unknown_run_id_fails_in_one_line(built_db_readonly):
    result = runner.invoke(app, ["changes", "--run", "99"], env={"DATABASE_URL": built_db_readonly})
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [result.output.strip()]
    assert result.output.startswith("error: no run 99")


def test_unknown_document_fails_in_one_line():
    result = runner.invoke(app, ["entities", "unknown", "--document", "nosuch"])
    assert result.exit_code == 1
    assert len(result.output.strip().splitlines()) == 1
    assert result.output.startswith("error: unknown document 'nosuch'") and "etnc-2026-report" in result.output


def test_status_off_a_terminal_prints_tab_separated_tables_and_its_folders(built_db):
    long_error = "x" * 300  # a failed run's long error is printed whole
    with psycopg.connect(built_db, autocommit=True) as conn:
        conn.execute("INSERT INTO etl.runs (command, corpus_path, status, error, finished_at) "
                     "VALUES ('load', '', 'failed', %s, now())", (long_error,))
    result = runner.invoke(app, ["status"], env={"DATABASE_URL": built_db})
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "run\tcommand\tstatus\tstarted\tseconds\tins\tupd\tdel\tdocuments\terror" in lines
    assert any(line.endswith("\t" + long_error) for line in lines)
    assert not re.search(r"[┏┃━│─]", result.output)
    folders = lines[lines.index("Project folders") + 2:]
    assert f"project\t{ROOT}" in folders and f"corpus\t{ROOT / 'data' / 'corpus'}" in folders


def test_status_json_names_the_folders(built_db_readonly):
    import json

    result = runner.invoke(app, ["status", "--json"], env={"DATABASE_URL": built_db_readonly})
    assert json.loads(result.output)["folders"]["reports"] == str(ROOT / "reports")


def test_project_dir_is_a_global_option(built_db_readonly, tmp_path):
    project = tmp_path / "elsewhere"
    project.mkdir()
    (project / "etnc.yaml").write_text("name: elsewhere\ncorpus: docs-in\nreports: out\n", encoding="utf-8")
    result = runner.invoke(app, ["--project-dir", str(project), "status"], env={"DATABASE_URL": built_db_readonly})
    assert result.exit_code == 0, result.output
    assert f"corpus\t{project / 'docs-in'}" in result.output and f"reports\t{project / 'out'}" in result.output
    assert os.environ.get("ETNC_PROJECT_DIR") is None  # nothing leaks into the process after the command
    missing = runner.invoke(app, ["--project-dir", str(tmp_path / "nothing"), "status"])
    assert missing.exit_code == 1 and len(missing.output.strip().splitlines()) == 1
    assert "not an etnc-db project" in missing.output


def _run(args: list[str], url: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("ETNC_PROJECT_DIR",)}
    env["DATABASE_URL"] = url
    return subprocess.run([str(ETNC_DB), *args], capture_output=True, text=True, env=env, timeout=300, cwd=ROOT)


THIRD_PARTY = re.compile(r"INFO|DEBUG|great_expectations|dateparser|alembic\.|Traceback|Warning:|UserWarning|"
                         r"DeprecationWarning|FutureWarning|Calculating Metrics", re.I)


def test_no_third_party_log_lines(empty_db, built_db, tmp_path):
    outputs = [_run(["db", "upgrade"], empty_db), _run(["db", "downgrade", "base"], empty_db),
               _run(["check", "--report", str(tmp_path / "dq.md")], built_db),
               _run(["export", "--out", str(tmp_path / "x")], built_db),
               _run(["report", "--out", str(tmp_path / "r.html")], built_db)]
    for result in outputs:
        assert result.returncode == 0, result.stderr
        noise = [line for line in (result.stdout + result.stderr).splitlines() if THIRD_PARTY.search(line)]
        assert noise == [], result.args
        assert result.stderr == "", result.args  # no progress bars either: stderr is not a terminal


def test_progress_shows_on_a_terminal(built_db_readonly, tmp_path, monkeypatch):
    screen = io.StringIO()
    monkeypatch.setattr(cli, "err", Console(file=screen, force_terminal=True, width=120))
    result = runner.invoke(app, ["export", "--out", str(tmp_path)], env={"DATABASE_URL": built_db_readonly})
    assert result.exit_code == 0, result.output
    assert "export (csv)" in screen.getvalue()


# --- the README documents what the analysts' commands offer ---------------------------------

def _readme() -> str:
    return (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("command", ["export", "dictionary", "report", "changes", "status", "entities unknown"])
def test_every_option_of_the_analysts_commands_is_in_the_readme(command):
    leaf = get_command(app)
    for part in command.split():
        leaf = leaf.commands[part]
    readme = _readme()
    for param in leaf.params:
        for opt in param.opts:
            if opt.startswith("--") and opt != "--help":
                assert opt in readme, f"`etnc-db {command} {opt}` missing from README.md"


def test_the_global_options_are_in_the_readme():
    for opt in ("--project-dir", "--version", "-h"):
        assert re.search(rf"etnc-db {re.escape(opt)}\b|`{re.escape(opt)}`|\({re.escape(opt)}\)", _readme()), opt


def test_every_mart_relation_is_in_the_readmes_star_schema(built_db_readonly):
    text = _readme()
    section = text[text.index("## For analysts"):text.index("### Files: `etnc-db export`")]
    rows = {m.group(1) for m in re.finditer(r"^\| `(mart\.\w+)` \|", section, re.M)}
    with psycopg.connect(built_db_readonly) as conn:
        relations = {f"mart.{n}" for (n,) in conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'mart'")}
    assert rows == relations
