"""The result of an in-process DAG run: per-task Airflow states and XCom values."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bridge.errors import SelectionError
from bridge.runner import RunResult
from translators.execution._xcom import RETURN_KEY, XComStore
from translators.model import Diagnostic

__all__ = ["DagRunResult"]


@dataclass(frozen=True)
class DagRunResult:
    """What :func:`~translators.execution.run_dags` did, for assertions in tests.

    ``dag_id`` may be left out of every lookup when the run covered a single DAG.
    """

    #: the bridge run (recorded in the store like any bridge run)
    run: RunResult
    #: dag_id -> Airflow run id (``manual__<run_after>``) of each DAG that ran
    airflow_run_ids: dict[str, str]
    logical_date: datetime | None
    #: (dag_id, task_id) -> ``success`` | ``failed`` | ``skipped`` | ``upstream_failed``
    task_states: dict[tuple[str, str], str]
    #: (dag_id, task_id) -> the state of each map index, for mapped tasks that ran
    map_states: dict[tuple[str, str], list[str]]
    xcoms: XComStore = field(repr=False)
    #: problems reading the DAG files (files that failed to import ...)
    diagnostics: tuple[Diagnostic, ...] = ()

    @property
    def success(self) -> bool:
        """True when no task failed (skips are fine, as in Airflow)."""
        return self.run.success

    @property
    def run_id(self) -> str:
        """The bridge run id (``assetbridge runs show RUN_ID``)."""
        return self.run.run_id

    @property
    def dag_ids(self) -> list[str]:
        """The DAGs that had tasks in the run, sorted."""
        return sorted({dag_id for dag_id, _ in self.task_states})

    def state(self, task_id: str, dag_id: str | None = None) -> str:
        """The Airflow state of one task (``success``, ``failed``, ``skipped`` ...)."""
        return self.task_states[(self._dag(dag_id), task_id)]

    def states(self, dag_id: str | None = None) -> dict[str, str]:
        """task_id -> Airflow state, for one DAG."""
        dag = self._dag(dag_id)
        return {task: state for (d, task), state in sorted(self.task_states.items())
                if d == dag}

    def xcom(self, task_id: str, key: str = RETURN_KEY, *, dag_id: str | None = None,
             map_index: int | None = None) -> Any:
        """An XCom value as ``ti.xcom_pull`` returns it (a mapped task: all its values)."""
        dag = self._dag(dag_id)
        if map_index is not None:
            return self.xcoms.get_one(dag, task_id, key, map_index)
        return self.xcoms.pull(dag, task_id, key)

    def return_values(self, dag_id: str | None = None) -> dict[str, Any]:
        """task_id -> return value, for the tasks of one DAG that pushed one."""
        dag = self._dag(dag_id)
        return {task: self.xcoms.pull(dag, task) for (d, task) in sorted(self.task_states)
                if d == dag and self.xcoms.has(dag, task)}

    def to_json(self) -> dict[str, Any]:
        """The ``assetbridge run --json`` document (the bridge run contract)."""
        return self.run.to_json()

    def _dag(self, dag_id: str | None) -> str:
        if dag_id is not None:
            return dag_id
        dags = self.dag_ids
        if len(dags) != 1:
            raise SelectionError(f"this run covered DAGs {dags}; pass dag_id= to say which")
        return dags[0]
