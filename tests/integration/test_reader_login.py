"""The reader login for BI tools (issues 11.6, 11.14, 16.5): `etnc-db db start --listen`
opens TCP with passwords for every role but the superuser, and `etnc-db db create-reader`
makes a role that logs in over it and reads the mart views and nothing else.

Every test attacks a throwaway embedded server started through the CLI, as a BI user on
the network would: over TCP, with the reader's (or a wrong, or the superuser's) password."""

from __future__ import annotations

import os
import pty
import re
import secrets
import select
import shutil
import subprocess
import sys
import time
import uuid

import psycopg
import pytest
from embedded_helpers import cli, free_port, open_base, stop
from psycopg import errors, sql

from etnc_db.config import Settings
from etnc_db.db.session import upgrade

PASSWORD = "Rd-" + secrets.token_urlsafe(12) + " ä'\"$x"  # quotes, a space and non-ASCII on purpose


class Server:
    """A throwaway embedded server listening on 127.0.0.1:port, with a reader."""

    def __init__(self, state, port, admin_url):
        self.state, self.port, self.admin_url = state, port, admin_url

    def tcp(self, user: str, password: str, database: str = "etnc") -> psycopg.Connection:
        return psycopg.connect(host="127.0.0.1", port=self.port, user=user, password=password, dbname=database,
                               connect_timeout=10, autocommit=True)


@pytest.fixture(scope="module")
def server():
    base = open_base("etnc-reader-")
    state = base / ".etnc"
    port = free_port()
    try:
        res = cli(state, "db", "start", "--listen", str(port))
        assert res.returncode == 0, res.stderr
        srv = Server(state, port, res.stdout.strip())
        upgrade(srv.admin_url, Settings.from_env().views_dir)  # the schema and the mart views
        with psycopg.connect(srv.admin_url, autocommit=True) as conn:  # watch what the server logs
            conn.execute("ALTER SYSTEM SET log_statement = 'ddl'")
            conn.execute("SELECT pg_reload_conf()")
        yield srv
    finally:
        stop(state)
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="module")
def reader(server):
    """A reader created by the CLI with the password from the environment: (name, output)."""
    name = f"bi_{uuid.uuid4().hex[:8]}"
    res = cli(server.state, "db", "create-reader", name, env={"ETNC_READER_PASSWORD": PASSWORD})
    assert res.returncode == 0, res.stderr
    return name, res.stdout


def test_create_reader_prints_the_tcp_url_with_the_password_masked(server, reader):
    name, output = reader
    assert f"postgresql://{name}:***@127.0.0.1:{server.port}/etnc" in output
    assert PASSWORD not in output


def test_the_password_never_reaches_the_server(server, reader):
    """With log_statement = ddl the server logs the role's DDL, and with it only the SCRAM
    verifier computed on the client: never the cleartext password."""
    name, _ = reader
    time.sleep(0.5)  # the logger writes asynchronously
    log = (server.state / "pgdata" / "server.log").read_text(encoding="utf-8", errors="replace")
    assert re.search(rf"statement: (CREATE|ALTER) ROLE \"?{name}\"? .*PASSWORD 'SCRAM-SHA-256\$", log), log[-3000:]
    for fragment in (PASSWORD, PASSWORD[:12], PASSWORD[3:15]):
        assert fragment not in log
    with psycopg.connect(server.admin_url) as conn:
        stored = conn.execute("SELECT rolpassword FROM pg_authid WHERE rolname = %s", (name,)).fetchone()[0]
    assert stored.startswith("SCRAM-SHA-256$4096:")


def test_reader_logs_in_over_tcp_with_its_password_only(server, reader):
    name, _ = reader
    with server.tcp(name, PASSWORD) as conn:
        assert conn.execute("SELECT current_user").fetchone()[0] == name
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        server.tcp(name, PASSWORD + "x")


