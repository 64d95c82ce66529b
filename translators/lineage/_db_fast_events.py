"""Asset-event history from a SQLite Airflow DB into a SQLite store, mapped in SQL.

The same mapping as :func:`~translators.lineage._db_history.asset_event_from_row`, over the
Airflow file attached to the store (see :mod:`translators.lineage._db_fast`):

- The asset events past the watermark are read, in the read transaction that also reads
  the task instances, into a temporary table in id order with every column of their
  events; batches are ranges of it, written in the store's order (key, then time, ties in
  id order), as the Python path sorts them.
- An asset's key comes from :func:`~translators.lineage._db_history._asset_key` (one
  Python call per asset, not per event).
- The metadata JSON is built in SQL when ``json.dumps`` would write the same text (plain
  ASCII ids, an integer map index, no extra); any other row goes through
  :func:`~translators.lineage._db_history.asset_event_metadata`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

from bridge.storage import CatalogAsset
from bridge.storage._sql_import import SqliteBulkImport
from translators.lineage._airflow_schema import AirflowSchema
from translators.lineage._db_history import SOURCE, _asset_key, asset_event_metadata

__all__ = ["fast_asset_event_batches", "read_asset_events", "unknown_event_entries"]

#: (select, params, watermark, source rows) of one batch
EventBatch = tuple[str, tuple[Any, ...], str, int]


def _plain(column: str) -> str:
    """SQL: ``column`` is text that ``json.dumps`` writes as itself between quotes."""
    return (f"(typeof({column}) = 'text' AND {column} NOT GLOB '*[^ -~]*' AND "
            f"instr({column}, '\"') = 0 AND instr({column}, '\\') = 0)")


def _metadata(bulk: SqliteBulkImport) -> str:
    """SQL for the metadata JSON of an asset event ``e`` (Python for the odd rows)."""
    bulk.connection.create_function(
        "ab_event_meta", 5, lambda *row: json.dumps(asset_event_metadata(*row)),
        deterministic=True)
    dag, task, index = "e.source_dag_id", "e.source_task_id", "e.source_map_index"
    producer = (f"CASE WHEN {dag} IS NULL OR {dag} = '' THEN '' ELSE ', \"dag_id\": \"' || "
                f"{dag} || '\", \"task_id\": ' || CASE WHEN {task} IS NULL THEN 'null' ELSE "
                f"'\"' || {task} || '\"' END || ', \"map_index\": ' || coalesce({index}, "
                "'null') END")
    plain = (f"(e.extra IS NULL OR e.extra = '{{}}') AND typeof(e.id) = 'integer' AND "
             f"({dag} IS NULL OR {dag} = '' OR ({_plain(dag)} AND ({task} IS NULL OR "
             f"{_plain(task)}) AND typeof({index}) IN ('integer', 'null')))")
    return (f"CASE WHEN {plain} THEN '{{\"airflow_event_id\": ' || e.id || {producer} || "
            f"'}}' ELSE ab_event_meta(e.id, {dag}, {task}, {index}, e.extra) END")


def read_asset_events(bulk: SqliteBulkImport, schema: AirflowSchema, after: int,
                      epoch_sql: Callable[[str], str]) -> int:
    """Fill ``temp.ab_events`` with the asset events past ``after`` (call inside the read
    transaction, once ``temp.ab_runs`` holds the runs' partitions); returns their count.
    ``epoch_sql`` is :func:`translators.lineage._db_fast._epoch_sql`."""
    word = schema.asset_word
    name = "name" if schema.generation == 3 else "NULL"
    columns = {row[1] for row in bulk.query(f"PRAGMA src.table_info({word}_event)")}
    partition = "e.partition_key" if "partition_key" in columns else "NULL"
    for table, definition in (
            ("ab_asset_keys", "id INTEGER PRIMARY KEY, asset_key TEXT"),
            ("ab_events", "n INTEGER PRIMARY KEY, id, asset_key TEXT, run_id TEXT, ts REAL, "
                          "part TEXT, meta TEXT, dag_id, task_id")):
        bulk.query(f"DROP TABLE IF EXISTS temp.{table}")
        bulk.query(f"CREATE TEMP TABLE {table} ({definition})")
    bulk.connection.executemany("INSERT INTO temp.ab_asset_keys VALUES (?, ?)", [
        (asset_id, _asset_key(asset_name, uri)) for asset_id, asset_name, uri in
        bulk.query(f"SELECT id, {name}, uri FROM src.{word}")])
    run = "coalesce(nullif(e.source_run_id, ''), 'asset-event-' || e.id)"
    bulk.query(
        "INSERT INTO temp.ab_events (id, asset_key, run_id, ts, part, meta, dag_id, task_id) "
        f"SELECT e.id, a.asset_key, CASE WHEN length({run}) <= 64 THEN {run} ELSE "
        f"ab_run_id({run}) END, coalesce({epoch_sql('e.timestamp')}, 0.0), CASE WHEN "
        f"{partition} IS NULL OR {partition} = '' THEN r.part ELSE {partition} END, "
        f"{_metadata(bulk)}, e.source_dag_id, e.source_task_id FROM src.{word}_event e "
        f"JOIN temp.ab_asset_keys a ON a.id = e.{word}_id LEFT JOIN temp.ab_runs r ON "
        "r.dag_id = e.source_dag_id AND r.run_id = e.source_run_id WHERE e.id > ? "
        "ORDER BY e.id", (after,))
    return int(bulk.query("SELECT coalesce(max(n), 0) FROM temp.ab_events")[0][0])


def unknown_event_entries(bulk: SqliteBulkImport, first: int, last: int, known: set[str],
                          source: str) -> list[CatalogAsset]:
    """Entries for the keys of events ``first`` to ``last`` the DAGs do not describe, in
    event order (as ``_db_import._unknown`` makes them); adds them to ``known``."""
    found: list[CatalogAsset] = []
    firsts = bulk.query("SELECT asset_key, min(n) FROM temp.ab_events WHERE n BETWEEN ? AND "
                        "? GROUP BY asset_key ORDER BY 2", (first, last))
    for key, n in firsts:
        if key in known:
            continue
        known.add(key)
        (dag_id, task_id), = bulk.query("SELECT dag_id, task_id FROM temp.ab_events WHERE "
                                        "n = ?", (n,))
        found.append(CatalogAsset(
            key=key, group=str(dag_id or "external"), dag_id=dag_id or None,
            task_id=task_id if dag_id else None, source=source,
            metadata={"note": "not in the DAGs read"}))
    return found


def fast_asset_event_batches(bulk: SqliteBulkImport, total: int,
                             size: int) -> Iterator[EventBatch]:
    """Batches of the events :func:`read_asset_events` read: each the ``SELECT`` for
    :meth:`SqliteBulkImport.commit_batch`, its parameters, the new watermark (the last
    Airflow event id) and the number of asset events it covers."""
    select = (
        "SELECT run_id, asset_key, 'materialization', part, ts, NULL, NULL, NULL, '{}', "
        f"meta, NULL, NULL, NULL, '{SOURCE}' FROM temp.ab_events WHERE n BETWEEN ? AND ? "
        "ORDER BY asset_key, ts, n")
    for first in range(1, total + 1, size):
        last = min(first + size - 1, total)
        (event_id,), = bulk.query("SELECT id FROM temp.ab_events WHERE n = ?", (last,))
        yield select, (first, last), str(int(event_id)), last - first + 1
