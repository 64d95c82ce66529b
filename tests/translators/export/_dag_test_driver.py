"""Load a DAGs folder through Airflow's DagBag and run DAGs with ``dag.test()``, in order.

Runs under Airflow 3 (``.venv``) or Airflow 2.10 (``.venv-airflow2``), in a process whose
``AIRFLOW_HOME`` holds a migrated SQLite metadata DB. Writes JSON to OUT: import errors, the
DAG ids found, and per DAG run its state and task states. The tests read asset events,
schedule references and XComs straight from the metadata DB afterwards.

Usage: python _dag_test_driver.py OUT.json DAGS_FOLDER LOGICAL_DATE DAG_ID...
"""

from __future__ import annotations

import json
import sys
import time
from datetime import datetime, timezone


def main() -> None:
    out, folder, date, dag_ids = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    import airflow

    logical_date = datetime.fromisoformat(date).replace(tzinfo=timezone.utc)
    airflow3 = airflow.__version__.startswith("3")
    started = time.monotonic()
    bag = _airflow3_bag(folder) if airflow3 else _airflow2_bag(folder)
    found: dict[str, object] = {"import_errors": dict(bag.import_errors),
                                "dag_ids": sorted(bag.dags), "runs": {},
                                "load_seconds": round(time.monotonic() - started, 2)}
    runs: dict[str, object] = {}
    for dag_id in dag_ids:
        dag = bag.dags.get(dag_id)
        if dag is None:
            runs[dag_id] = {"error": "not in the DagBag"}
            continue
        started = time.monotonic()
        try:
            if airflow3:
                run = dag.test(logical_date=logical_date, run_after=logical_date)
            else:
                run = dag.test(execution_date=logical_date)
        except Exception as exc:
            runs[dag_id] = {"error": f"{type(exc).__name__}: {exc}"}
            continue
        runs[dag_id] = {"state": str(getattr(run.state, "value", run.state)),
                        "tasks": {_label(ti): str(getattr(ti.state, "value", ti.state))
                                  for ti in run.get_task_instances()},
                        "seconds": round(time.monotonic() - started, 2)}
    found["runs"] = runs
    with open(out, "w") as file:
        json.dump(found, file, default=repr, sort_keys=True)


def _label(ti: object) -> str:
    index = getattr(ti, "map_index", -1)
    task_id = getattr(ti, "task_id", "?")
    return f"{task_id}[{index}]" if index is not None and index >= 0 else task_id


def _airflow3_bag(folder: str) -> object:
    from airflow.dag_processing.bundles.manager import DagBundlesManager
    from airflow.dag_processing.dagbag import BundleDagBag, DagBag, sync_bag_to_db

    manager = DagBundlesManager()
    manager.sync_bundles_to_db()
    for bundle in manager.get_all_dag_bundles():
        bundle.initialize()
        synced = BundleDagBag(dag_folder=bundle.path, bundle_path=bundle.path,
                              bundle_name=bundle.name)
        sync_bag_to_db(synced, bundle.name, bundle.version)
    return DagBag(dag_folder=folder)


def _airflow2_bag(folder: str) -> object:
    from airflow.models.dagbag import DagBag

    bag = DagBag(dag_folder=folder, include_examples=False)
    bag.sync_to_db()
    return bag


if __name__ == "__main__":
    main()
