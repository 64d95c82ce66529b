"""The Store contract: what the runner and the status queries need from run storage."""

from __future__ import annotations

import abc
from collections.abc import Iterable, Mapping, Sequence

from bridge._types import EventKind, RunStatus
from bridge.storage._records import AssetEvent, BackfillRecord, CatalogAsset, RunRecord

__all__ = ["Store"]


class Store(abc.ABC):
    """Run storage: runs, per-asset events, backfills and the asset catalog.

    Implementations: :class:`~bridge.storage.InMemoryStore` and
    :class:`~bridge.storage.SqlStore` (SQLite file or PostgreSQL). Every write is atomic.

    The asset catalog holds asset definitions imported from elsewhere (an Airflow metadata
    database, OpenLineage events, Airflow's REST API), for views that show imported and
    bridge-defined assets together (``assetbridge assets``, the web UI). Its API:

    - :meth:`put_catalog` (assets + their history + import watermarks, one transaction),
    - :meth:`catalog` / :meth:`catalog_asset` (definitions, sorted by key),
    - :meth:`event_counts` (materializations per key), :meth:`watermark`.

    History of imported assets is ordinary events (``AssetEvent.source`` = ``airflow``,
    ``openlineage``, ...), read with :meth:`history` and :meth:`latest_events`.
    """

    # --- runs -------------------------------------------------------------------------------
    @abc.abstractmethod
    def add_run(self, run: RunRecord) -> None:
        """Record a new run."""

    @abc.abstractmethod
    def finish_run(self, run_id: str, status: RunStatus, finished_at: float) -> None:
        """Set a run's final status."""

    @abc.abstractmethod
    def get_run(self, run_id: str) -> RunRecord | None:
        """One run, or None."""

    @abc.abstractmethod
    def list_runs(self, limit: int = 50) -> list[RunRecord]:
        """The newest runs first."""

    # --- events -----------------------------------------------------------------------------
    @abc.abstractmethod
    def add_events(self, events: Sequence[AssetEvent]) -> list[AssetEvent]:
        """Append events in one transaction; returns them with ``event_id`` set."""

    @abc.abstractmethod
    def events_for_run(self, run_id: str) -> list[AssetEvent]:
        """Every event of a run, in insertion order."""

    @abc.abstractmethod
    def latest_events(
        self, kind: EventKind, keys: Iterable[str] | None = None
    ) -> dict[str, AssetEvent]:
        """The newest event of ``kind`` per asset key (any partition): the latest
        ``timestamp``; of events with the same timestamp, the last recorded. (Imported
        history may be recorded after newer events.)"""

    @abc.abstractmethod
    def latest_partition_events(self, keys: Iterable[str]) -> dict[str, dict[str, AssetEvent]]:
        """Per key, per partition: the newest materialization or failure event (by
        ``timestamp``, then the last recorded)."""

    @abc.abstractmethod
    def history(self, key: str, limit: int = 100) -> list[AssetEvent]:
        """Materialization and failure events of one asset, newest first (by
        ``timestamp``, then the last recorded first)."""

    # --- backfills --------------------------------------------------------------------------
    @abc.abstractmethod
    def add_backfill(self, backfill: BackfillRecord) -> None:
        """Record a new backfill."""

    @abc.abstractmethod
    def get_backfill(self, backfill_id: str) -> BackfillRecord | None:
        """One backfill, or None."""

    @abc.abstractmethod
    def set_backfill_status(self, backfill_id: str, status: RunStatus) -> None:
        """Update a backfill's status."""

    @abc.abstractmethod
    def backfill_runs(self, backfill_id: str) -> list[RunRecord]:
        """Runs that belong to a backfill, oldest first."""

    @abc.abstractmethod
    def event_counts(self, kind: EventKind, keys: Iterable[str] | None = None) -> dict[str, int]:
        """How many events of ``kind`` each asset key has (keys without any are left out)."""

    # --- asset catalog ----------------------------------------------------------------------
    @abc.abstractmethod
    def put_catalog(
        self, assets: Sequence[CatalogAsset], events: Sequence[AssetEvent] = (), *,
        watermarks: Mapping[str, str] | None = None,
    ) -> int:
        """In one transaction: upsert ``assets`` by key, append ``events`` and set the
        import ``watermarks`` (name -> value). Nothing is written when any part fails.

        Built for bulk imports (a million events): events get increasing ids in the order
        given, but are not returned; read them back with :meth:`history`.

        Returns:
            The number of events written.
        """

    @abc.abstractmethod
    def catalog(self, *, group: str | None = None) -> list[CatalogAsset]:
        """Imported asset definitions (of one group, or all), sorted by key."""

    @abc.abstractmethod
    def catalog_asset(self, key: str) -> CatalogAsset | None:
        """One imported asset definition, or None."""

    @abc.abstractmethod
    def watermark(self, name: str) -> str | None:
        """The value :meth:`put_catalog` last stored for the import stream ``name``."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections; the default does nothing."""
