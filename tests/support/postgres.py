"""PostgreSQL for the test suite: a scratch database on TEST_DATABASE_URL, or a throwaway server.

Stdlib + psycopg only.  Entry point: ``provide_postgres(env, workdir)``.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import re
import secrets
import shlex
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
from psycopg import sql
from psycopg.rows import TupleRow

HINT = (
    "Either set TEST_DATABASE_URL=postgresql://USER@HOST:PORT/DBNAME to use an existing server "
    "(the user needs CREATEDB), or install the PostgreSQL server binaries (Debian/Ubuntu: "
    "`apt-get install postgresql`, macOS: `brew install postgresql@16`)."
)
SCHEMES = ("postgresql+psycopg://", "postgresql://", "postgres://")
BIN_GLOBS = (
    "/usr/lib/postgresql/*/bin",  # Debian/Ubuntu
    "/usr/pgsql-*/bin",  # RHEL/Fedora (PGDG)
    "/usr/local/pgsql/bin",  # source builds
    "/opt/homebrew/opt/postgresql*/bin",  # Homebrew, Apple silicon
    "/usr/local/opt/postgresql*/bin",  # Homebrew, Intel
)
SBIN_PATH = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin", "/usr/bin", "/bin"])
CREATE_DB = "CREATE DATABASE {} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'"


class PostgresUnavailable(Exception):
    """No PostgreSQL database can be provided; the message says why and what to do."""


@contextlib.contextmanager
def provide_postgres(env: Mapping[str, str], workdir: Path) -> Iterator[str]:
    """Yield a SQLAlchemy URL 'postgresql+psycopg://...' for an empty database."""
    url = env.get("TEST_DATABASE_URL", "").strip()
    if url:
        with _scratch_database(url) as db_url:
            yield db_url
        return
    bindir = _find_bindir(env.get("PATH", os.defpath))
    if bindir is None:
        raise PostgresUnavailable(
            "TEST_DATABASE_URL is not set and no PostgreSQL server binaries (initdb, pg_ctl, "
            f"postgres) were found on PATH, via pg_config or in {', '.join(BIN_GLOBS)}. {HINT}"
        )
    with _throwaway_server(bindir, workdir.absolute()) as db_url:
        yield db_url


@contextlib.contextmanager
def _scratch_database(url: str) -> Iterator[str]:
    """Create a uniquely named database on an existing server; drop it (forcefully) at the end."""
    scheme = next((s for s in SCHEMES if url.startswith(s)), None)
    if scheme is None:
        raise PostgresUnavailable(
            "TEST_DATABASE_URL must start with postgresql:// or postgresql+psycopg:// "
            f"(got {urlsplit(url).scheme or url[:20]!r}). {HINT}"
        )
    conninfo = "postgresql://" + url[len(scheme) :]
    name = f"trainbot_test_{os.getpid()}_{secrets.token_hex(4)}"
    try:
        with psycopg.connect(conninfo, autocommit=True, connect_timeout=10) as conn:
            conn.execute(sql.SQL(CREATE_DB).format(sql.Identifier(name)))
    except psycopg.Error as exc:
        raise PostgresUnavailable(
            f"could not create a test database via TEST_DATABASE_URL: {exc}".rstrip()
            + "\nCheck that the server is running and the user may CREATE DATABASE, or unset "
            "TEST_DATABASE_URL to start a throwaway server from local PostgreSQL binaries."
        ) from exc
    parts = urlsplit(conninfo)
    query = f"?{parts.query}" if parts.query else ""
    try:
        yield f"postgresql+psycopg://{parts.netloc}/{name}{query}"
    finally:
        with psycopg.connect(conninfo, autocommit=True, connect_timeout=10) as conn:
            drop = sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name))
            if conn.info.server_version >= 130000:
                conn.execute(drop + sql.SQL(" WITH (FORCE)"))
            else:
                conn.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = %s AND pid <> pg_backend_pid()",
                    [name],
                )
                conn.execute(drop)


def _find_bindir(path: str) -> Path | None:
    """pg_config --bindir, then PATH, then well-known install dirs (highest version first)."""
    candidates: list[Path] = []
    pg_config = shutil.which("pg_config", path=path)
    if pg_config:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            done = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, timeout=10, check=True
            )
            candidates.append(Path(done.stdout.strip()))
    initdb = shutil.which("initdb", path=path)
    if initdb:
        candidates.append(Path(initdb).parent)
    found = [Path(p) for pattern in BIN_GLOBS for p in glob.glob(pattern)]
    candidates += sorted(
        found, key=lambda p: [int(n) for n in re.findall(r"\d+", str(p))], reverse=True
    )
    tools = ("initdb", "pg_ctl", "postgres")
    return next((d for d in candidates if all(os.access(d / t, os.X_OK) for t in tools)), None)


def _unprivileged_user() -> pwd.struct_passwd | None:
    """None when not root; otherwise the existing user to run initdb/pg_ctl as."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name)
    raise PostgresUnavailable(
        "running as root, where initdb refuses to run, and there is no 'postgres' or 'nobody' "
        f"user to run it as. Run the tests as a non-root user or create a 'postgres' user. {HINT}"
    )


