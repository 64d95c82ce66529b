"""``assetbridge assets list|show|lineage``: imported and bridge-defined assets, from the store."""

from __future__ import annotations

import datetime
import inspect
from typing import TYPE_CHECKING

import click

from bridge.cli._app import CommandFailed, cli, emit_json
from bridge.cli._options import json_option, store_option

if TYPE_CHECKING:
    from translators.lineage import AssetView

__all__ = ["assets_group"]

_COLOURS = {"fresh": "green", "stale": "yellow", "never": "dim", "failed": "red"}
_TARGET_HELP = ("TARGET (optional) is an asset module or Airflow DAG files / folder, whose "
                "assets are shown with the imported ones.")


def _with_target_help(text: str | None) -> str:
    """A command's help with the TARGET paragraph before its examples (click dedents a
    docstring only when it reads it itself)."""
    doc = inspect.cleandoc(text or "")
    head, marker, examples = doc.partition("\b\nExamples:")
    return f"{head.rstrip()}\n\n{_TARGET_HELP}\n\n{marker}{examples}" if marker else \
        f"{doc}\n\n{_TARGET_HELP}"


def _when(timestamp: float) -> str:
    return datetime.datetime.fromtimestamp(timestamp).strftime("%Y-%m-%d %H:%M:%S")


def _views(target: str | None, store_url: str | None) -> dict[str, AssetView]:
    from bridge.cli._session import open_store_url
    from translators.lineage import asset_views

    store = open_store_url(store_url)
    try:
        return asset_views(store, target)
    finally:
        store.close()


def _find(views: dict[str, AssetView], key: str) -> AssetView:
    if key not in views:
        close = [k for k in views if key in k][:5]
        hint = f" (similar: {', '.join(close)})" if close else ""
        raise CommandFailed(f"asset {key!r} is neither in the catalog nor in TARGET{hint}; "
                            "`assetbridge assets list` shows the known keys")
    return views[key]


@cli.group("assets")
def assets_group() -> None:
    """Asset views over the store: imported (lineage import) and bridge-defined assets."""


@assets_group.command("list")
@click.argument("target", required=False)
@click.option("--group", "group", metavar="G", help="Only assets of group G.")
@click.option("--stale", "stale", is_flag=True,
              help="Only assets that are not fresh (stale, failed or never materialized).")
@store_option
@json_option
def list_command(target: str | None, group: str | None, stale: bool, store_url: str | None,
                 as_json: bool) -> None:
    """Every known asset: group, status, producing Airflow task, materializations.

    \b
    Examples:
      assetbridge assets list
      assetbridge assets list --group producer --json
      assetbridge assets list dags/ --stale
    """
    from rich.table import Table

    from bridge.cli._render import stdout_console

    chosen = [view for view in _views(target, store_url).values()
              if (group is None or view.group == group)
              and (not stale or view.status.value != "fresh")]
    if as_json:
        emit_json({"assets": [view.to_json() for view in chosen]})
        return
    table = Table(title=f"{len(chosen)} asset(s)", title_justify="left")
    for column in ("asset", "group", "status", "producer", "runs", "last materialized"):
        table.add_column(column, justify="right" if column == "runs" else "left")
    for view in chosen:
        last = view.last_materialization
        table.add_row(view.key, view.group,
                      f"[{_COLOURS[view.status.value]}]{view.status.value}[/]",
                      "/".join(view.producer) if view.producer else "",
                      str(view.materializations),
                      f"{_when(last.timestamp)} ({last.run_id})" if last else "")
    stdout_console().print(table)
    if any(view.origin == "history" for view in chosen):
        stdout_console().print("[dim]assets without a group are known from recorded runs "
                               "only: pass their TARGET for groups and full status[/]")


list_command.help = _with_target_help(list_command.help)


@assets_group.command("show")
@click.argument("key")
@click.argument("target", required=False)
@click.option("--limit", default=20, show_default=True, help="History entries to show.")
@store_option
@json_option
def show_command(key: str, target: str | None, limit: int, store_url: str | None,
                 as_json: bool) -> None:
    """One asset: definition, status and its materialization history (newest first).

    \b
    Examples:
      assetbridge assets show warehouse/orders
      assetbridge assets show 's3://lake/customers.csv' --json
    """
    from bridge._types import EventKind
    from bridge.cli._render import stdout_console
    from bridge.cli._session import open_store_url

    view = _find(_views(target, store_url), key)
    store = open_store_url(store_url)
    try:
        events = [e for e in store.history(key, limit=10 * limit)
                  if e.kind is EventKind.MATERIALIZATION][:limit]
    finally:
        store.close()
    history = [{"run_id": e.run_id, "partition": e.partition, "timestamp": e.timestamp,
                "source": e.source} for e in events]
    if as_json:
        emit_json({**view.to_json(), "history": history})
        return
    console = stdout_console()
    colour = _COLOURS[view.status.value]
    group = f"group {view.group}" if view.group else "group unknown (pass its TARGET)"
    console.print(f"[bold]{view.key}[/] ([{colour}]{view.status.value}[/]) {group}, "
                  f"{view.materializations} materialization(s)")
    if view.producer:
        console.print(f"  produced by task {view.producer[1]!r} of DAG {view.producer[0]!r}")
    for reason in view.reasons:
        console.print(f"  why: {reason}")
    console.print("  upstream: " + (", ".join(sorted(view.deps)) or "none"))
    for item in history:
        part = f" partition {item['partition']}" if item["partition"] else ""
        console.print(f"  {_when(float(str(item['timestamp'])))}  run {item['run_id']}{part} "
                      f"[dim]({item['source']})[/]")


