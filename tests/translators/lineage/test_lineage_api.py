"""``translators.lineage``'s public surface is pinned (the httpx pattern), and its pure
helpers behave as documented."""

from __future__ import annotations

import translators.lineage as lineage
from bridge._types import AssetStatus, EventKind
from bridge.storage import AssetEvent, CatalogAsset, InMemoryStore
from translators.lineage._db_history import bridge_run_id
from translators.lineage._openlineage_events import OLDataset

LINEAGE_PUBLIC = {
    "AirflowApiClient", "AssetView", "ImportResult", "LineageImportError", "asset_views",
    "dataset_key", "import_airflow_api", "import_airflow_db", "import_openlineage",
    "lineage_document", "lineage_graph", "lineage_records",
}


def test_the_lineage_all_is_pinned_and_sorted() -> None:
    assert set(lineage.__all__) == LINEAGE_PUBLIC
    assert sorted(lineage.__all__) == lineage.__all__
    for name in LINEAGE_PUBLIC:
        assert getattr(lineage, name) is not None


def test_dataset_keys_and_run_ids() -> None:
    assert lineage.dataset_key(OLDataset(namespace="s3://lake/", name="/a/b.csv")) == \
        "s3://lake/a/b.csv"
    assert lineage.dataset_key(OLDataset(namespace="dwh", name="sales/orders")) == \
        "dwh/sales/orders"
    long = "backfill__" + "x" * 300
    assert len(bridge_run_id(long)) == 64 and bridge_run_id(long) != bridge_run_id(long + "y")


def test_views_status_from_history_and_lineage_depth() -> None:
    store = InMemoryStore()
    store.put_catalog(
        [CatalogAsset("raw", "etl"), CatalogAsset("clean", "etl", ("raw",), "etl", "clean"),
         CatalogAsset("report", "bi", ("clean", "ghost"), "bi", "report"),
         CatalogAsset("broken", "bi", ("raw",), "bi", "broken")],
        [AssetEvent("r1", "clean", EventKind.MATERIALIZATION, 10.0, source="airflow"),
         AssetEvent("r1", "report", EventKind.MATERIALIZATION, 11.0, source="airflow"),
         AssetEvent("r2", "clean", EventKind.MATERIALIZATION, 20.0, source="airflow"),
         AssetEvent("r2", "broken", EventKind.FAILURE, 21.0, error="boom", source="airflow")])
    views = lineage.asset_views(store)
    assert {k: v.status for k, v in views.items()} == {
        "broken": AssetStatus.FAILED, "clean": AssetStatus.FRESH, "raw": AssetStatus.NEVER,
        "report": AssetStatus.STALE}
    assert views["report"].reasons == ["upstream 'clean' was materialized since (run r2)"]
    assert views["clean"].materializations == 2
    graph = lineage.lineage_graph(views, "clean", upstream=None, downstream=None)
    assert sorted(graph.edges) == [("clean", "report"), ("raw", "clean")]
    document = lineage.lineage_document(views, graph, "clean")
    assert [a["key"] for a in document["assets"]] == ["clean", "raw", "report"]
    near = lineage.lineage_graph(views, "report", upstream=1, downstream=0)
    assert sorted(near.nodes) == ["clean", "ghost", "report"]
    records = lineage.lineage_records(views, near)
    assert [(r.key, r.deps, r.group) for r in records] == [
        ("clean", (), "etl"), ("ghost", (), "external"), ("report", ("clean", "ghost"), "bi")]
