"""Draw the translated asset graph: Graphviz DOT and Mermaid, one cluster per DAG.

Node ids are generated (``n0``, ``n1``, ... in key order) so that no key, however odd,
ends up in an identifier; keys and DAG ids appear only in escaped labels. Source assets
(produced by no DAG read) sit outside the clusters, drawn as cylinders.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from translators.contract import AssetRecord

__all__ = ["to_dot", "to_mermaid"]


def to_dot(records: Sequence[AssetRecord]) -> str:
    """The asset graph as a Graphviz ``digraph``; edges point downstream.

    Labels are HTML-like (``label=<...>``) with entities escaped, which is the one label
    form where no character of a key can end the string early.

    Examples:
        >>> records = [AssetRecord("a/x", (), "a", "x", "a"),
        ...            AssetRecord("b/y", ("a/x",), "b", "y", "b")]
        >>> print(to_dot(records))  # doctest: +NORMALIZE_WHITESPACE
        digraph assets {
          rankdir=LR;
          node [shape=box, style=rounded];
          subgraph cluster_0 {
            label=<a>;
            n0 [label=<a/x>];
          }
          subgraph cluster_1 {
            label=<b>;
            n1 [label=<b/y>];
          }
          n0 -> n1;
        }
    """
    ids = _node_ids(records)
    lines = ["digraph assets {", "  rankdir=LR;", "  node [shape=box, style=rounded];"]
    for index, (dag_id, members) in enumerate(_by_dag(records)):
        lines.append(f"  subgraph cluster_{index} {{")
        lines.append(f"    label=<{_dot_text(dag_id)}>;")
        lines.extend(f"    {ids[r.key]} [label=<{_dot_text(r.key)}>];" for r in members)
        lines.append("  }")
    lines.extend(f"  {ids[r.key]} [label=<{_dot_text(r.key)}>, shape=cylinder];"
                 for r in _sources(records))
    lines.extend(f"  {ids[up]} -> {ids[down]};" for up, down in _edges(records))
    lines.append("}")
    return "\n".join(lines) + "\n"


def to_mermaid(records: Sequence[AssetRecord]) -> str:
    """The asset graph as a Mermaid ``flowchart``; one subgraph per DAG.

    Examples:
        >>> records = [AssetRecord('say "hi"', (), None, None, "external"),
        ...            AssetRecord("b/y", ('say "hi"',), "b", "y", "b")]
        >>> print(to_mermaid(records))  # doctest: +NORMALIZE_WHITESPACE
        flowchart LR
          subgraph g0 ["b"]
            n0["b/y"]
          end
          n1[("say #quot;hi#quot;")]
          n1 --> n0
    """
    ids = _node_ids(records)
    lines = ["flowchart LR"]
    for index, (dag_id, members) in enumerate(_by_dag(records)):
        lines.append(f'  subgraph g{index} ["{_mermaid_text(dag_id)}"]')
        lines.extend(f'    {ids[r.key]}["{_mermaid_text(r.key)}"]' for r in members)
        lines.append("  end")
    lines.extend(f'  {ids[r.key]}[("{_mermaid_text(r.key)}")]' for r in _sources(records))
    lines.extend(f"  {ids[up]} --> {ids[down]}" for up, down in _edges(records))
    return "\n".join(lines) + "\n"


def _node_ids(records: Sequence[AssetRecord]) -> dict[str, str]:
    keys = sorted({r.key for r in records} | {dep for r in records for dep in r.deps})
    return {key: f"n{index}" for index, key in enumerate(keys)}


def _by_dag(records: Sequence[AssetRecord]) -> list[tuple[str, list[AssetRecord]]]:
    groups: dict[str, list[AssetRecord]] = {}
    for record in sorted(records, key=lambda r: r.key):
        if record.dag_id is not None:
            groups.setdefault(record.dag_id, []).append(record)
    return sorted(groups.items())


def _sources(records: Sequence[AssetRecord]) -> list[AssetRecord]:
    """Records outside any DAG, plus deps nothing in ``records`` describes."""
    known = {r.key for r in records}
    missing = {dep for r in records for dep in r.deps} - known
    placeholders = [AssetRecord(key, (), None, None, "") for key in missing]
    return sorted([r for r in records if r.dag_id is None] + placeholders, key=lambda r: r.key)


def _edges(records: Sequence[AssetRecord]) -> list[tuple[str, str]]:
    return sorted({(dep, r.key) for r in records for dep in r.deps})


def _dot_text(text: str) -> str:
    """Text for an HTML-like DOT label: entities escaped, line breaks as ``<br/>``."""
    escaped = html.escape(text, quote=True).replace("\\", "&#92;")
    return escaped.replace("\r\n", "\n").replace("\n", "<br/>")


def _mermaid_text(text: str) -> str:
    """Text for a quoted Mermaid label, with Mermaid's ``#code;`` entities."""
    escaped = text.replace("#", "#35;").replace('"', "#quot;")
    for char, code in (("&", "#amp;"), ("<", "#lt;"), (">", "#gt;"), ("`", "#96;")):
        escaped = escaped.replace(char, code)
    return " ".join(escaped.splitlines())
