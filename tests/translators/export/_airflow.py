"""Real Airflow for the export tests: a temporary AIRFLOW_HOME with a migrated SQLite DB,
a DAGs folder, ``dag.test()`` runs in a subprocess, and queries of the metadata DB."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[3]
DRIVER = Path(__file__).resolve().parent / "_dag_test_driver.py"
#: the interpreter of each target's Airflow
PYTHONS = {"airflow3": sys.executable, "airflow2": str(REPO / ".venv-airflow2" / "bin" / "python")}
LOGICAL_DATE = "2026-11-02T00:00:00"


@dataclass
class AirflowHome:
    """One metadata DB and DAGs folder for one Airflow version."""

    home: Path
    target: str

    @property
    def dags(self) -> Path:
        return self.home / "dags"

    @property
    def db(self) -> Path:
        return self.home / "airflow.db"

    def env(self, assetbridge_home: Path, extra_path: str | None = None) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
        bundles = [{"name": "dags-folder", "kwargs": {"path": str(self.dags)},
                    "classpath": "airflow.dag_processing.bundles.local.LocalDagBundle"}]
        env.update({
            "AIRFLOW_HOME": str(self.home), "AIRFLOW__CORE__DAGS_FOLDER": str(self.dags),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{self.db}",
            "AIRFLOW__LOGGING__LOGGING_LEVEL": "WARNING",
            "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
            "ASSETBRIDGE_HOME": str(assetbridge_home),
            "ASSETBRIDGE_PYTHON": sys.executable,
            "PYTHONPATH": os.pathsep.join(
                [p for p in (extra_path, str(REPO) if self.target == "airflow3" else "") if p]),
        })
        if self.target == "airflow3":
            env["AIRFLOW__DAG_PROCESSOR__DAG_BUNDLE_CONFIG_LIST"] = json.dumps(bundles)
        return env

    def migrate(self, assetbridge_home: Path) -> None:
        self.dags.mkdir(parents=True, exist_ok=True)
        _run([PYTHONS[self.target], "-m", "airflow", "db", "migrate"], self.env(assetbridge_home))

    def test(self, dag_ids: list[str], assetbridge_home: Path,
             extra_path: str | None = None) -> dict[str, Any]:
        """DagBag import errors, DAG ids, and a ``dag.test()`` of each DAG, in order."""
        out = self.home / "dag_test.json"
        _run([PYTHONS[self.target], str(DRIVER), str(out), str(self.dags), LOGICAL_DATE,
              *dag_ids], self.env(assetbridge_home, extra_path))
        result: dict[str, Any] = json.loads(out.read_text())
        return result

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        with sqlite3.connect(self.db) as connection:
            return connection.execute(sql).fetchall()

    def asset_table(self) -> str:
        return "asset" if self.target == "airflow3" else "dataset"

    def asset_events(self) -> list[tuple[str, str, str, dict[str, Any]]]:
        """(asset, source dag, source task, extra) of every asset event, sorted."""
        table = self.asset_table()
        name = "name" if self.target == "airflow3" else "uri"
        rows = self.query(f"SELECT a.{name}, e.source_dag_id, e.source_task_id, e.extra "
                          f"FROM {table}_event e JOIN {table} a ON a.id = e.{table}_id")
        return sorted(((r[0], r[1], r[2], json.loads(r[3] or "{}")) for r in rows),
                      key=lambda event: json.dumps(event, sort_keys=True))

    def schedule_references(self) -> list[tuple[str, str]]:
        """(consuming DAG, asset) pairs of asset schedules, sorted."""
        table = self.asset_table()
        name = "name" if self.target == "airflow3" else "uri"
        return sorted(self.query(
            f"SELECT r.dag_id, a.{name} FROM dag_schedule_{table}_reference r "
            f"JOIN {table} a ON a.id = r.{table}_id"))

    def outlet_references(self) -> list[tuple[str, str, str]]:
        """(DAG, task, asset) of every task outlet, sorted."""
        table = self.asset_table()
        name = "name" if self.target == "airflow3" else "uri"
        return sorted(self.query(
            f"SELECT r.dag_id, r.task_id, a.{name} FROM task_outlet_{table}_reference r "
            f"JOIN {table} a ON a.id = r.{table}_id"))

    def xcoms(self) -> dict[tuple[str, str], Any]:
        """(dag, task) -> the return_value XCom, decoded (one of a mapped task's)."""
        return {(dag_id, task_id): value for dag_id, task_id, _, value in self.all_xcoms()}

    def all_xcoms(self) -> list[tuple[str, str, int, Any]]:
        """(dag, task, map index, decoded value) of every return_value XCom."""
        rows = self.query("SELECT dag_id, task_id, map_index, value FROM xcom "
                          "WHERE key = 'return_value' ORDER BY dag_id, task_id, map_index")
        return [(dag_id, task_id, index,
                 json.loads(value.decode() if isinstance(value, bytes) else value))
                for dag_id, task_id, index, value in rows]


def _run(command: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False,
                          timeout=600)
    if done.returncode != 0:
        raise AssertionError(f"{command[1:3]} failed ({done.returncode}):\n{done.stderr[-4000:]}")
