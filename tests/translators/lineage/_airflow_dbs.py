"""Real Airflow metadata databases, built once per test session by running real Airflow.

Each build runs, in a subprocess with its own AIRFLOW_HOME: ``airflow db migrate``, then
``_build_airflow_db.py`` (``dag.test()`` of the fixture DAGs), with Airflow 3 from ``.venv``
or Airflow 2.10 from ``.venv-airflow2`` (made by ``.ci/install-airflow2.sh``). The builds
start together in threads, so they overlap; fixtures wait for the one they need.

Airflow 3 runs twice over the same database: ``stage1`` is a copy taken after the first
plan, the final database has the second plan's runs too (for incremental imports).

Import the fixtures into a test module (``from tests.translators.lineage._airflow_dbs
import airflow3_sqlite``); the module-level cache makes every importer share one build.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
HERE = Path(__file__).resolve().parent
DAGS3 = HERE / "fixtures" / "dags3"
DAGS2 = HERE / "fixtures" / "dags2"
AIRFLOW3_BIN = Path(sys.executable).parent
AIRFLOW2_BIN = REPO / ".venv-airflow2" / "bin"
PLAN1 = ["producer=2026-03-01", "producer=2026-03-02", "consumer=2026-03-02",
         "plain=2026-03-01"]
PLAN2 = ["producer=2026-03-03", "plain=2026-03-02"]


@dataclass(frozen=True)
class AirflowDb:
    """A database real Airflow wrote."""

    #: SQLAlchemy URL (PostgreSQL) or SQLite file path, as ``--airflow-db`` takes it
    target: str
    #: the DAG folder it ran
    dags: Path
    #: 2 or 3
    generation: int
    #: the AIRFLOW_HOME it was built in (airflow.cfg, logs)
    home: Path
    #: Airflow 3 SQLite only: a copy taken after the first plan
    stage1: Path | None = None


_LOCK = threading.Lock()
_POOL = ThreadPoolExecutor(max_workers=4)
_BUILDS: dict[str, Future[AirflowDb]] = {}


def _run(command: list[str], env: dict[str, str], home: Path, what: str) -> None:
    done = subprocess.run(command, env=env, cwd=home, capture_output=True, text=True,
                          timeout=300, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{what} failed ({done.returncode}):\n{done.stdout[-3000:]}\n"
                           f"{done.stderr[-5000:]}")


def _build(name: str, bin_dir: Path, dags: Path, conn: str, home: Path, generation: int,
           snapshot: Path | None) -> AirflowDb:
    if not (bin_dir / "airflow").exists():
        raise RuntimeError(f"{bin_dir / 'airflow'} is missing: run .ci/install-airflow2.sh "
                           "(make system-deps) to create the Airflow 2.10 venv")
    home.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
    env.update(AIRFLOW_HOME=str(home), AIRFLOW__CORE__LOAD_EXAMPLES="False",
               AIRFLOW__CORE__DAGS_FOLDER=str(dags),
               AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=conn,
               AIRFLOW__CORE__UNIT_TEST_MODE="False", PYTHONDONTWRITEBYTECODE="1")
    if conn.startswith("postgresql+psycopg://"):  # psycopg 3 is async too: no asyncpg needed
        env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC"] = conn
    _run([str(bin_dir / "airflow"), "db", "migrate"], env, home, f"{name}: airflow db migrate")
    script = str(HERE / "_build_airflow_db.py")
    stage1 = home / "stage1.db" if snapshot is not None else None
    plan = [*PLAN1, f"snapshot={stage1}", *PLAN2] if stage1 else PLAN1
    _run([str(bin_dir / "python"), script, str(dags), *plan], env, home, f"{name}: dag.test")
    target = str(snapshot) if snapshot is not None else conn.removeprefix("sqlite:///")
    return AirflowDb(target=target, dags=dags, generation=generation, home=home,
                     stage1=stage1)


def _start(name: str, factory: pytest.TempPathFactory, conn: str | None,
           bin_dir: Path, dags: Path, generation: int) -> Future[AirflowDb]:
    with _LOCK:
        if name not in _BUILDS:
            home = factory.mktemp(name)
            sqlite = conn is None
            url = conn or ""
            if sqlite:
                url = f"sqlite:///{home / 'airflow.db'}"
            _BUILDS[name] = _POOL.submit(_build, name, bin_dir, dags, url, home, generation,
                                         home / "airflow.db" if sqlite and generation == 3
                                         else None)
        return _BUILDS[name]


def start_sqlite_builds(factory: pytest.TempPathFactory) -> None:
    """Start both SQLite builds (Airflow 3 and 2.10) without waiting."""
    _start("airflow3-sqlite", factory, None, AIRFLOW3_BIN, DAGS3, 3)
    _start("airflow2-sqlite", factory, None, AIRFLOW2_BIN, DAGS2, 2)


@pytest.fixture(scope="session")
def airflow3_sqlite(tmp_path_factory: pytest.TempPathFactory) -> AirflowDb:
    """Airflow 3.3 on a SQLite file (both plans run; ``stage1`` after the first)."""
    return _start("airflow3-sqlite", tmp_path_factory, None, AIRFLOW3_BIN, DAGS3, 3).result()


@pytest.fixture(scope="session")
def airflow2_sqlite(tmp_path_factory: pytest.TempPathFactory) -> AirflowDb:
    """Airflow 2.10 (its own venv) on a SQLite file."""
    start_sqlite_builds(tmp_path_factory)
    return _BUILDS["airflow2-sqlite"].result()


def start_postgres_build(factory: pytest.TempPathFactory, server: object) -> None:
    """Start the Airflow 3 build on a new database of the session's PostgreSQL server."""
    with _LOCK:
        if "airflow3-postgres" in _BUILDS:
            return
        create = server.create_database
        url = create(f"airflow3_{uuid.uuid4().hex[:8]}")
    _start("airflow3-postgres", factory, url, AIRFLOW3_BIN, DAGS3, 3)


@pytest.fixture(scope="session")
def airflow3_postgres(tmp_path_factory: pytest.TempPathFactory,
                      postgres_server: object) -> AirflowDb:
    """Airflow 3.3 on a real PostgreSQL database (psycopg 3 driver)."""
    start_sqlite_builds(tmp_path_factory)
    start_postgres_build(tmp_path_factory, postgres_server)
    return _BUILDS["airflow3-postgres"].result()
