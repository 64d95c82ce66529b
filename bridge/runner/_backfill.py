"""Backfills: one selection over a range of partitions, recorded once and resumable."""

from __future__ import annotations

import dataclasses
import hashlib
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from bridge._asset import Asset
from bridge._graph import AssetGraph
from bridge._keys import AssetKey
from bridge._selection import select
from bridge._types import EventKind, RunStatus
from bridge.errors import PartitionError, RunInterruptedError
from bridge.runner._materialize import RunOptions, materialize, run_is_orphaned
from bridge.storage import BackfillRecord, Store, open_store

__all__ = ["BackfillResult", "backfill", "backfill_id_for"]

_OK = ("materialized", "already materialized")


@dataclass(frozen=True, slots=True)
class BackfillResult:
    """What a backfill did: per-partition state and the runs it made."""

    backfill_id: str
    #: partition -> "materialized" | "failed" | "already materialized" | "skipped: ..."
    partitions: dict[str, str]
    run_ids: list[str]
    resumed: bool
    #: unpartitioned assets in the selection run once, "before" the partitions (those
    #: upstream of them) or "after" (the rest, e.g. a fan-in summary): phase -> state
    unpartitioned: dict[str, str] = dataclasses.field(default_factory=dict)

    @property
    def success(self) -> bool:
        """True when every partition and unpartitioned phase is materialized."""
        states = [*self.partitions.values(), *self.unpartitioned.values()]
        return all(state in _OK for state in states)

    def to_json(self) -> dict[str, Any]:
        """The ``assetbridge backfill --json`` document."""
        return {"backfill_id": self.backfill_id, "success": self.success,
                "resumed": self.resumed, "runs": self.run_ids,
                "partitions": dict(sorted(self.partitions.items())),
                "unpartitioned": dict(self.unpartitioned)}


def backfill_id_for(target: str, keys: Iterable[str], partitions: Iterable[str]) -> str:
    """The id of a backfill: the same command always gets the same id (so it resumes)."""
    text = "\n".join([target, ",".join(sorted(keys)), ",".join(partitions)])
    return "bf-" + hashlib.sha256(text.encode()).hexdigest()[:12]


def backfill(
    assets: Iterable[Asset] | AssetGraph,
    *,
    selection: str | None,
    start: str,
    end: str,
    resources: Mapping[str, Any] | None = None,
    config: Mapping[str, Any] | None = None,
    store: Store | str | None = None,
    options: RunOptions | None = None,
) -> BackfillResult:
    """Materialize ``selection`` for every partition from ``start`` to ``end`` (inclusive).

    Partitions materialized by an earlier attempt of the same backfill are not re-run, so
    running the same backfill again after a crash finishes it.
    """
    options = options or RunOptions()
    graph = AssetGraph.from_assets(assets)
    keys = select(graph, selection)
    partitioned = [graph.spec(k).partitions for k in sorted(keys)]
    definition = next((p for p in partitioned if p is not None), None)
    if definition is None:
        raise PartitionError("the selection has no partitioned asset; backfill needs one "
                             "(e.g. @asset(partitions=DailyPartitions(start=...)))")
    if any(p is not None and p != definition for p in partitioned):
        raise PartitionError("the selection mixes assets with different partitions; "
                             "backfill one partitions definition at a time")
    partitions = definition.keys_between(start, end)
    names = sorted(str(k) for k in keys)
    backfill_id = backfill_id_for(options.target, names, partitions)
    run_store = open_store(store)
    try:
        existing = run_store.get_backfill(backfill_id)
        if existing is not None:
            _close_orphaned_runs(run_store, backfill_id)
        done = _materialized(run_store, backfill_id) if existing else set()
        if existing is None:
            run_store.add_backfill(BackfillRecord(backfill_id, tuple(names), tuple(partitions),
                                                  RunStatus.RUNNING, time.time(),
                                                  options.target))
        else:
            run_store.set_backfill_status(backfill_id, RunStatus.RUNNING)
        states: dict[str, str] = {}
        once: dict[str, str] = {}
        run_ids: list[str] = []
        run_options = dataclasses.replace(options, backfill_id=backfill_id, run_id=None)
        before, per_partition, after = _phases(graph, keys)

        def run_phase(phase: frozenset[AssetKey], partition: str | None) -> str:
            if all((str(key), partition) in done for key in phase):
                return "already materialized"
            result = materialize(graph, selection=phase, resources=resources, config=config,
                                 partition=partition, store=run_store, options=run_options)
            run_ids.append(result.run_id)
            return "materialized" if result.success else "failed"

        try:
            if before:
                once["before"] = run_phase(before, None)
            for partition in partitions:
                if once.get("before") == "failed":
                    states[partition] = "skipped: unpartitioned upstream failed"
                    continue
                states[partition] = run_phase(per_partition, partition)
            if after:
                all_ok = all(state in _OK for state in states.values())
                once["after"] = run_phase(after, None) if all_ok else "skipped: a partition failed"
        except RunInterruptedError:
            run_store.set_backfill_status(backfill_id, RunStatus.INTERRUPTED)
            raise
        outcome = BackfillResult(backfill_id, states, run_ids, existing is not None, once)
        run_store.set_backfill_status(
            backfill_id, RunStatus.SUCCESS if outcome.success else RunStatus.FAILED)
        return outcome
    finally:
        if not isinstance(store, Store):
            run_store.close()


def _phases(
    graph: AssetGraph, keys: frozenset[AssetKey]
) -> tuple[frozenset[AssetKey], frozenset[AssetKey], frozenset[AssetKey]]:
    """Split a selection: unpartitioned assets upstream of partitioned ones (run once
    first), the partitioned assets (run per partition), and the other unpartitioned ones
    (run once last)."""
    partitioned = frozenset(k for k in keys if graph.spec(k).partitions is not None)
    upstream_of_partitioned = set().union(*(graph.ancestors(k) for k in partitioned))
    downstream_of_partitioned = set().union(*(graph.descendants(k) for k in partitioned))
    before = frozenset(k for k in keys - partitioned if k in upstream_of_partitioned)
    between = sorted(str(k) for k in before if k in downstream_of_partitioned)
    if between:
        raise PartitionError(
            f"unpartitioned asset(s) {between} sit between partitioned assets of the "
            "selection, so no single pass can backfill them; backfill the partitioned "
            "assets upstream of them first, then the rest"
        )
    return before, partitioned, keys - partitioned - before


def _close_orphaned_runs(store: Store, backfill_id: str) -> None:
    """Runs of an earlier attempt whose process died (SIGKILL, power loss) are marked
    interrupted, so they do not stay "running" forever."""
    for run in store.backfill_runs(backfill_id):
        if run_is_orphaned(run):
            store.finish_run(run.run_id, RunStatus.INTERRUPTED, time.time())


def _materialized(store: Store, backfill_id: str) -> set[tuple[str, str | None]]:
    # keyed by the run's partition, not the event's: an unpartitioned asset in the
    # selection (a fan-in summary) records events without a partition
    return {
        (event.asset_key, run.partition)
        for run in store.backfill_runs(backfill_id)
        for event in store.events_for_run(run.run_id)
        if event.kind is EventKind.MATERIALIZATION
    }
