"""Executable bridge assets from live Airflow DAGs: one asset (or multi-asset) per task.

The keys and dependencies are those of ``assetbridge translate``
(:func:`~translators.to_assets.dags_to_assets` over the same DAGs, with the same
:class:`~translators.translator.AirflowTranslator`): a task maintains the asset
``dag_id/task_id``, or the assets its outlets name; it depends on its upstream tasks' assets
and on what the DAGs read say across DAGs (sensors, triggers, inlets, asset schedules),
limited to the assets of loaded tasks. Running needs more: the task's Airflow trigger rule
and a retry policy from ``retries`` / ``retry_delay`` / ``retry_exponential_backoff``.
Dependencies across DAGs order the run without gating it: such a task starts once they
ended (``all_done``) and applies its own trigger rule to its DAG's upstream tasks
(:func:`~translators.execution._task.execute_task`); the keys are listed in the spec's
``cross_dag_deps`` metadata. The asset function runs the original task with the run's
:class:`~translators.execution._runtime.AirflowRun`, received as a resource; a task with
several outlets returns its value for each of them.
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
from translators.execution._states import trigger_rule_of
from translators.execution._task import CROSS_DAG_DEPS, execute_task
from translators.translator import AirflowTranslator

__all__ = ["dag_assets"]

_TaskRef = tuple[str, str]


def dag_assets(dags: Iterable[Any], translator: AirflowTranslator | None = None, *,
               retry_delay: float | None = None) -> list[Asset]:
    """One executable asset (or multi-asset, for several outlets) per task of each DAG.

    Args:
        dags: Airflow DAG objects (from a ``DagBag``).
        translator: decides keys, groups and metadata; the default keys ``dag_id/task_id``.
        retry_delay: seconds between retries of every task, instead of each task's own.

    Returns:
        The assets, DAG by DAG, tasks sorted by id.
    """
    loaded = {dag.dag_id: dag for dag in dags}
    key = (tuple(map(id, loaded.values())), id(translator), retry_delay)
    cached = _CACHE.get(key)
    if cached is not None and all(a is b for a, b in zip(cached[0], loaded.values(),
                                                         strict=True)) \
            and cached[1] is translator:
        return list(cached[2])
    assets = _build(loaded, translator, retry_delay)
    _CACHE[key] = (tuple(loaded.values()), translator, tuple(assets))
    while len(_CACHE) > _CACHED_RUNS:
        _CACHE.pop(next(iter(_CACHE)))
    return assets


#: the assets of recent DAG sets (runs in one process reuse the DAG objects of unchanged
#: files; asset definitions hold no run state), keyed by the objects' identities
_CACHE: dict[tuple[Any, ...], tuple[tuple[Any, ...], Any, tuple[Asset, ...]]] = {}
_CACHED_RUNS = 16


def _build(loaded: dict[str, Any], translator: AirflowTranslator | None,
           retry_delay: float | None) -> list[Asset]:
    from translators.live import dag_info
    from translators.model import ReadResult
    from translators.to_assets import dags_to_assets

    translation = dags_to_assets(ReadResult(dags=tuple(dag_info(d) for d in loaded.values())),
                                 translator or AirflowTranslator())
    specs: dict[_TaskRef, list[AssetSpec]] = {}
    for definition in translation.assets:
        for spec in definition.specs:
            if "task_id" in spec.metadata:  # not a source asset
                ref = (str(spec.metadata["dag_id"]), str(spec.metadata["task_id"]))
                specs.setdefault(ref, []).append(spec)
    produced = {spec.key for group in specs.values() for spec in group}
    assets: list[Asset] = []
    for dag in loaded.values():
        for task in sorted(dag.tasks, key=lambda t: t.task_id):
            own = specs[(dag.dag_id, task.task_id)]
            upstream = {spec.key for up in task.upstream_task_ids
                        for spec in specs[(dag.dag_id, up)]}
            deps = tuple(key for key in own[0].deps if key in produced)
            cross = sorted(str(key) for key in set(deps) - upstream)
            rule = TriggerRule.ALL_DONE if cross else trigger_rule_of(task)
            retry = _retry_policy(task, retry_delay)
            ready = tuple(spec.replace(
                deps=deps, trigger_rule=rule, retry=retry,
                metadata={**spec.metadata, CROSS_DAG_DEPS: cross} if cross else spec.metadata,
            ) for spec in own)
            assets.append(_task_asset(ready, dag.dag_id, task))
    return assets


def _retry_policy(task: Any, delay_override: float | None) -> RetryPolicy | None:
    retries = int(task.retries or 0)
    if retries <= 0:
        return None
    delay = task.retry_delay.total_seconds() if delay_override is None else delay_override
    backoff = 2.0 if task.retry_exponential_backoff else 1.0
    return RetryPolicy(max_retries=retries, delay=delay, backoff=backoff)


def _task_asset(specs: tuple[AssetSpec, ...], dag_id: str, task: Any) -> Asset:
    definition = _definition(specs, _task_function(dag_id, task.task_id, specs), None)
    return dataclasses.replace(definition, source=_source_of_task(task))


def _task_function(dag_id: str, task_id: str,
                   specs: tuple[AssetSpec, ...]) -> Callable[..., Any]:
    """The asset function of one task; its second parameter is the run resource."""
    keys = [str(spec.key) for spec in specs]

    def run_task(context: AssetContext, assetbridge_airflow_run: AirflowRun) -> Any:
        value = execute_task(assetbridge_airflow_run, dag_id, task_id, context)
        return value if len(keys) == 1 else dict.fromkeys(keys, value)

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
