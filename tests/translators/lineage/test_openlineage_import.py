"""OpenLineage import, from events the real ``openlineage-python`` client wrote with its file
transport: datasets become assets, runs connect the inputs of any of their events to their
outputs, COMPLETE events are materializations and FAIL events failures; Airflow facets name
the producing task; static JobEvents and DatasetEvents add lineage only. Hand-written files
only for input the client cannot write (not UTF-8, malformed static events)."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from openlineage.client.event_v2 import Job, RunState

from bridge._types import EventKind
from bridge.storage import CatalogAsset, SqlStore
from tests.translators.lineage._openlineage_emit import (
    AirflowRunFacet,
    client,
    emit_airflow_task_run,
    emit_dataset_event,
    emit_job_event,
    emit_run_event,
    emit_task_run,
)
from translators.lineage import LineageImportError, import_openlineage

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
    imported = [e for e in store.history("warehouse/orders") if e.source == "openlineage"]
    assert [e.run_id for e in imported] == [run_id]  # history is by time: Airflow's is newer
    orders = store.catalog_asset("warehouse/orders")
    assert orders is not None and orders.source == "airflow-db"  # the Airflow definition stays


RAW, ORDERS, DAILY = ("s3://lake", "raw.json"), ("s3://lake", "orders.parquet"), \
    ("warehouse", "sales/daily")


def at(minute: int) -> str:
    return f"2026-03-01T10:{minute:02d}:00+00:00"


def test_a_run_links_the_inputs_of_any_of_its_events_to_its_outputs(store: SqlStore,
                                                                     tmp_path: Path) -> None:
    folder = tmp_path / "events"  # a file per event: every event is its own batch
    folder.mkdir()
    ol = client(folder / "ol", append=False)
    job, run_id = Job(namespace="spark", name="orders"), str(uuid.uuid4())
    emit_run_event(ol, RunState.START, job=job, run_id=run_id, at=at(0), inputs=[RAW])
    emit_run_event(ol, RunState.RUNNING, job=job, run_id=run_id, at=at(1),
                   inputs=[("s3://lake", "fx.csv")])
    emit_run_event(ol, RunState.COMPLETE, job=job, run_id=run_id, at=at(2), outputs=[ORDERS])
    later = str(uuid.uuid4())  # a later run of the job: what the first said stays
    emit_run_event(ol, RunState.START, job=job, run_id=later, at=at(5),
                   inputs=[("s3://lake", "refunds.json")], outputs=[ORDERS])
    emit_run_event(ol, RunState.COMPLETE, job=job, run_id=later, at=at(6))
    ol.close()
    result = import_openlineage(folder, store)
    assert (result.batches, result.events) == (5, {"materialization": 2})
    orders = store.catalog_asset("s3://lake/orders.parquet")
    assert orders is not None and orders.deps == (
        "s3://lake/fx.csv", "s3://lake/raw.json", "s3://lake/refunds.json")
    assert orders.metadata == {"namespace": "s3://lake", "name": "orders.parquet",
                               "job": "orders"}
    assert [e.run_id for e in store.history("s3://lake/orders.parquet")] == [later, run_id]


def test_an_airflow_run_split_over_two_imports(store: SqlStore, tmp_path: Path) -> None:
    log = tmp_path / "events.ndjson"
    ol = client(log, append=True)
    run_id = str(uuid.uuid4())
    job = Job(namespace="airflow", name="producer.load_orders")
    facets = {"airflow": AirflowRunFacet(dag={"dag_id": "producer"}, dagRun={},
                                         task={"task_id": "load_orders"}, taskInstance={},
                                         taskUuid=run_id)}
    emit_run_event(ol, RunState.START, job=job, run_id=run_id, at=at(0), inputs=[RAW],
                   facets=facets)
    first = import_openlineage(log, store)  # the run has not ended: no asset of its own
    assert [a.key for a in store.catalog()] == ["s3://lake/raw.json"]
    assert first.events_added == 0
    emit_run_event(ol, RunState.COMPLETE, job=job, run_id=run_id, at=at(3), outputs=[ORDERS],
                   facets=facets)
    ol.close()
    second = import_openlineage(log, store)
    assert (second.records_read, second.events) == (1, {"materialization": 1})
    assert [a.key for a in store.catalog()] == ["s3://lake/orders.parquet",
                                                "s3://lake/raw.json"]
    orders = store.catalog_asset("s3://lake/orders.parquet")
    assert orders is not None and orders.deps == ("s3://lake/raw.json",)
    assert (orders.dag_id, orders.task_id, orders.group) == ("producer", "load_orders",
                                                             "producer")
    assert json.loads(store.watermark("openlineage:open-runs") or "") == {}  # it ended


def test_the_airflow_run_facet_names_the_dag_and_task(store: SqlStore, tmp_path: Path) -> None:
    log = tmp_path / "events.ndjson"
    ol = client(log, append=True)
    load = emit_airflow_task_run(ol, dag_id="sales.v2", task_id="extract.load", inputs=[RAW],
                                 outputs=[ORDERS], at=at(0))
    emit_airflow_task_run(ol, dag_id="sales.v2", task_id="report", inputs=[ORDERS],
                          outputs=[], at=at(5))
    ol.close()
    assert all("airflow" in json.loads(line)["run"]["facets"] and
               "parent" not in json.loads(line)["run"]["facets"]
               for line in log.read_text().splitlines())
    assert import_openlineage(log, store).events == {"materialization": 2}
    orders = store.catalog_asset("s3://lake/orders.parquet")
    assert orders is not None
    assert (orders.dag_id, orders.task_id, orders.group, orders.deps) == (
        "sales.v2", "extract.load", "sales.v2", ("s3://lake/raw.json",))
    report = store.catalog_asset("sales.v2/report")  # no outputs: the task's own asset
    assert report is not None and (report.dag_id, report.task_id, report.deps) == (
        "sales.v2", "report", ("s3://lake/orders.parquet",))
    [mat] = store.history("s3://lake/orders.parquet")
    assert (mat.run_id, mat.metadata["dag_id"], mat.metadata["task_id"]) == (
        load, "sales.v2", "extract.load")


def test_job_and_dataset_events_add_lineage_without_history(store: SqlStore,
                                                           tmp_path: Path) -> None:
    log = tmp_path / "events.ndjson"
    ol = client(log, append=True)
    emit_job_event(ol, namespace="dbt", name="daily", inputs=[ORDERS], outputs=[DAILY],
                   at=at(0))
    emit_dataset_event(ol, namespace="s3://lake", name="customers.csv", at=at(1))
    emit_task_run(ol, dag_id="producer", task_id="load_orders", inputs=[RAW],
                  outputs=[ORDERS], day="2026-03-01", minute=2)
    ol.close()
    result = import_openlineage(log, store)
    assert (result.records_read, result.events) == (4, {"materialization": 1})
    assert [a.key for a in store.catalog()] == [
        "s3://lake/customers.csv", "s3://lake/orders.parquet", "s3://lake/raw.json",
        "warehouse/sales/daily"]
    daily = store.catalog_asset("warehouse/sales/daily")
    assert daily is not None and (daily.deps, daily.group, daily.metadata["job"]) == (
        ("s3://lake/orders.parquet",), "dbt", "daily")
    assert store.history("warehouse/sales/daily") == []
    customers = store.catalog_asset("s3://lake/customers.csv")
    assert customers is not None and (customers.group, customers.deps) == ("external", ())
    orders = store.catalog_asset("s3://lake/orders.parquet")  # the run's producer stays
    assert orders is not None and (orders.dag_id, orders.deps) == ("producer",
                                                                   ("s3://lake/raw.json",))


@pytest.mark.parametrize(("line", "message"), [
    ('{"job": {"namespace": "dbt", "name": "daily"}}', r"ol\.ndjson:2: not an OpenLineage "
                                                      r"JobEvent: eventTime: Field required"),
    ('{"eventTime": "2026-03-01T10:00:00Z", "dataset": {"namespace": "s3://lake"}}',
     r":2: not an OpenLineage DatasetEvent: dataset\.name"),
])
def test_malformed_static_events_import_nothing(store: SqlStore, tmp_path: Path, line: str,
                                                message: str) -> None:
    good = '{"eventTime": "2026-03-01T10:00:00Z", "dataset": {"namespace": "a", "name": "b"}}'
    (tmp_path / "ol.ndjson").write_text(f"{good}\n{line}\n")
    with pytest.raises(LineageImportError, match=message):
        import_openlineage(tmp_path / "ol.ndjson", store)
    assert store.catalog() == []


def test_a_file_that_is_not_utf8_imports_nothing(store: SqlStore, tmp_path: Path) -> None:
    folder = tmp_path / "events"
    folder.mkdir()
    emit_pipeline(folder / "a.ndjson", append=True)  # read first, still not imported
    lines = (folder / "a.ndjson").read_bytes().splitlines(keepends=True)
    (folder / "b.ndjson").write_bytes(lines[0] + lines[1].replace(b"orders", b"\xe9t\xe9"))
    with pytest.raises(LineageImportError, match=r"^[^\n]*b\.ndjson:2: not UTF-8 text "
                                                 r"\(byte \d+ is 0xe9\).*nothing was "
                                                 r"imported$"):
        import_openlineage(folder, store)
    assert store.catalog() == [] and store.history("s3://lake/orders.parquet") == []
    assert store.watermark(f"openlineage:{(folder / 'a.ndjson').resolve()}") is None

    (folder / "b.ndjson").write_bytes(lines[0])  # appended later: the line counts from 1
    import_openlineage(folder, store)
    with (folder / "b.ndjson").open("ab") as out:
        out.write(lines[1] + b"{\"eventTime\": \"\xff\"}\n")
    with pytest.raises(LineageImportError, match=r"b\.ndjson:3: not UTF-8"):
        import_openlineage(folder, store)
