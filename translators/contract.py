"""What translation produces, and the ``assetbridge translate --json`` document.

:class:`AssetTranslation` (built by :func:`translators.to_assets.dags_to_assets`) holds the
asset definitions and one :class:`AssetRecord` per asset; :func:`translate_document` writes
the stable JSON contract from ``design.md``. Every list is sorted, so the same input always
prints the same bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bridge._asset import Asset
from bridge._graph import AssetGraph
from translators.model import DagInfo, Diagnostic, ReadResult, TaskInfo

__all__ = ["AssetRecord", "AssetTranslation", "diagnostic_order", "translate_document"]

#: operator class names that Airflow reports but the contract spells the way users write them
_OPERATOR_NAMES = {"_PythonDecoratedOperator": "@task"}


@dataclass(frozen=True, slots=True)
class AssetRecord:
    """One asset as the contract's ``assets`` list shows it."""

    #: the ``/``-separated key (an Airflow asset keeps its name, or URI when unnamed)
    key: str
    #: upstream keys, sorted
    deps: tuple[str, ...]
    #: the producing DAG and task; None for a source asset
    dag_id: str | None
    task_id: str | None
    #: the asset group (the DAG id by default, ``external`` for source assets)
    group: str

    def to_json(self) -> dict[str, Any]:
        """The contract's ``assets`` item."""
        return {"key": self.key, "deps": list(self.deps), "dag_id": self.dag_id,
                "task_id": self.task_id, "group": self.group}


@dataclass(frozen=True)
class AssetTranslation:
    """The asset graph across DAGs: definitions, contract records and diagnostics."""

    #: definitions :meth:`bridge.AssetGraph.from_assets` accepts (graph-only: see
    #: :mod:`translators.to_assets`)
    assets: list[Asset]
    #: one record per asset key, sorted by key
    records: list[AssetRecord]
    #: problems found while translating (the readers' diagnostics are not repeated here)
    diagnostics: list[Diagnostic]
    #: the validated graph; None when it has a cycle (see the ``asset-cycle`` diagnostic)
    graph: AssetGraph | None = None

    @property
    def has_errors(self) -> bool:
        """True when any translation diagnostic is an error."""
        return any(d.level == "error" for d in self.diagnostics)

    def cross_dag_edges(self) -> list[tuple[str, str]]:
        """``(upstream key, downstream key)`` pairs whose producers are different DAGs."""
        producer = {record.key: record.dag_id for record in self.records}
        return sorted(
            (dep, record.key) for record in self.records for dep in record.deps
            if record.dag_id is not None and producer.get(dep) not in (None, record.dag_id)
        )


def translate_document(result: ReadResult, translation: AssetTranslation) -> dict[str, Any]:
    """The ``translate --json`` document for what a reader found and its asset graph.

    Args:
        result: the reader's DAGs and diagnostics.
        translation: ``dags_to_assets(result)``; its diagnostics join the reader's.

    Returns:
        ``{"dags": [...], "assets": [...], "diagnostics": [...]}``, every list sorted.

    Examples:
        >>> from translators.to_assets import dags_to_assets
        >>> found = ReadResult(dags=(DagInfo(dag_id="etl", file="dags/etl.py", line=3,
        ...     schedule="@daily", tasks=(TaskInfo(task_id="load", operator="BashOperator",
        ...     line=5),)),))
        >>> document = translate_document(found, dags_to_assets(found))
        >>> document["dags"][0]["tasks"]
        [{'task_id': 'load', 'operator': 'BashOperator', 'upstream': [], 'group': None, 'line': 5}]
        >>> document["assets"]
        [{'key': 'etl/load', 'deps': [], 'dag_id': 'etl', 'task_id': 'load', 'group': 'etl'}]
    """
    dags = sorted(result.dags, key=lambda dag: (dag.dag_id, dag.file, dag.line or 0))
    records = sorted(translation.records, key=lambda record: record.key)
    diagnostics = sorted({*result.diagnostics, *translation.diagnostics}, key=diagnostic_order)
    return {
        "dags": [_dag_json(dag) for dag in dags],
        "assets": [record.to_json() for record in records],
        "diagnostics": [_diagnostic_json(diagnostic) for diagnostic in diagnostics],
    }


def diagnostic_order(diagnostic: Diagnostic) -> tuple[str, int, str, str, str, str, str]:
    """Sort key for diagnostics: file, line, code, message, then DAG, task and level."""
    return (*diagnostic.sort_key(), diagnostic.dag_id or "", diagnostic.task_id or "",
            diagnostic.level)


def _dag_json(dag: DagInfo) -> dict[str, Any]:
    return {
        "dag_id": dag.dag_id,
        "file": dag.file,
        "line": dag.line,
        "schedule": dag.schedule,
        "tasks": [_task_json(task) for task in sorted(dag.tasks, key=lambda t: t.task_id)],
    }


def _task_json(task: TaskInfo) -> dict[str, Any]:
    return {
        "task_id": task.task_id,
        "operator": _OPERATOR_NAMES.get(task.operator, task.operator),
        "upstream": sorted(task.upstream),
        "group": task.group,
        "line": task.line,
    }


def _diagnostic_json(diagnostic: Diagnostic) -> dict[str, Any]:
    return {
        "level": diagnostic.level,
        "code": diagnostic.code,
        "message": diagnostic.message,
        "file": diagnostic.file,
        "line": diagnostic.line,
        "dag_id": diagnostic.dag_id,
        "task_id": diagnostic.task_id,
    }
