"""The questions users ask of their assets: is it up to date, what refreshes it, where did
it come from, and what does a code change affect.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from bridge._graph import AssetGraph
from bridge._keys import AssetKey
from bridge._types import AssetStatus, EventKind, PartitionState
from bridge.storage import AssetEvent, Store

__all__ = ["AssetStatusReport", "asset_statuses", "provenance", "refresh_plan"]


@dataclass(frozen=True, slots=True)
class AssetStatusReport:
    """Whether one asset is up to date, and why not."""

    key: AssetKey
    status: AssetStatus
    reasons: list[str]
    last_materialization: AssetEvent | None
    partitions: dict[str, PartitionState] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The ``assets[]`` entry of ``assetbridge status --json``."""
        last = self.last_materialization
        return {
            "key": str(self.key), "status": self.status.value, "reasons": self.reasons,
            "last_materialization": None if last is None else {
                "run_id": last.run_id, "partition": last.partition,
                "timestamp": last.timestamp, "code_version": last.code_version,
            },
            "partitions": {p: s.value for p, s in sorted(self.partitions.items())},
        }


def asset_statuses(
    graph: AssetGraph, store: Store, *, config: Mapping[str, Any] | None = None
) -> dict[AssetKey, AssetStatusReport]:
    """Status of every asset produced here, computed upstream first.

    An asset is stale when its code version or config changed since its latest
    materialization, when an upstream asset was materialized after it consumed it, when an
    upstream is itself not fresh, or when some of its partitions are missing.
    """
    produced = [k for k in graph.toposort() if not graph.definition(k).is_source]
    names = [str(k) for k in produced]
    latest = store.latest_events(EventKind.MATERIALIZATION, names)
    failures = store.latest_events(EventKind.FAILURE, names)
    partitioned = [str(k) for k in produced if graph.spec(k).partitions is not None]
    by_partition = store.latest_partition_events(partitioned) if partitioned else {}
    reports: dict[AssetKey, AssetStatusReport] = {}
    for key in produced:
        mat, fail = latest.get(str(key)), failures.get(str(key))
        parts = _partition_states(graph, key, by_partition.get(str(key), {}))
        if fail is not None and (mat is None or _newer(fail, mat)):
            status, reasons = AssetStatus.FAILED, [f"latest run {fail.run_id} failed: "
                                                   f"{fail.error}"]
        elif mat is None:
            status, reasons = AssetStatus.NEVER, ["never materialized"]
        else:
            reasons = _stale_reasons(graph, key, mat, latest, reports, parts, config or {})
            status = AssetStatus.STALE if reasons else AssetStatus.FRESH
        reports[key] = AssetStatusReport(key, status, reasons, mat, parts)
    return reports


def _newer(a: AssetEvent, b: AssetEvent) -> bool:
    """By time, as the store orders events; of the same time, the later recorded."""
    return (a.timestamp, a.event_id or 0) > (b.timestamp, b.event_id or 0)


def _stale_reasons(
    graph: AssetGraph, key: AssetKey, mat: AssetEvent, latest: Mapping[str, AssetEvent],
    reports: Mapping[AssetKey, AssetStatusReport], parts: Mapping[str, PartitionState],
    config: Mapping[str, Any],
) -> list[str]:
    spec = graph.spec(key)
    reasons = []
    if spec.code_version != mat.code_version:
        reasons.append(f"code version changed: {mat.code_version!r} -> {spec.code_version!r}")
    current_config = _config_hash(graph, key, config)
    if current_config is not None and current_config != mat.config_hash:
        reasons.append("config changed since the last materialization")
    for upstream in spec.deps:
        upstream_report = reports.get(upstream)
        newest = latest.get(str(upstream))
        consumed = mat.upstream.get(str(upstream))
        if newest is not None and (consumed is None
                                   or newest.timestamp > float(consumed["timestamp"])):
            reasons.append(f"upstream {str(upstream)!r} was materialized since "
                           f"(run {newest.run_id})")
        elif upstream_report is not None and upstream_report.status is not AssetStatus.FRESH:
            reasons.append(f"upstream {str(upstream)!r} is {upstream_report.status.value}")
    missing = sum(1 for state in parts.values() if state is not PartitionState.MATERIALIZED)
    if missing:
        reasons.append(f"{missing} of {len(parts)} partitions not materialized")
    return reasons


def _config_hash(graph: AssetGraph, key: AssetKey, config: Mapping[str, Any]) -> str | None:
    model_type = graph.definition(key).signature.config_model
    if model_type is None or str(key) not in config:
        return None  # without config for it, we cannot tell what the user intends
    try:
        model = model_type.model_validate(config.get(str(key), {}))
    except ValidationError:
        return None
    return hashlib.sha256(model.model_dump_json().encode()).hexdigest()[:16]


def _partition_states(
    graph: AssetGraph, key: AssetKey, events: Mapping[str, AssetEvent]
) -> dict[str, PartitionState]:
    partitions = graph.spec(key).partitions
    if partitions is None:
        return {}
    states = {}
    for partition in partitions.keys():  # noqa: SIM118 - a method, not a dict
        event = events.get(partition)
        if event is None:
            states[partition] = PartitionState.MISSING
        elif event.kind is EventKind.MATERIALIZATION:
            states[partition] = PartitionState.MATERIALIZED
        else:
            states[partition] = PartitionState.FAILED
    return states


def refresh_plan(
    graph: AssetGraph, store: Store, keys: list[AssetKey],
    reports: Mapping[AssetKey, AssetStatusReport] | None = None,
) -> list[AssetKey]:
    """What to run, in order, so that ``keys`` become fresh: every non-fresh asset among
    them and their upstream assets.
    """
    reports = reports if reports is not None else asset_statuses(graph, store)
    wanted: set[AssetKey] = set()
    for key in keys:
        wanted |= {key, *graph.ancestors(key)}
    return [k for k in graph.toposort()
            if k in wanted and k in reports and reports[k].status is not AssetStatus.FRESH]


def provenance(graph: AssetGraph, store: Store, key: AssetKey) -> dict[str, Any] | None:
    """Where the latest materialization of ``key`` came from: run, code version, config and
    the upstream data versions it consumed (and whether they changed since).
    """
    history = [e for e in store.history(str(key), limit=50)
               if e.kind is EventKind.MATERIALIZATION]
    if not history:
        return None
    mat = history[0]
    latest = store.latest_events(EventKind.MATERIALIZATION, list(mat.upstream))
    upstream = []
    for name, consumed in sorted(mat.upstream.items()):
        newest = latest.get(name)
        upstream.append({
            "key": name, "run_id": consumed.get("run_id"),
            "data_version": consumed.get("data_version"),
            "partition": consumed.get("partition"),
            "changed_since": bool(newest and newest.timestamp > float(consumed["timestamp"])),
        })
    return {
        "key": str(key), "run_id": mat.run_id, "timestamp": mat.timestamp,
        "partition": mat.partition, "code_version": mat.code_version,
        "current_code_version": graph.spec(key).code_version if key in graph else None,
        "data_version": mat.data_version, "config_hash": mat.config_hash,
        "metadata": mat.metadata, "upstream": upstream,
    }
