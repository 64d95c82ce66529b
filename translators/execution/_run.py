"""``run_dags``: run Airflow DAGs (or a selection of their tasks) in-process."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from bridge._graph import AssetGraph
from bridge._keys import AssetKey
from bridge._selection import select as select_keys
from bridge.errors import BridgeError
from bridge.io import InMemoryIOManager, InputContext, IOManager
from bridge.runner import AssetResult, RunHooks, RunOptions, materialize
from bridge.storage import Store
from translators._airflow_env import airflow_environment
from translators.execution._assets import dag_assets
from translators.execution._comms import installed
from translators.execution._containers import ContainerRunner
from translators.execution._loading import dag_folders, load_dags, on_sys_path, parse_logical_date
from translators.execution._result import DagRunResult
from translators.execution._runtime import RUNTIME_RESOURCE, AirflowRun, TaskRecord
from translators.execution._settings import ExecutionSettings
from translators.execution._socket import needs_subprocess_channel, subprocess_channel
from translators.execution._sql import SqlResources
from translators.execution._states import FAILED, SKIPPED, UPSTREAM_FAILED, airflow_state
from translators.execution._taskrun import Adapters
from translators.execution._xcom import RETURN_KEY
from translators.model import Diagnostic
from translators.translator import AirflowTranslator

__all__ = ["CONTAINER_RUNNER", "run_dags"]

#: the resources key of the container runner (every other key names a SQL conn_id)
CONTAINER_RUNNER = "container_runner"
_IO_MANAGER = "io_manager"


def run_dags(
    paths: str | Path | Sequence[str | Path],
    *,
    dag_id: str | None = None,
    select: str | None = None,
    logical_date: str | date | datetime | None = None,
    params: Mapping[str, Any] | None = None,
    resources: Mapping[str, Any] | None = None,
    store: Store | str | None = None,
    settings: ExecutionSettings | None = None,
    translator: AirflowTranslator | None = None,
    hooks: Sequence[RunHooks] = (),
) -> DagRunResult:
    """Run the tasks of Airflow DAG files in this process, through the bridge runner.

    Args:
        paths: DAG files and folders.
        dag_id: run only this DAG of the files.
        select: a bridge selection over the task assets (``etl/transform+``).
        logical_date: the run's logical date (``ds``, ``data_interval_*``); default now.
        params: DAG params for the run (``dag_run.conf``), validated like Airflow does.
        resources: conn_id -> SQLAlchemy URL or ``Engine`` for SQL operators (e.g.
            ``{"postgres_default": "sqlite:///test.db"}``); ``"container_runner"``: a
            :class:`ContainerRunner` (default: local docker/podman when usable);
            ``"io_manager"``: where task values are kept (default: memory).
        store: the run store (object or SQLAlchemy URL); default a fresh in-memory one.
        settings: Variables, Connections, retry delay and other rarely changed settings.
        translator: keys and groups of the task assets (default ``dag_id/task_id``).
        hooks: bridge run hooks (progress display ...).

    Returns:
        The per-task Airflow states and XCom values, and the bridge run.

    Raises:
        TranslationError: Airflow is not installed, or no DAG was found.
        BridgeError: a bad selection or resource (before anything runs).
    """
    settings = settings or ExecutionSettings()
    path_list = [paths] if isinstance(paths, (str, Path)) else list(paths)
    given = dict(resources or {})
    sql = SqlResources({k: v for k, v in given.items() if k not in (CONTAINER_RUNNER,
                                                                    _IO_MANAGER)})
    io_manager = given.get(_IO_MANAGER) or InMemoryIOManager()
    with airflow_environment(), on_sys_path(dag_folders(path_list)):
        dags, diagnostics = load_dags(path_list, dag_id, reload=settings.reload_dags)
        assets = dag_assets(dags, translator, retry_delay=settings.retry_delay)
        run = AirflowRun({dag.dag_id: dag for dag in dags},
                         logical_date=parse_logical_date(logical_date) or _now(),
                         params=params, settings=settings,
                         adapters=_adapters(sql, given.get(CONTAINER_RUNNER)), sql=sql)
        graph = AssetGraph.from_assets(assets)
        run.asset_keys = {}  # a task with several outlets: its first key
        for key in graph.keys:
            run.asset_keys.setdefault(_task_ref(graph, key), key)
        _seed_upstream_xcoms(run, graph, select, io_manager)
        selection, not_created = _outside_dates(run, graph, select)
        diagnostics += not_created
        options = RunOptions(hooks=[_StateRecorder(run, graph), *hooks],
                             target=_target(path_list),
                             max_workers=settings.max_workers,
                             tags={"airflow": "true", **settings.tags})
        try:
            channel = (subprocess_channel(run.comms) if needs_subprocess_channel(dags)
                       else contextlib.nullcontext())
            with installed(run.comms), channel:
                result = materialize(graph, selection=selection, store=store, options=options,
                                     resources={RUNTIME_RESOURCE: run, _IO_MANAGER: io_manager})
        finally:
            sql.close()
    return DagRunResult(
        run=result, airflow_run_ids=run.run_ids(), logical_date=run.logical_date,
        task_states={key: record.state for key, record in sorted(run.records.items())},
        map_states={key: list(record.map_states) for key, record in sorted(run.records.items())
                    if record.map_states is not None},
        xcoms=run.xcoms, diagnostics=diagnostics,
    )


def _now() -> datetime:
    from datetime import timezone

    return datetime.now(timezone.utc)


def _target(paths: list[str | Path]) -> str:
    return ",".join(str(Path(p).resolve()) for p in paths)


def _adapters(sql: SqlResources, runner: ContainerRunner | None) -> Adapters:
    return Adapters(sql, runner)


def _outside_dates(run: AirflowRun, graph: AssetGraph, selection: str | None
                   ) -> tuple[str | frozenset[AssetKey] | None, tuple[Diagnostic, ...]]:
    """Airflow creates no task instance for a task whose ``start_date`` is after the run's
    logical date or whose ``end_date`` is before it (``DagRun.verify_integrity``); such a
    task does not run, nor do the tasks downstream of it (they would wait for it forever).
    The selection without them, and a warning per DAG concerned."""
    logical_date = run.logical_date
    if logical_date is None:
        return selection, ()
    late = [(dag.dag_id, task) for dag in run.dags.values() for task in dag.tasks
            if not _has_instance(task, logical_date)]
    if not late:
        return selection, ()
    refs = {(dag_id, task.task_id) for dag_id, task in late}
    keys = {key for key in graph.keys if _task_ref(graph, key) in refs}
    blocked = keys | {down for key in keys for down in graph.descendants(key)
                      if graph.spec(down).metadata.get("dag_id") == graph.spec(key).metadata.get(
                          "dag_id")}
    chosen = select_keys(graph, selection) - blocked
    warnings = []
    for dag_id in sorted({dag_id for dag_id, _ in late}):
        tasks = sorted(task.task_id for d, task in late if d == dag_id)
        shown = ", ".join(tasks[:5]) + (f" and {len(tasks) - 5} more" if len(tasks) > 5 else "")
        warnings.append(Diagnostic(
            level="warning", code="outside-task-dates", dag_id=dag_id,
            file=run.dags[dag_id].fileloc,
            message=(f"logical date {logical_date.isoformat()} is outside the start/end "
                     f"dates of {shown} in DAG {dag_id!r}; Airflow creates no task instance "
                     "for them, so they and their downstream tasks do not run (pick a later "
                     "--logical-date)")))
    return chosen, tuple(warnings)


def _task_ref(graph: AssetGraph, key: AssetKey) -> tuple[str, str]:
    """``(dag_id, task_id)`` of the task that maintains ``key``."""
    metadata = graph.spec(key).metadata
    return str(metadata["dag_id"]), str(metadata["task_id"])


def _has_instance(task: Any, logical_date: datetime) -> bool:
    start, end = getattr(task, "start_date", None), getattr(task, "end_date", None)
    return (start is None or start <= logical_date) and (end is None or logical_date <= end)


def _seed_upstream_xcoms(run: AirflowRun, graph: AssetGraph, selection: str | None,
                         io_manager: IOManager) -> None:
    """Tasks outside a partial selection do not run; their last stored values (if the
    I/O manager has them) are their return values for the selected tasks to pull."""
    if selection is None:
        return
    selected = select_keys(graph, selection)
    upstream = {dep for key in selected for dep in graph.spec(key).deps} - selected
    for key in sorted(upstream):
        metadata = graph.spec(key).metadata
        try:
            value = io_manager.load_input(InputContext(key, graph.spec(key), None))
        except (BridgeError, OSError):
            continue  # never materialized: no XCom, as for a task that pushed nothing
        if value is not None:
            run.xcoms.push(metadata["dag_id"], metadata["task_id"], RETURN_KEY, value)


class _StateRecorder:
    """Records the Airflow state of tasks the bridge runner decided about without calling
    their function (trigger rules, branch skips), so downstream setup/teardown rules and
    the result see every task."""

    def __init__(self, run: AirflowRun, graph: AssetGraph) -> None:
        self.run = run
        self._refs = {key: _task_ref(graph, key) for key in graph.keys}

    def on_run_start(self, **_: Any) -> None:
        """Nothing to do."""

    def before_asset(self, **_: Any) -> None:
        """Nothing to do."""

    def after_asset(self, *, result: AssetResult, **_: Any) -> None:
        """Record the state of a task whose function did not record one."""
        ref = self._refs.get(result.key)
        if ref is None:
            return
        state = airflow_state(result)
        record = self.run.records.get(ref)
        if record is None:  # decided by the bridge: trigger rule or branch skip
            if state == SKIPPED and not (result.error or "").startswith("skipped: skipped by"):
                state = self._propagated(ref, state)
            self.run.records[ref] = TaskRecord(state, reason=result.error)
        elif state == FAILED and record.state != FAILED:
            record.state = state  # the task ran, but its value could not be stored

    def on_run_end(self, **_: Any) -> None:
        """Nothing to do."""

    def _propagated(self, ref: tuple[str, str], state: str) -> str:
        """A task skipped because an upstream ended ``upstream_failed`` (as a setup rule
        decided) is ``upstream_failed`` too, as Airflow would mark it."""
        task = self.run.dags[ref[0]].get_task(ref[1])
        ups = [self.run.records.get((ref[0], up)) for up in task.upstream_task_ids]
        if any(r is not None and r.state == UPSTREAM_FAILED for r in ups):
            return UPSTREAM_FAILED
        return state
