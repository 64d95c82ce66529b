"""History from an Airflow metadata DB: asset events and finished task instances, streamed
in key order from a watermark and turned into bridge events.

- An asset event (``asset_event`` / ``dataset_event``) is a materialization of its asset,
  attributed to the run and task that emitted it; ordered by its id.
- A task instance in state ``success`` or ``failed`` is a materialization or a failure of
  the assets its task maintains (see :class:`~translators.lineage._catalog.TaskAssets`). A
  task with Asset outlets gets only its failures from here: Airflow's asset events already
  record its successes. Ordered by ``(end_date, dag_id, task_id, run_id, map_index)``.
  An incremental read also re-reads the task instances that ended up to a look-back window
  before the watermark and keeps those whose events the store does not hold: a live
  Airflow can commit a task instance after one that ended later (:func:`ti_identity`).

The logical date of the run (``logical_date``, ``execution_date`` in Airflow 2) becomes the
partition, unless an asset event carries its own ``partition_key``.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import itertools
import json
from collections.abc import Callable, Iterator
from typing import Any

import sqlalchemy as sa

from bridge._types import EventKind
from bridge.storage import AssetEvent
from translators.lineage._airflow_schema import AirflowSchema
from translators.lineage._catalog import TaskAssets
from translators.model import AssetRef
from translators.translator import airflow_asset_key

__all__ = [
    "TiIdentity",
    "asset_event_batches",
    "asset_event_from_row",
    "asset_event_metadata",
    "bridge_run_id",
    "task_instance_batches",
    "ti_events_from_row",
    "ti_identity",
    "window_start",
]

#: what history records carry as ``AssetEvent.source``
SOURCE = "airflow"
_UTC = datetime.timezone.utc
_FROM_TEXT = datetime.datetime.fromisoformat
_RUN_ID_MAX = 64
_MAT, _FAIL = EventKind.MATERIALIZATION, EventKind.FAILURE
_TI_ORDER = "ti.end_date, ti.dag_id, ti.task_id, ti.run_id, ti.map_index"
#: (run id, asset key, kind, timestamp, dag id, task id, map index) of a task
#: instance's event: :func:`ti_identity`
TiIdentity = tuple[str, str, str, float, Any, Any, Any]


def bridge_run_id(run_id: str) -> str:
    """Airflow's run id, shortened (with a hash) when longer than the store keeps.

    Examples:
        >>> bridge_run_id("manual__2026-03-01T00:00:00+00:00")
        'manual__2026-03-01T00:00:00+00:00'
        >>> len(bridge_run_id("x" * 250))
        64
    """
    if len(run_id) <= _RUN_ID_MAX:
        return run_id
    return run_id[:47] + "~" + hashlib.sha1(run_id.encode()).hexdigest()[:16]


def asset_event_batches(conn: sa.Connection, schema: AirflowSchema, after: int,
                        size: int) -> Iterator[tuple[list[AssetEvent], int]]:
    """Batches of materializations from asset events with an id above ``after``, each with
    the id of its last event (the next watermark)."""
    word = schema.asset_word
    name = "a.name" if schema.generation == 3 else "NULL"
    partition = "e.partition_key" if _has_column(conn, f"{word}_event", "partition_key") \
        else "NULL"
    query = sa.text(
        f"SELECT e.id, {name}, a.uri, e.source_dag_id, e.source_task_id, "
        f"e.source_run_id, e.source_map_index, e.timestamp, {partition}, "
        f"r.{schema.logical_date}, e.extra FROM {word}_event e "
        f"JOIN {word} a ON a.id = e.{word}_id LEFT JOIN dag_run r ON "
        "r.dag_id = e.source_dag_id AND r.run_id = e.source_run_id "
        "WHERE e.id > :after ORDER BY e.id")
    rows = conn.execution_options(stream_results=True, yield_per=size).execute(
        query, {"after": after})
    for chunk in rows.partitions(size):
        batch = [asset_event_from_row(row) for row in chunk]
        yield batch, int(chunk[-1][0])


def asset_event_from_row(row: Any) -> AssetEvent:
    """The materialization an asset event row records (columns as selected above)."""
    event_id, name, uri, dag_id, task_id, run_id, map_index, when, part, logical, extra = row
    return AssetEvent(
        run_id=bridge_run_id(run_id or f"asset-event-{event_id}"),
        asset_key=_asset_key(name, uri), kind=_MAT, timestamp=_epoch(when) or 0.0,
        partition=part or _iso(logical),
        metadata=asset_event_metadata(event_id, dag_id, task_id, map_index, extra),
        source=SOURCE)


def asset_event_metadata(event_id: Any, dag_id: Any, task_id: Any, map_index: Any,
                         extra: Any) -> dict[str, Any]:
    """The metadata of an asset event's materialization: its id, producer and extra."""
    metadata: dict[str, Any] = {"airflow_event_id": int(event_id)}
    if dag_id:
        metadata.update(dag_id=dag_id, task_id=task_id, map_index=map_index)
    try:
        details = json.loads(extra) if isinstance(extra, str) else extra
    except ValueError:
        details = {"raw": extra}
    if details:
        metadata["extra"] = details
    return metadata


