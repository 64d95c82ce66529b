"""Random asset graphs for round-trip tests: keys, groups, partitions, multi-assets, sources."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bridge import (
    Asset,
    AssetGraph,
    AssetSpec,
    DailyPartitions,
    SourceAsset,
    StaticPartitions,
    asset,
    multi_asset,
)

PARTITIONS = {"none": None, "daily": DailyPartitions(start="2026-01-01"),
              "static": StaticPartitions(["eu", "us"])}


@dataclass(frozen=True)
class Node:
    """One definition: its keys (two for a multi-asset), group, partitions and upstream."""

    keys: tuple[str, ...]
    group: str
    partitions: str
    #: indexes of earlier nodes (their first key) and of sources (negative: -1 - index)
    deps: tuple[int, ...]


def _noop() -> None:
    return None


def build(nodes: Sequence[Node], sources: int) -> list[Asset]:
    """Asset definitions for ``nodes``; source ``i`` is keyed ``ext/source{i}``."""
    source_keys = [f"ext/source{i}" for i in range(sources)]
    assets: list[Asset] = [SourceAsset(key) for key in source_keys]
    for node in nodes:
        deps = [nodes[d].keys[-1] if d >= 0 else source_keys[-1 - d] for d in node.deps]
        partitions = PARTITIONS[node.partitions]
        if len(node.keys) == 1:
            assets.append(asset(name=node.keys[0], group=node.group, deps=deps,
                                partitions=partitions)(_noop))
        else:
            specs = [AssetSpec(key=key, group=node.group, partitions=partitions)
                     for key in node.keys]
            assets.append(multi_asset(specs=specs, deps=deps)(_noop))
    return assets


def graph_of(assets: Sequence[Asset]) -> dict[str, list[str]]:
    """``{key: sorted upstream keys}`` of every key a DAG reads or writes."""
    graph = AssetGraph.from_assets(assets)
    consumed = {dep for key in graph.keys for dep in graph.upstream(key)}
    return {str(key): sorted(str(dep) for dep in graph.upstream(key)) for key in graph.keys
            if not graph.definition(key).is_source or key in consumed}
