"""The graph's SVG nodes, escaped once per drawing; a request only fills in the statuses."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from markupsafe import Markup, escape

from bridge.storage import CatalogAsset
from bridge.ui._catalog import combined_graph
from bridge.ui._layout import NODE_H, NODE_W, Layout, layout_graph
from bridge.ui._project import UiProject

__all__ = ["Drawing", "draw"]

#: keys that are their own URL path
_PLAIN = re.compile(r"[A-Za-z0-9_.~/-]+")
#: longest label drawn in a node; longer keys show their end
_LABEL = 26
#: above this many nodes, labels are drawn by the page script for the nodes in view only
_LAZY_LABELS = 1500


@dataclass(frozen=True)
class Drawing:
    """A laid-out graph: positions, the digraph and groups it came from, and node markup."""

    layout: Layout
    digraph: Any
    groups: dict[str, str]
    #: per node: key, escaped SVG before its status value, escaped SVG after it
    nodes: list[tuple[str, Markup, Markup]]
    lazy_labels: bool


def draw(project: UiProject, catalog: list[CatalogAsset]) -> Drawing:
    """Lay out the TARGETs' assets and the imported ones, and pre-render their nodes.

    Examples:
        >>> drawing = draw(UiProject([]), [CatalogAsset("orders", "warehouse")])
        >>> str(drawing.nodes[0][1])
        '<a class="node" href="/assets/orders" data-key="orders" data-status="'
    """
    digraph, groups = combined_graph(project, catalog)
    layout = layout_graph(digraph, groups)
    lazy = len(layout.positions) > _LAZY_LABELS
    return Drawing(layout, digraph, groups, _node_markup(layout, labels=not lazy), lazy)


def _label(key: str) -> str:
    return key if len(key) <= _LABEL else "\u2026" + key[-(_LABEL - 1):]


def _node_markup(layout: Layout, *, labels: bool) -> list[tuple[str, Markup, Markup]]:
    """Everything but the status is fixed for a layout, so it is escaped once (markupsafe,
    as Jinja2's autoescaping does)."""
    parts = []
    for key, (x, y) in layout.positions.items():
        url = "/assets/" + (key if _PLAIN.fullmatch(key) else quote(key, safe="/"))
        label = (f'<text x="{x + 12}" y="{y + 22}">{escape(_label(key))}</text>'
                 if labels else "")
        # positions as x/y, not a transform per node: thousands of transforms make the
        # browser's compositing step several times slower
        parts.append((key,
                      Markup(f'<a class="node" href="{escape(url)}" data-key="{escape(key)}" '
                             'data-status="'),
                      Markup(f'"><rect x="{x}" y="{y}" width="{NODE_W}" height="{NODE_H}" '
                             f'rx="6"/>{label}</a>\n')))
    return parts
