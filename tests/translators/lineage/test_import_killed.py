"""An import killed at a random point (SIGKILL, no clean-up) leaves a consistent store, and
running it again finishes it: the store ends exactly as after one uninterrupted import
(same events with the same ids, catalog and watermarks), on the SQL path and the generic
path. The Airflow database is made by ``airflow db migrate`` and filled with 5,000 task
instances in Airflow's own tables (the benchmark's filler). The seeds are printed so a
failure can be repeated."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.benchmarks._lineage_fill import fill

pytestmark = pytest.mark.airflow
REPO = Path(__file__).resolve().parents[3]

#: imports in batches of 100 source rows (many transactions to fall between), then a
#: marker line once done; ``generic`` takes the Python path through a SqlStore subclass
_IMPORT = """
import sys
from bridge.storage import SqlStore
from translators.lineage import import_airflow_db

class Generic(SqlStore):
    def put_catalog(self, *args, **kwargs):
        return super().put_catalog(*args, **kwargs)

kind, target, url = sys.argv[1:4]
store = (Generic if kind == "generic" else SqlStore)(url)
print("started", flush=True)
import_airflow_db(target, store, batch_size=100)
store.close()
print("done", flush=True)
"""


def _run(kind: str, target: str, store: Path, *,
         kill_after: float | None = None) -> tuple[bool, float]:
    """Run an import in a child process; with ``kill_after``, SIGKILL it that many seconds
    after it started importing. Returns whether it finished, and the seconds from the start
    of the import to the end of the process."""
    child = subprocess.Popen(
        [sys.executable, "-c", _IMPORT, kind, target, f"sqlite:///{store}"],
        stdout=subprocess.PIPE, text=True, cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)})
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "started"
    started = time.perf_counter()
    if kill_after is not None:
        time.sleep(kill_after)
        child.send_signal(signal.SIGKILL)
    out, _ = child.communicate(timeout=300)
    return "done" in out, time.perf_counter() - started


def _dump(path: Path) -> list[Any]:
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        return [conn.execute(query).fetchall() for query in (
            "SELECT event_id, run_id, asset_key, kind, partition, timestamp, metadata, error, "
            "source FROM ab_asset_events ORDER BY event_id",
            "SELECT asset_key, group_name, deps, dag_id, task_id, source, metadata "
            "FROM ab_catalog_assets ORDER BY asset_key",
            "SELECT name, value FROM ab_import_watermarks ORDER BY name")]
    finally:
        conn.close()


@pytest.fixture(scope="module")
def airflow_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    home = tmp_path_factory.mktemp("airflow-killed")
    database = home / "airflow.db"
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
    env.update(AIRFLOW_HOME=str(home), AIRFLOW__CORE__LOAD_EXAMPLES="False",
               AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=f"sqlite:///{database}")
    subprocess.run([str(Path(sys.executable).parent / "airflow"), "db", "migrate"], env=env,
                   check=True, capture_output=True)
    counts = fill(str(database), dags=4, tasks=5, runs=250)
    assert counts["task_instance"] == 5000
    return str(database)


@pytest.mark.parametrize(("kind", "seed"), [("sql", 1), ("sql", 2), ("generic", 3)])
def test_a_killed_import_resumes_to_the_uninterrupted_result(
        airflow_db: str, tmp_path: Path, kind: str, seed: int) -> None:
    finished, whole = _run(kind, airflow_db, tmp_path / "clean.db")
    assert finished
    kill_after = random.Random(seed).uniform(0.05, 0.4) * whole
    finished, _ = _run(kind, airflow_db, tmp_path / "killed.db", kill_after=kill_after)
    print(f"seed {seed}: import {whole:.2f} s, killed after {kill_after:.2f} s "
          f"({'after it ended' if finished else 'mid-import'})")
    if not finished:  # what committed before the kill is a consistent store
        _dump(tmp_path / "killed.db")
    assert _run(kind, airflow_db, tmp_path / "killed.db")[0]
    assert _dump(tmp_path / "killed.db") == _dump(tmp_path / "clean.db")
