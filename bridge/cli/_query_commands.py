"""``assetbridge status``, ``plan``, ``provenance`` and ``impact``: questions about assets."""

from __future__ import annotations

import datetime
import shlex

import click

from bridge.cli._app import CommandFailed, cli, emit_json
from bridge.cli._options import config_option, json_option, select_option, store_option

__all__ = ["impact_command", "plan_command", "provenance_command", "status_command"]

_COLOURS = {"fresh": "green", "stale": "yellow", "never": "dim", "failed": "red"}


def _when(timestamp: float) -> str:
    return datetime.datetime.fromtimestamp(timestamp).strftime("%Y-%m-%d %H:%M:%S")


@cli.command("status")
@click.argument("target")
@select_option
@config_option
@store_option
@json_option
def status_command(target: str, selection: str | None, config: str | None,
                   store_url: str | None, as_json: bool) -> None:
    """Is each asset up to date? fresh, stale (with the reasons), never or failed.

    TARGET is an asset module, or Airflow DAG files / a DAGs folder (each task an asset).
    With --config, an asset whose last materialization used different config is stale.
    """
    from rich.table import Table

    from bridge._loading import is_dag_target
    from bridge._selection import select
    from bridge._status import asset_statuses
    from bridge.cli._dag_targets import dag_target_graph
    from bridge.cli._render import stdout_console
    from bridge.cli._session import open_session, open_store_url, parse_config

    if is_dag_target(target):  # Airflow DAG files: tasks as assets, as `run` records them
        graph = dag_target_graph(target)
        store = open_store_url(store_url)
        try:
            reports = asset_statuses(graph, store)
        finally:
            store.close()
        wanted = select(graph, selection)
    else:
        with open_session(target, store_url) as session:
            reports = asset_statuses(session.graph, session.store,
                                     config=parse_config(config))
            wanted = select(session.graph, selection)
    chosen = [reports[k] for k in sorted(reports) if k in wanted]
    if as_json:
        emit_json({"assets": [report.to_json() for report in chosen]})
        return
    table = Table(title="asset status", title_justify="left")
    for column in ("asset", "status", "last materialized", "why"):
        table.add_column(column)
    for report in chosen:
        last = report.last_materialization
        colour = _COLOURS[report.status.value]
        table.add_row(str(report.key), f"[{colour}]{report.status.value}[/]",
                      _when(last.timestamp) + f" ({last.run_id})" if last else "",
                      "\n".join(report.reasons))
    stdout_console().print(table)


@cli.command("plan")
@click.argument("target")
@select_option
@config_option
@store_option
@json_option
def plan_command(target: str, selection: str | None, config: str | None,
                 store_url: str | None, as_json: bool) -> None:
    """What to run, in order, to make the selected assets fresh."""
    from bridge._selection import select
    from bridge._status import asset_statuses, refresh_plan
    from bridge.cli._render import stdout_console
    from bridge.cli._session import open_session, parse_config

    with open_session(target, store_url) as session:
        reports = asset_statuses(session.graph, session.store, config=parse_config(config))
        keys = sorted(select(session.graph, selection))
        plan = refresh_plan(session.graph, session.store, keys, reports)
    config_part = f" --config {shlex.quote(config)}" if config else ""
    command = (f"assetbridge run {target} --select {','.join(str(k) for k in plan)}"
               f"{config_part}" if plan else None)
    if as_json:
        emit_json({"assets": [{"key": str(k), "status": reports[k].status.value,
                               "reasons": reports[k].reasons} for k in plan],
                   "command": command})
        return
    console = stdout_console()
    if not plan:
        console.print("[green]everything selected is fresh; nothing to run[/]")
        return
    for key in plan:
        report = reports[key]
        console.print(f"[bold]{key}[/] ({report.status.value}): {'; '.join(report.reasons)}",
                      highlight=False)
    console.print(f"\nrun: [bold]{command}[/]", highlight=False, soft_wrap=True)


@cli.command("provenance")
@click.argument("target")
@click.argument("key")
@store_option
@json_option
def provenance_command(target: str, key: str, store_url: str | None, as_json: bool) -> None:
    """Where the latest materialization of KEY came from: run, code, config, upstream data."""
    from bridge._status import provenance
    from bridge.cli._render import stdout_console
    from bridge.cli._session import open_session

    with open_session(target, store_url) as session:
        found = provenance(session.graph, session.store, session.graph.find(key))
    if found is None:
        raise CommandFailed(f"asset {key!r} was never materialized; run "
                            f"`assetbridge run {target} --select +{key}`")
    if as_json:
        emit_json(found)
        return
    console = stdout_console()
    console.print(f"[bold]{found['key']}[/] materialized {_when(found['timestamp'])} "
                  f"by run {found['run_id']}"
                  + (f", partition {found['partition']}" if found["partition"] else ""))
    code_now = found["current_code_version"]
    changed = " (changed since)" if code_now != found["code_version"] else ""
    console.print(f"  code version: {found['code_version']}{changed}")
    console.print(f"  data version: {found['data_version']}")
    if found["config_hash"]:
        console.print(f"  config hash:  {found['config_hash']}")
    for upstream in found["upstream"]:
        note = " [yellow](re-materialized since)[/]" if upstream["changed_since"] else ""
        console.print(f"  <- {upstream['key']}: data {upstream['data_version']} from run "
                      f"{upstream['run_id']}{note}")


@cli.command("impact")
@click.argument("target")
@click.option("--changed", metavar="KEYS", help="Comma-separated asset keys whose code changed.")
@click.option("--since", metavar="GITREF",
              help="Find changed assets from `git diff GITREF` (working tree included).")
@json_option
def impact_command(target: str, changed: str | None, since: str | None, as_json: bool) -> None:
    """Which assets a code change forces to rebuild: the changed ones and all downstream."""
    from bridge._graph import AssetGraph
    from bridge._impact import changed_assets_since, impacted_assets
    from bridge._loading import load_target
    from bridge.cli._render import stdout_console

    if not changed and not since:
        raise click.UsageError("give --changed KEYS or --since GITREF")
    graph = AssetGraph.from_assets(load_target(target).assets)
    roots = [graph.find(k.strip()) for k in (changed or "").split(",") if k.strip()]
    if since:
        from pathlib import Path

        where = Path(target) if Path(target).is_dir() else Path(target).parent
        roots += changed_assets_since(graph, since, cwd=str(where) if where.exists() else None)
    impacted = impacted_assets(graph, roots)
    if as_json:
        emit_json({"changed": sorted(str(k) for k in set(roots)),
                   "impacted": [str(k) for k in impacted]})
        return
    console = stdout_console()
    if not impacted:
        console.print("no asset is affected")
        return
    direct = set(roots)
    for key in impacted:
        console.print(f"{key}" + ("  [bold](changed)[/]" if key in direct else ""))
