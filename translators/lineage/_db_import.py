"""``assetbridge lineage import --airflow-db``: an Airflow metadata DB into the catalog.

The database is opened read-only and its schema detected first (anything else is refused
before a single write). The catalog entries (the translated asset graph) go in with the
first batch; history follows in batches of ``batch_size`` source rows, each batch one store
transaction that also moves its watermark, so an interrupted import leaves a consistent
store and the next run continues after the last committed batch. Re-running an import
with nothing new in Airflow writes nothing.

Task instances are read after a watermark on their end date, but a live Airflow may commit
a task instance after an import although it ended before the watermark (two workers
finishing together, a task marked success). An incremental import therefore also reads
the task instances that ended up to :data:`LOOKBACK` before the watermark again, and
imports those whose events the store does not hold yet.
"""

from __future__ import annotations

import json
import operator
import sqlite3
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bridge.storage import AssetEvent, CatalogAsset, SqlStore, Store
from bridge.storage._sql_import import SqliteBulkImport
from translators.lineage._airflow_schema import AirflowSchema, detect_schema, open_airflow_db
from translators.lineage._catalog import TaskAssets, catalog_from_dags, resolve_aliases
from translators.lineage._dag_structure import (
    read_airflow_assets,
    read_asset_aliases,
    read_serialized_dags,
)
from translators.lineage._db_fast import (
    fast_task_instance_batches,
    read_history,
    unknown_task_entries,
)
from translators.lineage._db_fast_events import fast_asset_event_batches, unknown_event_entries
from translators.lineage._db_history import (
    TiIdentity,
    asset_event_batches,
    task_instance_batches,
    ti_identity,
)
from translators.lineage._errors import LineageImportError
from translators.lineage._result import ImportResult, catalog_changes
from translators.model import DagInfo

__all__ = ["import_airflow_db"]

SOURCE = "airflow-db"
_BATCH, _SQL_BATCH = 50_000, 200_000
#: seconds before the task-instance watermark that an incremental import reads again
LOOKBACK = 3600.0
_KEY_AND_TIME = operator.attrgetter("asset_key", "timestamp")


def import_airflow_db(target: str, store: Store, *, dags: Sequence[str | Path] = (),
                      batch_size: int | None = None, lookback: float = LOOKBACK,
                      on_batch: Callable[[ImportResult], None] | None = None) -> ImportResult:
    """Import an Airflow metadata database (SQLite path or URL) into ``store``.

    Args:
        target: ``postgresql://...``, ``sqlite:////abs/airflow.db`` or a SQLite file path.
        store: the bridge store to fill.
        dags: DAG files/folders to take the DAG structure from (through the translate
            readers) instead of the database's serialized DAGs.
        batch_size: source rows per store transaction (default: 50,000; 200,000 when
            both databases are SQLite files and the history is mapped in SQL).
        lookback: seconds before the task-instance watermark's end date that an
            incremental import reads again, for task instances Airflow committed late
            (those whose events the store holds are skipped); ``0`` reads none again.
        on_batch: called with the result so far after each committed batch (a progress
            display; ``records_total`` is set once the SQL path has read the history).

    Returns:
        What was imported.

    Raises:
        LineageImportError: not an Airflow database, an unknown schema, unreadable data.
    """
    started = time.perf_counter()
    engine, name = open_airflow_db(target)
    try:
        try:
            conn = engine.connect()
        except sa.exc.SQLAlchemyError as exc:
            raise LineageImportError(f"cannot connect to Airflow database {name}: "
                                     f"{_reason(exc)}; check the URL, the credentials and "
                                     "that the server is running") from exc
        with conn:
            result = _import(conn, ImportResult(kind=SOURCE, source=name, on_batch=on_batch),
                             store, dags, (batch_size, lookback))
    except sa.exc.SQLAlchemyError as exc:
        raise LineageImportError(f"cannot read Airflow database {name}: {_reason(exc)}; is "
                                 "it an Airflow metadata database?") from exc
    finally:
        engine.dispose()
    result.seconds = time.perf_counter() - started
    return result


def _import(conn: sa.Connection, result: ImportResult, store: Store,
            dags: Sequence[str | Path], settings: tuple[int | None, float]) -> ImportResult:
    (batch_size, lookback), name = settings, result.source
    schema = detect_schema(conn, name)
    result.schema = f"Airflow {schema.release} (revision {schema.revision})"
    assets = read_airflow_assets(conn, schema)
    infos = (resolve_aliases(_dags_from_files(dags), read_asset_aliases(conn, schema, assets))
             if dags else read_serialized_dags(conn, schema, name, assets))
    entries, tasks = catalog_from_dags(infos, SOURCE, extra_assets=assets.values())
    pending, result.assets_added, result.assets_updated = catalog_changes(store.catalog(),
                                                                          entries)
    known = {entry.key for entry in entries}
    mark = f"{SOURCE}:{name}"
    after_event = int(store.watermark(f"{mark}:asset_event") or 0)
    stored = store.watermark(f"{mark}:task_instance")
    after_ti = json.loads(stored) if stored else None
    if conn.dialect.name == "sqlite" and SqliteBulkImport.supports(store):
        assert isinstance(store, SqlStore)
        pending = _import_in_sql(store, name, schema, tasks, (after_event, after_ti),
                                 (batch_size or _SQL_BATCH, lookback), known, pending,
                                 result)
    else:
        for batch, last in asset_event_batches(conn, schema, after_event,
                                               batch_size or _BATCH):
            result.records_read += len(batch)
            pending += _unknown(batch, known)
            _commit(store, result, pending, batch, {f"{mark}:asset_event": str(last)})
            pending = []
        for batch, last_ti, read in task_instance_batches(
                conn, schema, tasks, after_ti, batch_size or _BATCH, lookback=lookback,
                imported=_imported_in(store)):
            result.records_read += read
            pending += _unknown(batch, known, tasks)
            _commit(store, result, pending, batch,
                    {f"{mark}:task_instance": json.dumps(last_ti)})
            pending = []
    if pending:
        _commit(store, result, pending, [], {})
    result.assets_total = len(store.catalog())
    return result


