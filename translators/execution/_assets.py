"""Executable bridge assets from live Airflow DAGs: one asset per task.

Each task's spec comes from the :class:`~translators.translator.AirflowTranslator` (key
``dag_id/task_id`` by default, group = the DAG, the task group in the metadata), completed
with what running needs: ``deps`` = the upstream tasks' keys, the task's Airflow trigger
rule, and a retry policy from ``retries`` / ``retry_delay`` /
``retry_exponential_backoff``. The asset function runs the original task
(:func:`~translators.execution._task.execute_task`) with the run's
:class:`~translators.execution._runtime.AirflowRun`, received as a resource.
"""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Callable, Iterable
from typing import Any

from bridge._asset import Asset, _definition
from bridge._keys import AssetKey
from bridge._spec import AssetSpec, RetryPolicy
from bridge._types import TriggerRule
from bridge.runner import AssetContext
from translators.execution._runtime import RUNTIME_RESOURCE, AirflowRun
from translators.execution._task import execute_task
from translators.translator import AirflowTranslator

__all__ = ["dag_assets", "trigger_rule_of"]

#: Airflow rules the bridge runner does not know, and the bridge rule that decides whether
#: the step starts (the asset function then applies the Airflow rule itself)
_CLOSEST_RULE = {"all_done_min_one_success": TriggerRule.ALL_DONE}


def dag_assets(dags: Iterable[Any], translator: AirflowTranslator | None = None, *,
               retry_delay: float | None = None) -> list[Asset]:
    """One executable asset per task of each DAG.

    Args:
        dags: Airflow DAG objects (from a ``DagBag``).
        translator: decides keys, groups and metadata; the default keys ``dag_id/task_id``.
        retry_delay: seconds between retries of every task, instead of each task's own.

    Returns:
        The assets, DAG by DAG, tasks sorted by id.
    """
    from translators.live import dag_info

    translator = translator or AirflowTranslator()
    assets: list[Asset] = []
    for dag in dags:
        info = dag_info(dag)
        specs = {task.task_id: translator.get_asset_spec(task, info) for task in info.tasks}
        keys = {task_id: spec.key for task_id, spec in specs.items()}
        for task in sorted(dag.tasks, key=lambda t: t.task_id):
            spec = specs[task.task_id].replace(
                deps=tuple(keys[up] for up in sorted(task.upstream_task_ids)),
                trigger_rule=trigger_rule_of(task),
                retry=_retry_policy(task, retry_delay),
            )
            assets.append(_task_asset(spec, dag.dag_id, task))
    return assets


def trigger_rule_of(task: Any) -> TriggerRule:
    """The bridge trigger rule for an Airflow task (same names, same meaning).

    Examples:
        >>> class Task: trigger_rule = "none_failed_min_one_success"
        >>> trigger_rule_of(Task()).value
        'none_failed_min_one_success'
    """
    rule = str(getattr(task.trigger_rule, "value", task.trigger_rule))
    return _CLOSEST_RULE.get(rule) or TriggerRule(rule)


def _retry_policy(task: Any, delay_override: float | None) -> RetryPolicy | None:
    retries = int(task.retries or 0)
    if retries <= 0:
        return None
    delay = task.retry_delay.total_seconds() if delay_override is None else delay_override
    backoff = 2.0 if task.retry_exponential_backoff else 1.0
    return RetryPolicy(max_retries=retries, delay=delay, backoff=backoff)


def _task_asset(spec: AssetSpec, dag_id: str, task: Any) -> Asset:
    definition = _definition((spec,), _task_function(dag_id, task.task_id), None)
    return dataclasses.replace(definition, source=_source_of_task(task))


def _task_function(dag_id: str, task_id: str) -> Callable[..., Any]:
    """The asset function of one task; its second parameter is the run resource."""

    def run_task(context: AssetContext, assetbridge_airflow_run: AirflowRun) -> Any:
        return execute_task(assetbridge_airflow_run, dag_id, task_id, context)

    assert RUNTIME_RESOURCE == "assetbridge_airflow_run"  # the parameter name above
    run_task.__name__ = run_task.__qualname__ = str(AssetKey((dag_id, task_id))
                                                    .to_python_identifier())
    return run_task


def _source_of_task(task: Any) -> tuple[str, int, int] | None:
    """Where the task's code is: its Python callable, else the DAG file."""
    function = getattr(task, "python_callable", None)
    if function is None and hasattr(task, "partial_kwargs"):
        function = task.partial_kwargs.get("python_callable")
    if function is not None:
        try:
            lines, first = inspect.getsourcelines(inspect.unwrap(function))
            file = inspect.getsourcefile(inspect.unwrap(function))
            if file:
                return file, first, first + len(lines) - 1
        except (OSError, TypeError):
            pass
    fileloc = getattr(task.dag, "fileloc", None)
    return (fileloc, 1, 1) if fileloc else None
