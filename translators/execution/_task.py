"""One Airflow task as one bridge asset step: all its map indexes, its tries, its skips.

The bridge runner decides whether the step runs (trigger rules over upstream outcomes,
branch skips). :func:`execute_task` then adds what only Airflow knows: setup/teardown
constraints (a task whose setups failed is ``upstream_failed``; a teardown runs when at
least one of its setups succeeded), dynamic task mapping (one instance per map index,
the step's value is the list of their return values), retries (a retry re-runs only
the map indexes that failed; ``AirflowFailException`` is never retried) and branching
(``DownstreamTasksSkipped`` becomes ``context.skip_downstream``).
"""

from __future__ import annotations

from typing import Any

from bridge.errors import AssetExecutionError
from bridge.runner import AssetContext, SkipAsset
from bridge.runner._trigger import decide
from translators.execution._instance import LocalTaskInstance
from translators.execution._mapping import instance_count
from translators.execution._runtime import AirflowRun, TaskRecord
from translators.execution._states import (
    FAILED,
    SKIPPED,
    SUCCESS,
    UPSTREAM_FAILED,
    combine_map_states,
    trigger_rule_of,
    upstream_of,
)
from translators.execution._taskrun import InstanceOutcome, run_instance
from translators.execution._xcom import RETURN_KEY, UNMAPPED

__all__ = ["CROSS_DAG_DEPS", "TaskFailedError", "execute_task"]

_DONE = (SUCCESS, SKIPPED)


class TaskFailedError(Exception):
    """An Airflow task ended ``failed``; the original error is the cause."""


#: spec metadata (set by :func:`~translators.execution._assets.dag_assets`): the deps of a
#: task's asset that are not its own upstream tasks in its DAG
CROSS_DAG_DEPS = "cross_dag_deps"

def execute_task(run: AirflowRun, dag_id: str, task_id: str, context: AssetContext) -> Any:
    """Run one task of ``dag_id`` for the bridge step ``context`` (see module docstring).

    Returns:
        The task's return value (a mapped task: the list of its instances' values).

    Raises:
        SkipAsset: the task ended skipped (or could not run: its setups did not succeed).
        TaskFailedError: the task failed; the task's exception is the ``__cause__``.
        AssetExecutionError: the task failed and must not be retried
            (``AirflowFailException``, a sensor timeout).
    """
    task = run.dags[dag_id].get_task(task_id)
    key = (dag_id, task_id)
    earlier = run.records.get(key)
    cross_dag = bool(context.spec.metadata.get(CROSS_DAG_DEPS))
    blocked = _setup_constraint(run, dag_id, task, cross_dag=cross_dag)
    if blocked is not None:
        state, reason = blocked
        run.records[key] = TaskRecord(state, reason=reason)
        raise SkipAsset(reason)
    view = run.view(dag_id)
    probe = LocalTaskInstance(task, view, try_number=context.attempt)
    count = instance_count(task, {"ti": probe})
    if count is not None:
        view.map_counts[task_id] = count
    if count == 0:
        run.records[key] = TaskRecord(SKIPPED, map_states=[], reason="mapped over no items")
        raise SkipAsset("mapped over no items (Airflow skips a zero-length expansion)")
    record = _run_instances(run, task, count, context, earlier)
    run.records[key] = record
    if record.state == FAILED and record.final and record.error is not None:
        # a bridge error ends the step at once: the runner retries only other exceptions
        raise AssetExecutionError(str(context.asset_key), record.error) from record.error
    if record.state == FAILED:
        raise TaskFailedError(f"task {task_id!r} failed: {record.error}") from record.error
    if record.state == SKIPPED:
        raise SkipAsset(record.reason or "skipped")
    if count is None:
        return run.xcoms.get_one(dag_id, task_id, RETURN_KEY, UNMAPPED)
    return run.xcoms.get_all(dag_id, task_id, RETURN_KEY)


