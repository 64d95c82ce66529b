"""Recording a run's events: buffered writes and the upstream versions each step consumed.

Events are written in batches: when a few hundred are waiting, by a background flusher at
most a quarter second after an asset finishes, and at the end of the run (an in-memory
store is written at once, with no flusher). A process killed
before a batch is written loses only events of work that is then simply redone on resume;
a batch is one transaction, so nothing is ever half-recorded.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable

from bridge._keys import AssetKey
from bridge._spec import AssetSpec
from bridge._types import EventKind
from bridge.runner._execute import Consumed, StepOutcome
from bridge.runner._plan import Step
from bridge.storage import AssetEvent, InMemoryStore, Store

__all__ = ["EventRecorder"]

_LOGGER = logging.getLogger("assetbridge.runner")
_BATCH_EVENTS = 500
_FLUSH_SECONDS = 0.25


class EventRecorder:
    """Buffers events for one run and knows which upstream versions were consumed.

    Use it as a context manager: a daemon thread flushes the buffer every quarter second
    while the run goes on, and the final flush happens on exit.
    """

    def __init__(self, store: Store, run_id: str) -> None:
        self.store = store
        self.run_id = run_id
        self._buffer: list[AssetEvent] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._flusher: threading.Thread | None = None
        self._in_run: dict[AssetKey, Consumed] = {}
        self._in_run_partitions: dict[AssetKey, set[str]] = {}
        self._latest: dict[str, AssetEvent] = {}
        self._by_partition: dict[str, dict[str, AssetEvent]] = {}

    def __enter__(self) -> EventRecorder:
        if self._immediate:
            return self
        self._flusher = threading.Thread(target=self._flush_periodically, daemon=True,
                                         name=f"assetbridge-events-{self.run_id}")
        self._flusher.start()
        return self

    @property
    def _immediate(self) -> bool:
        """An in-memory store is written at once: batching saves nothing there."""
        return isinstance(self.store, InMemoryStore)

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        if self._flusher is not None:
            self._flusher.join()
        self.flush()

    def _flush_periodically(self) -> None:
        while not self._stop.wait(_FLUSH_SECONDS):
            try:
                self.flush()
            except Exception as exc:  # the batch stays buffered; the final flush raises
                _LOGGER.warning("run %s: writing events failed, will retry: %s",
                                self.run_id, exc)

    def prefetch(self, keys: Iterable[AssetKey], partitioned: Iterable[AssetKey]) -> None:
        """Read the stored versions of upstream assets not produced by this run, and the
        stored partitions of partitioned upstream assets."""
        names = [str(key) for key in keys]
        if names:
            self._latest = self.store.latest_events(EventKind.MATERIALIZATION, names)
        part_names = [str(key) for key in partitioned]
        if part_names:
            self._by_partition = self.store.latest_partition_events(part_names)

    def partitions_of(self, key: AssetKey) -> list[str]:
        """The materialized partitions of a partitioned upstream asset: those in the store
        before the run plus those this run produced, sorted."""
        events = self._by_partition.get(str(key), {})
        stored = {p for p, e in events.items() if e.kind is EventKind.MATERIALIZATION}
        return sorted(stored | self._in_run_partitions.get(key, set()))

    def consumed(self, step: Step) -> dict[str, object]:
        """Upstream key -> the materialization this step read, as stored JSON."""
        found: dict[str, object] = {}
        for key in sorted(step.upstream):
            version = self._in_run.get(key) or self._stored(key, step.partition)
            if version is not None:
                found[str(key)] = version.to_json()
        return found

    def _stored(self, key: AssetKey, partition: str | None) -> Consumed | None:
        event = self._by_partition.get(str(key), {}).get(partition or "")
        if event is None or event.kind is not EventKind.MATERIALIZATION:
            event = self._latest.get(str(key))
        if event is None:
            return None
        return Consumed(event.run_id, event.timestamp, event.data_version, event.partition)

    def record(self, spec: AssetSpec, step: Step, outcome: StepOutcome,
               consumed: dict[str, object]) -> None:
        """Buffer the materialization or failure event of one output."""
        now = time.time()
        stored = outcome.stored.get(spec.key)
        event = AssetEvent(
            run_id=self.run_id, asset_key=str(spec.key),
            kind=EventKind.MATERIALIZATION if outcome.ok else EventKind.FAILURE,
            timestamp=now, partition=step.partition, code_version=spec.code_version,
            data_version=stored.data_version if stored else None,
            config_hash=step.config_hash, upstream=consumed,
            metadata=stored.metadata if stored else {}, error=outcome.error,
            seconds=outcome.seconds, logs=outcome.logs,
        )
        if outcome.ok:
            self._in_run[spec.key] = Consumed(self.run_id, now, event.data_version,
                                              step.partition)
            if step.partition is not None:
                self._in_run_partitions.setdefault(spec.key, set()).add(step.partition)
        self._add(event)

    def skipped(self, spec: AssetSpec, partition: str | None, reason: str) -> None:
        """Buffer the event of an output skipped because an upstream did not succeed."""
        self._add(AssetEvent(run_id=self.run_id, asset_key=str(spec.key),
                             kind=EventKind.SKIPPED, timestamp=time.time(),
                             partition=partition, error=reason))

    def _add(self, event: AssetEvent) -> None:
        with self._lock:
            self._buffer.append(event)
            full = len(self._buffer) >= _BATCH_EVENTS
        if full:
            self.flush()
        elif self._immediate:
            try:
                self.flush()
            except Exception as exc:  # stays buffered; the final flush raises
                _LOGGER.warning("run %s: writing events failed, will retry: %s",
                                self.run_id, exc)

    def flush(self) -> None:
        """Write buffered events in one transaction (in order, never twice); a batch that
        fails to write stays buffered for the next attempt."""
        with self._lock:
            batch, self._buffer = self._buffer, []
            if batch:
                try:
                    self.store.add_events(batch)
                except BaseException:
                    self._buffer = batch + self._buffer
                    raise
