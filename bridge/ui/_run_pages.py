"""Runs, backfills and the pages that follow a launch while it runs."""

from __future__ import annotations

import time
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from bridge._types import EventKind, RunStatus
from bridge.storage import AssetEvent, RunRecord
from bridge.ui._app import render, state_of
from bridge.ui._launchpad import launch, launchpad_page, resume_backfill

__all__ = ["routes"]

#: seconds a backfill may sit between two of its runs and still count as in progress
_BETWEEN_RUNS = 10.0
_FINAL = {RunStatus.SUCCESS, RunStatus.FAILED, RunStatus.INTERRUPTED}


def _run_status(run: RunRecord) -> str:
    from bridge.runner._materialize import run_is_orphaned

    return "crashed" if run_is_orphaned(run) else run.status.value


def runs_page(request: Request) -> Response:
    """The newest runs first."""
    state = state_of(request)
    runs = state.store.list_runs(200)
    return render(request, "runs.html", title="runs",
                  runs=[(run, _run_status(run)) for run in runs])


def _run_context(request: Request) -> dict[str, Any]:
    state = state_of(request)
    run_id = request.path_params["run_id"]
    run = state.store.get_run(run_id)
    if run is None:
        pending = state.launcher.for_run(run_id)
        if pending is None:
            raise HTTPException(404, f"no run {run_id!r} in {getattr(state.store, 'url', '')}")
        return {"run_id": run_id, "run": None, "launch": pending,
                "polling": pending.state in ("queued", "running")}
    events = state.store.events_for_run(run_id)
    return {"run_id": run_id, "run": run, "status": _run_status(run),
            "rows": _rows(run, events), "polling": run.status not in _FINAL
            and _run_status(run) != "crashed", "launch": None}


def _rows(run: RunRecord, events: list[AssetEvent]) -> list[dict[str, Any]]:
    """One row per asset of the run: its outcome event, or "pending" while it has none."""
    rows: list[dict[str, Any]] = []
    seen = set()
    for event in events:
        if event.kind not in (EventKind.MATERIALIZATION, EventKind.FAILURE,
                              EventKind.SKIPPED):
            continue
        seen.add(event.asset_key)
        rows.append({"key": event.asset_key, "outcome": _OUTCOME[event.kind],
                     "partition": event.partition, "seconds": event.seconds,
                     "error": event.error, "logs": event.logs, "when": event.timestamp})
    running = run.status is RunStatus.RUNNING
    for key in run.selection:
        if key not in seen:
            rows.append({"key": key, "outcome": "pending" if running else "not run",
                         "partition": run.partition, "seconds": None, "error": None,
                         "logs": None, "when": None})
    return rows


_OUTCOME = {EventKind.MATERIALIZATION: "success", EventKind.FAILURE: "failed",
            EventKind.SKIPPED: "skipped"}


def run_page(request: Request) -> Response:
    """One run: per-asset outcome, timings, errors and captured logs."""
    context = _run_context(request)
    return render(request, "run.html", title=f"run {context['run_id']}", **context)


def run_fragment(request: Request) -> Response:
    """The part of the run page that polling replaces."""
    return render(request, "_run_body.html", **_run_context(request))


def launch_page(request: Request) -> Response:
    """A launch whose run id is not known yet (Airflow DAG runs), or that failed to start."""
    launch_ = state_of(request).launcher.get(request.path_params["launch_id"])
    if launch_ is None:
        raise HTTPException(404, "no such launch (launches are kept while the UI runs)")
    if launch_.run_id and launch_.state != "error":
        return RedirectResponse(f"/runs/{launch_.run_id}", 303)
    template = "_launch_body.html" if request.query_params.get("fragment") else "launch.html"
    return render(request, template, title="launch", launch=launch_)


def backfills_page(request: Request) -> Response:
    """Backfills seen in recent runs, newest first."""
    store = state_of(request).store
    ids = dict.fromkeys(run.backfill_id for run in store.list_runs(1000) if run.backfill_id)
    found = [store.get_backfill(backfill_id) for backfill_id in ids]
    return render(request, "backfills.html", title="backfills",
                  backfills=[b for b in found if b is not None])


def _backfill_context(request: Request) -> dict[str, Any]:
    state = state_of(request)
    backfill_id = request.path_params["backfill_id"]
    record = state.store.get_backfill(backfill_id)
    launch_ = state.launcher.for_backfill(backfill_id)
    if record is None:
        if launch_ is None:
            raise HTTPException(404, f"no backfill {backfill_id!r}")
        return {"backfill_id": backfill_id, "record": None, "launch": launch_,
                "polling": launch_.state in ("queued", "running")}
    runs = state.store.backfill_runs(backfill_id)
    per_partition: dict[str | None, list[tuple[RunRecord, str]]] = {}
    for run in runs:
        per_partition.setdefault(run.partition, []).append((run, _run_status(run)))
    states = {}
    for partition in record.partitions:
        tries = per_partition.get(partition, [])
        states[partition] = (tries[-1][1] if tries else "missing", tries)
    # a backfill whose process died stays "running" in the store: poll only while a run of
    # it is alive or the UI is about to start one
    alive = any(status == "running" for run in runs for status in [_run_status(run)]) or any(
        time.time() - (run.finished_at or 0) < _BETWEEN_RUNS for run in runs)
    polling = (record.status is RunStatus.RUNNING and alive) or (
        launch_ is not None and launch_.state in ("queued", "running"))
    can_resume = not polling and any(s != "success" for s, _ in states.values())
    return {"backfill_id": backfill_id, "record": record, "states": states,
            "once": per_partition.get(None, []), "launch": launch_, "polling": polling,
            "can_resume": can_resume, "status": record.status.value}


def backfill_page(request: Request) -> Response:
    """Per-partition status of one backfill, with a resume button."""
    context = _backfill_context(request)
    return render(request, "backfill.html", title=f"backfill {context['backfill_id']}",
                  **context)


def backfill_fragment(request: Request) -> Response:
    """The part of the backfill page that polling replaces."""
    return render(request, "_backfill_body.html", **_backfill_context(request))


def routes() -> list[BaseRoute]:
    """The routes of this module."""
    return [
        Route("/runs", runs_page, name="runs"),
        Route("/runs/{run_id}", run_page, name="run"),
        Route("/runs/{run_id}/fragment", run_fragment),
        Route("/launchpad", launchpad_page, name="launchpad"),
        Route("/launch", launch, methods=["POST"]),
        Route("/launches/{launch_id}", launch_page),
        Route("/backfills", backfills_page, name="backfills"),
        Route("/backfills/{backfill_id}", backfill_page, name="backfill"),
        Route("/backfills/{backfill_id}/fragment", backfill_fragment),
        Route("/backfills/{backfill_id}/resume", resume_backfill, methods=["POST"]),
    ]
