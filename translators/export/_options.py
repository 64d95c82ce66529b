"""What an export decides: DAG grouping, schedules, environment, store and Airflow version."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from bridge.errors import BridgeError

__all__ = ["ExportError", "ExportOptions", "Target"]

#: the Airflow a DAG is written for
Target = Literal["airflow3", "airflow2"]


class ExportError(BridgeError):
    """Assets cannot be exported as asked (bad option, Airflow missing, unsafe name)."""


class ExportOptions(BaseModel):
    """How assets become Airflow DAGs.

    Examples:
        >>> ExportOptions(group_by="one", schedule="@daily").schedule_for("assets")
        '@daily'
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    target: Target = "airflow3"
    #: ``group``: one DAG per asset group; ``one``: one DAG for everything. ``jobs`` wins.
    group_by: Literal["group", "one"] = "group"
    #: (name, selection) pairs: one DAG per job; an asset goes to the first job selecting it
    jobs: tuple[tuple[str, str], ...] = ()
    #: split a label's assets where one DAG would make a first task wait for assets it does
    #: not read (exact asset schedules; round trips give the same asset graph)
    split: bool = True
    #: schedule of DAGs with neither time partitions nor upstream DAGs (None: manual runs)
    schedule: str | None = None
    #: per DAG label (group or job name): a schedule that overrides ``schedule``
    schedules: dict[str, str] = Field(default_factory=dict)
    #: let Airflow create runs for past intervals (time-partitioned DAGs start at the
    #: partitions' start)
    catchup: bool = False
    #: start date of DAGs that are not time-partitioned
    start_date: str = "2024-01-01"
    #: environment of assetbridge.toml whose resources the tasks use (None: default_env)
    env: str | None = None
    #: run storage URL the tasks record into; ``${VAR}`` is read when the task runs
    store: str | None = None
    #: prefix of every DAG id
    dag_id_prefix: str = ""
    #: airflow2: the interpreter that has assetbridge (``$ASSETBRIDGE_PYTHON`` wins)
    python: str | None = None
    #: how tasks load the assets when they run: a file path or module name (default: the
    #: exported target)
    assets_target: str | None = None
    #: the command that produced the files, recorded in their header
    command: str | None = None

    def schedule_for(self, label: str) -> str | None:
        """The schedule of an unpartitioned DAG that no other DAG feeds."""
        return self.schedules.get(label, self.schedule)
