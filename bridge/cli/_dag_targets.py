"""``assetbridge run`` on Airflow DAG files and folders (routed to translators.execution)."""

from __future__ import annotations

from typing import Any

import click

__all__ = ["dag_target_graph", "run_dag_target"]


def run_dag_target(target: str, *, selection: str | None, config: str | None, env: str | None,
                   store_url: str | None, max_workers: int, logical_date: str | None,
                   secrets: tuple[str | None, str | None] = (None, None),
                   as_json: bool) -> None:
    """``assetbridge run`` for Airflow DAG files and folders; ``secrets`` are the Variables
    and Connections files."""
    from pathlib import Path

    from rich.console import Console

    from bridge._project import find_project, open_resources
    from bridge.cli._render import ProgressHooks, report_run
    from bridge.cli._session import home_dir, open_store_url, parse_config
    from bridge.io import FilesystemIOManager
    from translators.execution import ExecutionSettings, run_dags

    params = parse_config(config)
    path = Path(target)
    project = find_project(path if path.is_dir() else path.parent)
    console = Console(stderr=True)
    hooks = [] if as_json or not console.is_terminal else [ProgressHooks(console)]
    store = open_store_url(store_url)
    try:
        with open_resources(project, env) as resources:
            resources.setdefault("io_manager", FilesystemIOManager(home_dir() / "storage"))
            outcome = run_dags(target, select=selection, logical_date=logical_date,
                               params=params, resources=resources, store=store,
                               settings=ExecutionSettings(max_workers=max_workers,
                                                          variables=secrets[0],
                                                          connections=secrets[1]),
                               hooks=hooks)
    finally:
        store.close()
    for problem in outcome.diagnostics:
        # a broken file did not stop the others; tasks outside their dates did not run
        if problem.level == "error" or problem.code == "outside-task-dates":
            click.echo(f"warning: {problem.file}:{problem.line or 0}: {problem.message}",
                       err=True)
    report_run(outcome.run, as_json=as_json, noun="task(s)")


def dag_target_graph(target: str) -> Any:
    """The asset graph of Airflow DAG files, keyed exactly as ``run`` records them."""
    from pathlib import Path

    from bridge._graph import AssetGraph
    from translators._airflow_env import airflow_environment
    from translators.execution._assets import dag_assets
    from translators.execution._loading import dag_folders, load_dags, on_sys_path

    paths = [Path(target)]
    with airflow_environment(), on_sys_path(dag_folders(paths)):
        dags, _ = load_dags(paths)
        return AssetGraph.from_assets(dag_assets(dags))
