"""A real Airflow 3 API server on 127.0.0.1, over a copy of the Airflow 3 test database.

SimpleAuthManager with one user (``admin``/``secret`` from a passwords file); the token
comes from ``POST /auth/token`` like any client's. The server is stopped (its process
group, which this fixture started) at the end of the session.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.translators.lineage._airflow_dbs import _BUILDS, _POOL, AIRFLOW3_BIN, AirflowDb


@dataclass(frozen=True)
class AirflowApi:
    """A running API server."""

    url: str
    token: str


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


_SERVER: list[Future[tuple[subprocess.Popen[bytes], AirflowApi]]] = []


def start_api_server(factory: pytest.TempPathFactory) -> None:
    """Start the API server as soon as the Airflow 3 SQLite database is built (once)."""
    if _SERVER:
        return
    home = factory.mktemp("airflow3-api")
    build = _BUILDS["airflow3-sqlite"]
    _SERVER.append(_POOL.submit(lambda: _serve(build.result(), home)))


def _serve(db: AirflowDb, home: Path) -> tuple[subprocess.Popen[bytes], AirflowApi]:
    shutil.copyfile(db.target, home / "airflow.db")
    (home / "passwords.json").write_text(json.dumps({"admin": "secret"}))
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
    env.update(AIRFLOW_HOME=str(home), AIRFLOW__CORE__LOAD_EXAMPLES="False",
               AIRFLOW__CORE__DAGS_FOLDER=str(db.dags),
               AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=f"sqlite:///{home / 'airflow.db'}",
               AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS="admin:admin",
               AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE=str(home / "passwords.json"),
               AIRFLOW__API_AUTH__JWT_SECRET="assetbridge-test-jwt-secret",
               AIRFLOW__API__SECRET_KEY="assetbridge-test-secret")
    with (home / "server.log").open("w") as log:
        server = subprocess.Popen(
            [str(AIRFLOW3_BIN / "airflow"), "api-server", "-H", "127.0.0.1", "-p", str(port),
             "-w", "1"], env=env, cwd=home, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        return server, AirflowApi(url, _wait_for_token(url, server, home))
    except BaseException:
        _stop(server)
        raise


def _stop(server: subprocess.Popen[bytes]) -> None:
    """Kill the server and every process it started (its workers move to their own
    process groups, so killing the group is not enough); a throwaway copy, so no graceful
    shutdown is needed. Two fixture definitions share the server: the second call finds
    nothing left to kill."""
    import psutil

    with contextlib.suppress(psutil.NoSuchProcess):
        parent = psutil.Process(server.pid)
        for process in [*parent.children(recursive=True), parent]:
            with contextlib.suppress(psutil.NoSuchProcess):
                process.kill()
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.pid, signal.SIGKILL)
    server.wait(timeout=10)


@pytest.fixture(scope="session")
def airflow_api(airflow3_sqlite: AirflowDb,
                tmp_path_factory: pytest.TempPathFactory) -> Iterator[AirflowApi]:
    """``airflow api-server`` on a free port, with a bearer token for user ``admin``."""
    start_api_server(tmp_path_factory)
    server, api = _SERVER[0].result()
    try:
        yield api
    finally:
        _stop(server)


def _wait_for_token(url: str, server: subprocess.Popen[bytes], home: object) -> str:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"airflow api-server exited ({server.returncode}); see "
                               f"{home}/server.log")
        try:
            answer = httpx.post(f"{url}/auth/token", timeout=5,
                                json={"username": "admin", "password": "secret"})
            if answer.status_code == 201:
                token: str = answer.json()["access_token"]
                return token
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"airflow api-server did not answer within 120 s; see {home}/server.log")
