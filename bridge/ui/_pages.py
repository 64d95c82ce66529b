"""The asset graph, the asset pages, and the status feed the pages poll."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from markupsafe import Markup, escape
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from bridge._keys import AssetKey
from bridge._status import provenance, refresh_plan
from bridge._types import EventKind
from bridge.ui._app import render, state_of
from bridge.ui._catalog import EXTERNAL, neighbours, producer_key, statuses_of
from bridge.ui._config_form import config_fields
from bridge.ui._project import Source

__all__ = ["routes"]



def graph_page(request: Request) -> Response:
    """The lineage graph, coloured by status and grouped by group / DAG."""
    state = state_of(request)
    snapshot = state.snapshot()
    drawing = state.drawing(snapshot)
    statuses = snapshot.status_names()
    counts: dict[str, int] = {}
    svg: list[Markup] = []
    for key, before, after in drawing.nodes:
        status = statuses.get(key, "source")
        counts[status] = counts.get(status, 0) + 1
        svg += (before, escape(status), after)
    return render(request, "graph.html", title="asset graph", layout=drawing.layout,
                  nodes_svg=Markup("").join(svg), node_count=len(drawing.nodes),
                  counts=counts, lazy_labels=drawing.lazy_labels,
                  imported=len(snapshot.catalog))


def statuses_api(request: Request) -> Response:
    """``{"assets": {key: status}}`` for the pages that poll."""
    return JSONResponse({"assets": state_of(request).snapshot().status_names()})


def asset_page(request: Request) -> Response:
    """One asset: spec, origin, status, history, provenance and neighbours."""
    state = state_of(request)
    text = request.path_params["key"]
    found = state.project.find(text)
    if found is None:
        return _catalog_page(request, text)
    source, key = found
    graph = source.graph
    spec = graph.spec(key)
    definition = graph.definition(key)
    snapshot = state.snapshot()
    statuses = snapshot.status_names()
    digraph = state.drawing(snapshot).digraph
    upstream, downstream = neighbours(digraph, str(key))
    history = state.store.history(str(key), limit=50)
    model = definition.signature.config_model
    return render(
        request, "asset.html", title=str(key), key=str(key), spec=spec, source=source,
        origin=_origin(source, key), report=snapshot.reports.get(key),
        plan=[] if definition.is_source else [str(k) for k in refresh_plan(
            graph, state.store, [key], {k: r for k, r in snapshot.reports.items()
                                        if k in graph})],
        history=history, failure=EventKind.FAILURE,
        provenance=provenance(graph, state.store, key) if history else None,
        upstream=statuses_of(statuses, upstream), downstream=statuses_of(statuses, downstream),
        config=config_fields(str(key), model) if model is not None else [],
        is_source=definition.is_source,
        partitions_kind=type(spec.partitions).__name__ if spec.partitions else None,
    )


def _catalog_page(request: Request, text: str) -> Response:
    """An imported asset (lineage catalog), or an upstream key only named by one."""
    state = state_of(request)
    snapshot = state.snapshot()
    drawing = state.drawing(snapshot)
    digraph, groups = drawing.digraph, drawing.groups
    entry = next((e for e in snapshot.catalog if e.key == text), None)
    if entry is None and text not in digraph:
        raise HTTPException(404, f"no asset {text!r} in "
                                 f"{', '.join(s.target for s in state.project.sources)}"
                                 " or in the imported catalog")
    statuses = snapshot.status_names()
    upstream, downstream = neighbours(digraph, text)
    status, reasons = snapshot.catalog_status.get(text, ("source", []))
    return render(
        request, "catalog_asset.html", title=text, key=text, entry=entry,
        group=groups.get(text, EXTERNAL), status=status, reasons=reasons,
        producer=producer_key(state.project, entry) if entry else None,
        history=state.store.history(text, limit=50), failure=EventKind.FAILURE,
        upstream=statuses_of(statuses, upstream), downstream=statuses_of(statuses, downstream),
    )


def _origin(source: Source, key: AssetKey) -> dict[str, Any]:
    spec = source.graph.spec(key)
    definition = source.graph.definition(key)
    if source.kind == "dags":
        meta = spec.metadata
        return {"kind": "Airflow task", "dag_id": meta.get("dag_id"),
                "task_id": meta.get("task_id"), "operator": meta.get("operator"),
                "file": _shown_path(meta.get("file")), "line": meta.get("line")}
    if definition.source is None:
        return {"kind": "source asset" if definition.is_source else "asset", "file": None}
    file, first, last = definition.source
    name = getattr(definition.fn, "__qualname__", None)
    return {"kind": "multi-asset function" if definition.is_multi else "@asset function",
            "function": name, "file": _shown_path(file), "line": first, "last_line": last}


def _shown_path(file: str | None) -> str | None:
    """``file`` relative to the working directory when it is inside it."""
    if not file:
        return file
    try:
        return str(Path(file).resolve().relative_to(Path.cwd()))
    except ValueError:
        return file


def routes() -> list[BaseRoute]:
    """The routes of this module."""
    return [
        Route("/", graph_page, name="graph"),
        Route("/api/statuses", statuses_api, name="statuses"),
        Route("/assets/{key:path}", asset_page, name="asset"),
    ]
