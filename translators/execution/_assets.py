"""Executable bridge assets from live Airflow DAGs: one asset per task.

Each task's spec comes from the :class:`~translators.translator.AirflowTranslator` (key
``dag_id/task_id`` by default, group = the DAG, the task group in the metadata), completed
with what running needs: ``deps`` = the upstream tasks' keys (for an
``ExternalTaskSensor``, also the loaded tasks it waits for), the task's Airflow trigger
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
from translators.execution._sensors import sensed_tasks
from translators.execution._states import trigger_rule_of
from translators.execution._task import execute_task
from translators.translator import AirflowTranslator

__all__ = ["dag_assets"]



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
    loaded = {dag.dag_id: dag for dag in dags}
    specs: dict[tuple[str, str], AssetSpec] = {}
    for dag in loaded.values():
        info = dag_info(dag)
        specs.update({(dag.dag_id, task.task_id): translator.get_asset_spec(task, info)
                      for task in info.tasks})
    assets: list[Asset] = []
    for dag in loaded.values():
        for task in sorted(dag.tasks, key=lambda t: t.task_id):
            upstream = [(dag.dag_id, up) for up in sorted(task.upstream_task_ids)]
            sensed = sensed_tasks(task, loaded)
            spec = specs[(dag.dag_id, task.task_id)].replace(
                deps=tuple(dict.fromkeys(specs[ref].key for ref in upstream + sensed)),
                # a sensor starts once what it waits for ended, whatever the outcome; its
                # own rule is applied to its DAG's upstream tasks when it runs
                trigger_rule=TriggerRule.ALL_DONE if sensed else trigger_rule_of(task),
                retry=_retry_policy(task, retry_delay),
            )
            assets.append(_task_asset(spec, dag.dag_id, task))
    return assets


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
