"""Print Airflow's own view of DAG files as JSON: ``python _dagbag_dump.py FILE...``.

Run in a subprocess by the parity tests, so Airflow's logging and configuration never touch
the pytest process. Output: ``{"files": {file: {"dags": {dag_id: {task_id: [upstream...]}},
"error": str | null}}}`` where each task is ``{"upstream", "group", "mapped",
"trigger_rule", "retries", "is_setup", "is_teardown"}``. Set ``AIRFLOW_HOME`` (and
friends) in the environment first.
"""

from __future__ import annotations

import json
import sys


def dump(files: list[str]) -> dict[str, object]:
    """Load each file with its own DagBag and collect task ids and upstream ids."""
    import logging

    logging.disable(logging.CRITICAL)
    from airflow.dag_processing.dagbag import DagBag

    result: dict[str, object] = {}
    for file in files:
        bag = DagBag(dag_folder=file, safe_mode=False)
        dags = {
            dag_id: {t.task_id: _task(t) for t in dag.tasks}
            for dag_id, dag in sorted(bag.dags.items())
        }
        errors = "\n".join(str(e) for e in bag.import_errors.values()) or None
        result[file] = {"dags": dags, "error": errors}
    return {"files": result}


def _task(task: object) -> dict[str, object]:
    from airflow.sdk.definitions.mappedoperator import MappedOperator

    group = task.task_group  # type: ignore[attr-defined]
    return {
        "upstream": sorted(task.upstream_task_ids),  # type: ignore[attr-defined]
        "group": None if group is None or group.is_root else group.group_id,
        "mapped": isinstance(task, MappedOperator)
        or task.get_closest_mapped_task_group() is not None,  # type: ignore[attr-defined]
        "trigger_rule": str(task.trigger_rule.value  # type: ignore[attr-defined]
                            if hasattr(task.trigger_rule, "value")  # type: ignore[attr-defined]
                            else task.trigger_rule),  # type: ignore[attr-defined]
        "retries": task.retries,  # type: ignore[attr-defined]
        "is_setup": task.is_setup,  # type: ignore[attr-defined]
        "is_teardown": task.is_teardown,  # type: ignore[attr-defined]
    }


if __name__ == "__main__":
    print(json.dumps(dump(sys.argv[1:]), sort_keys=True))
