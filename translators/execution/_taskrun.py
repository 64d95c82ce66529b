"""Running one task instance in-process, the way Airflow's task runner does.

The steps follow ``airflow.sdk.execution_time.task_runner`` (``_prepare``,
``_execute_task``, ``_push_xcom_if_needed``, ``_run_task_and_map_outcome``): copy the
operator for execution, render its template fields with the DAG's Jinja environment
(mapped operators unmap here), run ``pre_execute``, ``execute`` (under Airflow's
``ExecutorSafeguard`` and ``execution_timeout``) and ``post_execute`` with the context set
as the current context and the ``AIRFLOW_CTX_*`` variables exported for the duration, push
the return value, run the state callbacks, and map the outcome to an Airflow state:

======================================  ====================================================
raised                                  state
======================================  ====================================================
nothing                                 success (return value pushed as ``return_value``)
``DownstreamTasksSkipped`` (branching)   success, listed downstream tasks skipped
``DagRunTriggerException``              success (``trigger_run_id`` pushed; no run starts)
``AirflowSkipException``                skipped
``AirflowFailException`` / sensor       failed, no retry
timeout
anything else                           failed (retried while tries remain)
======================================  ====================================================

A deferral runs its trigger inline (as ``dag.test()`` does) and resumes the task; a
reschedule waits until the requested time and pokes again. Container operators and SQL
operators go through :class:`Adapters` (container runner, SQL resources).
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
import os
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from translators.execution._containers import (
    ContainerRunner,
    LocalContainerRunner,
    container_operator,
    spec_for,
)
from translators.execution._instance import LocalTaskInstance
from translators.execution._sql import SqlResources, is_sql_operator, use_sql_resource
from translators.execution._states import FAILED, SKIPPED, SUCCESS
from translators.execution._templates import template_env
from translators.execution._xcom import RETURN_KEY

__all__ = ["Adapters", "InstanceOutcome", "run_instance"]

#: reschedules of one poke loop before the task fails
_MAX_RESCHEDULES = 10_000


@dataclass
class Adapters:
    """How operators that need outside systems run in-process.

    Without a container runner given as a resource, a local docker/podman is probed the
    first time a container task runs (probing costs a subprocess, so runs of DAGs without
    container tasks never pay it).
    """

    sql: SqlResources
    #: a container runner given as a resource, if any
    given: ContainerRunner | None = None

    @functools.cached_property
    def _local(self) -> tuple[ContainerRunner | None, str]:
        if self.given is not None:
            return self.given, "given as a resource"
        return LocalContainerRunner.detect()

    @property
    def containers(self) -> ContainerRunner | None:
        """The runner for container tasks; None: they are skipped (see container_reason)."""
        return self._local[0]

    @property
    def container_reason(self) -> str:
        """Which runner is used, or why none is usable."""
        return self._local[1]


@dataclass(frozen=True)
class InstanceOutcome:
    """How one task instance ended."""

    state: str
    #: downstream task ids (or ``(task_id, map_index)``) the task asked to skip
    skip: tuple[Any, ...] = ()
    error: BaseException | None = None
    reason: str | None = None
    #: False for ``AirflowFailException`` and sensor timeouts: no retry
    retryable: bool = True


def run_instance(ti: LocalTaskInstance, adapters: Adapters, *, last_try: bool) -> InstanceOutcome:
    """Run ``ti`` to its end (see the module docstring); never raises for task errors."""
    from airflow.sdk.exceptions import (
        AirflowFailException,
        AirflowSensorTimeout,
        AirflowSkipException,
        DagRunTriggerException,
        DownstreamTasksSkipped,
        TaskAwaitingInput,
    )
    from airflow.sdk.execution_time.context import set_current_context

    ti.task = ti.task.prepare_for_execution()
    context = ti.get_template_context()
    context["task"] = ti.task
    try:
        with set_current_context(context):  # type: ignore[arg-type]
            ti.render_templates(context, template_env(ti.task.dag))
            result = _execute(ti, context, adapters)
        _push_return_value(ti, result)
        outcome = InstanceOutcome(SUCCESS)
    except DownstreamTasksSkipped as skip:
        tasks = skip.tasks if isinstance(skip.tasks, list) else [skip.tasks]
        outcome = InstanceOutcome(SUCCESS, skip=tuple(tasks))
    except DagRunTriggerException as trigger:
        outcome = _triggered(ti, trigger)
    except AirflowSkipException as exc:
        outcome = InstanceOutcome(SKIPPED, reason=str(exc) or "AirflowSkipException")
    except TaskAwaitingInput:
        outcome = InstanceOutcome(SKIPPED, reason="waits for human input, which an "
                                                  "in-process run cannot give")
    except (AirflowFailException, AirflowSensorTimeout) as exc:
        outcome = InstanceOutcome(FAILED, error=exc, retryable=False)
    except Exception as exc:
        outcome = InstanceOutcome(FAILED, error=exc)
    ti.state, ti.end_date = outcome.state, datetime.now(timezone.utc)
    _state_callbacks(ti, context, outcome, last_try=last_try)
    return outcome


def _triggered(ti: LocalTaskInstance, trigger: Any) -> InstanceOutcome:
    """``TriggerDagRunOperator``: the trigger is recorded (XCom ``trigger_run_id``, as
    Airflow does) but no other DAG run starts in-process; waiting for one cannot end."""
    ti.xcom_push("trigger_run_id", trigger.dag_run_id)
    if trigger.wait_for_completion:
        return InstanceOutcome(SKIPPED, reason=(
            f"waits for a run of DAG {trigger.trigger_dag_id!r}, which an in-process run does "
            "not start; run that DAG with run_dags() instead"))
    return InstanceOutcome(SUCCESS)


def _execute(ti: LocalTaskInstance, context: dict[str, Any], adapters: Adapters) -> Any:
    task = ti.task
    if container_operator(task) is not None:
        return _run_container(ti, adapters)
    if is_sql_operator(task):
        use_sql_resource(task, adapters.sql)
    from airflow.sdk.execution_time.context import context_to_airflow_vars

    with _environ(context_to_airflow_vars(context, in_env_var_format=True)):
        if task._pre_execute_hook is not None:
            task._pre_execute_hook(context)
        task.pre_execute(context)
        _callbacks(task, "on_execute_callback", context)
        result = _poke_until_done(task, context)
        if task._post_execute_hook is not None:
            task._post_execute_hook(context, result)
        task.post_execute(context, result)
    return result


def _poke_until_done(task: Any, context: dict[str, Any]) -> Any:
    """``execute``; inline triggers for deferrals, waits for reschedules."""
    from airflow.sdk.exceptions import AirflowRescheduleException, TaskDeferred

    call: Any = task.execute
    for _ in range(_MAX_RESCHEDULES):
        try:
            return _guarded(task, call, context)
        except TaskDeferred as deferred:
            event = _run_trigger(deferred.trigger, deferred.timeout)
            kwargs = {**(deferred.kwargs or {}), "event": event}
            method = deferred.method_name

            def call(context: Any, method: str = method, kwargs: Any = kwargs) -> Any:
                return task.resume_execution(method, kwargs, context)
        except AirflowRescheduleException as reschedule:
            wait = (reschedule.reschedule_date - datetime.now(timezone.utc)).total_seconds()
            time.sleep(max(0.0, wait))
            call = task.execute
    raise RuntimeError(f"task {task.task_id!r} rescheduled {_MAX_RESCHEDULES} times")


def _guarded(task: Any, call: Any, context: dict[str, Any]) -> Any:
    """Call ``call(context=...)`` as the task runner would (safeguard, timeout)."""
    from airflow.sdk.bases.operator import ExecutorSafeguard

    ctx = contextvars.copy_context()
    ctx.run(ExecutorSafeguard.tracker.set, task)
    timeout = task.execution_timeout
    if timeout is None or threading.current_thread() is not threading.main_thread():
        return ctx.run(call, context=context)
    from airflow.sdk.exceptions import AirflowTaskTimeout
    from airflow.sdk.execution_time import timeout as timeouts

    alarm: Any = timeouts.timeout

    seconds = timeout.total_seconds()
    if seconds <= 0:
        raise AirflowTaskTimeout()
    try:
        with alarm(int(seconds) or 1):
            return ctx.run(call, context=context)
    except AirflowTaskTimeout:
        task.on_kill()
        raise


def _run_trigger(trigger: Any, timeout: Any) -> Any:
    """Run a trigger until its first event (``dag.test()`` runs triggers inline too)."""

    async def first_event() -> Any:
        async for event in trigger.run():
            return event.payload
        return None

    seconds = timeout.total_seconds() if timeout is not None else None
    return asyncio.run(asyncio.wait_for(first_event(), seconds))


def _run_container(ti: LocalTaskInstance, adapters: Adapters) -> Any:
    from airflow.sdk.exceptions import AirflowException, AirflowSkipException

    task = ti.task
    if adapters.containers is None:
        raise AirflowSkipException(
            f"{type(task).__name__} needs a container runner and none is usable "
            f"({adapters.container_reason}); pass resources={{'container_runner': ...}}")
    spec = spec_for(task, ti.dag_id, ti.map_index)
    result = adapters.containers.run(spec)
    for line in result.logs.splitlines():
        print(line)
    if result.exit_code != 0:
        raise AirflowException(f"container {spec.image!r} of task {ti.task_id!r} exited with "
                               f"code {result.exit_code}")
    return result.xcom if getattr(task, "do_xcom_push", True) else None


def _push_return_value(ti: LocalTaskInstance, result: Any) -> None:
    """Airflow's ``_push_xcom_if_needed``, into the run's memory."""
    from airflow.sdk.definitions.mappedoperator import is_mappable_value
    from airflow.sdk.exceptions import UnmappableXComTypePushed, XComForMappingNotPushed

    task = ti.task
    value = result if task.do_xcom_push else None
    feeds_mapping = next(task.iter_mapped_dependants(), None) is not None
    if value is None:
        if ti.map_index < 0 and feeds_mapping:
            raise XComForMappingNotPushed()
        return
    if ti.map_index < 0 and feeds_mapping and not is_mappable_value(value):
        raise UnmappableXComTypePushed(value)
    if task.multiple_outputs:
        if not isinstance(value, Mapping):
            raise TypeError(f"Returned output was type {type(value)} expected dictionary for "
                            "multiple_outputs")
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError("Returned dictionary keys must be strings when using "
                                f"multiple_outputs, found {key} ({type(key)}) instead")
            ti.xcom_push(key, item)
    ti.xcom_push(RETURN_KEY, value)


def _state_callbacks(ti: LocalTaskInstance, context: dict[str, Any], outcome: InstanceOutcome,
                     *, last_try: bool) -> None:
    if outcome.state == SUCCESS:
        kind = "on_success_callback"
    elif outcome.state == SKIPPED:
        kind = "on_skipped_callback"
    elif last_try or not outcome.retryable:
        kind = "on_failure_callback"
    else:
        kind = "on_retry_callback"
    if outcome.error is not None:
        context["exception"] = outcome.error
    _callbacks(ti.task, kind, context)


def _callbacks(task: Any, kind: str, context: dict[str, Any]) -> None:
    """Run a task's callbacks of one kind; their errors are logged, as in Airflow."""
    for callback in getattr(task, kind, None) or ():
        try:
            callback(context)
        except Exception as exc:
            task.log.exception("%s %r failed: %s", kind, callback, exc)


@contextlib.contextmanager
def _environ(values: dict[str, str]) -> Iterator[None]:
    """Export ``values`` (the ``AIRFLOW_CTX_*`` variables) for the block only."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, old in saved.items():
            if old is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = old
