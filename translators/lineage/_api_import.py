"""``assetbridge lineage import --airflow-api``: a running Airflow 3 through REST API v2.

Reads ``/dags`` and ``/dags/{id}/tasks`` (DAG structure), ``/assets`` (producing tasks,
consuming tasks and scheduled DAGs: outlets, inlets and asset schedules), then history
from ``/assets/events`` and ``/dags/~/dagRuns/~/taskInstances``, mapped exactly as the
metadata DB import maps the same rows (:mod:`translators.lineage._db_history`). Watermarks
are kept per server, so a second import only asks for what is newer.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from bridge.storage import Store
from translators.lineage._api_client import AirflowApiClient
from translators.lineage._catalog import TaskAssets, catalog_from_dags
from translators.lineage._db_history import asset_event_from_row, ti_events_from_row
from translators.lineage._result import ImportResult, catalog_changes
from translators.model import AssetExpression, AssetRef, DagInfo, TaskInfo

__all__ = ["import_airflow_api"]

SOURCE = "airflow-api"


def import_airflow_api(base_url: str, store: Store, *, token: str | None = None,
                       client: AirflowApiClient | None = None,
                       on_batch: Callable[[ImportResult], None] | None = None) -> ImportResult:
    """Import a running Airflow's DAGs, assets and history into ``store`` (``on_batch`` is
    called with the result so far after each committed batch).

    Raises:
        LineageImportError: the server is unreachable, refuses the token, or is not
            Airflow's API v2.
    """
    started = time.perf_counter()
    api = client or AirflowApiClient(base_url, token)
    result = ImportResult(kind=SOURCE, source=api.base_url, schema="Airflow REST API v2",
                          on_batch=on_batch)
    try:
        assets = [a for page in api.pages("/assets", "assets") for a in page]
        dags = _dags(api, assets)
        refs = [AssetRef(name=a.get("name"), uri=a.get("uri")) for a in assets]
        entries, tasks = catalog_from_dags(dags, SOURCE, extra_assets=refs)
        pending, result.assets_added, result.assets_updated = catalog_changes(
            store.catalog(), entries)
        mark = f"{SOURCE}:{api.base_url}"
        _asset_events(api, store, result, pending, f"{mark}:asset_event")
        _task_instances(api, store, result, tasks, f"{mark}:task_instance")
    finally:
        if client is None:
            api.close()
    result.assets_total = len(store.catalog())
    result.seconds = time.perf_counter() - started
    return result


def _dags(api: AirflowApiClient, assets: list[dict[str, Any]]) -> list[DagInfo]:
    outlets: dict[tuple[str, str], list[AssetRef]] = {}
    inlets: dict[tuple[str, str], list[AssetRef]] = {}
    scheduled: dict[str, list[AssetRef]] = {}
    for asset in assets:
        ref = AssetRef(name=asset.get("name"), uri=asset.get("uri"))
        for task in asset.get("producing_tasks") or ():
            outlets.setdefault((task["dag_id"], task["task_id"]), []).append(ref)
        for task in asset.get("consuming_tasks") or ():
            inlets.setdefault((task["dag_id"], task["task_id"]), []).append(ref)
        for dag in asset.get("scheduled_dags") or ():
            scheduled.setdefault(dag["dag_id"], []).append(ref)
    found = []
    for page in api.pages("/dags", "dags"):
        for dag in page:
            dag_id = str(dag["dag_id"])
            tasks = api.get(f"/dags/{quote(dag_id, safe='')}/tasks").get("tasks") or []
            upstream: dict[str, set[str]] = {}
            for task in tasks:
                for down in task.get("downstream_task_ids") or ():
                    upstream.setdefault(down, set()).add(task["task_id"])
            infos = tuple(sorted((TaskInfo(
                task_id=t["task_id"],
                operator=str((t.get("class_ref") or {}).get("class_name") or "?"),
                operator_module=(t.get("class_ref") or {}).get("module_path"),
                upstream=tuple(sorted(upstream.get(t["task_id"], ()))),
                outlets=tuple(outlets.get((dag_id, t["task_id"]), ())),
                inlets=tuple(inlets.get((dag_id, t["task_id"]), ()))) for t in tasks),
                key=lambda t: t.task_id))
            schedule = scheduled.get(dag_id)
            found.append(DagInfo(
                dag_id=dag_id, file=str(dag.get("fileloc") or f"<airflow:{dag_id}>"),
                tags=tuple(sorted(str(t.get("name", t)) if isinstance(t, dict) else str(t)
                                  for t in dag.get("tags") or ())),
                schedule_assets=AssetExpression(op="and", items=tuple(
                    AssetExpression(op="asset", asset=r) for r in schedule))
                if schedule else None, tasks=infos))
    return found


def _asset_events(api: AirflowApiClient, store: Store, result: ImportResult,
                  pending: list[Any], mark: str) -> None:
    stored = store.watermark(mark)
    after = json.loads(stored) if stored else None
    params = {"order_by": "timestamp"}
    runs: dict[tuple[str, str], str | None] = {}
    if after:
        params["timestamp_gte"] = after["timestamp"]
    for page in api.pages("/assets/events", "asset_events", params):
        fresh = [e for e in page if after is None or int(e["id"]) > after["id"]]
        result.records_read += len(fresh)
        if not fresh and not pending:
            continue
        events = [asset_event_from_row((
            e["id"], e.get("name"), e.get("uri"), e.get("source_dag_id"),
            e.get("source_task_id"), e.get("source_run_id"), e.get("source_map_index"),
            _utc(e.get("timestamp")), e.get("partition_key"), _logical_date(api, runs, e),
            e.get("extra"))) for e in fresh]
        last = max(fresh, key=lambda e: int(e["id"])) if fresh else None
        marks = {mark: json.dumps({"id": int(last["id"]), "timestamp": last["timestamp"]})} \
            if last and (after is None or int(last["id"]) > after["id"]) else {}
        store.put_catalog(pending, events, watermarks=marks)
        result.count(events)
        if marks:
            after = json.loads(marks[mark])
        pending.clear()
        result.batch_committed()
    if pending:
        store.put_catalog(pending)
        pending.clear()
        result.batch_committed()


def _task_instances(api: AirflowApiClient, store: Store, result: ImportResult,
                    tasks: TaskAssets, mark: str) -> None:
    stored = store.watermark(mark)
    after = json.loads(stored) if stored else None
    params: dict[str, Any] = {"order_by": "end_date", "state": ["success", "failed"]}
    if after:
        params["end_date_gte"] = after[0]
    for page in api.pages("/dags/~/dagRuns/~/taskInstances", "task_instances", params):
        rows = [(t["dag_id"], t["task_id"], t["dag_run_id"], t.get("map_index", -1),
                 t["state"], _utc(t.get("start_date")), _utc(t.get("end_date")),
                 t.get("try_number"), _utc(t.get("logical_date"))) for t in page
                if t.get("end_date")]
        fresh = [r for r in rows if after is None or _order(r) > tuple(after)]
        result.records_read += len(fresh)
        if not fresh:
            continue
        events = [event for row in fresh for event in ti_events_from_row(row, tasks)]
        newest = max(_order(r) for r in fresh)
        store.put_catalog([], events, watermarks={mark: json.dumps(newest)})
        result.count(events)
        after = list(newest)
        result.batch_committed()


def _logical_date(api: AirflowApiClient, runs: dict[tuple[str, str], str | None],
                  event: dict[str, Any]) -> str | None:
    """The logical date of the run that emitted an asset event (one request per run)."""
    dag_id, run_id = event.get("source_dag_id"), event.get("source_run_id")
    if not dag_id or not run_id:
        return None
    if (dag_id, run_id) not in runs:
        run = api.get(f"/dags/{quote(dag_id, safe='')}/dagRuns/{quote(run_id, safe='')}")
        runs[(dag_id, run_id)] = _utc(run.get("logical_date"))
    return runs[(dag_id, run_id)]


def _order(row: tuple[Any, ...]) -> tuple[Any, ...]:
    return (row[6], row[0], row[1], row[2], row[3])


def _utc(value: Any) -> str | None:
    """API timestamps end in ``Z``; keep them as ISO text with an explicit offset."""
    return value.replace("Z", "+00:00") if isinstance(value, str) else None