def _run(cmd: list[str], user: pwd.struct_passwd | None, cwd: Path) -> tuple[bool, str]:
    """Run cmd (as ``user`` when given, via runuser or su); return (succeeded, output)."""
    if user is not None:
        if runuser := shutil.which("runuser", path=SBIN_PATH):
            cmd = [runuser, "-u", user.pw_name, "--", *cmd]
        elif su := shutil.which("su", path=SBIN_PATH):
            cmd = [su, user.pw_name, "-s", "/bin/sh", "-c", shlex.join(cmd)]
        else:
            raise PostgresUnavailable(f"running as root but neither runuser nor su exists. {HINT}")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    try:
        done = subprocess.run(
            cmd,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            timeout=90,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return False, str(exc)
    return done.returncode == 0, done.stdout


def _make_rundir(workdir: Path, user: pwd.struct_passwd | None) -> Path:
    """A fresh dir inside workdir, or under /tmp if workdir is unreachable for ``user`` or its
    path is too long for a Unix socket (~100 bytes)."""
    workdir.mkdir(parents=True, exist_ok=True)
    usable = len(str(workdir)) <= 60
    if usable and user is not None:
        usable = _run(["test", "-x", str(workdir)], user, Path("/"))[0]
    run = Path(tempfile.mkdtemp(prefix="trainbot-pg-", dir=workdir if usable else "/tmp"))
    run.chmod(0o755)
    return run


def _tail(text: str, lines: int = 25) -> str:
    return "\n".join(text.rstrip().splitlines()[-lines:])


class ThrowawayServer:
    """A private PostgreSQL server (initdb'd in a folder of its own) that can be stopped and
    started again on the same port: what a database restart looks like to the app."""

    def __init__(self, bindir: Path, workdir: Path) -> None:
        self._user = _unprivileged_user()
        self._run = _make_rundir(workdir, self._user)
        self._data, self._log = self._run / "data", self._run / "server.log"
        self._pg_ctl = str(bindir / "pg_ctl")
        self._bindir = bindir
        self.port = 0
        self._opts = ""

    @property
    def url(self) -> str:
        """The SQLAlchemy URL of its database `trainbot_test`."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/trainbot_test"

    def create(self) -> None:
        """initdb, start, and create the database `trainbot_test`."""
        sock = self._run / "sock"
        for directory in (self._data, sock):
            directory.mkdir(mode=0o700)
        if self._user is not None:
            for directory in (self._run, self._data, sock):
                os.chown(directory, self._user.pw_uid, self._user.pw_gid)
        initdb = [
            str(self._bindir / "initdb"), "-D", str(self._data), "-A", "trust", "-U", "postgres",
            "--no-sync", "-E", "UTF8", "--locale=C",
        ]  # fmt: skip
        ok, out = _run(initdb, self._user, self._run)
        if not ok:
            raise PostgresUnavailable(f"initdb ({self._bindir}) failed:\n{_tail(out)}\n{HINT}")
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = int(probe.getsockname()[1])
        self._opts = (
            f"-F -p {self.port} -k {shlex.quote(str(sock))} -c listen_addresses=127.0.0.1"
            " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
            " -c max_connections=100"
        )
        conn = self.start()
        with conn:
            conn.execute("CREATE DATABASE trainbot_test")

    def start(self) -> psycopg.Connection[TupleRow]:
        """Start it (on the port it had); a connection to `postgres` once it answers."""
        ok, out = _run(
            [self._pg_ctl, "-D", str(self._data), "-w", "-t", "30", "-l", str(self._log),
             "-o", self._opts, "start"],
            self._user, self._run,
        )  # fmt: skip
        conn = (
            _wait_for_server(f"postgresql://postgres@127.0.0.1:{self.port}/postgres")
            if ok
            else None
        )
        if conn is None:
            log = self._log.read_text(errors="replace") if self._log.exists() else "(no server log)"
            raise PostgresUnavailable(
                f"the throwaway PostgreSQL server ({self._bindir}) did not start on port "
                f"{self.port}:\n{_tail(out, 5)}\n--- tail of {self._log} ---\n{_tail(log)}\n{HINT}"
            )
        return conn

    def stop(self, mode: str = "fast") -> bool:
        """pg_ctl stop (`fast`: sessions are cut, as in a restart; `immediate`: a crash)."""
        stop = [self._pg_ctl, "-D", str(self._data), "-w", "-t", "30", "stop", "-m", mode]
        return _run(stop, self._user, self._run)[0]

    def restart(self, *, down_s: float = 0.0) -> None:
        """Stop it (cutting every session), stay down `down_s` seconds, start it again."""
        self.stop("fast")
        time.sleep(down_s)
        self.start().close()

    def remove(self) -> None:
        if self.port and not self.stop("fast"):
            self.stop("immediate")
        shutil.rmtree(self._run, ignore_errors=True)


@contextlib.contextmanager
def throwaway_postgres(
    workdir: Path, env: Mapping[str, str] = os.environ
) -> Iterator[ThrowawayServer]:
    """A private server from local binaries, yours to restart; stopped and deleted at the end."""
    bindir = _find_bindir(env.get("PATH", os.defpath))
    if bindir is None:
        raise PostgresUnavailable(
            "no PostgreSQL server binaries (initdb, pg_ctl, postgres) were found on PATH, via "
            f"pg_config or in {', '.join(BIN_GLOBS)}. {HINT}"
        )
    server = ThrowawayServer(bindir, workdir.absolute())
    try:
        server.create()
        yield server
    finally:
        server.remove()


@contextlib.contextmanager
def _throwaway_server(bindir: Path, workdir: Path) -> Iterator[str]:
    """initdb + pg_ctl start a private server on a free port; stop it and delete it at the end."""
    server = ThrowawayServer(bindir, workdir)
    try:
        server.create()
        yield server.url
    finally:
        server.remove()


def _wait_for_server(conninfo: str, seconds: float = 15) -> psycopg.Connection[TupleRow] | None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            return psycopg.connect(conninfo, autocommit=True, connect_timeout=3)
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                return None
            time.sleep(0.1)
