"""Imported lineage (the store's asset catalog) in the graph and on asset pages."""

from __future__ import annotations

import html
import re
import time
from pathlib import Path
from urllib.parse import quote

from starlette.testclient import TestClient

from bridge import materialize
from bridge._types import EventKind
from bridge.storage import AssetEvent, CatalogAsset, SqlStore
from bridge.ui import create_app, load_project
from tests.ui._server import QUICKSTART

REPORT = "s3://bucket/report.csv"


def _nodes(page: str) -> dict[str, str]:
    found = re.findall(r'class="node" href="[^"]*" data-key="([^"]+)" data-status="(\w+)"',
                       page)
    return {html.unescape(key): status for key, status in found}


def test_imported_assets_join_the_graph_with_status_and_pages(tmp_path: Path) -> None:
    store = SqlStore(f"sqlite:///{tmp_path / 'runs.db'}")
    now = time.time()
    store.put_catalog(
        [CatalogAsset("orders", "warehouse", (), "warehouse", "load"),
         CatalogAsset(REPORT, "report", ("ghost", "orders", "raw_orders"), "report", "build",
                      source="openlineage", metadata={"namespace": "<s3>"}),
         CatalogAsset("paid_orders", "elsewhere", ())],  # the TARGET's definition wins
        [AssetEvent("af-1", "orders", EventKind.MATERIALIZATION, now - 60, source="airflow"),
         AssetEvent("af-2", REPORT, EventKind.FAILURE, now - 30, error="bucket <denied>",
                    source="airflow")],
    )
    project = load_project([str(QUICKSTART)])
    app = create_app(project, store, home=tmp_path)
    with TestClient(app, base_url="http://127.0.0.1") as client:
        page = client.get("/").text
        nodes = _nodes(page)
        assert set(nodes) == {str(k) for k in project.keys} | {"orders", REPORT, "ghost"}
        assert (nodes["orders"], nodes[REPORT], nodes["ghost"]) == ("fresh", "failed", "source")
        assert "2 imported from Airflow lineage" in page
        bands = set(re.findall(r'class="band-label"[^>]*>([^<]+)<', page))
        assert {"warehouse", "report", "external", "raw", "sales"} <= bands
        assert "elsewhere" not in bands
        assert client.get("/api/statuses").json()["assets"][REPORT] == "failed"

        report = client.get("/assets/" + quote(REPORT, safe="/"))
        assert report.status_code == 200
        text = html.unescape(report.text)
        assert "bucket <denied>" in text and "&lt;denied&gt;" in report.text
        assert "openlineage" in text and "&lt;s3&gt;" in report.text
        for upstream in ("ghost", "orders", "raw_orders"):
            assert f'href="/assets/{upstream}"' in report.text
        assert client.get("/assets/ghost").status_code == 200
        assert 'href="/assets/s3%3A//bucket/report.csv"' in client.get("/assets/orders").text

        store.put_catalog([CatalogAsset("late", "warehouse", ("orders",))])
        materialize(project.sources[0].graph, selection=["raw_orders"], store=store)
        assert "late" in _nodes(client.get("/").text)  # a new run: statuses and drawing redone
    store.close()
