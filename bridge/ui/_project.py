"""What the UI shows: the targets given on the command line, loaded once, as one picture.

Each TARGET (an asset module or an Airflow DAG folder) keeps its own :class:`AssetGraph`,
project file and resources; the UI combines them for display only, so loading two targets
never wires one's parameters to the other's assets.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx

from bridge._graph import AssetGraph
from bridge._keys import AssetKey
from bridge._project import Project, find_project
from bridge._status import AssetStatusReport, asset_statuses
from bridge.errors import DefinitionError
from bridge.storage import Store

__all__ = ["Source", "UiProject", "load_project"]


@dataclass(frozen=True)
class Source:
    """One TARGET: its graph, its kind and the project file its runs use."""

    #: the target as given on the command line
    target: str
    #: "assets" (a Python file, folder or module) or "dags" (Airflow DAG files)
    kind: str
    graph: AssetGraph
    project: Project
    #: the target spelled as the CLI records backfills (an absolute path when it exists)
    canonical: str = ""


@dataclass
class UiProject:
    """Every source, and for each asset key the source that defines it."""

    sources: list[Source]
    owner: dict[AssetKey, Source] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for source in self.sources:
            for key in source.graph.keys:
                other = self.owner.get(key)
                if other is not None and other is not source:
                    raise DefinitionError(
                        f"asset {str(key)!r} is defined by both {other.target!r} and "
                        f"{source.target!r}; give `assetbridge ui` one of them")
                self.owner[key] = source

    @property
    def keys(self) -> list[AssetKey]:
        """Every asset key, sorted."""
        return sorted(self.owner)

    def find(self, text: str) -> tuple[Source, AssetKey] | None:
        """The source and key written ``text``, or None (never touches the filesystem)."""
        try:
            key = AssetKey.parse(text)
        except DefinitionError:
            return None
        source = self.owner.get(key)
        return None if source is None else (source, key)

    def digraph(self) -> Any:
        """All sources' graphs in one ``networkx.DiGraph`` of key strings."""
        combined = nx.DiGraph()
        for source in self.sources:
            graph = source.graph.digraph
            combined.add_nodes_from(str(k) for k in graph.nodes)
            combined.add_edges_from((str(a), str(b)) for a, b in graph.edges)
        return combined

    def statuses(self, store: Store) -> dict[AssetKey, AssetStatusReport]:
        """Status of every produced asset of every source (source assets have none)."""
        reports: dict[AssetKey, AssetStatusReport] = {}
        for source in self.sources:
            reports.update(asset_statuses(source.graph, store))
        return reports


def load_project(targets: list[str]) -> UiProject:
    """Load every target (asset modules through :func:`load_target`, DAG folders through the
    Airflow reader the CLI uses)."""
    from bridge._loading import is_dag_target, load_target
    from bridge.cli._dag_targets import dag_target_graph

    sources = []
    for target in targets:
        path = Path(target)
        start = path if path.is_dir() else path.parent
        project = find_project(start if start.exists() else Path.cwd())
        canonical = str(path.resolve()) if path.exists() else target
        if is_dag_target(target):
            graph = dag_target_graph(target)
            sources.append(Source(target, "dags", graph, project, canonical))
        else:
            graph = AssetGraph.from_assets(load_target(target).assets)
            sources.append(Source(target, "assets", graph, project, canonical))
    return UiProject(sources)
