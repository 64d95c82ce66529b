"""A layered drawing of the asset graph, computed once on the server.

Columns are longest-path layers (every edge points right), rows are grouped into one band
per asset group (or DAG), and nodes in a column are ordered by the mean row of their
upstream nodes, which removes most crossings at linear cost. 5,000 assets lay out in tens
of milliseconds, so the browser only draws.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import networkx as nx

__all__ = ["NODE_H", "NODE_W", "Band", "Layout", "layout_graph"]

NODE_W, NODE_H = 190, 34
_COL_W, _ROW_H = 250, 46
_MARGIN, _BAND_HEAD, _BAND_GAP = 24, 28, 18


@dataclass(frozen=True, slots=True)
class Band:
    """The rectangle of one group."""

    name: str
    x: int
    y: int
    width: int
    height: int


@dataclass(frozen=True, slots=True)
class Layout:
    """Top-left corner of every node, the group bands, and all edges as one SVG path."""

    positions: dict[str, tuple[int, int]]
    bands: list[Band]
    edges: str
    width: int
    height: int
    #: a small arrowhead at the downstream end of every edge, as one SVG path
    arrows: str = ""


def layout_graph(digraph: Any, groups: Mapping[str, str]) -> Layout:
    """Lay out ``digraph`` (nodes are key strings, edges point downstream).

    Args:
        digraph: a networkx DiGraph without cycles.
        groups: node -> group name; nodes without one go to "default".

    Examples:
        >>> import networkx as nx
        >>> layout = layout_graph(nx.DiGraph([("a", "b")]), {"a": "raw", "b": "sales"})
        >>> layout.positions["a"][0] < layout.positions["b"][0], [b.name for b in layout.bands]
        (True, ['raw', 'sales'])
    """
    layer = _layers(digraph)
    members: dict[Any, dict[int, list[str]]] = defaultdict(lambda: defaultdict(list))
    for node in sorted(digraph.nodes):
        members[groups.get(node, "default")][layer[node]].append(node)
    order = sorted(members, key=lambda g: (min(members[g]), g))
    rank: dict[str, float] = {}
    positions: dict[str, tuple[int, int]] = {}
    bands = []
    top = _MARGIN
    for group in order:
        columns = members[group]
        for column in sorted(columns):
            nodes = columns[column]
            nodes.sort(key=lambda n: (_barycenter(digraph, n, rank), n))
            for row, node in enumerate(nodes):
                positions[node] = (_MARGIN + column * _COL_W, top + _BAND_HEAD + row * _ROW_H)
                rank[node] = top + row * _ROW_H
        first, last = min(columns), max(columns)
        rows = max(len(nodes) for nodes in columns.values())
        height = _BAND_HEAD + rows * _ROW_H
        bands.append(Band(group, _MARGIN + first * _COL_W - 12, top - 6,
                          (last - first) * _COL_W + NODE_W + 24, height + 4))
        top += height + _BAND_GAP
    width = _MARGIN * 2 + (max(layer.values(), default=0)) * _COL_W + NODE_W
    edges, arrows = _edge_paths(digraph, positions)
    return Layout(positions, bands, edges, width, top + _MARGIN, arrows)


def _layers(digraph: Any) -> dict[str, int]:
    """Longest-path layer of each node: 0 for roots, else one more than its deepest input.

    Imported lineage may contain cycles; the nodes of a cycle then share a layer.
    """
    if not nx.is_directed_acyclic_graph(digraph):
        condensed = nx.condensation(digraph)
        layers = _layers(condensed)
        return {node: layers[condensed.graph["mapping"][node]] for node in digraph.nodes}
    layer: dict[str, int] = {}
    for node in nx.topological_sort(digraph):
        layer[node] = max((layer[p] + 1 for p in digraph.predecessors(node)), default=0)
    return layer


def _barycenter(digraph: Any, node: str, rank: Mapping[str, float]) -> float:
    placed = [rank[p] for p in digraph.predecessors(node) if p in rank]
    return sum(placed) / len(placed) if placed else float("inf")


def _edge_paths(digraph: Any, positions: Mapping[str, tuple[int, int]]) -> tuple[str, str]:
    """Every edge as a cubic curve from the right side of the upstream node to the left side
    of the downstream one, in one ``d`` attribute (one DOM element for all edges), and the
    arrowheads likewise."""
    curves, arrows = [], []
    for source, target in digraph.edges:
        x1, y1 = positions[source]
        x2, y2 = positions[target]
        x1, y1, y2 = x1 + NODE_W, y1 + NODE_H // 2, y2 + NODE_H // 2
        middle = (x1 + x2) // 2
        curves.append(f"M{x1} {y1}C{middle} {y1} {middle} {y2} {x2 - 6} {y2}")
        arrows.append(f"M{x2 - 7} {y2 - 4}L{x2} {y2}L{x2 - 7} {y2 + 4}Z")
    return "".join(curves), "".join(dict.fromkeys(arrows))