def task_instance_batches(
    conn: sa.Connection, schema: AirflowSchema, tasks: TaskAssets,
    after: list[Any] | None, size: int, *, lookback: float = 0.0,
    imported: Callable[[list[AssetEvent]], set[TiIdentity]] | None = None,
) -> Iterator[tuple[list[AssetEvent], list[Any], int]]:
    """Batches of events from finished task instances past the ``after`` watermark, each
    with its new watermark and the number of task instances it covers.

    With ``lookback`` seconds and ``imported`` (the identities of the given events that the
    store already holds, :func:`ti_identity`), the task instances at or before ``after``
    that ended at most ``lookback`` before it and are not imported yet come first (one
    committed after an import although it ended earlier). Their batches keep ``after`` as
    their watermark, so it never moves back.

    The rows are read through the driver's cursor (a server-side one on PostgreSQL), as
    this is the one query that reads millions of rows.
    """
    sqlite = conn.dialect.name == "sqlite"
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    if after is None:
        chunks = _ti_chunks(conn, schema, "", (), size)
        late: list[Any] = []
    else:
        params = (after[0] if sqlite else _FROM_TEXT(after[0]), *after[1:5])
        chunks = _ti_chunks(conn, schema, f"AND ({_TI_ORDER}) > ({', '.join([mark] * 5)})",
                            params, size)
        start = window_start(after[0], lookback, sqlite=sqlite)
        late = [] if start is None or imported is None else _not_imported(_ti_chunks(
            conn, schema, f"AND ti.end_date >= {mark} AND ({_TI_ORDER}) <= "
            f"({', '.join([mark] * 5)})", (start, *params), size), tasks, imported)
        if late:
            chunks = _rebatch(itertools.chain([late], chunks), size)
    read = 0
    for chunk in chunks:
        batch: list[AssetEvent] = []
        for row in chunk:
            batch.extend(ti_events_from_row(row, tasks))
        read += len(chunk)
        last = chunk[-1]
        end = last[6] if isinstance(last[6], str) else last[6].isoformat()
        yield (batch, list(after) if after is not None and read <= len(late)
               else [end, last[0], last[1], last[2], last[3]], len(chunk))


def window_start(end: str, lookback: float, *, sqlite: bool) -> Any:
    """The earliest end date a look-back of ``lookback`` seconds before a watermark's end
    date re-reads: SQLite's naive UTC text or an aware datetime; ``None`` for no window."""
    try:
        when = _when(end) if lookback > 0 else None
    except ValueError:  # not a date: no window
        return None
    if when is None:
        return None
    start = when - datetime.timedelta(seconds=lookback)
    return start.strftime("%Y-%m-%d %H:%M:%S.%f") if sqlite else start


def ti_identity(event: AssetEvent) -> TiIdentity | None:
    """What identifies the task-instance try an event records: run, asset key, kind, end
    time, DAG, task and map index; ``None`` for other events (asset events, other sources).

    Run, key, kind and time alone are not enough: the mapped instances of a task, or two
    tasks of one asset (run ids repeat across DAGs), can end in the same microsecond.
    """
    meta = event.metadata
    if event.source != SOURCE or "airflow_event_id" in meta or "dag_id" not in meta:
        return None
    return (event.run_id, event.asset_key, EventKind(event.kind).value, event.timestamp,
            meta["dag_id"], meta.get("task_id"), meta.get("map_index", -1))