def test_the_superuser_cannot_log_in_over_tcp_even_with_a_password(server):
    with psycopg.connect(server.admin_url, autocommit=True) as conn:
        verifier = conn.pgconn.encrypt_password(b"su-secret", b"postgres", b"scram-sha-256").decode()
        conn.execute(sql.SQL("ALTER ROLE postgres PASSWORD {}").format(sql.Literal(verifier)))
    try:
        with pytest.raises(psycopg.OperationalError, match="rejects connection"):
            server.tcp("postgres", "su-secret")
    finally:
        with psycopg.connect(server.admin_url, autocommit=True) as conn:
            conn.execute("ALTER ROLE postgres PASSWORD NULL")


def test_reader_reads_every_mart_relation(server, reader):
    name, _ = reader
    with psycopg.connect(server.admin_url) as conn:
        relations = [r[0] for r in conn.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'mart' AND c.relkind IN ('r', 'v', 'm', 'p', 'f') ORDER BY 1")]
    assert len(relations) >= 13
    with server.tcp(name, PASSWORD) as conn:
        for relation in relations:
            conn.execute(sql.SQL("SELECT * FROM mart.{} LIMIT 1").format(sql.Identifier(relation))).fetchall()


@pytest.mark.parametrize("statement", [
    "SELECT * FROM core.documents LIMIT 1",
    "SELECT * FROM core.investments LIMIT 1",
    "SELECT * FROM etl.runs LIMIT 1",
    "SELECT * FROM etl.alembic_version",
    "INSERT INTO mart.dim_country (country_code, alpha3, country_name, is_eu_member, is_supranational) "
    "VALUES ('ZZ', 'ZZZ', 'x', false, false)",
    "UPDATE mart.dim_country SET country_name = 'x'",
    "DELETE FROM mart.dim_country",
    "CREATE TABLE mart.x (i int)",
    "CREATE VIEW mart.y AS SELECT 1",
    "CREATE TABLE public.x (i int)",
    "CREATE TABLE core.x (i int)",
    "CREATE TABLE etl.x (i int)",
    "CREATE SCHEMA z",
    "CREATE TEMP TABLE t (i int)",
    "CREATE TEMPORARY VIEW v AS SELECT 1",
    "COPY (SELECT 1) TO PROGRAM 'id'",
    "SET ROLE postgres",
    "CREATE ROLE evil LOGIN",
    "CREATE DATABASE evil",
])
def test_reader_cannot_read_core_or_etl_write_create_or_escalate(server, reader, statement):
    name, _ = reader
    with server.tcp(name, PASSWORD) as conn:
        with pytest.raises(errors.InsufficientPrivilege):
            conn.execute(statement)


@pytest.mark.parametrize("database", ["postgres", "template1", "etnc_other"])
def test_reader_cannot_connect_to_another_database(server, reader, database):
    name, _ = reader
    with psycopg.connect(server.admin_url, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS etnc_other")
        conn.execute("CREATE DATABASE etnc_other")
    with pytest.raises(psycopg.OperationalError, match="no pg_hba.conf entry|rejects connection|permission denied"):
        server.tcp(name, PASSWORD, database)
    if database != "etnc_other":  # on the socket too (the owner's own reader): CONNECT is not granted
        socket_url = server.admin_url.replace("postgres@", f"{name}@", 1).replace("/etnc?", f"/{database}?", 1)
        with pytest.raises(psycopg.OperationalError, match="permission denied for database"):
            psycopg.connect(socket_url, password=PASSWORD).close()


def test_reader_attributes(server, reader):
    name, _ = reader
    with psycopg.connect(server.admin_url) as conn:
        row = conn.execute("SELECT rolcanlogin, rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls "
                           "FROM pg_roles WHERE rolname = %s", (name,)).fetchone()
        assert row == (True, False, False, False, False, False)
        assert conn.execute("SELECT count(*) FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.member "
                            "WHERE r.rolname = %s", (name,)).fetchone()[0] == 0


def test_password_from_a_file_and_no_password_option(server, tmp_path):
    name = f"bi_{uuid.uuid4().hex[:8]}"
    secret = tmp_path / "pw"
    secret.write_text("from-a-file-" + PASSWORD + "\n", encoding="utf-8")
    res = cli(server.state, "db", "create-reader", name, "--password-file", str(secret))
    assert res.returncode == 0, res.stderr
    with server.tcp(name, "from-a-file-" + PASSWORD):
        pass
    res = cli(server.state, "db", "create-reader", name, "--password", "shown-in-ps")
    assert res.returncode == 2 and "No such option" in res.stderr
    res = cli(server.state, "db", "create-reader", name)  # no tty, no file, no env: refused
    assert res.returncode == 1 and "--password-file" in res.stderr and len(res.stderr.strip().splitlines()) == 1


def test_password_asked_twice_at_the_terminal_without_echo(server):
    name = f"bi_{uuid.uuid4().hex[:8]}"
    typed = "typed-" + secrets.token_urlsafe(10)
    output = _run_in_terminal(server, ["db", "create-reader", name], [typed, typed])
    assert output.count("Password for the reader") == 1 and "Repeat for confirmation" in output, output
    assert typed not in output
    with server.tcp(name, typed):
        pass


def _run_in_terminal(server, args: list[str], answers: list[str]) -> str:
    """Run the CLI on a pseudo-terminal, answer each prompt, return all it showed."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "ETNC_READER_PASSWORD")}
    env["ETNC_STATE_DIR"] = str(server.state)
    leader, follower = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "etnc_db.cli", *args], stdin=follower, stdout=follower,
                            stderr=follower, env=env, start_new_session=True, close_fds=True,
                            preexec_fn=lambda: __import__("fcntl").ioctl(0, __import__("termios").TIOCSCTTY, 0))
    os.close(follower)
    seen, sent = b"", 0
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        ready, _, _ = select.select([leader], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the terminal closed: the command ended
                break
            if not chunk:
                break
            seen += chunk
            # answer each prompt once getpass shows its last character: it has turned echo
            # off and flushed pending input by then
            prompts = seen.count(b"Password for the reader: ") + seen.count(b"Repeat for confirmation: ")
            while sent < min(prompts, len(answers)):
                os.write(leader, answers[sent].encode() + b"\n")
                sent += 1
        elif proc.poll() is not None:
            break
    proc.wait(timeout=30)
    os.close(leader)
    assert proc.returncode == 0, seen.decode(errors="replace")
    return seen.decode(errors="replace")


def test_listen_setting_persists_and_turns_off():
    base = open_base("etnc-listen-")
    state = base / ".etnc"
    port = free_port()
    try:
        res = cli(state, "db", "start", "--listen", f"127.0.0.1:{port}")
        assert res.returncode == 0, res.stderr
        upgrade(res.stdout.strip(), Settings.from_env().views_dir)
        assert cli(state, "db", "stop").returncode == 0
        url = cli(state, "db", "url").stdout.strip()  # starts it again, with the saved setting
        with psycopg.connect(url, autocommit=True) as conn:
            assert conn.execute("SHOW listen_addresses").fetchone()[0] == "127.0.0.1"
            assert conn.execute("SHOW port").fetchone()[0] == str(port)
        res = cli(state, "db", "start", "--listen", "off")
        assert res.returncode == 0, res.stderr
        with pytest.raises(psycopg.OperationalError):
            psycopg.connect(host="127.0.0.1", port=port, user="x", password="y", dbname="etnc", connect_timeout=5)
        res = cli(state, "db", "create-reader", "bi_socket", env={"ETNC_READER_PASSWORD": PASSWORD})
        assert res.returncode == 0, res.stderr
        assert re.search(r"postgresql://bi_socket:\*\*\*@/etnc\?host=/\S+", res.stdout), res.stdout
        assert cli(state, "db", "start", "--listen", "nonsense").returncode == 1
    finally:
        stop(state)
        shutil.rmtree(base, ignore_errors=True)
