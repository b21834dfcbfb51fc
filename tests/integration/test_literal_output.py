"""Values reach the terminal literally (issue 11, item 10): text from files, paths and the
database is never read as Rich markup, so `[/x]` cannot turn a one-line error into a
traceback and `[bold]` does not vanish from a file name."""

from __future__ import annotations

import psycopg
from typer.testing import CliRunner

from etnc_db.cli import app

MARKUP = "[bold]odd[/x] [/] [red]"
FILE_MARKUP = "[bold]odd [red]x"  # a file name cannot hold the closing tag's slash


def _lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def test_an_error_about_a_path_with_markup_is_one_literal_line(tmp_path):
    folder = tmp_path / "[bold]odd[" / "x] [red]"  # the path reads [bold]odd[/x] [red]
    folder.mkdir(parents=True)
    assert "[bold]odd[/x] [red]" in str(folder)
    res = CliRunner().invoke(app, ["--project-dir", str(folder), "status"])
    assert res.exit_code == 1
    assert res.exception is None or isinstance(res.exception, SystemExit)
    assert _lines(res.output) == [f"error: {folder}: not an etnc-db project (no etnc.yaml)"]


def test_a_refused_file_is_named_literally(built_db, corpus_copy):
    name = f"{FILE_MARKUP}.txt"
    (corpus_copy / name).write_bytes(b"")
    env = {"DATABASE_URL": built_db, "ETNC_CORPUS": str(corpus_copy), "ETNC_FAULT_AT": ""}
    res = CliRunner().invoke(app, ["load"], env=env)
    assert res.exit_code == 1
    lines = _lines(res.output)
    assert len(lines) == 1 and lines[0].startswith("error:") and name in lines[0], res.output
    # with --skip-bad the run goes on and records the refusal under the same name
    res = CliRunner().invoke(app, ["load", "--skip-bad"], env=env)
    assert res.exit_code == 0, res.output
    with psycopg.connect(built_db) as conn:
        assert conn.execute("SELECT count(*) FROM etl.rejects WHERE file = %s", (name,)).fetchone()[0] == 1


def test_changes_prints_business_keys_literally(built_db):
    with psycopg.connect(built_db) as conn:
        run_id = conn.execute("SELECT max(run_id) FROM etl.runs").fetchone()[0]
        conn.execute("INSERT INTO etl.changes (run_id, table_name, business_key, change) "
                     "VALUES (%s, 'core.locations', %s, 'update')", (run_id, MARKUP))
    res = CliRunner().invoke(app, ["changes", "--run", str(run_id)], env={"DATABASE_URL": built_db})
    assert res.exit_code == 0, res.output
    assert f"update core.locations {MARKUP}" in res.output


def test_sql_in_a_document_is_stored_as_text(built_db, corpus_copy):
    """A title and body written as SQL injection reach the database as values (COPY and
    bound parameters), never as statements."""
    title = "Robert'); DROP TABLE core.documents; --"
    body = "Huawei said $$; DELETE FROM core.facts; $$ and E'\\x00' in Munich.\n" * 10
    (corpus_copy / "injection.txt").write_text(f"{title}\n\n{body}", encoding="utf-8")
    res = CliRunner().invoke(app, ["load"], env={"DATABASE_URL": built_db, "ETNC_CORPUS": str(corpus_copy),
                                                 "ETNC_FAULT_AT": ""})
    assert res.exit_code == 0, res.output
    with psycopg.connect(built_db) as conn:
        assert conn.execute("SELECT title FROM core.documents WHERE file_name = 'injection.txt'").fetchone() == (title,)
        assert conn.execute("SELECT count(*) FROM core.facts").fetchone()[0] > 0
        assert conn.execute("SELECT count(*) FROM mart.dim_document WHERE title = %s", (title,)).fetchone()[0] == 1