def _import_in_sql(store: SqlStore, name: str, schema: AirflowSchema, tasks: TaskAssets,
                   after: tuple[int, list[Any] | None], settings: tuple[int, float],
                   known: set[str], pending: list[CatalogAsset],
                   result: ImportResult) -> list[CatalogAsset]:
    """The history mapped in SQL (both databases SQLite files): the same events, catalog
    entries and watermarks as the loops over ``asset_event_batches`` and
    ``task_instance_batches``; returns the catalog entries still to write."""
    bulk, mark = SqliteBulkImport(store, {"src": name}), f"{SOURCE}:{name}"
    batch_size, lookback = settings
    try:
        events, tis, late = read_history(bulk, schema, tasks, after[1], after[0],
                                         lookback=lookback)
        result.records_total = events + tis
        for select, params, last_event, read in fast_asset_event_batches(bulk, events,
                                                                         batch_size):
            pending += unknown_event_entries(bulk, params[0], params[1], known, SOURCE)
            _commit_in_sql(bulk, result, pending, select, params, read,
                           {f"{mark}:asset_event": last_event})
            pending = []
        for n, (select, params, last_ti, read) in enumerate(
                fast_task_instance_batches(bulk, tis, batch_size, after=after[1],
                                           late=late)):
            if n == 0:
                pending += unknown_task_entries(bulk, known, SOURCE)
            _commit_in_sql(bulk, result, pending, select, params, read,
                           {f"{mark}:task_instance": json.dumps(last_ti)})
            pending = []
    except sqlite3.Error as exc:
        raise LineageImportError(f"cannot read Airflow database {name}: {exc}; is it an "
                                 "Airflow metadata database?") from exc
    finally:
        bulk.close()
    return pending


def _commit_in_sql(bulk: SqliteBulkImport, result: ImportResult, assets: list[CatalogAsset],
                   select: str, params: tuple[Any, ...], read: int,
                   watermarks: dict[str, str]) -> None:
    result.records_read += read
    # commit_batch raises StoreError for what goes wrong on the store's side
    result.events.update(bulk.commit_batch(assets, select, params, watermarks))
    result.batch_committed()


def _commit(store: Store, result: ImportResult, assets: list[CatalogAsset],
            events: list[AssetEvent], watermarks: dict[str, str]) -> None:
    # key order makes the store's index inserts sequential (a key's events stay in time
    # order, which is all history needs)
    events.sort(key=_KEY_AND_TIME)
    store.put_catalog(assets, events, watermarks=watermarks)
    result.count(events)
    result.batch_committed()


def _imported_in(store: Store) -> Callable[[list[AssetEvent]], set[TiIdentity]]:
    """The identities of the given task-instance events that ``store`` holds, looked up
    by run (each run once per import)."""
    held: dict[str, set[TiIdentity]] = {}

    def imported(events: list[AssetEvent]) -> set[TiIdentity]:
        for run in {event.run_id for event in events} - held.keys():
            held[run] = {ident for event in store.events_for_run(run)
                         if (ident := ti_identity(event)) is not None}
        return {ident for event in events if (ident := ti_identity(event)) is not None
                and ident in held[event.run_id]}

    return imported


def _unknown(batch: list[AssetEvent], known: set[str],
             tasks: TaskAssets | None = None) -> list[CatalogAsset]:
    """Entries for keys the DAGs do not describe (a deleted DAG's tasks, say)."""
    found: list[CatalogAsset] = []
    if not {event.asset_key for event in batch} - known:
        return found
    for event in batch:
        if event.asset_key in known:
            continue
        known.add(event.asset_key)
        meta: dict[str, Any] = event.metadata
        dag_id, task_id = meta.get("dag_id"), meta.get("task_id")
        found.append(CatalogAsset(
            key=event.asset_key, group=str(dag_id or "external"), dag_id=dag_id,
            task_id=task_id if tasks is not None or dag_id else None, source=SOURCE,
            metadata={"note": "not in the DAGs read"}))
    return found


def _dags_from_files(paths: Sequence[str | Path]) -> list[DagInfo]:
    from translators.reading import read_dags

    found = read_dags(list(paths))
    if not found.dags:
        raise LineageImportError(f"no DAGs found in {', '.join(map(str, paths))}; --dags "
                                 "takes the DAG files or folder the Airflow database runs")
    return list(found.dags)


def _reason(exc: BaseException) -> str:
    """The first line of what the database driver said."""
    return (str(getattr(exc, "orig", None) or exc).splitlines() or [type(exc).__name__])[0]
