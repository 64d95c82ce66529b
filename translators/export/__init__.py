"""Assets to Airflow: DAG files (``assetbridge export``) or live DAG objects (``airflow_dags``).

Each asset definition becomes one task; dependencies inside a DAG become task edges and
dependencies across DAGs become Airflow asset schedules (outlets on the producer, the
consumer scheduled on them). Nothing here imports Airflow until DAG objects are built or a
task runs (:mod:`translators.export.operator`, :mod:`translators.export.runtime`).
"""

from __future__ import annotations

from translators.export._files import ExportedFile, ExportResult, export_dags, render_files
from translators.export._live import airflow_dags
from translators.export._options import ExportError, ExportOptions, Target
from translators.export._plan import DagPlan, ExportPlan, TaskPlan, plan_export

__all__ = [
    "DagPlan",
    "ExportError",
    "ExportOptions",
    "ExportPlan",
    "ExportResult",
    "ExportedFile",
    "Target",
    "TaskPlan",
    "airflow_dags",
    "export_dags",
    "plan_export",
    "render_files",
]
