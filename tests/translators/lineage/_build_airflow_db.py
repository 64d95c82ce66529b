"""Run by a real Airflow's own Python (3.x in .venv, 2.10 in .venv-airflow2), after
``airflow db migrate``: load a DAG folder and ``dag.test()`` each (dag_id, logical date) in
argv, so Airflow itself writes DAG runs, task instances, asset events and serialized DAGs.

    python _build_airflow_db.py DAG_FOLDER producer=2026-03-01 snapshot=/tmp/s.db ...

``snapshot=PATH`` copies the SQLite database at that point (SQLite's online backup, so
what is still in the WAL file is included).
"""

from __future__ import annotations

import datetime
import sqlite3
import sys

try:
    from airflow.dag_processing.dagbag import DagBag  # Airflow 3
    AIRFLOW3 = True
except ImportError:  # Airflow 2
    from airflow.models.dagbag import DagBag
    AIRFLOW3 = False


def main(folder: str, plan: list[str]) -> None:
    bag = DagBag(folder) if AIRFLOW3 else DagBag(folder, include_examples=False)
    if bag.import_errors:
        raise SystemExit(f"DAG import errors: {bag.import_errors}")
    if not AIRFLOW3:
        bag.sync_to_db()  # serialized DAGs and dataset references, as the scheduler would
    for item in plan:
        dag_id, _, day = item.partition("=")
        if dag_id == "snapshot":
            _snapshot(day)
            continue
        when = datetime.datetime.fromisoformat(f"{day}T00:00:00+00:00")
        dag = bag.get_dag(dag_id)
        if AIRFLOW3:
            dag.test(logical_date=when)
        else:
            dag.test(execution_date=when)


def _snapshot(path: str) -> None:
    from airflow.configuration import conf

    source = conf.get("database", "sql_alchemy_conn").removeprefix("sqlite:///")
    with sqlite3.connect(source) as src, sqlite3.connect(path) as dst:
        src.backup(dst)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
