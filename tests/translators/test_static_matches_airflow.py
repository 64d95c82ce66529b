"""The static reader agrees with Airflow's own DagBag.

For every fixture marked ``"airflow3": true`` and every example DAG shipped with the
installed ``apache-airflow`` (core and standard provider), real Airflow loads the file in a
subprocess (its logging and configuration stay out of pytest) and the task graphs are
compared: task ids and upstream edges, plus task groups, mapping, trigger rules and
setup/teardown flags. Known differences are listed with their reason in
``docs/translators-static-limitations.md`` and pinned in ``KNOWN_DIFFERENCES``.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from translators.static import read_static

HERE = Path(__file__).parent
REPO = HERE.parents[1]
LIMITATIONS = REPO / "docs" / "translators-static-limitations.md"
FIXTURES = sorted((HERE / "fixtures" / "dags").glob("*.py"))
AIRFLOW3_FIXTURES = [
    p for p in FIXTURES
    if json.loads(p.with_suffix(".expected.json").read_text())["airflow3"]
]

# Airflow is a dev dependency: without it these tests fail (never skip)
pytestmark = pytest.mark.airflow
_SPEC = importlib.util.find_spec("airflow")


def test_airflow_is_installed() -> None:
    assert _SPEC is not None, "apache-airflow is missing: pip install -e '.[dev]'"


def _example_files() -> list[Path]:
    if _SPEC is None or not _SPEC.submodule_search_locations:
        return []
    root = Path(next(iter(_SPEC.submodule_search_locations)))
    folders = [root / "example_dags", root / "providers" / "standard" / "example_dags"]
    return sorted(p for folder in folders for p in folder.glob("*.py") if p.name != "__init__.py")


EXAMPLES = _example_files()

#: example file -> the DAG ids Airflow does not load here but the static reader reads
KNOWN_DIFFERENCES: dict[str, set[str]] = {
    # ``try: from kubernetes.client import models`` fails without the cncf.kubernetes
    # provider, so the file defines no DAG at import; statically the import "succeeds"
    "example_kubernetes_executor.py": {"example_kubernetes_executor"},
    "example_local_kubernetes_executor.py": {"example_local_kubernetes_executor"},
}


@pytest.fixture(scope="module")
def airflow_view(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Airflow's graphs for every file under test, from one DagBag subprocess."""
    home = tmp_path_factory.mktemp("airflow-home")
    env = {
        **os.environ,
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        "AIRFLOW__CORE__DAGS_FOLDER": str(home / "dags"),
    }
    files = [str(p) for p in [*AIRFLOW3_FIXTURES, *EXAMPLES]]
    out = subprocess.run([sys.executable, str(HERE / "_dagbag_dump.py"), *files],
                         capture_output=True, text=True, env=env, timeout=600, check=False)
    assert out.returncode == 0, out.stderr[-3000:]
    view: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])["files"]
    # parsing DAG files needs no metadata database: none was created, let alone migrated
    view["<database created>"] = (home / "airflow.db").exists()
    return view


def _static_view(path: Path, airflow_tasks: dict[str, dict[str, Any]]) -> dict[str, Any]:
    result = read_static([path])
    view: dict[str, Any] = {}
    for dag in result.dags:
        tasks = {}
        for task in dag.tasks:
            live = airflow_tasks.get(dag.dag_id, {}).get(task.task_id, {})
            tasks[task.task_id] = {
                "upstream": list(task.upstream),
                "group": task.group,
                "mapped": task.mapped,
                "trigger_rule": task.trigger_rule,
                # Airflow's default comes from its configuration; statically it is unknown
                "retries": task.retries if task.retries is not None else live.get("retries"),
                "is_setup": task.is_setup,
                "is_teardown": task.is_teardown,
            }
        view[dag.dag_id] = tasks
    return view


@pytest.mark.parametrize("dag_file", AIRFLOW3_FIXTURES, ids=[p.stem for p in AIRFLOW3_FIXTURES])
def test_fixture_graph_matches_airflow(dag_file: Path, airflow_view: dict[str, Any]) -> None:
    live = airflow_view[str(dag_file)]
    assert live["error"] is None, f"fixture marked airflow3 does not load: {live['error']}"
    assert live["dags"], "Airflow found no DAG in the fixture"
    assert _static_view(dag_file, live["dags"]) == live["dags"]


@pytest.mark.parametrize("dag_file", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_shipped_example_matches_airflow(dag_file: Path, airflow_view: dict[str, Any]) -> None:
    live = airflow_view[str(dag_file)]
    assert live["error"] is None, live["error"]
    static = _static_view(dag_file, live["dags"])
    extra = KNOWN_DIFFERENCES.get(dag_file.name, set())
    if extra and set(static) - set(live["dags"]) == extra:
        assert dag_file.name in LIMITATIONS.read_text(), "document every known difference"
        static = {k: v for k, v in static.items() if k not in extra}
    assert static == live["dags"]


def test_dagbag_parsing_needs_no_database(airflow_view: dict[str, Any]) -> None:
    assert airflow_view["<database created>"] is False


def test_examples_were_found() -> None:
    assert len(EXAMPLES) > 50
    assert len(AIRFLOW3_FIXTURES) >= 20
