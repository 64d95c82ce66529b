"""Task-instance history from a SQLite Airflow DB into a SQLite store, mapped in SQL.

The same mapping as :func:`~translators.lineage._db_history.ti_events_from_row`, written
as one ``INSERT ... SELECT`` per batch over the Airflow file attached read-only to the
store (:class:`~bridge.storage._sql_import.SqliteBulkImport`): the rows never become
Python objects, which is what makes a first import of millions of task instances fast.

- The finished task instances past the watermark are read once, in one read transaction
  (one snapshot, as the Python path's single cursor; the asset events of
  :mod:`~translators.lineage._db_fast_events` are read in the same one), into a temporary
  table in import order, with their task id, kind, times, partition and run; batches are
  ranges of it.
- An incremental import first re-reads the task instances that ended up to a look-back
  window before the watermark, and keeps those whose events the store does not hold (the
  same identity as the Python path's); their batches keep the watermark where it was.
- Each task's asset keys, its JSON metadata prefix and failure text come from a temporary
  table filled from :class:`~translators.lineage._catalog.TaskAssets`.
- Event ids follow the Python path's order (key, then time, ties in import order); the
  batches sort on the key's rank, an integer in the same order.
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
from translators.lineage._db_fast_events import read_asset_events
from translators.lineage._db_history import (
    SOURCE,
    _epoch,
    _iso,
    bridge_run_id,
    window_start,
)

__all__ = [
    "FastBatch",
    "fast_task_instance_batches",
    "read_history",
    "unknown_task_entries",
]

_NAIVE = ("[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]."
          "[0-9][0-9][0-9][0-9][0-9][0-9]")
_MICROS = "[0-9][0-9][0-9][0-9][0-9][0-9]"
_FINISHED = "ti.state IN ('success', 'failed') AND ti.end_date IS NOT NULL"
_ORDER = "ti.end_date, ti.dag_id, ti.task_id, ti.run_id, ti.map_index"
_WINDOW = f"AND ti.end_date >= ? AND ({_ORDER}) <= (?, ?, ?, ?, ?)"
_ORDER_COLUMNS = "tid, failed, ts, st, part, run_id, tries, map_index, end_date"
#: SQL: the candidate ``c`` records events (it is a failure, or its task has no Asset
#: outlets) and the store holds none of them (``_db_history.ti_identity``); ``+e.run_id``
#: keeps SQLite on the key, kind and time index (a run id such as ``scheduled__<date>``
#: repeats across DAGs, so its own index can yield thousands of events per lookup)
_LATE = (
    "EXISTS (SELECT 1 FROM temp.ab_tasks k WHERE k.tid = c.tid AND (c.failed OR "
    "k.outlets = 0)) AND NOT EXISTS (SELECT 1 FROM temp.ab_tasks k JOIN main.ab_asset_events "
    "e ON e.asset_key = k.asset_key AND e.kind = CASE WHEN c.failed THEN 'failure' ELSE "
    "'materialization' END AND e.timestamp = c.ts WHERE k.tid = c.tid AND +e.run_id = CASE "
    "WHEN length(c.run_id) <= 64 THEN c.run_id ELSE ab_run_id(c.run_id) END AND "
    f"e.source = '{SOURCE}' AND json_extract(e.metadata, '$.airflow_event_id') IS NULL AND "
    "json_extract(e.metadata, '$.dag_id') = c.dag_id AND json_extract(e.metadata, "
    "'$.task_id') = c.task_id AND coalesce(json_extract(e.metadata, '$.map_index'), -1) = "
    "coalesce(c.map_index, -1))")
#: (select, params, watermark, source rows) of one batch
FastBatch = tuple[str, tuple[Any, ...], list[Any], int]


def _epoch_sql(column: str) -> str:
    """SQL for :func:`_epoch` of a text column (anything but the naive UTC form, and a
    date SQLite cannot read, goes through the Python function).

    The form is checked by the dot and digits of its microseconds, its length and its
    separator (``unixepoch`` yields NULL for any other malformed date and time), which
    costs a fraction of matching the whole text against a pattern."""
    return (f"coalesce(CASE WHEN substr({column}, 20) GLOB '.{_MICROS}' AND length({column}) "
            f"= 26 AND substr({column}, 11, 1) = ' ' THEN (unixepoch(substr({column}, 1, 19)) "
            f"* 1000000 + CAST(substr({column}, 21) AS INTEGER)) / 1000000.0 END, "
            f"ab_epoch({column}))")


def _iso_sql(column: str) -> str:
    """SQL for :func:`_iso` of a text column."""
    return (f"(CASE WHEN {column} IS NULL THEN NULL WHEN {column} GLOB '{_NAIVE}' THEN "
            f"substr({column}, 1, 10) || 'T' || substr({column}, 12, 8) || CASE WHEN "
            f"substr({column}, 21) = '000000' THEN '' ELSE '.' || substr({column}, 21) END "
            f"|| '+00:00' ELSE ab_iso({column}) END)")


def _prepare(bulk: SqliteBulkImport, schema: AirflowSchema, tasks: TaskAssets) -> None:
    """The Python fallbacks and the per-task tables (``ab_task_ids``: one id per Airflow
    task; ``ab_tasks``: its keys, JSON metadata prefix and failure text)."""
    bulk.connection.create_function("ab_epoch", 1, _epoch, deterministic=True)
    bulk.connection.create_function("ab_iso", 1, _iso, deterministic=True)
    bulk.connection.create_function("ab_run_id", 1, bridge_run_id, deterministic=True)
    for table, columns in (
            ("ab_task_ids", "tid INTEGER PRIMARY KEY, dag_id TEXT, task_id TEXT, "
                            "UNIQUE (dag_id, task_id)"),
            ("ab_tasks", "tid INTEGER, asset_key TEXT, outlets INTEGER, meta TEXT, error TEXT, "
                         "key_rank INTEGER, "
                         "PRIMARY KEY (tid, asset_key)"),
            ("ab_ti_order", "n INTEGER PRIMARY KEY, tid INTEGER, failed INTEGER, ts REAL, "
                            "st REAL, part TEXT, run_id TEXT, tries, map_index, end_date"),
            ("ab_batch", "seq INTEGER PRIMARY KEY, o INTEGER, task INTEGER"),
            ("ab_runs", "dag_id TEXT, run_id TEXT, part TEXT, PRIMARY KEY (dag_id, run_id)")):
        bulk.query(f"DROP TABLE IF EXISTS temp.{table}")
        bulk.query(f"CREATE TEMP TABLE {table} ({columns})")
    # a run's partition once per run, not once per task instance
    bulk.query(f"INSERT OR IGNORE INTO temp.ab_runs SELECT dag_id, run_id, "
               f"{_iso_sql(schema.logical_date)} FROM src.dag_run")
    bulk.query("INSERT INTO temp.ab_task_ids (dag_id, task_id) "
               "SELECT DISTINCT dag_id, task_id FROM src.task_instance")
    rows = []
    for tid, dag_id, task_id in bulk.query("SELECT tid, dag_id, task_id FROM temp.ab_task_ids"):
        meta = json.dumps({"dag_id": dag_id, "task_id": task_id, "try_number": None})
        error = f"Airflow task {task_id!r} of DAG {dag_id!r} failed"
        outlets = int((dag_id, task_id) in tasks.with_outlets)
        rows += [(tid, key, outlets, meta.removesuffix("null}"), error)
                 for key in tasks.of(dag_id, task_id)]
    # the keys' rank in SQLite's text order (UTF-8 bytes, which is code point order): the
    # batches sort on an integer instead of the key
    rank = {key: n for n, key in enumerate(sorted({row[1] for row in rows}))}
    bulk.connection.executemany("INSERT INTO temp.ab_tasks VALUES (?, ?, ?, ?, ?, ?)",
                                [(*row, rank[row[1]]) for row in rows])


def unknown_task_entries(bulk: SqliteBulkImport, known: set[str],
                         source: str) -> list[CatalogAsset]:
    """Entries for the task keys the DAGs do not describe that the batches write events
    for (as ``_db_import._unknown`` makes them); adds them to ``known``. Call once the
    task instances are read (:func:`read_history`)."""
    found: list[CatalogAsset] = []
    candidates = bulk.query(
        "SELECT k.tid, t.dag_id, t.task_id, k.asset_key, k.outlets FROM temp.ab_tasks k "
        "JOIN temp.ab_task_ids t ON t.tid = k.tid ORDER BY t.dag_id, t.task_id, k.asset_key")
    if all(key in known for _, _, _, key, _ in candidates):
        return found
    written = {(tid, bool(failed)) for tid, failed in bulk.query(
        "SELECT DISTINCT tid, failed FROM temp.ab_ti_order")}
    for tid, dag_id, task_id, key, outlets in candidates:
        if key in known or not ((tid, True) in written or (not outlets and (tid, False)
                                                            in written)):
            continue
        known.add(key)
        found.append(CatalogAsset(key=key, group=str(dag_id), dag_id=dag_id, task_id=task_id,
                                  source=source, metadata={"note": "not in the DAGs read"}))
    return found


def read_history(bulk: SqliteBulkImport, schema: AirflowSchema, tasks: TaskAssets,
                 after_ti: list[Any] | None, after_event: int, *,
                 lookback: float = 0.0) -> tuple[int, int, int]:
    """Read the asset events past ``after_event`` and the finished task instances past
    ``after_ti`` into temporary tables, in import order, in one read transaction (one
    snapshot of a live Airflow database); returns how many asset events, how many task
    instances and how many of those are late.

    The late task instances come first: those at or before ``after_ti`` that ended at most
    ``lookback`` seconds before it and whose events the store does not hold (as
    :func:`~translators.lineage._db_history.ti_identity` identifies them).

    The batches are ranges of those tables: :func:`fast_asset_event_batches` and
    :func:`fast_task_instance_batches`.
    """
    where, params = "", ()
    if after_ti is not None:
        where = f"AND ({_ORDER}) > (?, ?, ?, ?, ?)"
        params = tuple(after_ti[:5])
    start = (window_start(after_ti[0], lookback, sqlite=True) if after_ti is not None
             else None)
    bulk.query("BEGIN")
    try:
        _prepare(bulk, schema, tasks)
        events = read_asset_events(bulk, schema, after_event, _epoch_sql)
        late = 0
        if start is not None:
            bulk.query(
                f"INSERT INTO temp.ab_ti_order ({_ORDER_COLUMNS}) SELECT {_ORDER_COLUMNS} "
                f"FROM ({_ti_select(_WINDOW, ids=True)}) c WHERE {_LATE} ORDER BY "
                "c.end_date, c.dag_id, c.task_id, c.run_id, c.map_index", (start, *params))
            late = _count(bulk)
        bulk.query(f"INSERT INTO temp.ab_ti_order ({_ORDER_COLUMNS}) "
                   f"{_ti_select(where)} ORDER BY {_ORDER}", params)
        bulk.query("COMMIT")
    except BaseException:
        if bulk.connection.in_transaction:
            bulk.query("ROLLBACK")
        raise
    return events, _count(bulk), late


def _ti_select(where: str, *, ids: bool = False) -> str:
    """The ``SELECT`` of the rows of ``temp.ab_ti_order`` (with ``ids``, and their DAG and
    task ids)."""
    return (f"SELECT t.tid, ti.state = 'failed' AS failed, coalesce("
            f"{_epoch_sql('ti.end_date')}, 0.0) AS ts, {_epoch_sql('ti.start_date')} AS st, "
            "r.part, ti.run_id, ti.try_number AS tries, ti.map_index, ti.end_date"
            f"{', ti.dag_id, ti.task_id' if ids else ''} FROM src.task_instance ti JOIN "
            "temp.ab_task_ids t ON t.dag_id = ti.dag_id AND t.task_id = ti.task_id LEFT JOIN "
            "temp.ab_runs r ON r.dag_id = ti.dag_id AND r.run_id = ti.run_id "
            f"WHERE {_FINISHED} {where}")


def _count(bulk: SqliteBulkImport) -> int:
    return int(bulk.query("SELECT coalesce(max(n), 0) FROM temp.ab_ti_order")[0][0])


def fast_task_instance_batches(bulk: SqliteBulkImport, total: int, size: int, *,
                               after: list[Any] | None = None,
                               late: int = 0) -> Iterator[FastBatch]:
    """Batches of the task instances :func:`read_history` read: each the ``SELECT`` that
    yields its events for :meth:`SqliteBulkImport.commit_batch`, its parameters, the new
    watermark and the number of task instances it covers. A batch of the first ``late``
    task instances only keeps ``after`` as its watermark."""
    # the store's order (key, then time; ties in import order) is sorted on narrow rows
    # first, into a table whose row id is the position; the events are built in that order
    order = (
        "INSERT INTO temp.ab_batch (o, task) SELECT o.n, k.rowid FROM temp.ab_ti_order o "
        "JOIN temp.ab_tasks k ON k.tid = o.tid WHERE o.n BETWEEN ? AND ? AND (o.failed OR "
        "k.outlets = 0) ORDER BY k.key_rank, o.ts, o.n")
    select = (
        "SELECT CASE WHEN length(o.run_id) <= 64 THEN o.run_id ELSE ab_run_id(o.run_id) END, "
        "k.asset_key, CASE WHEN o.failed THEN 'failure' ELSE 'materialization' END, o.part, "
        "o.ts, NULL, NULL, NULL, '{}', k.meta || CASE WHEN o.tries IS NULL THEN 'null' ELSE "
        "o.tries END || CASE WHEN o.map_index IS NULL OR o.map_index = -1 THEN '' ELSE "
        "', \"map_index\": ' || o.map_index END || '}', CASE WHEN o.failed THEN k.error END, "
        f"o.ts - o.st, NULL, '{SOURCE}' FROM temp.ab_batch b JOIN temp.ab_ti_order o ON "
        "o.n = b.o JOIN temp.ab_tasks k ON k.rowid = b.task ORDER BY b.seq")
    for first in range(1, total + 1, size):
        last = min(first + size - 1, total)
        (end, dag_id, task_id, run_id, map_index), = bulk.query(
            "SELECT o.end_date, t.dag_id, t.task_id, o.run_id, o.map_index FROM "
            "temp.ab_ti_order o JOIN temp.ab_task_ids t ON t.tid = o.tid WHERE o.n = ?",
            (last,))
        bulk.query("DELETE FROM temp.ab_batch")
        bulk.query(order, (first, last))
        mark = list(after) if after is not None and last <= late else [
            end, dag_id, task_id, run_id, map_index]
        yield select, (), mark, last - first + 1
