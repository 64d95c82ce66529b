"""What an exported Airflow task runs: materialize its assets through bridge, return a record.

Imports no Airflow, so the same function serves Airflow 3 tasks (in the task's process,
through :class:`translators.export.operator.AssetOperator`) and Airflow 2 tasks (in the
assetbridge interpreter, through ``python -m translators.export.worker``).

The values move through the assets' I/O managers (the environment's resources; by default
pickles under ``$ASSETBRIDGE_HOME/storage``); the run is recorded in the bridge store, so
``assetbridge status`` against the same store sees it. The returned record is small: it is
what Airflow keeps in XCom.
"""

from __future__ import annotations

import dataclasses
import os
import string
import threading
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from bridge._asset import Asset
from bridge._graph import AssetGraph
from bridge._loading import load_target
from bridge._partitions import TimeWindowPartitions
from bridge._project import find_project, open_resources
from bridge._types import EventKind
from bridge.errors import PartitionError, ProjectFileError
from bridge.io import FilesystemIOManager
from bridge.runner import RunOptions, materialize
from bridge.storage import SqlStore

__all__ = ["register_assets", "run_task"]

_lock = threading.Lock()
#: assets handed to ``airflow_dags`` in this process, by their runtime reference
_registered: dict[str, tuple[list[Asset], Path | None]] = {}
_loaded: dict[str, tuple[list[Asset], Path | None]] = {}


def register_assets(reference: str, assets: list[Asset], folder: Path | None) -> None:
    """Remember assets built in this process (live DAGs), so tasks need not re-import them."""
    with _lock:
        _registered[reference] = (assets, folder)


def _assets_for(reference: str) -> tuple[list[Asset], Path | None]:
    with _lock:
        found = _registered.get(reference) or _loaded.get(reference)
    if found is None:
        loaded = load_target(reference)
        folder = loaded.files[0].parent if loaded.files else None
        found = (loaded.assets, folder)
        with _lock:
            _loaded[reference] = found
    return found


def run_task(
    *,
    assets: str,
    keys: Sequence[str],
    env: str | None = None,
    store: str | None = None,
    partition: str | None = None,
    data_interval_start: datetime | str | None = None,
    config: Mapping[str, Any] | None = None,
    tags: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Materialize ``keys`` (one definition) and return the materialization record.

    Args:
        assets: the asset file or module (as given to ``assetbridge export``).
        keys: the keys of the definition the task runs.
        env: the assetbridge.toml environment whose resources to use.
        store: run storage URL (``${VAR}`` expanded); default ``$ASSETBRIDGE_HOME/runs.db``.
        partition: a static partition key (mapped tasks).
        data_interval_start: Airflow's data interval start; picks the time partition.
        config: the asset's run config (from the DAG params).
        tags: recorded on the bridge run (Airflow dag/run/task ids).

    Raises:
        AssetExecutionError: the asset function failed (Airflow marks the task failed and
            retries it as configured); any BridgeError for bad setup.
    """
    definitions, folder = _assets_for(assets)
    graph = AssetGraph.from_assets(definitions)
    definition = graph.definition(keys[0])
    if definition.specs[0].retry is not None:  # Airflow retries the task; don't retry twice
        replaced = dataclasses.replace(
            definition, specs=tuple(spec.replace(retry=None) for spec in definition.specs))
        definitions = [replaced if d is definition else d for d in graph.definitions()]
    partition = partition or _time_partition(definition, data_interval_start)
    project = find_project(folder or Path.cwd())
    home = Path(os.environ.get("ASSETBRIDGE_HOME", ".assetbridge"))
    url = _store_url(store, home)
    run_store = SqlStore(url)
    try:
        with open_resources(project, env) as resources:
            resources.setdefault("io_manager", FilesystemIOManager(home / "storage"))
            result = materialize(
                definitions, selection=list(keys), resources=resources,
                config={keys[0]: dict(config)} if config else None, partition=partition,
                store=run_store, options=RunOptions(target=assets, tags=dict(tags or {})),
            )
        result.raise_on_failure()
        events = {e.asset_key: e for e in run_store.events_for_run(result.run_id)
                  if e.kind is EventKind.MATERIALIZATION}
        return {
            "run_id": result.run_id,
            "status": result.status.value,
            "partition": partition,
            "assets": [{"key": key, "code_version": graph.spec(key).code_version,
                        "data_version": getattr(events.get(key), "data_version", None)}
                       for key in keys],
        }
    finally:
        run_store.close()


def _time_partition(definition: Asset, start: datetime | str | None) -> str | None:
    partitions = definition.specs[0].partitions
    if not isinstance(partitions, TimeWindowPartitions):
        return None
    if start is None:
        raise PartitionError(f"asset {str(definition.key)!r} is time-partitioned but the task "
                             "got no data interval; run it from its exported DAG")
    moment = datetime.fromisoformat(start) if isinstance(start, str) else start
    moment = moment.astimezone(timezone.utc) if moment.tzinfo else moment
    return partitions.validate(moment.strftime(partitions.fmt))


def _store_url(store: str | None, home: Path) -> str:
    if not store:
        home.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{home / 'runs.db'}"
    try:
        return string.Template(store).substitute(os.environ)
    except (KeyError, ValueError) as exc:
        raise ProjectFileError(f"store URL of the exported DAG needs {exc} from the "
                               "environment; export it in the Airflow workers") from None
