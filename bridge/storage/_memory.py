"""InMemoryStore: run storage in Python lists; the default for ``materialize()``."""

from __future__ import annotations

import dataclasses
import threading
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

from bridge._types import EventKind, RunStatus
from bridge.errors import StoreError
from bridge.storage._base import Store
from bridge.storage._records import AssetEvent, BackfillRecord, CatalogAsset, RunRecord

__all__ = ["InMemoryStore"]

_OUTCOME_KINDS = (EventKind.MATERIALIZATION, EventKind.FAILURE)


class InMemoryStore(Store):
    """Keeps everything in memory; thread-safe; lost when the object goes away."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._runs: dict[str, RunRecord] = {}
        self._events: list[AssetEvent] = []
        self._backfills: dict[str, BackfillRecord] = {}
        self._catalog: dict[str, CatalogAsset] = {}
        self._watermarks: dict[str, str] = {}

    def add_run(self, run: RunRecord) -> None:
        with self._lock:
            if run.run_id in self._runs:
                raise StoreError(f"run {run.run_id!r} is already recorded; run ids are unique")
            self._runs[run.run_id] = run

    def finish_run(self, run_id: str, status: RunStatus, finished_at: float) -> None:
        with self._lock:
            run = self._runs.get(run_id)
            if run is None:
                raise StoreError(f"no run {run_id!r} to finish")
            self._runs[run_id] = dataclasses.replace(run, status=status, finished_at=finished_at)

    def get_run(self, run_id: str) -> RunRecord | None:
        return self._runs.get(run_id)

    def list_runs(self, limit: int = 50) -> list[RunRecord]:
        runs = sorted(self._runs.values(), key=lambda run: run.started_at, reverse=True)
        return runs[:limit]

    def add_events(self, events: Sequence[AssetEvent]) -> list[AssetEvent]:
        with self._lock:
            return self._append(events)

    def _append(self, events: Sequence[AssetEvent]) -> list[AssetEvent]:
        """Append under the caller's lock."""
        first = len(self._events) + 1
        stored = [dataclasses.replace(event, event_id=first + offset)
                  for offset, event in enumerate(events)]
        self._events.extend(stored)
        return stored

    def events_for_run(self, run_id: str) -> list[AssetEvent]:
        return [event for event in self._events if event.run_id == run_id]

    def latest_events(
        self, kind: EventKind, keys: Iterable[str] | None = None
    ) -> dict[str, AssetEvent]:
        wanted = set(keys) if keys is not None else None
        latest: dict[str, AssetEvent] = {}
        for event in self._events:  # newest by time; ties: the last recorded
            if event.kind == kind and (wanted is None or event.asset_key in wanted):
                known = latest.get(event.asset_key)
                if known is None or event.timestamp >= known.timestamp:
                    latest[event.asset_key] = event
        return latest

    def latest_partition_events(self, keys: Iterable[str]) -> dict[str, dict[str, AssetEvent]]:
        wanted = set(keys)
        found: dict[str, dict[str, AssetEvent]] = {}
        for event in self._events:
            if event.asset_key in wanted and event.partition and event.kind in _OUTCOME_KINDS:
                partitions = found.setdefault(event.asset_key, {})
                known = partitions.get(event.partition)
                if known is None or event.timestamp >= known.timestamp:
                    partitions[event.partition] = event
        return found

    def history(self, key: str, limit: int = 100) -> list[AssetEvent]:
        events = [e for e in self._events if e.asset_key == key and e.kind in _OUTCOME_KINDS]
        # newest first by time; ties: the last recorded first (a stable sort keeps the order)
        return sorted(events[::-1], key=lambda e: e.timestamp, reverse=True)[:limit]

    def add_backfill(self, backfill: BackfillRecord) -> None:
        with self._lock:
            self._backfills[backfill.backfill_id] = backfill

    def get_backfill(self, backfill_id: str) -> BackfillRecord | None:
        return self._backfills.get(backfill_id)

    def set_backfill_status(self, backfill_id: str, status: RunStatus) -> None:
        with self._lock:
            backfill = self._backfills.get(backfill_id)
            if backfill is None:
                raise StoreError(f"no backfill {backfill_id!r} to update")
            self._backfills[backfill_id] = dataclasses.replace(backfill, status=status)

    def backfill_runs(self, backfill_id: str) -> list[RunRecord]:
        runs = [run for run in self._runs.values() if run.backfill_id == backfill_id]
        return sorted(runs, key=lambda run: run.started_at)

    def event_counts(self, kind: EventKind, keys: Iterable[str] | None = None) -> dict[str, int]:
        wanted = set(keys) if keys is not None else None
        counts = Counter(e.asset_key for e in self._events
                         if e.kind == kind and (wanted is None or e.asset_key in wanted))
        return dict(counts)

    def put_catalog(
        self, assets: Sequence[CatalogAsset], events: Sequence[AssetEvent] = (), *,
        watermarks: Mapping[str, str] | None = None,
    ) -> int:
        with self._lock:
            self._catalog.update((asset.key, asset) for asset in assets)
            self._watermarks.update(watermarks or {})
            return len(self._append(events))

    def catalog(self, *, group: str | None = None) -> list[CatalogAsset]:
        return [self._catalog[key] for key in sorted(self._catalog)
                if group is None or self._catalog[key].group == group]

    def catalog_asset(self, key: str) -> CatalogAsset | None:
        return self._catalog.get(key)

    def watermark(self, name: str) -> str | None:
        return self._watermarks.get(name)
