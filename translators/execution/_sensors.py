"""Cross-DAG waits inside an in-process run: what an ``ExternalTaskSensor`` waits for.

The sensor's asset runs after the loaded tasks it waits for (they are its extra deps), so
its pokes are answered from what they did in this run
(:class:`~translators.execution._comms.LocalComms`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["sensed_tasks"]


def sensed_tasks(task: Any, dags: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The ``(dag_id, task_id)`` of the loaded tasks an ``ExternalTaskSensor`` waits for
    (its task ids, its task group, or every task of its DAG); they run before it."""
    dag_id = getattr(task, "external_dag_id", None)
    if not isinstance(dag_id, str) or dag_id not in dags or not hasattr(task, "poke"):
        return []
    ids = sorted(dags[dag_id].task_ids)
    group = getattr(task, "external_task_group_id", None)
    wanted = getattr(task, "external_task_ids", None)
    if group:
        ids = [i for i in ids if i.startswith(f"{group}.")]
    elif wanted:
        ids = [i for i in ids if i in set(wanted)]
    return [(dag_id, i) for i in ids if (dag_id, i) != (task.dag_id, task.task_id)]

