"""Exported DAGs in real Airflow: Airflow 3 (this venv) and Airflow 2.10 (``.venv-airflow2``,
made by ``.ci/install-airflow2.sh``).

One module fixture deploys twice at once, each in its own AIRFLOW_HOME with a SQLite metadata
DB: the exported examples plus the deploy example's three-line ``dags/assets.py`` (live
``airflow_dags``) for Airflow 3, and the exported examples for Airflow 2. Each DAG runs once
with ``dag.test()``, upstream DAGs first, in one process per Airflow. The examples are the
quickstart, the deploy example (daily partitions, static partitions as mapped tasks, run
config as a DAG param, retries, the ``prod`` environment's I/O manager) and the injection
fixture.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from tests.translators.export._airflow import PYTHONS, AirflowHome
from tests.translators.export._scenario import (
    EXAMPLES,
    Deployment,
    airflow_values,
    data_versions,
    file_versions,
    local_values,
    prepare_exports,
    run_deployment,
)

pytestmark = pytest.mark.airflow
TARGETS = ["airflow3", "airflow2"]


@pytest.fixture(scope="module")
def deployments(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Deployment]:
    assert Path(PYTHONS["airflow2"]).exists(), "run bash .ci/install-airflow2.sh (make system-deps)"
    root = tmp_path_factory.mktemp("export-airflow")
    template = AirflowHome(root / "template", "airflow3")
    template.migrate(root / "template-assetbridge")
    found = {"airflow3": prepare_exports(root / "a3", "airflow3", template.db, with_loader=True),
             "airflow2": prepare_exports(root / "a2", "airflow2", None)}
    errors: list[BaseException] = []

    def run(deployment: Deployment) -> None:
        try:
            run_deployment(deployment)
        except BaseException as exc:  # re-raised below, in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(item,)) for item in found.values()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return found


@pytest.mark.parametrize("target", TARGETS)
def test_dagbag_loads_every_dag_without_import_errors(
        deployments: dict[str, Deployment], target: str) -> None:
    deployment = deployments[target]
    assert deployment.result["import_errors"] == {}
    assert deployment.result["dag_ids"] == sorted(deployment.dag_ids())


@pytest.mark.parametrize("target", TARGETS)
def test_dag_test_runs_every_dag_and_task_to_success(
        deployments: dict[str, Deployment], target: str) -> None:
    deployment = deployments[target]
    runs = deployment.result["runs"]
    assert sorted(runs) == sorted(deployment.dag_ids())
    for dag_id, run in runs.items():
        assert run.get("state") == "success", (dag_id, run)
        assert set(run["tasks"].values()) == {"success"}, (dag_id, run)
    mapped = runs["planning"]["tasks"]  # the loader's DAG in Airflow 3, exported in Airflow 2
    assert sorted(mapped) == ["region_targets[0]", "region_targets[1]"]


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.name)
def test_values_written_equal_a_local_materialize(
        deployments: dict[str, Deployment], target: str, example: Any) -> None:
    deployment = deployments[target]
    local = local_values(deployment, example)
    assert airflow_values(deployment, example) == local
    # each task's XCom record names the data version of the file it wrote
    assert data_versions(deployment, example.name) == file_versions(deployment, example)
    assert len(local) >= 3


def test_the_three_line_loader_writes_what_the_exported_files_write(
        deployments: dict[str, Deployment]) -> None:
    deployment = deployments["airflow3"]
    assert sorted(dag.dag_id for dag in deployment.plans["loader"].dags) == [
        "ingest", "planning", "reporting"]
    loader = data_versions(deployment, "loader")
    assert loader == data_versions(deployment, "deploy")
    assert loader == file_versions(deployment, EXAMPLES[1])
    assert airflow_values(deployment, EXAMPLES[1]) == local_values(deployment, EXAMPLES[1],
                                                                   "loader")


@pytest.mark.parametrize("target", TARGETS)
def test_every_outlet_has_an_asset_event_with_the_bridge_record(
        deployments: dict[str, Deployment], target: str) -> None:
    deployment = deployments[target]
    events = deployment.airflow.asset_events()
    expected = []
    for plan in deployment.plans.values():
        for dag in plan.dags:
            for task in dag.tasks:
                runs = len(task.static_partitions or [None])
                expected += [(key, dag.dag_id, task.task_id)
                             for key in task.keys for _ in range(runs)]
    assert sorted((name, dag, task) for name, dag, task, _ in events) == sorted(expected)
    xcoms = deployment.airflow.xcoms()
    for name, dag_id, task_id, extra in events:
        record = xcoms[(dag_id, task_id)]
        item = next(item for item in record["assets"] if item["key"] == name)
        assert extra["code_version"] == item["code_version"]
        assert extra["data_version"] and len(extra["data_version"]) == 16
    outlets = deployment.airflow.outlet_references()
    assert sorted(outlets) == sorted({(dag, task, key) for key, dag, task in expected})


@pytest.mark.parametrize("target", TARGETS)
def test_cross_dag_dependencies_are_asset_schedules_in_airflows_tables(
        deployments: dict[str, Deployment], target: str) -> None:
    deployment = deployments[target]
    expected = sorted((dag.dag_id, key) for plan in deployment.plans.values()
                      for dag in plan.dags for key in dag.schedule_assets)
    assert ("reporting", "daily_sales") in expected and ("sales", "raw_orders") in expected
    assert deployment.airflow.schedule_references() == expected


@pytest.mark.parametrize("target", TARGETS)
def test_xcom_carries_only_the_small_materialization_record(
        deployments: dict[str, Deployment], target: str) -> None:
    xcoms = deployments[target].airflow.xcoms()
    assert xcoms, "no XCom at all"
    for value in xcoms.values():
        assert sorted(value) == ["assets", "partition", "run_id", "status"]
        assert sorted(value["assets"][0]) == ["code_version", "data_version", "key"]
        assert len(json.dumps(value)) < 400
    # a daily partition is the run's data interval (the loader's DAG in Airflow 3)
    partition = xcoms[("ingest", "shop_orders")]["partition"]
    (start,), = deployments[target].airflow.query(
        "SELECT data_interval_start FROM dag_run WHERE dag_id = 'ingest'")
    assert partition == str(start)[:10] == "2026-11-01"  # the day that ends at the run


@pytest.mark.parametrize("target", TARGETS)
def test_assetbridge_status_sees_the_airflow_runs(
        deployments: dict[str, Deployment], target: str, tmp_path: Path) -> None:
    deployment = deployments[target]
    store = f"sqlite:///{deployment.assetbridge_home / 'runs.db'}"
    done = subprocess.run(
        [sys.executable, "-c", "from bridge.cli import main; main()", "status",
         str(EXAMPLES[0].path), "--store", store, "--json"],
        capture_output=True, text=True, check=False, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    status = {item["key"]: item for item in json.loads(done.stdout)["assets"]}
    xcoms = deployment.airflow.xcoms()
    assert set(status) == {"raw_orders", "raw_customers", "paid_orders", "daily_revenue",
                           "revenue_by_country"}
    for key, item in status.items():
        assert item["status"] == "fresh", item
        task = next((dag, task) for (dag, task), record in xcoms.items()
                    if record["assets"][0]["key"] == key)
        assert item["last_materialization"]["run_id"] == xcoms[task]["run_id"]


def test_injection_text_reaches_airflow_as_data(deployments: dict[str, Deployment]) -> None:
    from tests.translators.export.fixtures.injection_assets import KEY_CLEAN, KEY_RAW, NASTY

    for target in TARGETS:
        deployment = deployments[target]
        names = {name for name, _, _, _ in deployment.airflow.asset_events()}
        assert {KEY_RAW, KEY_CLEAN} <= names
        values = airflow_values(deployment, EXAMPLES[2])
        assert values[(KEY_RAW, None)] == NASTY
        assert values[(KEY_CLEAN, "eu {{ ds }}")] == {
            "up": NASTY, "partition": "eu {{ ds }}", "title": NASTY}


def test_the_airflow2_venv_is_airflow_2_10() -> None:
    done = subprocess.run([PYTHONS["airflow2"], "-c", "import airflow; print(airflow.__version__)"],
                          capture_output=True, text=True, check=True)
    assert done.stdout.startswith("2.10.")
