"""The Airflow-side representation: DAGs, tasks and diagnostics as plain, frozen data.

Both readers produce it (the static reader from source text, the live reader from
Airflow's DagBag); everything downstream (asset graph, JSON contract, execution) consumes
it. Nothing here imports Airflow.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "AssetExpression",
    "AssetRef",
    "DagInfo",
    "Diagnostic",
    "ReadResult",
    "TaskInfo",
]

_FROZEN = ConfigDict(frozen=True, extra="forbid")

#: severity of a diagnostic; ``error`` makes ``assetbridge translate`` exit non-zero
Level = Literal["error", "warning", "info"]


class Diagnostic(BaseModel):
    """Something a reader could not resolve, or a limitation worth knowing."""

    model_config = _FROZEN

    level: Level
    #: stable machine code, e.g. ``syntax-error``, ``unresolved-dependency``
    code: str
    message: str
    file: str | None = None
    line: int | None = None
    dag_id: str | None = None
    task_id: str | None = None

    def sort_key(self) -> tuple[str, int, str, str]:
        """Deterministic order: file, line, code, message."""
        return (self.file or "", self.line or 0, self.code, self.message)


class AssetRef(BaseModel):
    """An Airflow Asset (Dataset in Airflow 2) or AssetAlias named in outlets, inlets or a
    schedule. Its bridge key is the name, or the URI when it has no name."""

    model_config = _FROZEN

    name: str | None = None
    uri: str | None = None
    kind: Literal["asset", "alias"] = "asset"

    @property
    def key(self) -> str:
        """The asset key assetbridge uses (the Airflow name, else the URI)."""
        return self.name or self.uri or "?"


class AssetExpression(BaseModel):
    """An asset schedule: one asset, or ``&`` / ``|`` of sub-expressions."""

    model_config = _FROZEN

    op: Literal["asset", "and", "or"]
    asset: AssetRef | None = None
    items: tuple[AssetExpression, ...] = ()

    def assets(self) -> list[AssetRef]:
        """Every asset mentioned, left to right."""
        if self.asset is not None:
            return [self.asset]
        return [ref for item in self.items for ref in item.assets()]


class TaskInfo(BaseModel):
    """One Airflow task."""

    model_config = _FROZEN

    #: the full id Airflow uses (task-group prefixes included)
    task_id: str
    #: the operator class as written (``@task`` for TaskFlow, ``@task.bash`` ...)
    operator: str
    #: the module the operator class comes from, when known
    operator_module: str | None = None
    #: literal keyword arguments (values that are not literals are kept as source text)
    kwargs: dict[str, Any] = Field(default_factory=dict)
    #: upstream task ids, sorted
    upstream: tuple[str, ...] = ()
    #: the innermost task group id, or None
    group: str | None = None
    trigger_rule: str | None = None
    retries: int | None = None
    outlets: tuple[AssetRef, ...] = ()
    inlets: tuple[AssetRef, ...] = ()
    #: dynamic task mapping (``.partial().expand()``)
    mapped: bool = False
    is_setup: bool = False
    is_teardown: bool = False
    #: the Python callable's name (PythonOperator / TaskFlow), when known
    callable_name: str | None = None
    #: TaskFlow argument name -> upstream task id whose return value it receives
    data_inputs: dict[str, str] = Field(default_factory=dict)
    line: int | None = None


class DagInfo(BaseModel):
    """One Airflow DAG."""

    model_config = _FROZEN

    dag_id: str
    file: str
    line: int | None = None
    #: cron/preset/timedelta as written, ``None`` for unscheduled; asset schedules are
    #: shown as an expression like ``orders & customers``
    schedule: str | None = None
    schedule_assets: AssetExpression | None = None
    tags: tuple[str, ...] = ()
    params: dict[str, Any] = Field(default_factory=dict)
    default_args: dict[str, Any] = Field(default_factory=dict)
    description: str | None = None
    tasks: tuple[TaskInfo, ...] = ()

    def task(self, task_id: str) -> TaskInfo:
        """The task called ``task_id``; raises KeyError."""
        for task in self.tasks:
            if task.task_id == task_id:
                return task
        raise KeyError(task_id)


class ReadResult(BaseModel):
    """What a reader found in some files: DAGs plus per-file diagnostics."""

    model_config = _FROZEN

    dags: tuple[DagInfo, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = ()
    #: which reader produced each file's DAGs: file -> "static" | "live"
    readers: dict[str, str] = Field(default_factory=dict)

    @property
    def has_errors(self) -> bool:
        """True when any diagnostic is an error."""
        return any(d.level == "error" for d in self.diagnostics)
