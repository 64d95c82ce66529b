"""Imported assets: what lineage imports (``assetbridge lineage import``) put in the store's
asset catalog, shown next to the TARGETs' assets. A TARGET's definition wins over an
imported one with the same key.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bridge._keys import AssetKey
from bridge._status import AssetStatusReport
from bridge.storage import CatalogAsset, Store
from bridge.ui._project import UiProject

__all__ = ["EXTERNAL", "Snapshot", "combined_graph", "neighbours", "producer_key",
           "statuses_of", "take_snapshot"]

#: group of the upstream keys that neither a TARGET nor the catalog describes
EXTERNAL = "external"


@dataclass(frozen=True)
class Snapshot:
    """Statuses of everything the UI shows, taken at one moment."""

    #: status reports of the TARGETs' produced assets
    reports: dict[AssetKey, AssetStatusReport]
    #: imported assets no TARGET defines, sorted by key
    catalog: list[CatalogAsset] = field(default_factory=list)
    #: imported key -> (status, reasons), from its recorded history
    catalog_status: dict[str, tuple[str, list[str]]] = field(default_factory=dict)

    def status_names(self) -> dict[str, str]:
        """``{key: status}`` for every asset that has one (source assets have none)."""
        names = {str(key): report.status.value for key, report in self.reports.items()}
        names.update((key, status) for key, (status, _) in self.catalog_status.items())
        return names

    def signature(self) -> tuple[Any, ...]:
        """What the drawing depends on besides the TARGETs (the catalog's shape)."""
        return tuple((entry.key, entry.group, entry.deps) for entry in self.catalog)


def take_snapshot(project: UiProject, store: Store) -> Snapshot:
    """Statuses of the TARGETs' assets and of the imported ones."""
    reports = project.statuses(store)
    known = {str(key) for key in project.owner}
    catalog = [entry for entry in store.catalog() if entry.key not in known]
    if not catalog:
        return Snapshot(reports)
    from translators.lineage._views import asset_views  # only once something was imported

    views = asset_views(store)
    status = {entry.key: (views[entry.key].status.value, list(views[entry.key].reasons))
              for entry in catalog if entry.key in views}
    return Snapshot(reports, catalog, status)


def combined_graph(project: UiProject,
                   catalog: list[CatalogAsset]) -> tuple[Any, dict[str, str]]:
    """The TARGETs' graphs plus the imported assets: the digraph and each node's group."""
    digraph = project.digraph()
    groups = {str(key): source.graph.spec(key).group for key, source in project.owner.items()}
    for entry in catalog:
        digraph.add_node(entry.key)
        groups[entry.key] = entry.group
        digraph.add_edges_from((dep, entry.key) for dep in entry.deps)
    for node in digraph.nodes:
        groups.setdefault(node, EXTERNAL)
    return digraph, groups


def neighbours(digraph: Any, key: str) -> tuple[list[str], list[str]]:
    """Sorted upstream and downstream keys of ``key`` in ``digraph``."""
    if key not in digraph:
        return [], []
    return sorted(digraph.predecessors(key)), sorted(digraph.successors(key))


def producer_key(project: UiProject, entry: CatalogAsset) -> str | None:
    """The key of the TARGET asset that runs the producing Airflow task, if served here."""
    if not entry.dag_id or not entry.task_id:
        return None
    key = AssetKey((entry.dag_id, entry.task_id))
    return str(key) if key in project.owner else None


def statuses_of(names: Mapping[str, str], keys: list[str]) -> list[tuple[str, str]]:
    """``(key, status)`` pairs; assets without a status are sources."""
    return [(key, names.get(key, "source")) for key in keys]

