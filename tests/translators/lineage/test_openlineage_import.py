"""OpenLineage import, from events the real ``openlineage-python`` client wrote with its file
transport: datasets become assets, jobs connect inputs to outputs, COMPLETE events are
materializations and FAIL events failures; Airflow facets name the producing task."""

from __future__ import annotations

from pathlib import Path

import pytest

from bridge._types import EventKind
from bridge.storage import CatalogAsset, SqlStore
from tests.translators.lineage._openlineage_emit import client, emit_task_run
from translators.lineage import import_openlineage

MAT, FAIL = EventKind.MATERIALIZATION, EventKind.FAILURE


@pytest.fixture
def store(tmp_path: Path) -> SqlStore:
    return SqlStore(f"sqlite:///{tmp_path / 'runs.db'}")


def emit_pipeline(path: Path, *, append: bool) -> dict[str, str]:
    ol = client(path, append=append)
    runs = {
        "extract": emit_task_run(ol, dag_id="producer", task_id="load_orders",
                                 inputs=[("postgres://shop:5432", "shop.public.orders")],
                                 outputs=[("s3://lake", "orders.parquet")],
                                 day="2026-03-01", minute=0),
        "report": emit_task_run(ol, dag_id="consumer", task_id="report",
                                inputs=[("s3://lake", "orders.parquet"),
                                        ("s3://lake", "customers.csv")],
                                outputs=[], day="2026-03-01", minute=5),
        "spark": emit_task_run(ol, dag_id=None, task_id="daily_rollup", namespace="spark",
                               inputs=[("s3://lake", "orders.parquet")],
                               outputs=[("warehouse", "sales/daily")],
                               day="2026-03-01", minute=10, fail=True),
    }
    ol.close()
    return runs


def test_events_from_the_real_client_become_assets_and_history(store: SqlStore,
                                                                tmp_path: Path) -> None:
    events = tmp_path / "events.ndjson"
    runs = emit_pipeline(events, append=True)
    assert len(events.read_text().splitlines()) == 6  # the client wrote NDJSON
    result = import_openlineage(events, store)
    assert (result.records_read, result.assets_added) == (6, 5)
    assert result.events == {"materialization": 2, "failure": 1}
    assert store.catalog() == [
        CatalogAsset(key="consumer/report", group="consumer",
                     deps=("s3://lake/customers.csv", "s3://lake/orders.parquet"),
                     dag_id="consumer", task_id="report", source="openlineage",
                     metadata={"job": "consumer.report"}),
        CatalogAsset(key="postgres://shop:5432/shop.public.orders", group="external",
                     source="openlineage", metadata={"namespace": "postgres://shop:5432",
                                                     "name": "shop.public.orders"}),
        CatalogAsset(key="s3://lake/customers.csv", group="external", source="openlineage",
                     metadata={"namespace": "s3://lake", "name": "customers.csv"}),
        CatalogAsset(key="s3://lake/orders.parquet", group="producer",
                     deps=("postgres://shop:5432/shop.public.orders",), dag_id="producer",
                     task_id="load_orders", source="openlineage",
                     metadata={"namespace": "s3://lake", "name": "orders.parquet",
                               "job": "producer.load_orders"}),
        CatalogAsset(key="warehouse/sales/daily", group="spark",
                     deps=("s3://lake/orders.parquet",), source="openlineage",
                     metadata={"namespace": "warehouse", "name": "sales/daily",
                               "job": "daily_rollup"}),
    ]
    orders = store.catalog_asset("s3://lake/orders.parquet")
    assert orders is not None and (orders.dag_id, orders.task_id) == ("producer", "load_orders")
    assert orders.deps == ("postgres://shop:5432/shop.public.orders",)
    report = store.catalog_asset("consumer/report")  # an Airflow task without outputs
    assert report is not None and report.deps == ("s3://lake/customers.csv",
                                                  "s3://lake/orders.parquet")
    daily = store.catalog_asset("warehouse/sales/daily")
    assert daily is not None and daily.dag_id is None and daily.group == "spark"
    [mat] = store.history("s3://lake/orders.parquet")
    assert (mat.kind, mat.run_id, mat.partition, mat.source) == (
        MAT, runs["extract"], "2026-03-01T00:00:00+00:00", "openlineage")
    [failed] = store.history("warehouse/sales/daily")
    assert (failed.kind, failed.error, failed.run_id) == (FAIL, "boom", runs["spark"])
    assert store.catalog_asset("s3://lake/customers.csv").group == "external"  # type: ignore[union-attr]


def test_a_folder_of_per_event_files_and_incremental_appends(store: SqlStore,
                                                             tmp_path: Path) -> None:
    folder = tmp_path / "events"
    folder.mkdir()
    emit_pipeline(folder / "ol", append=False)  # the transport's default: a file per event
    assert len(list(folder.iterdir())) == 6
    first = import_openlineage(folder, store)
    assert first.events_added == 3 and first.batches == 6
    again = import_openlineage(folder, store)
    assert (again.events_added, again.assets_added, again.assets_updated) == (0, 0, 0)
    assert again.records_read == 0

    log = tmp_path / "more.ndjson"
    ol = client(log, append=True)
    emit_task_run(ol, dag_id="producer", task_id="load_orders", inputs=[],
                  outputs=[("s3://lake", "orders.parquet")], day="2026-03-02", minute=0)
    assert import_openlineage(log, store).events == {"materialization": 1}
    emit_task_run(ol, dag_id="producer", task_id="load_orders",
                  inputs=[("s3://lake", "raw.json")],
                  outputs=[("s3://lake", "orders.parquet")], day="2026-03-03", minute=0)
    ol.close()
    appended = import_openlineage(log, store)  # only the two new lines are read
    assert (appended.records_read, appended.events) == (2, {"materialization": 1})
    history = store.history("s3://lake/orders.parquet")
    assert [e.partition for e in history] == ["2026-03-03T00:00:00+00:00",
                                              "2026-03-02T00:00:00+00:00",
                                              "2026-03-01T00:00:00+00:00"]
    orders = store.catalog_asset("s3://lake/orders.parquet")
    assert orders is not None and orders.deps == (  # lineage only grows
        "postgres://shop:5432/shop.public.orders", "s3://lake/raw.json")


@pytest.mark.airflow
def test_openlineage_history_attaches_to_imported_airflow_assets(
        store: SqlStore, tmp_path: Path, airflow3_sqlite: object) -> None:
    from translators.lineage import import_airflow_db

    import_airflow_db(airflow3_sqlite.target, store)  # type: ignore[attr-defined]
    keys = [a.key for a in store.catalog()]
    log = tmp_path / "events.ndjson"
    ol = client(log, append=True)
    run_id = emit_task_run(ol, dag_id="producer", task_id="load_orders",
                           inputs=[], outputs=[("s3://lake", "orders.parquet")],
                           day="2026-03-09", minute=0)
    ol.close()
    import_openlineage(log, store)
    assert [a.key for a in store.catalog()] == keys  # no duplicate for warehouse/orders
    newest = store.history("warehouse/orders")[0]
    assert (newest.run_id, newest.source) == (run_id, "openlineage")
    orders = store.catalog_asset("warehouse/orders")
    assert orders is not None and orders.source == "airflow-db"  # the Airflow definition stays
