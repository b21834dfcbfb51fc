"""Helpers for the tests that attack an embedded server of their own: run the CLI as a
user would (a subprocess, DATABASE_URL unset), and act as the unprivileged OS user
`nobody`."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

ROOT_ONLY = pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("runuser") is None,
    reason="acting as another OS user (nobody) needs root and runuser")

# A PostgreSQL client in plain Python (the venv is not necessarily usable by nobody):
# connect to the socket, send a startup packet, print what the server answers.
PROBE = r"""
import socket, struct, sys
path, user, database = sys.argv[1:4]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
try:
    s.connect(path)
except OSError as exc:
    print("connect-failed", exc.errno, exc.strerror)
    sys.exit(0)
body = struct.pack("!I", 196608) + b"user\0" + user.encode() + b"\0database\0" + database.encode() + b"\0\0"
s.sendall(struct.pack("!I", len(body) + 4) + body)
kind = s.recv(1)
size = struct.unpack("!I", s.recv(4))[0]
data = s.recv(size - 4)
if kind == b"R":
    code = struct.unpack("!I", data[:4])[0]
    print("auth-ok" if code == 0 else f"auth-asks-{code}")
else:
    print("rejected", data.replace(b"\0", b" ").decode(errors="replace").strip())
"""


def system_python() -> str:
    """A Python interpreter `nobody` may run (the venv's may live under /root)."""
    for candidate in ("/usr/bin/python3", "/usr/local/bin/python3"):
        if os.access(candidate, os.X_OK):
            return candidate
    pytest.skip("no system python3 for the unprivileged probe")


def cli(state: Path, *args: str, env: dict | None = None, timeout: float = 240) -> subprocess.CompletedProcess:
    """Run `etnc-db ARGS` in a subprocess on the embedded server of `state`."""
    full = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "ETNC_READER_PASSWORD")}
    full["ETNC_STATE_DIR"] = str(state)
    full.update(env or {})
    return subprocess.run([sys.executable, "-m", "etnc_db.cli", *args], env=full, capture_output=True, text=True,
                          timeout=timeout, cwd="/")


def as_nobody(*args: str) -> subprocess.CompletedProcess:
    """Run a command as the OS user nobody, with no supplementary groups."""
    return subprocess.run(["runuser", "-u", "nobody", "--", *args], capture_output=True, text=True, timeout=60,
                          cwd="/")


def probe(socket_path: Path, user: str = "postgres", database: str = "postgres") -> str:
    """What happens when nobody tries to log in as `user` through the socket."""
    res = as_nobody(system_python(), "-c", PROBE, str(socket_path), user, database)
    assert res.returncode == 0, res.stderr
    return res.stdout.strip()


def open_base(prefix: str = "etnc-sec-") -> Path:
    """A fresh directory under /tmp that every user may pass (the test's own, not the
    server's business: mkdtemp makes it 0700)."""
    base = Path(tempfile.mkdtemp(prefix=prefix, dir="/tmp"))
    base.chmod(0o755)
    return base


def long_state_dir(parent: Path, length: int = 110) -> Path:
    """A state directory whose path is at least `length` characters."""
    path = parent
    while len(str(path)) < length:
        path = path / "deeply-nested-project-folder"
    return path / ".etnc"


def socket_dir_of(url: str) -> Path:
    return Path(parse_qs(urlsplit(url).query)["host"][0])


def socket_path_of(url: str) -> Path:
    port = parse_qs(urlsplit(url).query).get("port", ["5432"])[0]
    return socket_dir_of(url) / f".s.PGSQL.{port}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop(state: Path) -> None:
    """Stop the server of `state` whatever the code under test left behind."""
    res = cli(state, "db", "stop")
    if res.returncode != 0:  # last resort: the postmaster named in the pid file
        pid_file = state / "pgdata" / "postmaster.pid"
        if pid_file.exists():
            subprocess.run(["kill", pid_file.read_text().split()[0]], check=False)


def modes_above(*paths: Path) -> dict[str, str]:
    """Mode and owner of every existing directory above `paths`."""
    seen = {}
    for path in paths:
        for directory in path.parents:
            if directory.exists():
                st = directory.stat()
                seen[str(directory)] = f"{st.st_mode & 0o7777:04o} {st.st_uid}:{st.st_gid}"
    return seen
