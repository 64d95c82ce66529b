"""What one in-process run of DAGs shares: its DagRuns, XComs, task records and adapters.

An :class:`AirflowRun` is handed to every task's asset function as a resource (named
:data:`RUNTIME_RESOURCE`); it also answers the Task SDK's supervisor requests
(:class:`~translators.execution._comms.LocalComms` asks it about Variables, Connections and
task instances).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from bridge._keys import AssetKey
from translators.execution._comms import LocalComms
from translators.execution._instance import DagRunView
from translators.execution._settings import ExecutionSettings, RunSecrets
from translators.execution._sql import SqlResources
from translators.execution._taskrun import Adapters
from translators.execution._xcom import XComStore

__all__ = ["RUNTIME_RESOURCE", "AirflowRun", "TaskRecord"]

#: the resource (and asset-function parameter) name of the run's :class:`AirflowRun`
RUNTIME_RESOURCE = "assetbridge_airflow_run"


@dataclass
class TaskRecord:
    """What happened to one task that ran (its asset function was called)."""

    state: str
    #: per map index, for mapped tasks
    map_states: list[str] | None = None
    reason: str | None = None
    error: BaseException | None = None
    #: failed with AirflowFailException (or a sensor timeout): not retried
    final: bool = False
    attempts: int = 1
    extra: dict[str, Any] = field(default_factory=dict)


class AirflowRun:
    """The shared state of one in-process run (see the module docstring)."""

    def __init__(self, dags: Mapping[str, Any], *, logical_date: datetime | None,
                 params: Mapping[str, Any] | None, settings: ExecutionSettings,
                 adapters: Adapters, sql: SqlResources) -> None:
        self.dags = dict(dags)
        self.logical_date = logical_date
        self.params = dict(params or {})
        self.settings = settings
        self.adapters = adapters
        self.xcoms = XComStore()
        self.records: dict[tuple[str, str], TaskRecord] = {}
        #: (dag_id, task_id) -> the task's asset key (set once the assets are built)
        self.asset_keys: dict[tuple[str, str], AssetKey] = {}
        self.secrets = RunSecrets(settings, sql.urls())
        self.comms = LocalComms(self.xcoms, self)
        self._views: dict[str, DagRunView] = {}
        self._lock = threading.Lock()

    # --- per-DAG runs --------------------------------------------------------------------

    def view(self, dag_id: str) -> DagRunView:
        """The run of ``dag_id`` (its ``DagRun`` is created on first use)."""
        with self._lock:
            if dag_id not in self._views:
                self._views[dag_id] = DagRunView(self._dag_run(self.dags[dag_id]), self.xcoms,
                                                 {})
            return self._views[dag_id]

    def _dag_run(self, dag: Any) -> Any:
        from airflow.sdk.api.datamodels._generated import DagRun, DagRunState, DagRunType

        now = datetime.now(timezone.utc)
        run_after = self.settings.run_after or self.logical_date or now
        start, end = _data_interval(dag, self.logical_date)
        return DagRun(
            dag_id=dag.dag_id, run_id=f"manual__{run_after.isoformat()}",
            logical_date=self.logical_date, data_interval_start=start, data_interval_end=end,
            run_after=run_after, start_date=now, end_date=None, run_type=DagRunType.MANUAL,
            state=DagRunState.RUNNING, conf=dict(self.params), consumed_asset_events=[],
            partition_key=None, triggering_user_name="assetbridge",
        )

    def run_ids(self) -> dict[str, str]:
        """dag_id -> Airflow run id, for the DAGs whose tasks ran."""
        with self._lock:
            return {dag_id: view.run_id for dag_id, view in self._views.items()}

    # --- RunFacts (answers for LocalComms) -------------------------------------------------

    def variable(self, key: str) -> str | None:
        """A Variable given to the run (environment variables are read by Airflow first)."""
        return self.secrets.variable(key)

    def connection(self, conn_id: str) -> dict[str, Any] | None:
        """A Connection given to the run, or derived from a SQL resource."""
        return self.secrets.connection(conn_id)

    def asset(self, name: str | None, uri: str | None) -> Any:
        """An Airflow Asset named in the loaded DAGs (inlets, outlets), by name or URI."""
        from airflow.sdk import Asset

        for dag in self.dags.values():
            for task in dag.tasks:
                for item in (*task.inlets, *task.outlets):
                    if isinstance(item, Asset) and (item.name == name or item.uri == uri):
                        return item
        return None

    def map_count(self, dag_id: str, task_id: str) -> int:
        """How many instances ``task_id`` has in this run (1 unless mapped)."""
        view = self._views.get(dag_id)
        return view.map_counts.get(task_id, 1) if view is not None else 1

    def task_state(self, dag_id: str, task_id: str) -> str | None:
        """The state of a task that ran in this run."""
        record = self.records.get((dag_id, task_id))
        return record.state if record is not None else None

    def task_instance_states(self, dag_id: str, task_id: str) -> list[str] | None:
        """The states of a task's instances (one per map index) if it ran in this run."""
        record = self.records.get((dag_id, task_id))
        if record is None:
            return None
        return list(record.map_states) if record.map_states else [record.state]

    def dag_task_ids(self, dag_id: str) -> list[str] | None:
        """The task ids of a DAG this run loaded, or None."""
        dag = self.dags.get(dag_id)
        return None if dag is None else sorted(dag.task_ids)

    def dag_leaf_ids(self, dag_id: str) -> list[str]:
        """The ids of a loaded DAG's tasks without downstream tasks."""
        dag = self.dags.get(dag_id)
        return [] if dag is None else sorted(t.task_id for t in dag.leaves)


def _data_interval(dag: Any, logical_date: datetime | None) -> tuple[Any, Any]:
    """The data interval a manual run at ``logical_date`` gets (as ``dag.test()`` computes
    it from the DAG's timetable), or ``(logical_date, logical_date)``."""
    if logical_date is None:
        return None, None
    try:
        from airflow.serialization.encoders import coerce_to_core_timetable

        interval = coerce_to_core_timetable(dag.timetable).infer_manual_data_interval(
            run_after=logical_date)
        return interval.start, interval.end
    except Exception:  # a timetable Airflow core cannot load here (e.g. from a plugin)
        return logical_date, logical_date
