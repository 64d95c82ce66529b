"""``assetbridge export``: asset definitions as Airflow DAG files."""

from __future__ import annotations

import shlex
from typing import TYPE_CHECKING, Any

import click

from bridge.cli._app import cli, emit_json
from bridge.cli._options import env_option, json_option

if TYPE_CHECKING:
    from translators.export import DagPlan, ExportResult

__all__ = ["export_command"]


@cli.command("export")
@click.argument("target")
@click.option("--out", "out", required=True, metavar="DIR",
              help="Folder to write the DAG files into (one file per DAG).")
@click.option("--target", "airflow", type=click.Choice(["airflow3", "airflow2"]),
              default="airflow3", show_default=True,
              help="Airflow version the files are written for.")
@click.option("--group-by", "group_by", type=click.Choice(["group", "one"]), default="group",
              show_default=True, help="One DAG per asset group, or one DAG for all assets.")
@click.option("--split/--no-split", default=True, show_default=True,
              help="Split a group where one DAG would make a first task wait for upstream "
                   "assets it does not read (exact asset schedules; translating the DAGs "
                   "back gives the same asset graph). --no-split: one DAG per group.")
@click.option("--job", "jobs", multiple=True, metavar="NAME=SEL",
              help="One DAG per job instead: NAME=SELECTION (e.g. daily=+daily_revenue); "
                   "repeatable; an asset goes to the first job that selects it.")
@click.option("--schedule", "schedules", multiple=True, metavar="[DAG=]CRON",
              help="Schedule of DAGs that are neither time-partitioned nor fed by another "
                   "DAG (default: manual). DAG=CRON sets one group's or job's; repeatable.")
@click.option("--catchup/--no-catchup", default=False, show_default=True,
              help="Let Airflow run past intervals of time-partitioned DAGs.")
@click.option("--start-date", "start_date", default="2024-01-01", show_default=True,
              help="Start date of DAGs that are not time-partitioned.")
@env_option
@click.option("--store", "store", metavar="URL",
              help="Run storage the tasks record into (${VAR} is read when a task runs); "
                   "default: $ASSETBRIDGE_HOME/runs.db of the Airflow workers.")
@click.option("--python", "python", metavar="PATH",
              help="airflow2: the interpreter that has assetbridge ($ASSETBRIDGE_PYTHON "
                   "wins at run time; default python3).")
@click.option("--dag-id-prefix", "prefix", default="", help="Prefix of every DAG id.")
@json_option
def export_command(target: str, out: str, airflow: str, group_by: str, split: bool,
                   jobs: tuple[str, ...],
                   schedules: tuple[str, ...], catchup: bool, start_date: str, env: str | None,
                   store: str | None, python: str | None, prefix: str, as_json: bool) -> None:
    """Write the assets of TARGET (file, folder or module) as Airflow DAG files into DIR.

    Each asset (or multi-asset) becomes one task that materializes it through assetbridge
    with the environment's resources; values move through its I/O manager, XCom carries
    only the run record. Dependencies inside a DAG are task edges; dependencies across DAGs
    are Airflow asset schedules. Time-partitioned assets run in DAGs whose data interval is
    the partition; static partitions become mapped tasks; run config becomes DAG params.

    \b
    Examples:
      assetbridge export examples/quickstart/assets.py --out dags/
      assetbridge export assets.py --out dags/ --group-by one --schedule @daily
      assetbridge export assets.py --out dags/ --job nightly=+daily_revenue --env prod \\
          --store '${ASSETBRIDGE_STORE_URL}'
      assetbridge export assets.py --out dags/ --target airflow2 --python /opt/ab/bin/python

    Regenerating from the same assets writes the same files; files of DAGs that no longer
    exist (written by an earlier export) are removed.
    """
    from translators.export import ExportOptions, export_dags

    options = ExportOptions(
        target=airflow,  # type: ignore[arg-type]  # click.Choice guarantees the literal
        group_by=group_by,  # type: ignore[arg-type]
        split=split,
        jobs=tuple(_pair(job, "--job") for job in jobs),
        schedule=next((s for s in schedules if "=" not in s.split(" ")[0]), None),
        schedules=dict(_pair(s, "--schedule") for s in schedules if "=" in s.split(" ")[0]),
        catchup=catchup, start_date=start_date, env=env, store=store,
        dag_id_prefix=prefix, python=python,
        command=_command(target, out, click.get_current_context()),
    )
    result = export_dags(target, out, options)
    if as_json:
        emit_json(_document(result))
    else:
        _print(result)


def _pair(text: str, option: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip() or not value.strip():
        raise click.UsageError(f"{option} {text!r}: write NAME=VALUE")
    return name.strip(), value.strip()


def _command(target: str, out: str, ctx: click.Context) -> str:
    """The command line to regenerate the files (non-default options only)."""
    words = ["assetbridge", "export", target, "--out", out]
    for param in ctx.command.params:
        if param.name in ("target", "out", "as_json") or not isinstance(param, click.Option):
            continue
        value = ctx.params.get(param.name or "")
        if value == param.default or value is None or value == ():
            continue
        flag = param.opts[0]
        if isinstance(value, bool):
            words.append(flag if value else (param.secondary_opts or [flag])[0])
        elif isinstance(value, tuple):
            for item in value:
                words.extend([flag, str(item)])
        else:
            words.extend([flag, str(value)])
    return shlex.join(words)


def _schedule(dag: DagPlan) -> str | None:
    """Asset schedules as ``a & b``, a cron, or None for manual runs."""
    if dag.schedule_assets:
        return " & ".join(dag.schedule_assets)
    return dag.cron


def _document(result: ExportResult) -> dict[str, Any]:
    return {
        "out": str(result.out),
        "target": result.plan.options.target,
        "dags": [{
            "dag_id": item.dag.dag_id, "file": str(item.path), "schedule": _schedule(item.dag),
            "changed": item.changed,
            "tasks": [{"task_id": f"{t.task_group}.{t.task_id}" if t.task_group else t.task_id,
                       "assets": list(t.keys), "upstream": list(t.upstream)}
                      for t in item.dag.tasks],
        } for item in sorted(result.files, key=lambda f: f.dag.dag_id)],
        "removed": sorted(str(path) for path in result.removed),
        "left_out": list(result.plan.left_out),
    }


def _print(result: ExportResult) -> None:
    from rich.markup import escape
    from rich.table import Table

    from bridge.cli._render import stdout_console

    console = stdout_console()
    written = sum(1 for item in result.files if item.changed)
    console.print(f"{len(result.files)} DAG file(s) for {result.plan.options.target} in "
                  f"{escape(str(result.out))} ({written} written, "
                  f"{len(result.files) - written} unchanged)")
    table = Table()
    for column in ("dag", "file", "schedule", "tasks", ""):
        table.add_column(column, justify="right" if column == "tasks" else "left")
    for item in sorted(result.files, key=lambda f: f.dag.dag_id):
        table.add_row(escape(item.dag.dag_id), escape(item.path.name),
                      escape(_schedule(item.dag) or "manual"), str(len(item.dag.tasks)),
                      "written" if item.changed else "unchanged")
    console.print(table)
    for path in result.removed:
        console.print(f"removed {escape(str(path))} (its DAG is no longer exported)")
    if result.plan.left_out:
        console.print(f"not exported (no job selects them): "
                      f"{escape(', '.join(result.plan.left_out))}")
