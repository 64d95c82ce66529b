"""``assetbridge run``, ``backfill`` and ``runs``."""

from __future__ import annotations

import time

import click

from bridge.cli._app import CommandFailed, cli, emit_json
from bridge.cli._options import (
    config_option,
    env_option,
    json_option,
    select_option,
    store_option,
)

__all__ = ["backfill_command", "run_command", "runs_group"]


@cli.command("run")
@click.argument("target")
@select_option
@click.option("--partition", "-p", metavar="KEY", help="Partition key for partitioned assets.")
@config_option
@env_option
@store_option
@click.option("--from-failure", "from_failure", metavar="RUN_ID",
              help="Re-execute only what failed or did not run in RUN_ID.")
@click.option("--max-workers", "-j", default=1, show_default=True, type=click.IntRange(1),
              help="Threads for independent assets.")
@click.option("--logical-date", "logical_date", metavar="DATE",
              help="Airflow DAG targets: the run's logical date (ds, data_interval_start, "
                   "templates), e.g. 2026-01-01; default now.")
@click.option("--variables", "variables", metavar="FILE",
              type=click.Path(exists=True, dir_okay=False),
              help="Airflow DAG targets: Variables from a JSON, YAML or .env file (the format "
                   "of Airflow's local-filesystem secrets backend); AIRFLOW_VAR_* win.")
@click.option("--connections", "connections", metavar="FILE",
              type=click.Path(exists=True, dir_okay=False),
              help="Airflow DAG targets: Connections from a JSON, YAML or .env file (same "
                   "format); AIRFLOW_CONN_* win.")
@json_option
def run_command(target: str, selection: str | None, partition: str | None, config: str | None,
                env: str | None, store_url: str | None, from_failure: str | None,
                max_workers: int, logical_date: str | None, variables: str | None,
                connections: str | None, as_json: bool) -> None:
    """Materialize the assets defined in TARGET (a .py file, folder or module) in-process.

    Values are stored by each asset's I/O manager (files under .assetbridge/storage by
    default) and the run is recorded in the store, so `assetbridge status` can answer.

    TARGET may also be Airflow DAG files or a DAGs folder: each task is an asset keyed
    dag_id/task_id (or the assets its outlets name, as `assetbridge translate` shows) and
    runs in-process (templates rendered, XComs in memory); --config is then the DAG run conf
    (params) and --env's resources map conn_ids to SQLAlchemy URLs.
    """
    from rich.console import Console

    from bridge._loading import is_dag_target
    from bridge.cli._dag_targets import run_dag_target
    from bridge.cli._render import ProgressHooks, report_run
    from bridge.cli._session import open_session, parse_config
    from bridge.runner import RunOptions, materialize

    if is_dag_target(target):
        if partition or from_failure:
            raise click.UsageError("Airflow DAG targets take no --partition/--from-failure; "
                                   "use --logical-date and --select")
        run_dag_target(target, selection=selection, config=config, env=env, store_url=store_url,
                       max_workers=max_workers, logical_date=logical_date,
                       secrets=(variables, connections), as_json=as_json)
        return
    for name, given in (("--logical-date", logical_date), ("--variables", variables),
                        ("--connections", connections)):
        if given:
            raise click.UsageError(f"{name} applies to Airflow DAG targets only; "
                                   f"{target!r} defines assets")
    if from_failure and (selection or partition):
        raise click.UsageError("--from-failure re-runs what the earlier run left undone, with "
                               "its selection and partition; drop --select/--partition")
    run_config = parse_config(config)
    with open_session(target, store_url) as session, session.resources(env) as resources:
        console = Console(stderr=True)
        hooks = [] if as_json or not console.is_terminal else [ProgressHooks(console)]
        options = RunOptions(max_workers=max_workers, hooks=hooks, target=target,
                             from_failure=from_failure)
        result = materialize(session.graph, selection=selection, resources=resources,
                             config=run_config, partition=partition, store=session.store,
                             options=options)
    report_run(result, as_json=as_json,
               hint=f"fix and re-run with --from-failure {result.run_id}")


@cli.command("backfill")
@click.argument("target")
@click.option("--select", "-s", "selection", required=True, metavar="SEL",
              help="Assets to backfill (selection syntax as for run), e.g. '+daily_summary'.")
