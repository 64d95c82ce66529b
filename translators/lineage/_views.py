"""The asset views behind ``assetbridge assets``: imported and bridge-defined assets together.

:func:`asset_views` merges the store's catalog (what lineage imports found), the assets
that only recorded runs describe (bridge runs; without their TARGET no group is known) and
the assets of an optional TARGET (an asset module, or Airflow DAG files translated with the
same logic as ``assetbridge translate``, so their keys coincide with imported ones and
nothing is listed twice; a TARGET's definition wins over an imported one with the same key).

Status: bridge-defined assets get the full ``assetbridge status`` answer. Imported and
translated assets get the same four values from their recorded history: ``failed`` (the
newest outcome is a failure), ``never`` (no materialization), ``stale`` (an upstream asset
was materialized after it, or an upstream is stale or failed) or ``fresh``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from bridge._types import AssetStatus, EventKind
from bridge.storage import AssetEvent, CatalogAsset, Store
from translators.contract import AssetRecord

__all__ = ["AssetView", "asset_views", "lineage_document", "lineage_graph", "lineage_records"]


@dataclass
class AssetView:
    """One asset as ``assets list`` shows it."""

    key: str
    group: str
    deps: tuple[str, ...]
    #: (dag_id, task_id) of the producing Airflow task, if any
    producer: tuple[str, str] | None
    #: ``catalog`` (imported), ``module`` (an asset module), ``dags`` (translated TARGET)
    #: or ``history`` (only recorded runs describe it: no group, deps from its last run)
    origin: str
    status: AssetStatus = AssetStatus.NEVER
    reasons: list[str] = field(default_factory=list)
    materializations: int = 0
    last_materialization: AssetEvent | None = None

    def to_json(self) -> dict[str, Any]:
        """The ``assets list --json`` item."""
        last = self.last_materialization
        return {
            "key": self.key, "group": self.group, "deps": sorted(self.deps),
            "status": self.status.value,
            "producer": None if self.producer is None else {
                "dag_id": self.producer[0], "task_id": self.producer[1]},
            "materializations": self.materializations,
            "last_materialization": None if last is None else {
                "run_id": last.run_id, "partition": last.partition,
                "timestamp": last.timestamp, "code_version": last.code_version,
                "source": last.source},
        }


def asset_views(store: Store, target: str | None = None) -> dict[str, AssetView]:
    """Every asset of the catalog and of ``target``, keyed and sorted by key, with status.

    Args:
        store: the bridge store (catalog and history).
        target: an asset module / folder, or Airflow DAG files / a DAG folder, or None.
    """
    views = {entry.key: _from_catalog(entry) for entry in store.catalog()}
    module_reports: dict[str, Any] = {}
    if target is not None:
        target_views, module_reports = _target_views(store, target)
        views.update(target_views)
    views.update(_history_views(store, views))
    keys = sorted(views)
    latest = store.latest_events(EventKind.MATERIALIZATION, keys)
    failures = store.latest_events(EventKind.FAILURE, keys)
    counts = store.event_counts(EventKind.MATERIALIZATION, keys)
    for key in _upstream_first(views):
        view = views[key]
        view.materializations = counts.get(key, 0)
        view.last_materialization = latest.get(key)
        if key in module_reports:
            view.status, view.reasons = module_reports[key].status, module_reports[key].reasons
        else:
            view.status, view.reasons = _status(view, views, latest, failures.get(key))
    return {key: views[key] for key in keys}


def lineage_graph(views: dict[str, AssetView], key: str, *, upstream: int | None,
                  downstream: int | None) -> nx.DiGraph:
    """The part of the asset graph within ``upstream`` / ``downstream`` steps of ``key``
    (None: every step); edges point downstream."""
    graph = _digraph(views)
    up = nx.single_source_shortest_path_length(graph.reverse(copy=False), key, upstream)
    down = nx.single_source_shortest_path_length(graph, key, downstream)
    sub: nx.DiGraph = graph.subgraph(set(up) | set(down)).copy()
    return sub


def lineage_records(views: dict[str, AssetView], graph: nx.DiGraph) -> list[AssetRecord]:
    """The subgraph as translate contract records, for :func:`translators.render.to_dot`
    and :func:`~translators.render.to_mermaid` (deps limited to the subgraph)."""
    records = []
    for key in sorted(graph.nodes):
        view = _view(views, key)
        deps = tuple(sorted(graph.predecessors(key)))
        dag_id, task_id = view.producer if view.producer else (None, None)
        records.append(AssetRecord(key, deps, dag_id, task_id, view.group))
    return records


def lineage_document(views: dict[str, AssetView], graph: nx.DiGraph,
                     key: str) -> dict[str, Any]:
    """``assets lineage --format json``: the root, its assets (as ``assets list`` items,
    sorted) and the edges ``{"from", "to"}`` (upstream to downstream, sorted)."""
    return {
        "key": key,
        "assets": [_view(views, node).to_json() for node in sorted(graph.nodes)],
        "edges": [{"from": up, "to": down} for up, down in sorted(graph.edges)],
    }


def _view(views: dict[str, AssetView], key: str) -> AssetView:
    """A known asset, or a placeholder for a dep that nothing describes."""
    return views.get(key) or AssetView(key, "external", (), None, "unknown")


def _from_catalog(entry: CatalogAsset) -> AssetView:
    producer = (entry.dag_id, entry.task_id) if entry.dag_id and entry.task_id else None
    return AssetView(entry.key, entry.group, entry.deps, producer, "catalog")


def _target_views(store: Store, target: str) -> tuple[dict[str, AssetView], dict[str, Any]]:
    from bridge._loading import is_dag_target

    if is_dag_target(target):
        from translators.reading import read_dags
        from translators.to_assets import dags_to_assets

        records = dags_to_assets(read_dags([target])).records
        return {r.key: AssetView(r.key, r.group, r.deps, (r.dag_id, r.task_id)
                                 if r.dag_id and r.task_id else None, "dags")
                for r in records}, {}
    from bridge._graph import AssetGraph
    from bridge._loading import load_target
    from bridge._status import asset_statuses

    graph = AssetGraph.from_assets(load_target(target).assets)
    reports = {str(k): report for k, report in asset_statuses(graph, store).items()}
    found = {}
    for key in graph:
        spec = graph.spec(key)
        found[str(key)] = AssetView(str(key), spec.group or "default",
                                    tuple(sorted(map(str, spec.deps))), None, "module")
    return found, reports


def _history_views(store: Store, known: dict[str, AssetView]) -> dict[str, AssetView]:
    """Assets that only the store's history describes (bridge runs of a target not given):
    no group is recorded, their deps are what their newest materialization consumed."""
    recorded = set(store.event_counts(EventKind.MATERIALIZATION))
    recorded |= set(store.latest_events(EventKind.FAILURE))
    extra = sorted(recorded - set(known))
    latest = store.latest_events(EventKind.MATERIALIZATION, extra) if extra else {}
    return {key: AssetView(key, "", tuple(sorted(latest[key].upstream)) if key in latest
                           else (), None, "history") for key in extra}


def _digraph(views: dict[str, AssetView]) -> nx.DiGraph:
    graph = nx.DiGraph()
    graph.add_nodes_from(views)
    graph.add_edges_from((dep, view.key) for view in views.values() for dep in view.deps)
    return graph


def _upstream_first(views: dict[str, AssetView]) -> list[str]:
    graph = _digraph(views)
    try:
        return [key for key in nx.lexicographical_topological_sort(graph) if key in views]
    except nx.NetworkXUnfeasible:  # imported graphs may have cycles: plain order then
        return sorted(views)


def _status(view: AssetView, views: dict[str, AssetView], latest: dict[str, AssetEvent],
            failure: AssetEvent | None) -> tuple[AssetStatus, list[str]]:
    mat = latest.get(view.key)
    if failure is not None and (mat is None or failure.timestamp >= mat.timestamp):
        return AssetStatus.FAILED, [f"latest run {failure.run_id} failed"
                                    + (f": {failure.error}" if failure.error else "")]
    if mat is None:
        return AssetStatus.NEVER, ["never materialized"]
    reasons = []
    for dep in sorted(view.deps):
        newest, upstream = latest.get(dep), views.get(dep)
        if newest is not None and newest.timestamp > mat.timestamp:
            reasons.append(f"upstream {dep!r} was materialized since (run {newest.run_id})")
        elif upstream is not None and upstream.status in (AssetStatus.STALE,
                                                          AssetStatus.FAILED):
            reasons.append(f"upstream {dep!r} is {upstream.status.value}")
    return (AssetStatus.STALE if reasons else AssetStatus.FRESH), reasons
