"""Fill a freshly migrated Airflow 3 SQLite metadata DB with a large history, fast.

Rows go straight into Airflow's own tables (created by ``airflow db migrate``) with bulk
``executemany``: ``dag`` / ``dag_version`` / ``serialized_dag`` (DAG structure), ``asset``
and the outlet / schedule references, ``dag_run``, ``task_instance`` and ``asset_event``.
Columns Airflow requires but the import never reads get a neutral value of their type, found
from the live schema, so this keeps working when Airflow adds NOT NULL columns.

Shape: ``dags`` DAGs of ``tasks`` chained tasks each; the last task of every DAG writes one
Asset; DAG ``i`` (i > 0) is scheduled on DAG ``i-1``'s asset. ``runs`` runs per DAG. Every
run has ``tasks`` task instances (95 % success, 5 % failed) and one asset event.
"""

from __future__ import annotations

import datetime
import json
import sqlite3
import uuid
from collections.abc import Iterable, Iterator
from typing import Any

__all__ = ["fill"]

_EPOCH = datetime.datetime(2025, 1, 1)
_NEUTRAL = {"INTEGER": 0, "BOOLEAN": 0, "FLOAT": 0.0, "JSON": "{}", "BLOB": b""}


def _stamp(seconds: float) -> str:
    return (_EPOCH + datetime.timedelta(seconds=seconds)).strftime("%Y-%m-%d %H:%M:%S.%f")


def _insert(conn: sqlite3.Connection, table: str, columns: list[str],
            rows: Iterable[tuple[Any, ...]]) -> None:
    """Bulk insert; NOT NULL columns without a default that ``columns`` lacks get a
    neutral value of their declared type."""
    info = conn.execute(f"SELECT name, type, \"notnull\", dflt_value, pk FROM "
                        f"pragma_table_info('{table}')").fetchall()
    extra = [(name, _NEUTRAL.get(kind.split("(")[0].upper(), ""))
             for name, kind, notnull, default, pk in info
             if notnull and default is None and name not in columns and not pk]
    names = columns + [name for name, _ in extra]
    fill = tuple(value for _, value in extra)
    marks = ", ".join("?" * len(names))
    quoted = ", ".join(f'"{name}"' for name in names)
    conn.executemany(f"INSERT INTO {table} ({quoted}) VALUES ({marks})",
                     (row + fill for row in rows))


