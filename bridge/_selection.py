"""Selection syntax: ``key``, ``+key``, ``key+``, ``group:NAME``, ``tag:K=V``, ``*``, commas."""

from __future__ import annotations

from bridge._graph import AssetGraph
from bridge._keys import AssetKey
from bridge.errors import SelectionError

__all__ = ["select"]


def select(graph: AssetGraph, expression: str | None) -> frozenset[AssetKey]:
    """The keys an expression selects; ``None`` or ``"*"`` selects everything.

    ``+key`` adds all upstream assets, ``key+`` all downstream ones; terms are joined by
    commas (union).

    Examples:
        >>> from bridge import asset
        >>> @asset(group="raw")
        ... def a() -> int: return 1
        >>> @asset
        ... def b(a: int) -> int: return a
        >>> @asset
        ... def c(b: int) -> int: return b
        >>> graph = AssetGraph.from_assets([a, b, c])
        >>> sorted(str(k) for k in select(graph, "+b"))
        ['a', 'b']
        >>> sorted(str(k) for k in select(graph, "b+,group:raw"))
        ['a', 'b', 'c']
    """
    if expression is None or expression.strip() in ("", "*"):
        return frozenset(graph.keys)
    selected: set[AssetKey] = set()
    for raw_term in expression.split(","):
        term = raw_term.strip()
        if not term:
            raise SelectionError(f"empty term in selection {expression!r}")
        selected |= _select_term(graph, term)
    return frozenset(selected)


def _select_term(graph: AssetGraph, term: str) -> set[AssetKey]:
    if term == "*":
        return set(graph.keys)
    if term.startswith("group:"):
        name = term.removeprefix("group:")
        found = {key for key in graph.keys if graph.spec(key).group == name}
        if not found:
            groups = sorted({graph.spec(key).group for key in graph.keys})
            raise SelectionError(f"selection {term!r} matches no asset; groups are {groups}")
        return found
    if term.startswith("tag:"):
        tag, _, value = term.removeprefix("tag:").partition("=")
        found = {
            key for key in graph.keys
            if tag in graph.spec(key).tags and (not value or graph.spec(key).tags[tag] == value)
        }
        if not found:
            raise SelectionError(f"selection {term!r} matches no asset")
        return found
    with_upstream, with_downstream = term.startswith("+"), term.endswith("+")
    name = term.strip("+")
    try:
        key = graph.find(name)
    except Exception as exc:
        raise SelectionError(f"selection {term!r}: {exc}") from None
    found = {key}
    if with_upstream:
        found |= graph.ancestors(key)
    if with_downstream:
        found |= graph.descendants(key)
    return found
