"""Task-instance history from a SQLite Airflow DB into a SQLite store, mapped in SQL.

The same mapping as :func:`~translators.lineage._db_history.ti_events_from_row`, written
as one ``INSERT ... SELECT`` per batch over the Airflow file attached read-only to the
store (:class:`~bridge.storage._sql_import.SqliteBulkImport`): the rows never become
Python objects, which is what makes a first import of millions of task instances fast.

- The finished task instances past the watermark are put in import order once, into a
  temporary table of source row ids; batches are ranges of it.
- Each task's asset keys, its JSON metadata prefix and failure text come from a temporary
  table filled from :class:`~translators.lineage._catalog.TaskAssets`.
- Timestamps in SQLite's naive UTC text (``YYYY-MM-DD HH:MM:SS.ffffff``) are converted in
  SQL with the same arithmetic as ``datetime.timestamp()`` (integer microseconds divided by
  10**6, correctly rounded either way); any other form goes through the Python helpers.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from bridge.storage import CatalogAsset
from bridge.storage._sql_import import SqliteBulkImport
from translators.lineage._airflow_schema import AirflowSchema
from translators.lineage._catalog import TaskAssets
from translators.lineage._db_history import SOURCE, _epoch, _iso, bridge_run_id

__all__ = ["FastBatch", "fast_task_instance_batches", "unknown_task_entries"]

_NAIVE = ("[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]."
          "[0-9][0-9][0-9][0-9][0-9][0-9]")
_FINISHED = "ti.state IN ('success', 'failed') AND ti.end_date IS NOT NULL"
_ORDER = "ti.end_date, ti.dag_id, ti.task_id, ti.run_id, ti.map_index"
#: (select, params, watermark, source rows) of one batch
FastBatch = tuple[str, tuple[Any, ...], list[Any], int]


def _epoch_sql(column: str) -> str:
    """SQL for :func:`_epoch` of a text column."""
    return (f"(CASE WHEN {column} GLOB '{_NAIVE}' THEN (unixepoch(substr({column}, 1, 19)) "
            f"* 1000000 + CAST(substr({column}, 21) AS INTEGER)) / 1000000.0 "
            f"ELSE ab_epoch({column}) END)")


def _iso_sql(column: str) -> str:
    """SQL for :func:`_iso` of a text column."""
    return (f"(CASE WHEN {column} IS NULL THEN NULL WHEN {column} GLOB '{_NAIVE}' THEN "
            f"substr({column}, 1, 10) || 'T' || substr({column}, 12, 8) || CASE WHEN "
            f"substr({column}, 21) = '000000' THEN '' ELSE '.' || substr({column}, 21) END "
            f"|| '+00:00' ELSE ab_iso({column}) END)")


def _prepare(bulk: SqliteBulkImport, tasks: TaskAssets) -> None:
    """The Python fallbacks and the per-task table."""
    bulk.connection.create_function("ab_epoch", 1, _epoch, deterministic=True)
    bulk.connection.create_function("ab_iso", 1, _iso, deterministic=True)
    bulk.connection.create_function("ab_run_id", 1, bridge_run_id, deterministic=True)
    bulk.query("DROP TABLE IF EXISTS temp.ab_tasks")
    bulk.query("CREATE TEMP TABLE ab_tasks (dag_id TEXT, task_id TEXT, asset_key TEXT, "
               "outlets INTEGER, meta TEXT, error TEXT, PRIMARY KEY (dag_id, task_id, "
               "asset_key))")
    rows = []
    for dag_id, task_id in bulk.query("SELECT DISTINCT dag_id, task_id FROM src.task_instance"):
        meta = json.dumps({"dag_id": dag_id, "task_id": task_id, "try_number": None})
        error = f"Airflow task {task_id!r} of DAG {dag_id!r} failed"
        outlets = int((dag_id, task_id) in tasks.with_outlets)
        rows += [(dag_id, task_id, key, outlets, meta.removesuffix("null}"), error)
                 for key in tasks.of(dag_id, task_id)]
    bulk.connection.executemany("INSERT INTO temp.ab_tasks VALUES (?, ?, ?, ?, ?, ?)", rows)


def unknown_task_entries(bulk: SqliteBulkImport, known: set[str],
                         source: str) -> list[CatalogAsset]:
    """Entries for the task keys the DAGs do not describe that the batches write events
    for (as ``_db_import._unknown`` makes them); adds them to ``known``. Call once the
    first batch is out of :func:`fast_task_instance_batches`."""
    found: list[CatalogAsset] = []
    for dag_id, task_id, key, outlets in bulk.query(
            "SELECT dag_id, task_id, asset_key, outlets FROM temp.ab_tasks "
            "ORDER BY dag_id, task_id, asset_key"):
        if key in known or not bulk.query(
                "SELECT 1 FROM temp.ab_ti_order o JOIN src.task_instance ti ON ti.rowid = "
                "o.src WHERE ti.dag_id = ? AND ti.task_id = ? AND (ti.state = 'failed' OR "
                "? = 0) LIMIT 1", (dag_id, task_id, outlets)):
            continue
        known.add(key)
        found.append(CatalogAsset(key=key, group=str(dag_id), dag_id=dag_id, task_id=task_id,
                                  source=source, metadata={"note": "not in the DAGs read"}))
    return found


def fast_task_instance_batches(bulk: SqliteBulkImport, schema: AirflowSchema,
                               tasks: TaskAssets, after: list[Any] | None,
                               size: int) -> Iterator[FastBatch]:
    """Batches of the task instances past ``after``: each the ``SELECT`` that yields its
    events for :meth:`SqliteBulkImport.commit_batch`, its parameters, the new watermark and
    the number of task instances it covers."""
    _prepare(bulk, tasks)
    where, params = "", ()
    if after is not None:
        where = f"AND ({_ORDER}) > (?, ?, ?, ?, ?)"
        params = tuple(after[:5])
    bulk.query("DROP TABLE IF EXISTS temp.ab_ti_order")
    bulk.query("CREATE TEMP TABLE ab_ti_order (n INTEGER PRIMARY KEY, src INTEGER)")
    bulk.query(f"INSERT INTO temp.ab_ti_order (src) SELECT ti.rowid FROM src.task_instance ti "
               f"WHERE {_FINISHED} {where} ORDER BY {_ORDER}", params)
    total = bulk.query("SELECT coalesce(max(n), 0) FROM temp.ab_ti_order")[0][0]
    ended = _epoch_sql("ti.end_date")
    # the store's order (key, then time; ties in import order) is sorted on narrow rows
    # first, into a table whose row id is the position; the events are built in that order
    bulk.query("DROP TABLE IF EXISTS temp.ab_batch")
    bulk.query("CREATE TEMP TABLE ab_batch (seq INTEGER PRIMARY KEY, src INTEGER, "
               "task INTEGER, ts REAL)")
    order = (
        "INSERT INTO temp.ab_batch (src, task, ts) SELECT o.src, k.rowid, coalesce("
        f"{ended}, 0.0) AS ts FROM temp.ab_ti_order o JOIN src.task_instance ti ON ti.rowid = "
        "o.src JOIN temp.ab_tasks k ON k.dag_id = ti.dag_id AND k.task_id = ti.task_id "
        "WHERE o.n BETWEEN ? AND ? AND (ti.state = 'failed' OR k.outlets = 0) "
        "ORDER BY k.asset_key, ts, o.n")
    select = (
        "SELECT CASE WHEN length(ti.run_id) <= 64 THEN ti.run_id ELSE ab_run_id(ti.run_id) END,"
        " k.asset_key, CASE WHEN ti.state = 'failed' THEN 'failure' ELSE 'materialization' "
        f"END, {_iso_sql('r.' + schema.logical_date)}, b.ts, NULL, "
        "NULL, NULL, '{}', k.meta || CASE WHEN ti.try_number IS NULL THEN 'null' ELSE "
        "ti.try_number END || CASE WHEN ti.map_index IS NULL OR ti.map_index = -1 THEN '' "
        "ELSE ', \"map_index\": ' || ti.map_index END || '}', CASE WHEN ti.state = 'failed' "
        f"THEN k.error END, b.ts - {_epoch_sql('ti.start_date')}, NULL, '{SOURCE}' "
        "FROM temp.ab_batch b JOIN src.task_instance ti ON ti.rowid = b.src "
        "JOIN temp.ab_tasks k ON k.rowid = b.task "
        "LEFT JOIN src.dag_run r ON r.dag_id = ti.dag_id AND r.run_id = ti.run_id "
        "ORDER BY b.seq")
    for first in range(1, total + 1, size):
        last = min(first + size - 1, total)
        (end, dag_id, task_id, run_id, map_index), = bulk.query(
            "SELECT ti.end_date, ti.dag_id, ti.task_id, ti.run_id, ti.map_index FROM "
            "temp.ab_ti_order o JOIN src.task_instance ti ON ti.rowid = o.src WHERE o.n = ?",
            (last,))
        bulk.query("DELETE FROM temp.ab_batch")
        bulk.query(order, (first, last))
        yield select, (), [end, dag_id, task_id, run_id, map_index], \
            last - first + 1

