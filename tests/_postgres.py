"""pytest plugin: a real PostgreSQL server for the test session.

Fixtures:
    postgres_url: (session) ``postgresql+psycopg://postgres@127.0.0.1:PORT/assetbridge_test``
        on a server started from the installed PostgreSQL binaries, stopped at the end.
    fresh_postgres_url: (function) a new, uniquely named database on that server, dropped
        after the test, so tests never see each other's tables.

The server runs from a temporary data folder with trust authentication, listens on
127.0.0.1 on a free port and keeps its unix socket in the data folder. PostgreSQL refuses to
run as root, so under root the binaries run as the ``postgres`` OS user (``runuser``).
Without binaries the fixtures skip, except under ``CI``, where they fail: ``.ci/run`` must
install PostgreSQL (``.ci/install-postgres.sh``).

Enable it with ``pytest_plugins = ["tests._postgres"]`` in ``tests/conftest.py``.
"""

from __future__ import annotations

import glob
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

DATABASE = "assetbridge_test"
_SERVER_SETTINGS = "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"


def find_postgres_bin() -> Path | None:
    """The folder holding ``initdb`` and ``pg_ctl`` (newest Debian version first, then PATH)."""
    def version(path: str) -> int:
        found = re.search(r"/postgresql/(\d+)/bin/", path)
        return int(found.group(1)) if found else 0

    for initdb in sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=version)[::-1]:
        if Path(initdb).with_name("pg_ctl").exists():
            return Path(initdb).parent
    initdb_on_path = shutil.which("initdb")
    if initdb_on_path and shutil.which("pg_ctl"):
        return Path(initdb_on_path).parent
    return None


class PostgresServer:
    """A throwaway PostgreSQL server in a temporary folder (start, databases, stop)."""

    def __init__(self, bin_dir: Path) -> None:
        self.bin_dir = bin_dir
        self.root = Path(tempfile.mkdtemp(prefix="assetbridge-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.port = 0
        # PostgreSQL refuses to run as root: run it as the postgres OS user instead
        self.prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.prefix:
            shutil.chown(self.root, "postgres", "postgres")

    def _run(self, *args: str) -> None:
        command = [*self.prefix, str(self.bin_dir / args[0]), *args[1:]]
        done = subprocess.run(command, cwd=self.root, capture_output=True, text=True,
                              timeout=120, check=False)
        if done.returncode != 0:
            log = self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""
            raise RuntimeError(f"{' '.join(command)} failed ({done.returncode}):\n"
                               f"{done.stdout}{done.stderr}{log}")

    def start(self) -> None:
        """initdb, then start on a free port (retried, in case another process took it)."""
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust",
                  "-E", "UTF8", "--locale=C", "--no-sync")
        for attempt in range(3):
            self.port = _free_port()
            options = (f"-c listen_addresses=127.0.0.1 -p {self.port} "
                       f"-k {self.root} {_SERVER_SETTINGS}")
            try:
                self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w",
                          "-t", "60", "-o", options, "start")
                return
            except RuntimeError:
                if attempt == 2:
                    raise

    def stop(self) -> None:
        """Stop the server (fast shutdown) and remove its folder."""
        try:
            if (self.data / "postmaster.pid").exists():
                self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str) -> str:
        """The SQLAlchemy URL of ``database`` on this server (psycopg 3 driver)."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def execute(self, statement: str) -> None:
        """Run one statement in the ``postgres`` maintenance database, outside a transaction."""
        import psycopg

        with psycopg.connect(host="127.0.0.1", port=self.port, user="postgres",
                             dbname="postgres", autocommit=True) as conn:
            conn.execute(statement.encode())

    def create_database(self, name: str) -> str:
        """Create ``name`` (a plain identifier) and return its URL."""
        self.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def drop_database(self, name: str) -> None:
        """Drop ``name``, disconnecting any session still using it."""
        self.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; on CI, .ci/run must install postgresql "
                    "(run .ci/install-postgres.sh)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A PostgreSQL server started for this test session."""
    bin_dir = find_postgres_bin()
    if bin_dir is None:
        _unavailable("PostgreSQL server binaries (initdb, pg_ctl) are not installed: "
                     "install the 'postgresql' package to run @pytest.mark.postgres tests")
    assert bin_dir is not None
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            _unavailable("tests run as root but there is no 'postgres' OS user to run "
                         "PostgreSQL as: install the 'postgresql' package or run as non-root")
    server = PostgresServer(bin_dir)
    try:
        server.start()
        server.create_database(DATABASE)
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def postgres_url(postgres_server: PostgresServer) -> str:
    """URL of the ``assetbridge_test`` database on the session's PostgreSQL server."""
    return postgres_server.url(DATABASE)


@pytest.fixture
def fresh_postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """URL of a new database on the session's server, dropped after the test."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    yield postgres_server.create_database(name)
    postgres_server.drop_database(name)