def _run_instances(run: AirflowRun, task: Any, count: int | None, context: AssetContext,
                   earlier: TaskRecord | None) -> TaskRecord:
    view = run.view(task.dag_id)
    indexes = [UNMAPPED] if count is None else list(range(count))
    before = earlier.map_states if earlier is not None and earlier.map_states else None
    states: list[str] = []
    failures: list[InstanceOutcome] = []
    skips: list[InstanceOutcome] = []
    last_try = context.attempt > int(task.retries or 0)
    for position, index in enumerate(indexes):
        if before is not None and position < len(before) and before[position] in _DONE:
            states.append(before[position])  # a retry re-runs failed map indexes only
            continue
        run.xcoms.clear(task.dag_id, task.task_id, index)
        ti = LocalTaskInstance(task, view, map_index=index, try_number=context.attempt)
        outcome = run_instance(ti, run.adapters, last_try=last_try)
        states.append(outcome.state)
        if outcome.state == FAILED:
            failures.append(outcome)
        elif outcome.state == SKIPPED:
            skips.append(outcome)
        _skip_downstream(run, context, task.dag_id, outcome.skip)
    state = states[0] if count is None else combine_map_states(states)
    first_failure = failures[0] if failures else None
    return TaskRecord(
        state, map_states=None if count is None else states,
        reason=skips[0].reason if skips else None,
        error=first_failure.error if first_failure else None,
        final=first_failure is not None and not first_failure.retryable,
        attempts=context.attempt,
    )


def _skip_downstream(run: AirflowRun, context: AssetContext, dag_id: str,
                     tasks: tuple[Any, ...]) -> None:
    """Branching: Airflow lists task ids, or ``(task_id, map_index)`` inside mapped groups
    (then the whole downstream task is skipped: one asset per task)."""
    for item in tasks:
        task_id = item[0] if isinstance(item, (tuple, list)) else item
        key = run.asset_keys.get((dag_id, str(task_id)))
        if key is not None:
            context.skip_downstream(key)


def _setup_constraint(run: AirflowRun, dag_id: str, task: Any, *,
                      cross_dag: bool) -> tuple[str, str] | None:
    """Airflow's setup rules the bridge's trigger rules do not know, as (state, reason).

    - a task with deps across DAGs (``cross_dag``, run by the bridge as ``all_done``): its
      own trigger rule over its DAG's upstream tasks;
    - a task inside a setup/teardown scope whose (indirect) setup failed is
      ``upstream_failed``; one whose setup was skipped is ``skipped``;
    - a teardown (``all_done_setup_success``) is skipped when all its setups were skipped
      and ``upstream_failed`` when none of them succeeded;
    - ``all_done_min_one_success`` (run by the bridge as ``all_done``): skipped when an
      upstream was skipped, ``upstream_failed`` when none succeeded.
    """
    def state_of(task_id: str) -> str | None:
        record = run.records.get((dag_id, task_id))
        return record.state if record is not None else None

    upstream_ids = set(task.upstream_task_ids)
    indirect = [t.task_id for t in task.get_upstreams_only_setups()
                if t.task_id not in upstream_ids]
    indirect_states = [state_of(t) for t in indirect]
    if any(s in (FAILED, UPSTREAM_FAILED) for s in indirect_states):
        return UPSTREAM_FAILED, "a setup task of its scope failed"
    if SKIPPED in indirect_states:
        return SKIPPED, "a setup task of its scope was skipped"
    rule = str(getattr(task.trigger_rule, "value", task.trigger_rule))
    if cross_dag:
        verdict = decide(trigger_rule_of(task), [
            upstream_of(t, state_of(t)) for t in sorted(upstream_ids)])
        if not verdict.run:
            return (UPSTREAM_FAILED if verdict.upstream_failed else SKIPPED,
                    verdict.reason or "its trigger rule says so")
    if rule == "all_done_min_one_success":
        ups = [state_of(t) for t in upstream_ids]
        if SKIPPED in ups:
            return SKIPPED, "an upstream task was skipped (all_done_min_one_success)"
        if SUCCESS not in ups:
            return UPSTREAM_FAILED, "no upstream task succeeded (all_done_min_one_success)"
        return None
    if rule != "all_done_setup_success":
        return None
    setups = [state_of(t.task_id) for t in task.upstream_list if t.is_setup]
    if setups and all(s == SKIPPED for s in setups):
        return SKIPPED, "all its setup tasks were skipped"
    if setups and SUCCESS not in setups:
        return UPSTREAM_FAILED, "none of its setup tasks succeeded"
    return None
