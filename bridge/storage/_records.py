"""Records kept in run storage: runs, per-asset events and backfills."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bridge._types import EventKind, RunStatus

__all__ = ["AssetEvent", "BackfillRecord", "CatalogAsset", "RunRecord"]


@dataclass(frozen=True, slots=True)
class RunRecord:
    """One run of the runner."""

    run_id: str
    status: RunStatus
    started_at: float
    finished_at: float | None = None
    #: what was run (a file, a module, or "python")
    target: str | None = None
    #: the asset keys the run was asked to materialize
    selection: tuple[str, ...] = ()
    partition: str | None = None
    #: the run this one re-executes (``--from-failure``)
    parent_run_id: str | None = None
    backfill_id: str | None = None
    tags: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class AssetEvent:
    """What happened to one asset (and partition) in one run."""

    run_id: str
    asset_key: str
    kind: EventKind
    timestamp: float
    partition: str | None = None
    code_version: str | None = None
    data_version: str | None = None
    #: hash of the validated run config the asset received
    config_hash: str | None = None
    #: upstream key -> {"event_id", "run_id", "data_version", "partition"} consumed
    upstream: dict[str, Any] = field(default_factory=dict)
    metadata: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    seconds: float | None = None
    logs: str | None = None
    #: who recorded it: "bridge", "airflow", "openlineage", ...
    source: str = "bridge"
    #: assigned by the store, increasing with insertion order
    event_id: int | None = None


@dataclass(frozen=True, slots=True)
class BackfillRecord:
    """A backfill: one selection over a range of partitions, resumable."""

    backfill_id: str
    selection: tuple[str, ...]
    partitions: tuple[str, ...]
    status: RunStatus
    created_at: float
    target: str | None = None


@dataclass(frozen=True, slots=True)
class CatalogAsset:
    """An asset definition imported into the catalog (from Airflow, OpenLineage, ...).

    The catalog holds assets that no asset module defines: what a lineage import found.
    Their history is ordinary :class:`AssetEvent` rows (``source`` says where they came
    from), so ``history``, ``latest_events`` and ``event_counts`` answer for them too.
    """

    #: the ``/``-separated asset key (an Airflow asset keeps its name, or URI when unnamed)
    key: str
    #: the asset group (the producing DAG id, ``external`` for assets nothing produces)
    group: str
    #: upstream asset keys, sorted
    deps: tuple[str, ...] = ()
    #: the Airflow DAG and task that produce it; None for a source asset
    dag_id: str | None = None
    task_id: str | None = None
    #: who defined it: ``airflow-db``, ``airflow-api``, ``openlineage``, ...
    source: str = "airflow-db"
    #: free-form details (Airflow URI, operator, OpenLineage namespace, ...)
    metadata: dict[str, Any] = field(default_factory=dict)