def _ti_chunks(conn: sa.Connection, schema: AirflowSchema, where: str,
               params: tuple[Any, ...], size: int) -> Iterator[list[Any]]:
    """The finished task instances matching ``where``, in import order, in chunks."""
    query = (
        "SELECT ti.dag_id, ti.task_id, ti.run_id, ti.map_index, ti.state, "
        f"ti.start_date, ti.end_date, ti.try_number, r.{schema.logical_date} "
        "FROM task_instance ti LEFT JOIN dag_run r ON r.dag_id = ti.dag_id "
        "AND r.run_id = ti.run_id WHERE ti.state IN ('success', 'failed') "
        f"AND ti.end_date IS NOT NULL {where} ORDER BY {_TI_ORDER}")
    driver = conn.connection.driver_connection
    assert driver is not None
    cursor = (driver.cursor(name="assetbridge_ti") if conn.dialect.name == "postgresql"
              else driver.cursor())
    try:
        cursor.execute(query, params)
        while chunk := cursor.fetchmany(size):
            yield chunk
    finally:
        cursor.close()


def _not_imported(chunks: Iterator[list[Any]], tasks: TaskAssets,
                  imported: Callable[[list[AssetEvent]], set[TiIdentity]]) -> list[Any]:
    """The rows that record events none of which the store holds."""
    found = []
    for chunk in chunks:
        rows = [(row, events) for row in chunk if (events := ti_events_from_row(row, tasks))]
        done = imported([event for _, events in rows for event in events])
        found += [row for row, events in rows
                  if not any(ti_identity(event) in done for event in events)]
    return found


def _rebatch(chunks: Iterator[list[Any]], size: int) -> Iterator[list[Any]]:
    """The rows of ``chunks`` again, in chunks of ``size``."""
    rows = itertools.chain.from_iterable(chunks)
    while chunk := list(itertools.islice(rows, size)):
        yield chunk


def ti_events_from_row(row: Any, tasks: TaskAssets) -> list[AssetEvent]:
    """The events a finished task instance row records (columns as selected above)."""
    dag_id, task_id, run_id, map_index, state, start, end, tries, logical = row
    failed = state == "failed"
    if not failed and (dag_id, task_id) in tasks.with_outlets:
        return []  # its asset events say what it materialized
    started, ended = _epoch(start), _epoch(end) or 0.0
    metadata, error = _ti_details(dag_id, task_id, tries, map_index, failed)
    run = run_id if len(run_id) <= _RUN_ID_MAX else bridge_run_id(run_id)
    partition = _iso_text(logical) if isinstance(logical, str) else _iso(logical)
    seconds = ended - started if started is not None else None
    kind = _FAIL if failed else _MAT
    return [AssetEvent(run, key, kind, ended, partition, None, None, None, {}, metadata, error,
                       seconds, None, SOURCE) for key in tasks.of(dag_id, task_id)]


@functools.lru_cache(maxsize=65536)
def _asset_key(name: str | None, uri: str | None) -> str:
    """The bridge key of an Airflow asset; cached, as every event of an asset repeats it."""
    return str(airflow_asset_key(AssetRef(name=name, uri=uri)))


@functools.lru_cache(maxsize=65536)
def _ti_details(dag_id: str, task_id: str, tries: Any, map_index: Any,
                failed: bool) -> tuple[dict[str, Any], str | None]:
    """Metadata and error of a task instance event; cached, as they repeat for every run
    (events share the dict: treat it as read-only). The start is ``timestamp - seconds``
    and the state is the event's kind."""
    metadata: dict[str, Any] = {"dag_id": dag_id, "task_id": task_id, "try_number": tries}
    if map_index not in (-1, None):
        metadata["map_index"] = map_index
    error = f"Airflow task {task_id!r} of DAG {dag_id!r} failed" if failed else None
    return metadata, error


@functools.lru_cache(maxsize=4096)
def _iso_text(value: str) -> str | None:
    """:func:`_iso` of database text, cached: a run's logical date repeats per task."""
    return _iso(value)


def _when(value: Any) -> datetime.datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value)
    if not isinstance(value, datetime.datetime):
        return None
    return value.replace(tzinfo=_UTC) if value.tzinfo is None else value.astimezone(_UTC)


def _epoch(value: Any) -> float | None:
    """Seconds since the epoch of a timestamp column (naive UTC text in SQLite)."""
    if isinstance(value, str) and len(value) == 26:  # SQLite's naive UTC text: fast path
        return _FROM_TEXT(value).replace(tzinfo=_UTC).timestamp()
    when = _when(value)
    return when.timestamp() if when is not None else None


def _iso(value: Any) -> str | None:
    """ISO 8601 in UTC (``2026-03-01T00:00:00+00:00``), the partition of a run."""
    when = _when(value)
    return when.isoformat() if when is not None else None


def _has_column(conn: sa.Connection, table: str, column: str) -> bool:
    return any(c["name"] == column for c in sa.inspect(conn).get_columns(table))
