"""Run Airflow DAGs in-process, task by task, through the bridge runner.

Each task becomes an asset (key ``dag_id/task_id``) whose function runs the original
operator: templates rendered by Airflow, XComs kept in memory, Variables and Connections
from the environment or given files, SQL operators against SQLAlchemy resources, container
operators through a pluggable runner. Needs the ``airflow`` extra; Airflow is imported only
when a run starts.

Examples:
    >>> from translators.execution import airflow_state, ExecutionSettings
    >>> ExecutionSettings().max_workers
    1
"""

from __future__ import annotations

from translators.execution._containers import (
    ContainerResult,
    ContainerRunner,
    ContainerSpec,
    FakeContainerRunner,
    LocalContainerRunner,
)
from translators.execution._result import DagRunResult
from translators.execution._run import run_dags
from translators.execution._settings import ExecutionSettings
from translators.execution._states import airflow_state

__all__ = [
    "ContainerResult",
    "ContainerRunner",
    "ContainerSpec",
    "DagRunResult",
    "ExecutionSettings",
    "FakeContainerRunner",
    "LocalContainerRunner",
    "airflow_state",
    "run_dags",
]