show_command.help = _with_target_help(show_command.help)


@assets_group.command("lineage")
@click.argument("key")
@click.argument("target", required=False)
@click.option("--upstream", type=click.IntRange(min=0), metavar="N",
              help="Levels upstream to show (default: all).")
@click.option("--downstream", type=click.IntRange(min=0), metavar="N",
              help="Levels downstream to show (default: all).")
@click.option("--format", "output_format", default="tree", show_default=True,
              type=click.Choice(["tree", "dot", "mermaid", "json"]),
              help="A tree in the terminal, Graphviz DOT, Mermaid, or JSON.")
@store_option
@json_option
def lineage_command(key: str, target: str | None, upstream: int | None,
                    downstream: int | None, output_format: str, store_url: str | None,
                    as_json: bool) -> None:
    """What KEY is made from and what is made from it (--json is --format json).

    \b
    Examples:
      assetbridge assets lineage warehouse/orders
      assetbridge assets lineage warehouse/orders --upstream 1 --downstream 0
      assetbridge assets lineage warehouse/orders --format mermaid > lineage.mmd
    """
    from translators.lineage import lineage_document, lineage_graph, lineage_records
    from translators.render import to_dot, to_mermaid

    if as_json and output_format not in ("tree", "json"):
        raise click.UsageError(f"--json and --format {output_format} exclude each other")
    views = _views(target, store_url)
    _find(views, key)
    graph = lineage_graph(views, key, upstream=upstream, downstream=downstream)
    if as_json or output_format == "json":
        emit_json(lineage_document(views, graph, key))
    elif output_format in ("dot", "mermaid"):
        render = to_dot if output_format == "dot" else to_mermaid
        click.echo(render(lineage_records(views, graph)), nl=False)
    else:
        from bridge.cli._render import stdout_console

        stdout_console().print(_tree(views, graph, key))


lineage_command.help = _with_target_help(lineage_command.help)


#: levels of the terminal tree; deeper levels are left to --format dot|mermaid|json
TREE_LEVELS = 25


def _tree(views: dict[str, AssetView], graph: object, key: str) -> object:
    """KEY with its upstream and downstream as a rich tree. Each asset's own branch is drawn
    once per direction (later occurrences say so), which keeps the tree as small as the
    graph; a branch deeper than :data:`TREE_LEVELS` levels is cut with a note."""
    import networkx as nx
    from rich.tree import Tree

    assert isinstance(graph, nx.DiGraph)

    def label(node: str) -> str:
        status = views[node].status.value if node in views else "unknown"
        return f"{node} [{_COLOURS.get(status, 'dim')}]({status})[/]"

    def grow(branch: Tree, step: str) -> None:
        arrow, drawn = ("<-" if step == "up" else "->"), {key}
        # depth-first, iteratively (a chain can be thousands of assets long)
        stack: list[tuple[Tree, str, int, frozenset[str]]] = [(branch, key, 0, frozenset({key}))]
        while stack:
            parent, node, depth, path = stack.pop()
            nexts = sorted(graph.predecessors(node) if step == "up" else graph.successors(node))
            if nexts and depth == TREE_LEVELS:
                parent.add(f"[dim]... {TREE_LEVELS}+ levels: see --{step}stream N, or "
                           "--format dot|mermaid|json[/]")
                continue
            children = []
            for other in nexts:
                note = (" [dim](cycle)[/]" if other in path
                        else " [dim](see above)[/]" if other in drawn else "")
                child = parent.add(f"{arrow} {label(other)}{note}")
                if not note:
                    drawn.add(other)
                    children.append((child, other, depth + 1, path | {other}))
            stack.extend(reversed(children))

    root = Tree(f"[bold]{label(key)}[/]")
    grow(root.add("[dim]upstream[/]"), "up")
    grow(root.add("[dim]downstream[/]"), "down")
    return root
