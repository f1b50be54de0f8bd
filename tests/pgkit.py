"""A real PostgreSQL server for the tests: initdb into a temporary folder, served on loopback.

``pg_server`` (one per test session) finds Debian's binaries (``/usr/lib/postgresql/*/bin``,
else ``initdb`` on PATH), runs ``initdb`` and ``pg_ctl start`` on 127.0.0.1 and a free port,
and stops the server and removes its folder at the end. PostgreSQL refuses to run as root: as
root the server runs as the ``postgres`` user the Debian package creates (or ``pipeline-pg``,
made with ``useradd`` where that user is missing). ``pg_url`` gives each test a database of
its own. Without the binaries the tests are skipped, unless ``PIPELINE_REQUIRE_POSTGRES`` is
set (as in CI), when they fail.
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REQUIRE_ENV = "PIPELINE_REQUIRE_POSTGRES"
SUPERUSER = "pipeline"
# A role that must give its password (scram), for the wrong-password test.
GUARDED, GUARDED_PASSWORD = "guarded", "right-password"
FALLBACK_USER = "pipeline-pg"
# Durability is not what these tests check: a server that skips fsync starts and writes faster.
SPEED = "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
HBA = f"""\
local all all trust
host all {GUARDED} 127.0.0.1/32 scram-sha-256
host all all 127.0.0.1/32 trust
"""


def find_bindir() -> Path | None:
    """Return the folder of the newest installed initdb and pg_ctl, or None."""
    found = sorted(
        (Path(p).parent for p in glob.glob("/usr/lib/postgresql/*/bin/initdb")),
        key=lambda folder: _version(folder.parent.name),
    )
    if found:
        return found[-1]
    initdb = shutil.which("initdb")
    return Path(initdb).resolve().parent if initdb else None


def _version(name: str) -> tuple[int, ...]:
    return tuple(int(part) for part in name.split(".") if part.isdigit())


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on just now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def server_user() -> pwd.struct_passwd | None:
    """Return the user to run the server as when this is root (None when not root)."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", FALLBACK_USER):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    subprocess.run(
        ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", FALLBACK_USER],
        check=True,
        capture_output=True,
    )
    return pwd.getpwnam(FALLBACK_USER)


@dataclass
class Server:
    """A running PostgreSQL server on loopback, owned by the test session."""

    bindir: Path
    folder: Path
    port: int
    user: pwd.struct_passwd | None
    _databases: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def data(self) -> Path:
        """Return the cluster's data folder."""
        return self.folder / "data"

    def url(self, database: str = "postgres", role: str = SUPERUSER, password: str = "") -> str:
        """Return the URL of a database on this server."""
        secret = f":{password}" if password else ""
        return f"postgresql://{role}{secret}@127.0.0.1:{self.port}/{database}"

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run one of the server's programs as the server's user."""
        program = [str(self.bindir / args[0]), *args[1:]]
        if self.user is None:
            return subprocess.run(program, cwd=self.folder, capture_output=True, text=True)
        return subprocess.run(
            program,
            cwd=self.folder,
            capture_output=True,
            text=True,
            user=self.user.pw_uid,
            group=self.user.pw_gid,
            extra_groups=[],  # none of root's groups either
        )

    def sql(self, statement: str, database: str = "postgres") -> None:
        """Run one statement as the superuser, outside a transaction."""
        import psycopg

        with psycopg.connect(self.url(database), autocommit=True) as conn:
            conn.execute(statement.encode())

    def create_database(self) -> str:
        """Create a new, empty database and return its URL."""
        name = f"test_{next(self._databases)}"
        self.sql(f"CREATE DATABASE {name}")
        return self.url(name)

    def drop_database(self, url: str) -> None:
        """Drop a database made by create_database, whoever is still connected."""
        self.sql(f"DROP DATABASE IF EXISTS {url.rsplit('/', 1)[1]} WITH (FORCE)")


def start_server(bindir: Path) -> Server:
    """Initialise a cluster in a new temporary folder and start it on a free loopback port."""
    user = server_user()
    # As root, in /tmp itself: the server's user must reach the folder ($TMPDIR may be private).
    folder = Path(tempfile.mkdtemp(prefix="pipeline-pg-", dir="/tmp" if user else None))
    if user is not None:
        os.chown(folder, user.pw_uid, user.pw_gid)
    server = Server(bindir, folder, 0, user)
    done = server.run(
        "initdb", "-D", str(server.data), "-U", SUPERUSER, "--auth=trust", "-E", "UTF8",
        "--locale=C", "--no-sync",
    )  # fmt: skip
    if done.returncode != 0:
        shutil.rmtree(folder, ignore_errors=True)
        raise RuntimeError(f"initdb failed: {done.stderr.strip()}")
    (server.data / "pg_hba.conf").write_text(HBA, encoding="utf-8")
    for _attempt in range(3):
        server.port = free_port()
        options = f"-c listen_addresses=127.0.0.1 -p {server.port} -k {folder} {SPEED}"
        log = str(folder / "server.log")
        done = server.run("pg_ctl", "-D", str(server.data), "-l", log, "-w", "-o", options, "start")
        if done.returncode == 0:
            server.sql(f"CREATE ROLE {GUARDED} LOGIN PASSWORD '{GUARDED_PASSWORD}'")
            return server
        time.sleep(0.2)  # the port was taken meanwhile: try another
    log_text = (folder / "server.log").read_text(errors="replace")
    shutil.rmtree(folder, ignore_errors=True)
    raise RuntimeError(f"pg_ctl start failed: {done.stderr.strip()}\n{log_text}")


def stop_server(server: Server) -> None:
    """Stop the server and remove its folder."""
    server.run("pg_ctl", "-D", str(server.data), "-m", "fast", "-w", "stop")
    shutil.rmtree(server.folder, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[Server]:
    """Run one PostgreSQL server for the session (skip, or fail in CI, without the binaries)."""
    bindir = find_bindir()
    if bindir is None:
        message = "PostgreSQL is not installed (Debian: apt-get install postgresql)"
        if os.environ.get(REQUIRE_ENV):
            pytest.fail(f"{message}, and {REQUIRE_ENV} is set")
        pytest.skip(message)
    server = start_server(bindir)
    try:
        yield server
    finally:
        stop_server(server)


@pytest.fixture
def pg_url(pg_server: Server) -> Iterator[str]:
    """Return the URL of a new, empty database on the session's server."""
    url = pg_server.create_database()
    try:
        yield url
    finally:
        pg_server.drop_database(url)