@click.option("--from", "start", required=True, metavar="P", help="First partition key.")
@click.option("--to", "end", required=True, metavar="P", help="Last partition key (inclusive).")
@config_option
@env_option
@store_option
@json_option
def backfill_command(target: str, selection: str, start: str, end: str,
                     config: str | None, env: str | None, store_url: str | None,
                     as_json: bool) -> None:
    """Materialize the selection for every partition from --from to --to.

    The backfill is recorded once; running the same command again resumes it, skipping
    partitions already materialized by it (also after a crash).
    """
    from rich.table import Table

    from bridge.cli._render import stdout_console
    from bridge.cli._session import open_session, parse_config
    from bridge.runner import RunOptions
    from bridge.runner._backfill import backfill

    run_config = parse_config(config)
    with open_session(target, store_url) as session, session.resources(env) as resources:
        result = backfill(session.graph, selection=selection, start=start, end=end,
                          resources=resources, config=run_config, store=session.store,
                          options=RunOptions(target=_canonical(target)))
    if as_json:
        emit_json(result.to_json())
    else:
        table = Table(title=f"backfill {result.backfill_id}"
                      + (" (resumed)" if result.resumed else ""), title_justify="left")
        table.add_column("partition")
        table.add_column("state")
        rows = [("(unpartitioned, before)", result.unpartitioned.get("before")),
                *result.partitions.items(),
                ("(unpartitioned, after)", result.unpartitioned.get("after"))]
        for partition, state in rows:
            if state is None:
                continue
            colour = {"failed": "red", "materialized": "green"}.get(state, "dim")
            table.add_row(partition, f"[{colour}]{state}[/]")
        stdout_console().print(table)
    if not result.success:
        problems = [f"partition {p}: {s}" for p, s in result.partitions.items()
                    if s not in ("materialized", "already materialized")]
        problems += [f"unpartitioned ({phase}): {s}" for phase, s in result.unpartitioned.items()
                     if s not in ("materialized", "already materialized")]
        raise CommandFailed(f"backfill {result.backfill_id} incomplete: {len(problems)} "
                            f"problem(s), first: {problems[0]}; re-run the same command to "
                            "retry")


def _canonical(target: str) -> str:
    """The same file spelled differently (./x.py, x.py, /abs/x.py) is the same backfill."""
    from pathlib import Path

    path = Path(target)
    return str(path.resolve()) if path.exists() else target


@cli.group("runs")
def runs_group() -> None:
    """List recorded runs and show one with its per-asset logs."""


@runs_group.command("list")
@store_option
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1))
@json_option
def runs_list(store_url: str | None, limit: int, as_json: bool) -> None:
    """The newest runs first."""
    from rich.table import Table

    from bridge.cli._render import stdout_console
    from bridge.cli._session import open_store_url
    from bridge.runner._materialize import run_is_orphaned

    store = open_store_url(store_url)
    try:
        runs = store.list_runs(limit)
    finally:
        store.close()
    if as_json:
        emit_json({"runs": [{"run_id": r.run_id, "status": r.status.value,
                             "started_at": r.started_at, "finished_at": r.finished_at,
                             "target": r.target, "partition": r.partition,
                             "backfill_id": r.backfill_id} for r in runs]})
        return
    table = Table()
    for column in ("run", "status", "started", "seconds", "target", "partition"):
        table.add_column(column)
    for run in runs:
        took = f"{run.finished_at - run.started_at:.2f}" if run.finished_at else ""
        status = "crashed" if run_is_orphaned(run) else run.status.value
        table.add_row(run.run_id, status,
                      time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(run.started_at)),
                      took, run.target or "", run.partition or "")
    stdout_console().print(table)


@runs_group.command("show")
@click.argument("run_id")
@store_option
@json_option
def runs_show(run_id: str, store_url: str | None, as_json: bool) -> None:
    """One run: per-asset outcomes, timings and captured logs."""
    from bridge.cli._render import stdout_console
    from bridge.cli._session import open_store_url

    store = open_store_url(store_url)
    try:
        run = store.get_run(run_id)
        events = store.events_for_run(run_id)
    finally:
        store.close()
    if run is None:
        raise CommandFailed(f"no run {run_id!r} in {store.url}; list runs with "
                            "`assetbridge runs list`")
    if as_json:
        emit_json({"run_id": run.run_id, "status": run.status.value,
                   "events": [{"key": e.asset_key, "kind": e.kind.value,
                               "partition": e.partition, "seconds": e.seconds,
                               "error": e.error, "logs": e.logs} for e in events]})
        return
    console = stdout_console()
    console.print(f"[bold]run {run.run_id}[/] {run.status.value} ({run.target})")
    for event in events:
        console.print(f"  {event.kind.value:15} {event.asset_key}"
                      + (f" [{event.partition}]" if event.partition else "")
                      + (f"  {event.error}" if event.error else ""), markup=False)
        for line in (event.logs or "").splitlines():
            console.print(f"      {line}", markup=False, highlight=False)
