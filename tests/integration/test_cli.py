"""The command line: help everywhere, documented commands, status and url output."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from conftest import CORPUS
from etnc_db.cli import app

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


def _commands(group, prefix: str = "") -> list[str]:
    names = []
    for name, cmd in group.commands.items():
        full = f"{prefix}{name}"
        if hasattr(cmd, "commands"):
            names += _commands(cmd, full + " ")
        else:
            names.append(full)
    return names


COMMANDS = _commands(get_command(app))


def test_the_cli_has_the_commands_the_issues_name():
    assert {"run", "load", "status", "check", "changes", "db upgrade", "db downgrade", "db start",
            "db stop", "db url", "db create-reader", "entities unknown"} <= set(COMMANDS)


@pytest.mark.parametrize("command", ["", *COMMANDS])
def test_every_command_has_help(command):
    result = runner.invoke(app, [*command.split(), "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output
    if command:
        leaf = get_command(app)
        for part in command.split():
            leaf = leaf.commands[part]
        assert leaf.help, f"{command} has no help text"


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_is_documented_in_the_readme(command):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert re.search(rf"etnc-db {re.escape(command)}\b", readme), f"`etnc-db {command}` missing from README.md"


def test_db_url_prints_database_url(monkeypatch, migrated_db):
    monkeypatch.setenv("DATABASE_URL", migrated_db)
    result = runner.invoke(app, ["db", "url"])
    assert result.exit_code == 0
    assert result.output.strip() == migrated_db


def test_status_json_reports_runs_documents_and_tables(monkeypatch, built_db):
    monkeypatch.setenv("DATABASE_URL", built_db)
    result = runner.invoke(app, ["status", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    last = data["runs"][0]
    assert last["status"] == "succeeded"
    assert {d["action"] for d in last["documents"]} == {"new"}
    documents = [p for p in CORPUS.iterdir() if p.suffix in (".txt", ".md")]
    assert last["table_counts"]["core.documents"]["inserted"] == len(documents)
    assert data["row_counts"]["core.countries"] >= 249


def test_load_on_an_unmigrated_database_fails_with_one_line(monkeypatch, empty_db):
    monkeypatch.setenv("DATABASE_URL", empty_db)
    result = runner.invoke(app, ["load"])
    assert result.exit_code == 1
    assert "db upgrade" in result.output
    assert len(result.output.strip().splitlines()) == 1
