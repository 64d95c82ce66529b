"""The DAGs an Airflow metadata database knows, as the translators' IR (``DagInfo``).

Tasks and their order come from ``serialized_dag`` (the newest version of each DAG); the
assets each task writes and reads and each DAG's asset schedule come from Airflow's
reference tables (``task_outlet_asset_reference``, ``task_inlet_asset_reference``,
``dag_schedule_asset_reference``, or their ``dataset`` forms in Airflow 2), which Airflow
keeps in step with the serialized DAGs. Asset aliases are read from the serialized tasks.
Building the same IR the DAG-file readers build is what makes imported keys coincide with
``assetbridge translate``.
"""

from __future__ import annotations

import json
import zlib
from collections import defaultdict
from typing import Any

import sqlalchemy as sa

from translators.lineage._airflow_schema import AirflowSchema
from translators.lineage._errors import LineageImportError
from translators.model import AssetExpression, AssetRef, DagInfo, TaskInfo

__all__ = ["AirflowAsset", "read_airflow_assets", "read_serialized_dags"]

#: an Airflow asset row: (id, name or None, uri)
AirflowAsset = tuple[int, str | None, str]
_Refs = dict[tuple[str, str], list[AssetRef]]


def read_airflow_assets(conn: sa.Connection, schema: AirflowSchema) -> dict[int, AssetRef]:
    """Every asset (dataset) row, by id."""
    word = schema.asset_word
    name = "name" if schema.generation == 3 else "NULL"
    rows = conn.execute(sa.text(f"SELECT id, {name}, uri FROM {word}"))
    return {int(row[0]): AssetRef(name=row[1], uri=row[2]) for row in rows}


def read_serialized_dags(conn: sa.Connection, schema: AirflowSchema, name: str,
                         assets: dict[int, AssetRef]) -> list[DagInfo]:
    """One ``DagInfo`` per DAG in ``serialized_dag`` (its newest version).

    Raises:
        LineageImportError: a serialized DAG cannot be decoded.
    """
    word = schema.asset_word
    outlets = _task_refs(conn, f"task_outlet_{word}_reference", word, assets)
    inlets = (_task_refs(conn, f"task_inlet_{word}_reference", word, assets)
              if schema.generation == 3 else {})
    scheduled: defaultdict[str, list[AssetRef]] = defaultdict(list)
    for row in conn.execute(sa.text(
            f"SELECT {word}_id, dag_id FROM dag_schedule_{word}_reference")):
        if int(row[0]) in assets:
            scheduled[row[1]].append(assets[int(row[0])])
    newest: dict[str, dict[str, Any]] = {}
    for dag_id, data in _newest_serialized(conn):
        newest[dag_id] = _decode(data, dag_id, name)
    return [_dag_info(dag_id, newest[dag_id], outlets, inlets, scheduled.get(dag_id, []))
            for dag_id in sorted(newest)]


def _task_refs(conn: sa.Connection, table: str, word: str,
               assets: dict[int, AssetRef]) -> _Refs:
    refs: _Refs = defaultdict(list)
    rows = conn.execute(sa.text(f"SELECT {word}_id, dag_id, task_id FROM {table}"))
    for row in rows:
        if int(row[0]) in assets:
            refs[(row[1], row[2])].append(assets[int(row[0])])
    return refs


def _newest_serialized(conn: sa.Connection) -> list[tuple[str, Any]]:
    columns = {c["name"] for c in sa.inspect(conn).get_columns("serialized_dag")}
    compressed = "data_compressed" if "data_compressed" in columns else "NULL"
    rows = conn.execute(sa.text(
        f"SELECT dag_id, data, {compressed}, last_updated FROM serialized_dag "
        "ORDER BY dag_id, last_updated"))
    latest: dict[str, Any] = {}
    for row in rows:  # ordered by time: the last row per DAG wins
        latest[row[0]] = row[1] if row[1] is not None else ("zlib", row[2])
    return sorted(latest.items())


def _decode(data: Any, dag_id: str, name: str) -> dict[str, Any]:
    try:
        if isinstance(data, tuple):
            data = zlib.decompress(bytes(data[1])).decode()
        document = json.loads(data) if isinstance(data, str | bytes) else data
        dag = document["dag"]
        if not isinstance(dag, dict):
            raise TypeError("'dag' is not an object")
        return dag
    except (ValueError, KeyError, TypeError, zlib.error) as exc:
        raise LineageImportError(f"{name}: serialized DAG {dag_id!r} cannot be decoded "
                                 f"({exc}); re-serialize it with `airflow dags reserialize`"
                                 ) from exc


def _dag_info(dag_id: str, dag: dict[str, Any], outlets: _Refs, inlets: _Refs,
              scheduled: list[AssetRef]) -> DagInfo:
    tasks_json = [_unwrap(task) for task in dag.get("tasks", [])]
    upstream: defaultdict[str, set[str]] = defaultdict(set)
    for task in tasks_json:
        for down in task.get("downstream_task_ids") or ():
            upstream[down].add(task["task_id"])
    tasks = []
    for task in tasks_json:
        task_id = str(task["task_id"])
        aliases = [AssetRef(name=str(_unwrap(ref).get("name")), kind="alias")
                   for ref in task.get("outlets") or ()
                   if isinstance(ref, dict) and "alias" in str(ref.get("__type", ""))]
        tasks.append(TaskInfo(
            task_id=task_id, operator=str(task.get("task_type") or "?"),
            operator_module=task.get("_task_module"), upstream=tuple(sorted(upstream[task_id])),
            outlets=tuple(sorted({*outlets.get((dag_id, task_id), []), *aliases},
                                 key=lambda r: r.key)),
            inlets=tuple(sorted(inlets.get((dag_id, task_id), []), key=lambda r: r.key)),
            mapped=bool(task.get("_is_mapped")),
        ))
    schedule = None
    if scheduled:
        schedule = AssetExpression(op="and", items=tuple(
            AssetExpression(op="asset", asset=ref) for ref in sorted(scheduled,
                                                                      key=lambda r: r.key)))
    return DagInfo(dag_id=dag_id, file=str(dag.get("fileloc") or f"<airflow:{dag_id}>"),
                   schedule_assets=schedule, description=dag.get("description"),
                   tags=tuple(sorted(str(tag) for tag in dag.get("tags") or ())),
                   tasks=tuple(sorted(tasks, key=lambda t: t.task_id)))


def _unwrap(value: Any) -> dict[str, Any]:
    """Serialized objects are ``{"__type": ..., "__var": {...}}`` or plain dicts."""
    if isinstance(value, dict) and isinstance(value.get("__var"), dict):
        return dict(value["__var"])
    return value if isinstance(value, dict) else {}
