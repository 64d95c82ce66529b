"""The DAGs an Airflow metadata database knows, as the translators' IR (``DagInfo``).

Tasks and their order come from ``serialized_dag`` (the newest version of each DAG); the
assets each task writes and reads and each DAG's asset schedule come from Airflow's
reference tables (``task_outlet_asset_reference``, ``task_inlet_asset_reference``,
``dag_schedule_asset_reference``, or their ``dataset`` forms in Airflow 2), which Airflow
keeps in step with the serialized DAGs. Asset aliases in task outlets and inlets are read
from the serialized tasks, alias schedules from ``dag_schedule_asset_alias_reference``; each
alias is then replaced by the assets Airflow resolved it to (``asset_alias_asset``, or
``dataset_alias_dataset`` from Airflow 2.10), see
:func:`~translators.lineage._catalog.resolve_aliases`. Building the same IR the DAG-file
readers build is what makes imported keys coincide with ``assetbridge translate``.
"""

from __future__ import annotations

import json
import zlib
from collections import defaultdict
from typing import Any

import sqlalchemy as sa

from translators.lineage._airflow_schema import AirflowSchema
from translators.lineage._catalog import resolve_aliases
from translators.lineage._errors import LineageImportError
from translators.model import AssetExpression, AssetRef, DagInfo, TaskInfo

__all__ = ["AirflowAsset", "read_airflow_assets", "read_asset_aliases",
           "read_serialized_dags"]

#: an Airflow asset row: (id, name or None, uri)
AirflowAsset = tuple[int, str | None, str]
_Refs = dict[tuple[str, str], list[AssetRef]]


def read_airflow_assets(conn: sa.Connection, schema: AirflowSchema) -> dict[int, AssetRef]:
    """Every asset (dataset) row, by id."""
    word = schema.asset_word
    name = "name" if schema.generation == 3 else "NULL"
    rows = conn.execute(sa.text(f"SELECT id, {name}, uri FROM {word}"))
    return {int(row[0]): AssetRef(name=row[1], uri=row[2]) for row in rows}


def read_asset_aliases(conn: sa.Connection, schema: AirflowSchema,
                       assets: dict[int, AssetRef]) -> dict[str, tuple[AssetRef, ...]]:
    """The assets each asset alias (dataset alias) resolved to, by alias name.

    An alias resolves when a task emits an asset event through it; an alias that never did
    is absent. Empty before Airflow 2.10, which has no alias tables.
    """
    word = schema.asset_word
    if not sa.inspect(conn).has_table(f"{word}_alias_{word}"):
        return {}
    resolved: defaultdict[str, list[AssetRef]] = defaultdict(list)
    for alias, asset_id in conn.execute(sa.text(
            f"SELECT al.name, aa.{word}_id FROM {word}_alias_{word} aa "
            f"JOIN {word}_alias al ON al.id = aa.alias_id")):
        if int(asset_id) in assets:
            resolved[alias].append(assets[int(asset_id)])
    return {alias: tuple(sorted(refs, key=lambda r: r.key))
            for alias, refs in sorted(resolved.items())}


def read_serialized_dags(conn: sa.Connection, schema: AirflowSchema, name: str,
                         assets: dict[int, AssetRef]) -> list[DagInfo]:
    """One ``DagInfo`` per DAG in ``serialized_dag`` (its newest version), with asset
    aliases replaced by the assets they resolved to.

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
    aliases = read_asset_aliases(conn, schema, assets)
    if sa.inspect(conn).has_table(f"dag_schedule_{word}_alias_reference"):
        for row in conn.execute(sa.text(
                f"SELECT al.name, r.dag_id FROM dag_schedule_{word}_alias_reference r "
                f"JOIN {word}_alias al ON al.id = r.alias_id")):
            scheduled[row[1]].append(AssetRef(name=row[0], kind="alias"))
    newest: dict[str, dict[str, Any]] = {}
    for dag_id, data in _newest_serialized(conn):
        newest[dag_id] = _decode(data, dag_id, name)
    return resolve_aliases([_dag_info(dag_id, newest[dag_id], outlets, inlets,
                                      scheduled.get(dag_id, []))
                            for dag_id in sorted(newest)], aliases)


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
        tasks.append(TaskInfo(
            task_id=task_id, operator=str(task.get("task_type") or "?"),
            operator_module=task.get("_task_module"), upstream=tuple(sorted(upstream[task_id])),
            outlets=tuple(sorted({*outlets.get((dag_id, task_id), []),
                                  *_aliases(task.get("outlets"))}, key=lambda r: r.key)),
            inlets=tuple(sorted({*inlets.get((dag_id, task_id), []),
                                 *_aliases(task.get("inlets"))}, key=lambda r: r.key)),
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


def _aliases(refs: Any) -> list[AssetRef]:
    """The asset aliases among a serialized task's outlets or inlets."""
    return [AssetRef(name=str(_unwrap(ref).get("name")), kind="alias") for ref in refs or ()
            if isinstance(ref, dict) and "alias" in str(ref.get("__type", ""))]


def _unwrap(value: Any) -> dict[str, Any]:
    """Serialized objects are ``{"__type": ..., "__var": {...}}`` or plain dicts."""
    if isinstance(value, dict) and isinstance(value.get("__var"), dict):
        return dict(value["__var"])
    return value if isinstance(value, dict) else {}
