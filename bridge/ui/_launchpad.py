"""The launchpad: pick assets (or a partition range), fill their config, launch a run."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from bridge._keys import AssetKey
from bridge._selection import select
from bridge.errors import BridgeError, ConfigError, PartitionError, SelectionError
from bridge.ui._app import UiState, render, state_of
from bridge.ui._config_form import config_fields, config_from_form
from bridge.ui._project import Source

__all__ = ["launch", "launchpad_page", "resume_backfill"]

#: at most this many partition keys are offered as suggestions
_SUGGESTED = 400


def _models(source: Source) -> dict[str, type[BaseModel]]:
    models = {}
    for definition in source.graph.definitions():
        if definition.signature.config_model is not None:
            for key in definition.keys:
                models[str(key)] = definition.signature.config_model
    return models


def _panel(state: UiState, index: int, source: Source, statuses: dict[str, str],
           expression: str | None) -> dict[str, Any]:
    graph = source.graph
    chosen: frozenset[AssetKey] = frozenset()
    problem = None
    if expression:
        try:
            chosen = select(graph, expression)
        except BridgeError as exc:
            problem = str(exc)
    groups: dict[str, list[tuple[str, str, bool]]] = {}
    partition_keys: list[str] = []
    for key in graph.toposort():
        if graph.definition(key).is_source:
            continue
        spec = graph.spec(key)
        groups.setdefault(spec.group, []).append(
            (str(key), statuses.get(str(key), "never"), key in chosen))
        if spec.partitions is not None and not partition_keys:
            partition_keys = spec.partitions.keys()
    return {
        "index": index, "source": source, "groups": sorted(groups.items()),
        "config": [(key, config_fields(key, model)) for key, model in _models(source).items()],
        "partitions": partition_keys[-_SUGGESTED:], "partitioned": bool(partition_keys),
        "envs": sorted(source.project.env), "env": state.env or source.project.default_env,
        "problem": problem,
    }


def launchpad_page(request: Request, error: str | None = None,
                         status_code: int = 200) -> Response:
    """One form per target: assets, config, partitions, environment."""
    state = state_of(request)
    statuses = state.snapshot().status_names()
    expression = request.query_params.get("select")
    panels = [_panel(state, i, source, statuses, expression)
              for i, source in enumerate(state.project.sources)]
    problems = [panel.pop("problem") for panel in panels]
    if expression and panels and all(problems):  # ?select= names nothing in any target
        error = error or problems[0]
    return render(request, "launchpad.html", status_code, title="launchpad", panels=panels,
                  error=error)


async def launch(request: Request) -> Response:
    """POST: start a run (or backfill) and go to its page."""
    state = state_of(request)
    form = await request.form()
    if not state.csrf.valid(request, form.get("csrf_token")):
        return render(request, "error.html", 403, title="forbidden",
                      message="the form's CSRF token is missing or wrong; reload the "
                              "launchpad and submit again")
    try:
        index = int(str(form.get("source", "0")))
        source = state.project.sources[index]
    except (ValueError, IndexError):
        return await run_in_threadpool(launchpad_page, request, "unknown target in the form", 400)
    items = [(name, str(value)) for name, value in form.multi_items()
             if isinstance(value, str)]
    try:
        return _start(state, source, items, {k: v for k, v in items})
    except BridgeError as exc:
        return await run_in_threadpool(launchpad_page, request, str(exc), 400)


def _start(state: UiState, source: Source, items: list[tuple[str, str]],
           form: dict[str, str]) -> Response:
    graph = source.graph
    keys = {graph.find(value) for name, value in items if name == "key"}
    expression = form.get("selection", "").strip()
    if expression:
        keys |= select(graph, expression)
    keys = {k for k in keys if not graph.definition(k).is_source}
    if not keys:
        raise SelectionError("nothing selected: tick assets or write a selection")
    ordered = sorted(keys)
    env = form.get("env") or state.env
    if source.kind == "dags":
        params = _json_object(form.get("params", ""))
        started = state.launcher.run_dags(source, ordered, params=params, env=env,
                                          logical_date=form.get("logical_date") or None)
        return RedirectResponse(f"/launches/{started.launch_id}", 303)
    models = _models(source)
    config = config_from_form(items, models, {str(k) for k in keys})
    for key, values in config.items():
        try:
            models[key].model_validate(values)
        except ValidationError as exc:
            error = exc.errors()[0]
            raise ConfigError(f"config of {key!r}: field {'.'.join(map(str, error['loc']))}: "
                              f"{error['msg']}") from None
    if form.get("mode") == "backfill":
        start, end = form.get("start", "").strip(), form.get("end", "").strip()
        backfill_id = _backfill_id(source, ordered, start, end)
        state.launcher.backfill(source, ordered, start=start, end=end, config=config,
                                backfill_id=backfill_id, env=env)
        return RedirectResponse(f"/backfills/{backfill_id}", 303)
    partition = form.get("partition", "").strip() or None
    started = state.launcher.run_assets(source, ordered, config=config, partition=partition,
                                        env=env)
    return RedirectResponse(f"/runs/{started.run_id}", 303)


def _backfill_id(source: Source, keys: list[AssetKey], start: str, end: str) -> str:
    """The id ``backfill`` will give this request (the CLI's, so either can resume it)."""
    from bridge.runner._backfill import backfill_id_for

    if not start or not end:
        raise PartitionError("a backfill needs a first and a last partition")
    definition = next((p for p in (source.graph.spec(k).partitions for k in keys)
                       if p is not None), None)
    if definition is None:
        raise PartitionError("the selection has no partitioned asset; backfill needs one")
    partitions = definition.keys_between(start, end)
    return backfill_id_for(source.canonical, [str(k) for k in keys], partitions)


def _json_object(text: str) -> dict[str, Any]:
    if not text.strip():
        return {}
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"params are not valid JSON: {exc}") from None
    if not isinstance(value, dict):
        raise ConfigError('params must be a JSON object, e.g. {"limit": 10}')
    return value


async def resume_backfill(request: Request) -> Response:
    """POST: run the partitions a backfill has not materialized yet."""
    state = state_of(request)
    form = await request.form()
    backfill_id = request.path_params["backfill_id"]
    if not state.csrf.valid(request, form.get("csrf_token")):
        return render(request, "error.html", 403, title="forbidden",
                      message="the form's CSRF token is missing or wrong; reload the page")
    record = state.store.get_backfill(backfill_id)
    source = next((s for s in state.project.sources
                   if record is not None and s.canonical == record.target), None)
    if record is None or source is None or not record.partitions:
        return render(request, "error.html", 404, title="cannot resume",
                      message=f"backfill {backfill_id!r} is not one of the targets this UI "
                              "serves; resume it with the `assetbridge backfill` command")
    try:
        keys = [source.graph.find(name) for name in record.selection]
    except BridgeError as exc:
        return render(request, "error.html", 400, title="cannot resume", message=str(exc))
    state.launcher.backfill(source, keys, start=record.partitions[0],
                            end=record.partitions[-1], config={}, backfill_id=backfill_id,
                            env=state.env)
    return RedirectResponse(f"/backfills/{backfill_id}", 303)