def fill(path: str, *, dags: int = 100, tasks: int = 10, runs: int = 1000) -> dict[str, int]:
    """Write the history; returns the row counts per table."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA synchronous = OFF")
    now = _stamp(0)
    with conn:
        if not conn.execute("SELECT 1 FROM dag_bundle WHERE name = 'dags-folder'").fetchone():
            _insert(conn, "dag_bundle", ["name", "active"], [("dags-folder", 1)])
        _structure(conn, dags, tasks, now)
        _insert(conn, "dag_run", ["id", "dag_id", "run_id", "run_type", "run_after",
                                  "logical_date", "start_date", "end_date", "state"],
                _dag_runs(dags, runs))
        _insert(conn, "task_instance", ["id", "dag_id", "task_id", "run_id", "map_index",
                                        "state", "start_date", "end_date", "try_number",
                                        "pool", "pool_slots"], _task_instances(dags, tasks, runs))
        _insert(conn, "asset_event", ["id", "asset_id", "extra", "source_dag_id",
                                      "source_task_id", "source_run_id", "source_map_index",
                                      "timestamp"], _asset_events(dags, tasks, runs))
    counts = {table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
              for table in ("dag", "serialized_dag", "asset", "dag_run", "task_instance",
                            "asset_event")}
    conn.close()
    return counts


def _structure(conn: sqlite3.Connection, dags: int, tasks: int, now: str) -> None:
    _insert(conn, "dag", ["dag_id", "is_paused", "is_stale", "bundle_name", "timetable_type",
                          "partition_mapper_info", "max_active_tasks",
                          "max_consecutive_failed_dag_runs", "has_task_concurrency_limits",
                          "fileloc"],
            [(f"dag_{d:03d}", 0, 0, "dags-folder", "cron", "{}", 16, 0, 0,
              f"/dags/dag_{d:03d}.py") for d in range(dags)])
    versions = [uuid.uuid4().hex for _ in range(dags)]
    _insert(conn, "dag_version", ["id", "version_number", "dag_id", "bundle_name",
                                  "created_at", "last_updated"],
            [(versions[d], 1, f"dag_{d:03d}", "dags-folder", now, now) for d in range(dags)])
    _insert(conn, "serialized_dag", ["id", "dag_id", "data", "created_at", "last_updated",
                                     "dag_hash", "dag_version_id"],
            [(uuid.uuid4().hex, f"dag_{d:03d}", json.dumps(_serialized(d, tasks)), now, now,
              "0" * 32, versions[d]) for d in range(dags)])
    _insert(conn, "asset", ["id", "name", "uri", "group", "extra", "created_at", "updated_at"],
            [(d + 1, f"warehouse/table_{d:03d}", f"s3://lake/table_{d:03d}.parquet", "asset",
              "{}", now, now) for d in range(dags)])
    last = f"task_{tasks - 1:02d}"
    _insert(conn, "task_outlet_asset_reference", ["asset_id", "dag_id", "task_id",
                                                  "created_at", "updated_at"],
            [(d + 1, f"dag_{d:03d}", last, now, now) for d in range(dags)])
    _insert(conn, "dag_schedule_asset_reference", ["asset_id", "dag_id", "created_at",
                                                   "updated_at"],
            [(d, f"dag_{d:03d}", now, now) for d in range(1, dags)])


def _serialized(d: int, tasks: int) -> dict[str, Any]:
    chain = [{"__type": "operator", "__var": {
        "task_id": f"task_{t:02d}", "task_type": "PythonOperator",
        "_task_module": "airflow.providers.standard.operators.python",
        "downstream_task_ids": [f"task_{t + 1:02d}"] if t + 1 < tasks else []}}
        for t in range(tasks)]
    return {"__version": 3, "dag": {"dag_id": f"dag_{d:03d}", "fileloc": f"/dags/dag_{d:03d}.py",
                                    "tasks": chain}}


def _run_id(r: int) -> str:
    return f"scheduled__{(_EPOCH + datetime.timedelta(days=r)).isoformat()}+00:00"


def _dag_runs(dags: int, runs: int) -> Iterator[tuple[Any, ...]]:
    for d in range(dags):
        for r in range(runs):
            start = r * 86_400.0 + d
            yield (d * runs + r + 1, f"dag_{d:03d}", _run_id(r), "scheduled", _stamp(start),
                   _stamp(r * 86_400.0), _stamp(start), _stamp(start + 600), "success")


def _task_instances(dags: int, tasks: int, runs: int) -> Iterator[tuple[Any, ...]]:
    for d in range(dags):
        for r in range(runs):
            for t in range(tasks):
                start = r * 86_400.0 + d + t * 30
                failed = (d + r + t) % 20 == 0
                yield (uuid.UUID(int=(d * runs + r) * tasks + t + 1).hex, f"dag_{d:03d}",
                       f"task_{t:02d}", _run_id(r), -1, "failed" if failed else "success",
                       _stamp(start), _stamp(start + 25), 1, "default_pool", 1)


def _asset_events(dags: int, tasks: int, runs: int) -> Iterator[tuple[Any, ...]]:
    last = f"task_{tasks - 1:02d}"
    for d in range(dags):
        for r in range(runs):
            yield (d * runs + r + 1, d + 1, "{}", f"dag_{d:03d}", last, _run_id(r), -1,
                   _stamp(r * 86_400.0 + d + tasks * 30))
