"""``assetbridge lineage import``: Airflow history into the asset catalog."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from bridge.cli._app import cli, emit_json
from bridge.cli._options import json_option, store_option

if TYPE_CHECKING:
    from translators.lineage import ImportResult

__all__ = ["lineage_group"]


@cli.group("lineage")
def lineage_group() -> None:
    """Import lineage (Airflow's metadata DB, OpenLineage events, Airflow's REST API)."""


@lineage_group.command("import")
@click.option("--airflow-db", "airflow_db", metavar="URL|PATH",
              help="Airflow metadata database: postgresql://... or the path of airflow.db "
                   "(opened read-only).")
@click.option("--openlineage", "openlineage", metavar="PATH",
              type=click.Path(exists=True, path_type=str),
              help="OpenLineage run events: an NDJSON file or a folder of them.")
@click.option("--airflow-api", "airflow_api", metavar="URL",
              help="A running Airflow 3's REST API v2 (http://host:8080).")
@click.option("--token", metavar="T", envvar="AIRFLOW_API_TOKEN",
              help="Bearer token for --airflow-api (default $AIRFLOW_API_TOKEN).")
@click.option("--dags", "dags", metavar="PATH", type=click.Path(exists=True, path_type=str),
              help="With --airflow-db: take the DAG structure from these DAG files (as "
                   "`assetbridge translate` reads them) instead of the serialized DAGs.")
@store_option
@json_option
def import_command(airflow_db: str | None, openlineage: str | None, airflow_api: str | None,
                   token: str | None, dags: str | None, store_url: str | None,
                   as_json: bool) -> None:
    """Read Airflow's history into the asset catalog of the store.

    Each Airflow Asset keeps its name as key (a URI-only asset its URI); every other task
    is an asset keyed DAG_ID/TASK_ID, exactly as `assetbridge translate` keys the same DAG
    files, so imported history attaches to the translated graph. Successful task
    instances and asset events become materializations (the run's logical date is the
    partition), failed task instances failures.

    Imports are incremental and idempotent: each source keeps a watermark in the store,
    and running the same import again adds only what is new. Each batch is one
    transaction, so an interrupted import leaves a consistent store.

    \b
    Examples:
      assetbridge lineage import --airflow-db postgresql://airflow@db/airflow
      assetbridge lineage import --airflow-db ~/airflow/airflow.db --dags ~/airflow/dags
      assetbridge lineage import --openlineage events/
      assetbridge lineage import --airflow-api http://localhost:8080 --token "$TOKEN"
      assetbridge assets list
    """
    chosen = [name for name, value in (("--airflow-db", airflow_db),
                                       ("--openlineage", openlineage),
                                       ("--airflow-api", airflow_api)) if value]
    if len(chosen) != 1:
        raise click.UsageError("give exactly one of --airflow-db, --openlineage, --airflow-api"
                               + (f" (got {', '.join(chosen)})" if chosen else ""))
    if dags and not airflow_db:
        raise click.UsageError("--dags goes with --airflow-db")
    from rich.console import Console

    from bridge.cli._session import open_store_url
    from translators.lineage import import_airflow_api, import_airflow_db, import_openlineage

    store = open_store_url(store_url)
    console = Console(stderr=True)
    try:
        with _ImportProgress(console, enabled=console.is_terminal and not as_json) as shown:
            if airflow_db:
                result = import_airflow_db(airflow_db, store, dags=[dags] if dags else [],
                                           on_batch=shown.update)
            elif openlineage:
                result = import_openlineage(openlineage, store, on_batch=shown.update)
            else:
                assert airflow_api is not None
                result = import_airflow_api(airflow_api, store, token=token,
                                            on_batch=shown.update)
    finally:
        store.close()
    if as_json:
        emit_json(result.to_json())
        return
    kinds = ", ".join(f"{n:,} {kind}s" for kind, n in sorted(result.events.items())) or "none"
    click.echo(f"imported {result.kind} {result.source}"
               + (f" ({result.schema})" if result.schema else "") + f" in "
               f"{result.seconds:.2f}s: {result.records_read:,} records read; assets: "
               f"{result.assets_added:,} new, {result.assets_updated:,} updated, "
               f"{result.assets_total:,} in the catalog; events added: {kinds}")


class _ImportProgress:
    """Records read and events written so far, on stderr (terminals only): a bar once the
    import knows how many records it will read, a running count before that."""

    def __init__(self, console: Any, *, enabled: bool) -> None:
        self._console = console
        self._enabled = enabled
        self._bar: Any = None
        self._task: Any = None

    def __enter__(self) -> _ImportProgress:
        if self._enabled:
            from rich.progress import (
                BarColumn,
                Progress,
                SpinnerColumn,
                TextColumn,
                TimeElapsedColumn,
            )

            self._bar = Progress(SpinnerColumn(), TextColumn("{task.description}"),
                                 BarColumn(), TextColumn("{task.fields[counts]}"),
                                 TimeElapsedColumn(), console=self._console, transient=True)
            self._task = self._bar.add_task("importing", total=None, counts="")
            self._bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()

    def update(self, result: ImportResult) -> None:
        """Show ``result`` so far (an import's ``on_batch``)."""
        if self._bar is None:
            return
        total = result.records_total
        counts = f"{result.records_read:,}{f' of {total:,}' if total else ''} records, " \
                 f"{result.events_added:,} events"
        self._bar.update(self._task, total=total, completed=result.records_read,
                         counts=counts)
