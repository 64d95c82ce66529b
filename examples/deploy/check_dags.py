"""Load a folder of DAG files with Airflow's own DagBag and print what Airflow sees.

    python examples/deploy/check_dags.py DAGS_FOLDER

Parsing needs no metadata database; AIRFLOW_HOME defaults to a temporary folder. Exits 1 if
any file fails to import.
"""

from __future__ import annotations

import os
import sys
import tempfile


def main() -> int:
    """Print each DAG's schedule, tasks and outlets; 1 on import errors."""
    folder = sys.argv[1]
    os.environ.setdefault("AIRFLOW_HOME", tempfile.mkdtemp(prefix="airflow-home-"))
    os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
    os.environ.setdefault("AIRFLOW__LOGGING__LOGGING_LEVEL", "ERROR")
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=folder)
    for dag_id, dag in sorted(bag.dags.items()):
        print(f"{dag_id}: schedule {_schedule(dag.schedule)}")
        for task in dag.tasks:
            outlets = ", ".join(getattr(o, "name", str(o)) for o in task.outlets)
            upstream = ", ".join(sorted(task.upstream_task_ids)) or "-"
            print(f"  {task.task_id:<16} after {upstream:<16} writes {outlets}")
    for file, error in bag.import_errors.items():
        print(f"import error in {file}: {error.strip().splitlines()[-1]}", file=sys.stderr)
    print(f"{len(bag.dags)} DAGs, {len(bag.import_errors)} import errors")
    return 1 if bag.import_errors else 0


def _schedule(value: object) -> str:
    if value is None or isinstance(value, str):
        return str(value or "manual")
    if isinstance(value, (list, tuple)):
        return "when " + " & ".join(str(getattr(item, "name", item)) for item in value)
    expression = getattr(value, "expression", None)
    return f"cron {expression!r}" if expression else type(value).__name__


if __name__ == "__main__":
    sys.exit(main())
