"""No command prints a password from DATABASE_URL, in its output or in an error line,
whatever the URL's scheme (issue 11.15). Each case runs the real CLI in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

SECRET = "Sup3r-s3cret"


def etnc_db(*args: str, url: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": url}
    return subprocess.run([sys.executable, "-m", "etnc_db.cli", *args], env=env, capture_output=True, text=True,
                          timeout=120)


@pytest.mark.parametrize("url", [
    f"mysql://etnc:{SECRET}@db.example.org:3306/etnc",
    f"postgresql+asyncpg://etnc:{SECRET}@db.example.org/etnc",
    f"sqlite://etnc:{SECRET}@/tmp/etnc.db",
])
@pytest.mark.parametrize("command", [["db", "url"], ["status"], ["db", "upgrade"], ["db", "start"]])
def test_unsupported_scheme_is_one_masked_line(url, command):
    res = etnc_db(*command, url=url)
    assert res.returncode == 1
    assert SECRET not in res.stdout + res.stderr
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and "not a PostgreSQL URL" in lines[0] and ":***@" in lines[0], res.stderr


@pytest.mark.parametrize("scheme", ["postgresql", "postgres", "postgresql+psycopg", "postgresql+psycopg2"])
def test_printed_urls_are_masked(scheme):
    url = f"{scheme}://etnc:{SECRET}@127.0.0.1:1/etnc"  # nothing listens on port 1
    res = etnc_db("db", "url", url=url)
    assert res.returncode == 0 and SECRET not in res.stdout
    assert res.stdout.strip().endswith("://etnc:***@127.0.0.1:1/etnc")
    res = etnc_db("db", "start", url=url)
    assert res.returncode == 0 and SECRET not in res.stdout and ":***@" in res.stdout


def test_connection_errors_do_not_show_the_password():
    for url in (f"postgresql://etnc:{SECRET}@127.0.0.1:1/etnc", f"postgresql://etnc:{SECRET}@127.0.0.1:1:2/etnc",
                f"postgresql://etnc@127.0.0.1:1/etnc?password={SECRET}&sslmode=bogus"):
        res = etnc_db("status", url=url)
        assert res.returncode == 1 and SECRET not in res.stdout + res.stderr, res.stderr
        assert len(res.stderr.strip().splitlines()) == 1
