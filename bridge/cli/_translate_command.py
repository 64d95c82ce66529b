"""``assetbridge translate``: Airflow DAG files read into one asset graph across DAGs."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

import click

from bridge.cli._app import CommandFailed, cli, emit_json
from bridge.cli._options import json_option

if TYPE_CHECKING:
    from rich.console import Console

    from translators.contract import AssetTranslation
    from translators.model import Diagnostic, ReadResult

__all__ = ["translate_command"]

_LEVEL_STYLE = {"error": "red", "warning": "yellow", "info": "dim"}


@cli.command("translate")
@click.argument("paths", nargs=-1, required=True, metavar="PATH...",
                type=click.Path(exists=True, path_type=str))
@click.option("--static", "static", is_flag=True,
              help="Parse the files without importing them (no Airflow needed).")
@click.option("--live", "live", is_flag=True,
              help="Load the files through Airflow's DagBag (needs the airflow extra).")
@click.option("--format", "output_format", type=click.Choice(["text", "json", "dot", "mermaid"]),
              default=None, help="Output: a readable summary (text, the default), the JSON "
              "contract, or the asset graph as Graphviz DOT or Mermaid.")
@json_option
def translate_command(paths: tuple[str, ...], static: bool, live: bool,
                      output_format: str | None, as_json: bool) -> None:
    """Read Airflow DAG files or folders (PATH...) into one asset graph across DAGs.

    Each task becomes an asset keyed DAG_ID/TASK_ID (grouped by DAG); a task with Airflow
    Asset/Dataset outlets produces those assets instead, keyed by their name (or URI).
    Task edges, inlets, asset schedules, ExternalTaskSensor / ExternalTaskMarker and
    TriggerDagRunOperator become asset dependencies, across DAGs too.

    \b
    Readers:
      --static   parse the files; nothing is imported or executed
      --live     import them through Airflow's DagBag
      (default)  live where a file imports, static otherwise; the summary says which
    The static reader keeps what it found per file content in a cache
    ($ASSETBRIDGE_CACHE_DIR, default ~/.cache/assetbridge); ASSETBRIDGE_NO_CACHE=1 turns
    it off.

    \b
    Examples:
      assetbridge translate dags/
      assetbridge translate dags/ --json > graph.json
      assetbridge translate dags/etl.py --format mermaid

    Problems are reported as diagnostics with file:line; a bad file never stops the
    others. Exits 1 when any diagnostic is an error (the output is printed anyway).
    """
    if static and live:
        raise click.UsageError("--static and --live exclude each other; pick one")
    if as_json and output_format not in (None, "json"):
        raise click.UsageError(f"--json and --format {output_format} exclude each other")
    output_format = "json" if as_json else (output_format or "text")

    from translators.contract import diagnostic_order, translate_document
    from translators.reading import read_dags
    from translators.render import to_dot, to_mermaid
    from translators.to_assets import dags_to_assets

    result = read_dags(list(paths), mode="static" if static else "live" if live else "auto")
    translation = dags_to_assets(result)
    if output_format == "json":
        emit_json(translate_document(result, translation))
    elif output_format in ("dot", "mermaid"):
        render = to_dot if output_format == "dot" else to_mermaid
        click.echo(render(translation.records), nl=False)
    else:
        from bridge.cli._render import stdout_console

        _print_summary(stdout_console(), result, translation)
    errors = sorted((d for d in (*result.diagnostics, *translation.diagnostics)
                     if d.level == "error"), key=diagnostic_order)
    if errors:
        first = errors[0]
        where = f"{first.file}:{first.line}" if first.file and first.line else first.file
        raise CommandFailed(
            f"{_count(len(errors), 'error diagnostic')}; first: "
            f"{where + ': ' if where else ''}{first.code}: {first.message}".replace("\n", " "))


def _print_summary(console: Console, result: ReadResult, translation: AssetTranslation) -> None:
    """DAGs, files and their readers, assets, cross-DAG edges and diagnostics."""
    from rich.markup import escape
    from rich.table import Table

    from translators.contract import diagnostic_order

    files = Table(title="files", title_justify="left")
    for column in ("file", "reader", "DAGs"):
        files.add_column(column, justify="right" if column == "DAGs" else "left")
    per_file = Counter(dag.file for dag in result.dags)
    for file in sorted(set(result.readers) | set(per_file)):
        files.add_row(escape(file), result.readers.get(file, "-"), str(per_file[file]))
    console.print(files)

    dags = Table(title=_count(len(result.dags), "DAG"), title_justify="left")
    for column in ("dag", "file:line", "schedule", "tasks"):
        dags.add_column(column, justify="right" if column == "tasks" else "left")
    for dag in sorted(result.dags, key=lambda d: (d.dag_id, d.file)):
        where = f"{dag.file}:{dag.line}" if dag.line else dag.file
        dags.add_row(escape(dag.dag_id), escape(where), escape(dag.schedule or "None"),
                     str(len(dag.tasks)))
    console.print(dags)

    sources = sum(1 for record in translation.records if record.dag_id is None)
    edges = translation.cross_dag_edges()
    produced = f" ({_count(sources, 'source asset')} that no DAG read produces)" if sources else ""
    console.print(f"[bold]{_count(len(translation.records), 'asset')}[/]{produced}, "
                  f"[bold]{_count(len(edges), 'cross-DAG edge')}[/]" + (":" if edges else ""))
    for upstream, downstream in edges:
        console.print(f"  {escape(upstream)} -> {escape(downstream)}")

    diagnostics = sorted({*result.diagnostics, *translation.diagnostics}, key=diagnostic_order)
    _print_diagnostics(console, diagnostics)


def _print_diagnostics(console: Console, diagnostics: list[Diagnostic]) -> None:
    from rich.markup import escape

    counts: Counter[str] = Counter(d.level for d in diagnostics)
    if not diagnostics:
        console.print("[green]no diagnostics[/]")
        return
    summary = ", ".join(_count(counts[level], level) if level != "info" else f"{counts[level]} info"
                        for level in _LEVEL_STYLE if counts[level])
    console.print(f"diagnostics: {summary}")
    for item in diagnostics:
        where = item.file or "-"
        if item.file and item.line:
            where = f"{item.file}:{item.line}"
        style = _LEVEL_STYLE[item.level]
        console.print(f"  [{style}]{item.level}[/] {escape(where)} [bold]{item.code}[/]: "
                      f"{escape(item.message)}")


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")
