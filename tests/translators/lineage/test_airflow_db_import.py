"""Import real Airflow metadata databases (Airflow 3.3 on SQLite and PostgreSQL, Airflow 2.10
on SQLite), written by ``dag.test()`` runs, and check the catalog and history against what
Airflow recorded in its own tables and against ``translate`` of the same DAG files."""

from __future__ import annotations

import dataclasses
import hashlib
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from bridge._sqlalchemy import normalize_url
from bridge._types import EventKind
from bridge.errors import StoreError
from bridge.storage import AssetEvent, CatalogAsset, SqlStore, Store
from tests.translators.lineage._airflow_dbs import AirflowDb
from translators.lineage import LineageImportError, import_airflow_db
from translators.reading import read_dags
from translators.to_assets import dags_to_assets

pytestmark = pytest.mark.airflow
MAT, FAIL = EventKind.MATERIALIZATION, EventKind.FAILURE


@pytest.fixture(params=["airflow3-sqlite", pytest.param("airflow3-postgres",
                                                        marks=pytest.mark.postgres),
                        "airflow2-sqlite"])
def airflow_db(request: pytest.FixtureRequest) -> AirflowDb:
    name = {"airflow3-sqlite": "airflow3_sqlite", "airflow3-postgres": "airflow3_postgres",
            "airflow2-sqlite": "airflow2_sqlite"}[request.param]
    db: AirflowDb = request.getfixturevalue(name)
    return db


@pytest.fixture
def store(request: pytest.FixtureRequest, airflow_db: AirflowDb, tmp_path: Path
          ) -> Iterator[Store]:
    """A SQLite store; a PostgreSQL store for the PostgreSQL Airflow database."""
    url = (request.getfixturevalue("fresh_postgres_url") if "://" in airflow_db.target
           else f"sqlite:///{tmp_path / 'runs.db'}")
    made = SqlStore(url)
    yield made
    made.close()


def airflow_rows(db: AirflowDb) -> tuple[list[tuple[str, str, str | None]],
                                         list[tuple[str, str, str, str, str | None]],
                                         set[tuple[str, str]]]:
    """What Airflow itself recorded, read with plain SQL: asset events as (key, run id,
    logical date), finished task instances as (dag, task, run id, state, logical date),
    and the (dag, task) pairs with asset outlets."""
    word, logical = ("asset", "logical_date") if db.generation == 3 else ("dataset",
                                                                          "execution_date")
    name = "a.name" if db.generation == 3 else "a.uri"
    url = db.target if "://" in db.target else f"sqlite:///{db.target}"
    engine = sa.create_engine(normalize_url(url))
    try:
        with engine.connect() as conn:
            events = conn.execute(sa.text(
                f"SELECT {name}, e.source_run_id, r.{logical} FROM {word}_event e "
                f"JOIN {word} a ON a.id = e.{word}_id JOIN dag_run r ON "
                "r.run_id = e.source_run_id AND r.dag_id = e.source_dag_id")).all()
            tis = conn.execute(sa.text(
                f"SELECT ti.dag_id, ti.task_id, ti.run_id, ti.state, r.{logical} FROM "
                "task_instance ti JOIN dag_run r ON r.run_id = ti.run_id AND "
                "r.dag_id = ti.dag_id WHERE ti.state IN ('success', 'failed')")).all()
            outlets = conn.execute(sa.text(
                f"SELECT dag_id, task_id FROM task_outlet_{word}_reference")).all()
    finally:
        engine.dispose()
    return ([(k, run, _iso(when)) for k, run, when in events],
            [(d, t, run, state, _iso(when)) for d, t, run, state, when in tis],
            {(d, t) for d, t in outlets})


def airflow_references(db: AirflowDb) -> tuple[set[tuple[str, str, str]],
                                                set[tuple[str, str]],
                                                set[tuple[str, str, str]]]:
    """Airflow's own reference tables, read with plain SQL: (asset key, dag, task) outlets,
    (asset key, dag) schedules and (asset key, dag, task) inlets."""
    word = "asset" if db.generation == 3 else "dataset"
    name = "a.name" if db.generation == 3 else "a.uri"
    url = db.target if "://" in db.target else f"sqlite:///{db.target}"
    engine = sa.create_engine(normalize_url(url))
    try:
        with engine.connect() as conn:
            def rows(table: str, columns: str) -> set[tuple[str, ...]]:
                return {tuple(row) for row in conn.execute(sa.text(
                    f"SELECT {name}, {columns} FROM {table} t JOIN {word} a "
                    f"ON a.id = t.{word}_id"))}

            outlets = rows(f"task_outlet_{word}_reference", "t.dag_id, t.task_id")
            schedules = rows(f"dag_schedule_{word}_reference", "t.dag_id")
            inlets = (rows(f"task_inlet_{word}_reference", "t.dag_id, t.task_id")
                      if db.generation == 3 else set())
    finally:
        engine.dispose()
    return outlets, schedules, inlets  # type: ignore[return-value]


def _iso(value: object) -> str | None:
    import datetime

    if value is None:
        return None
    when = value if isinstance(value, datetime.datetime) else \
        datetime.datetime.fromisoformat(str(value))
    return when.replace(tzinfo=when.tzinfo or datetime.timezone.utc).isoformat()


def all_events(store: Store) -> list[AssetEvent]:
    return sorted((e for entry in store.catalog() for e in store.history(entry.key, 10_000)),
                  key=lambda e: e.event_id or 0)


def unordered(events: list[AssetEvent]) -> list[AssetEvent]:
    """Events without store ids, in a fixed order (imports may interleave differently)."""
    return sorted((dataclasses.replace(e, event_id=None) for e in events), key=repr)


def test_an_import_matches_what_airflow_recorded(airflow_db: AirflowDb, store: Store) -> None:
    result = import_airflow_db(airflow_db.target, store)
    assert result.schema is not None and result.schema.startswith(
        f"Airflow {airflow_db.generation}.")
    asset_events, tis, with_outlets = airflow_rows(airflow_db)

    # the catalog is the translated graph of the same DAG files: same keys, deps, producers
    translated = dags_to_assets(read_dags([airflow_db.dags], mode="static")).records
    assert [(a.key, a.deps, a.dag_id, a.task_id, a.group) for a in store.catalog()] == \
        [(r.key, r.deps, r.dag_id, r.task_id, r.group) for r in translated]
    assert result.assets_added == result.assets_total == len(translated)
    keys = {a.key for a in store.catalog()}
    assert "warehouse/orders" in keys or "s3://lake/orders.parquet" in keys
    assert "s3://lake/customers.csv" in keys  # a URI-only asset is keyed by its URI

    # edges against Airflow's reference tables: producers from outlets, consumers from
    # asset schedules (the DAG's root tasks) and inlets
    catalog = {a.key: a for a in store.catalog()}
    outlets, schedules, inlets = airflow_references(airflow_db)
    assert outlets and schedules
    for key, dag_id, task_id in outlets:
        assert (catalog[key].dag_id, catalog[key].task_id) == (dag_id, task_id)
    for key, dag_id in schedules:
        roots = [a for a in catalog.values() if a.dag_id == dag_id
                 and not any(catalog[d].dag_id == dag_id for d in a.deps if d in catalog)]
        assert roots and all(key in root.deps for root in roots)
    for key, dag_id, task_id in inlets:
        [consumer] = [a for a in catalog.values() if (a.dag_id, a.task_id) == (dag_id, task_id)]
        assert key in consumer.deps
    assert len(inlets) == (1 if airflow_db.generation == 3 else 0)

    # every asset event is a materialization of its asset, in that run and partition
    stored = all_events(store)
    expected_mats = sorted(asset_events) + sorted(
        (f"{d}/{t}", run, when) for d, t, run, state, when in tis
        if state == "success" and (d, t) not in with_outlets)
    got_mats = [(e.asset_key, e.run_id, e.partition) for e in stored if e.kind is MAT]
    assert sorted(got_mats) == sorted(expected_mats)
    assert len(asset_events) >= 4 and len(got_mats) == result.events["materialization"]
    # every failed task instance is a failure of its asset
    failed = sorted((f"{d}/{t}", run, when) for d, t, run, state, when in tis
                    if state == "failed")
    assert failed == [("plain/broken", r, w) for _, r, w in failed]
    assert sorted((e.asset_key, e.run_id, e.partition) for e in stored
                  if e.kind is FAIL) == failed
    assert {e.source for e in stored} == {"airflow"}
    assert store.history("warehouse/orders" if "warehouse/orders" in keys
                         else "s3://lake/orders.parquet")[0].partition.startswith("2026-03-0")


def test_a_second_import_adds_nothing(airflow_db: AirflowDb, store: Store) -> None:
    first = import_airflow_db(airflow_db.target, store)
    catalog, events = store.catalog(), all_events(store)
    again = import_airflow_db(airflow_db.target, store)
    assert (again.events_added, again.assets_added, again.assets_updated) == (0, 0, 0)
    assert again.records_read == 0 and first.events_added == len(events) > 0
    assert store.catalog() == catalog and all_events(store) == events


def test_the_airflow_database_is_opened_read_only(airflow3_sqlite: AirflowDb,
                                                  tmp_path: Path) -> None:
    copy = tmp_path / "airflow.db"
    shutil.copyfile(airflow3_sqlite.target, copy)
    before = hashlib.sha256(copy.read_bytes()).hexdigest()
    store = SqlStore(f"sqlite:///{tmp_path / 'runs.db'}")
    try:
        assert import_airflow_db(str(copy), store).events_added > 0
        assert import_airflow_db(f"sqlite:///{copy}", store).events_added == 0
    finally:
        store.close()
    assert hashlib.sha256(copy.read_bytes()).hexdigest() == before
    # Airflow keeps SQLite in WAL mode, where even readers open -wal/-shm; nothing is logged
    wal = tmp_path / "airflow.db-wal"
    assert not wal.exists() or wal.stat().st_size == 0
    assert not (tmp_path / "airflow.db-journal").exists()


def test_only_new_history_is_imported_the_next_time(airflow3_sqlite: AirflowDb,
                                                    tmp_path: Path) -> None:
    assert airflow3_sqlite.stage1 is not None
    live = tmp_path / "airflow.db"  # one path that Airflow keeps writing to
    shutil.copyfile(airflow3_sqlite.stage1, live)
    store = SqlStore(f"sqlite:///{tmp_path / 'runs.db'}")
    try:
        first = import_airflow_db(str(live), store)
        shutil.copyfile(airflow3_sqlite.target, live)  # Airflow ran producer and plain again
        second = import_airflow_db(str(live), store)
        fresh = SqlStore(f"sqlite:///{tmp_path / 'fresh.db'}")
        try:
            whole = import_airflow_db(str(live), fresh)
            assert first.events_added + second.events_added == whole.events_added
            assert unordered(all_events(store)) == unordered(all_events(fresh))
        finally:
            fresh.close()
    finally:
        store.close()
    # the second plan: producer (extract + 2 asset events) and plain (ok + broken failure)
    assert second.events == {"materialization": 4, "failure": 1}
    assert second.assets_added == 0


def test_small_batches_give_the_same_store(airflow3_sqlite: AirflowDb, tmp_path: Path) -> None:
    stores = [SqlStore(f"sqlite:///{tmp_path / f'{n}.db'}") for n in ("big", "small")]
    try:
        big = import_airflow_db(airflow3_sqlite.target, stores[0])
        small = import_airflow_db(airflow3_sqlite.target, stores[1], batch_size=3)
        assert small.batches > big.batches >= 2
        assert stores[0].catalog() == stores[1].catalog()
        assert unordered(all_events(stores[0])) == unordered(all_events(stores[1]))
    finally:
        for made in stores:
            made.close()


class _StopAfter(SqlStore):
    """A real SQL store whose ``n``-th catalog write fails, like a crash mid-import."""

    def __init__(self, url: str, n: int) -> None:
        super().__init__(url)
        self.left = n

    def put_catalog(self, assets: object, events: object = (), **kw: object) -> object:
        self.left -= 1
        if self.left == 0:
            raise StoreError("disk full (simulated)")
        return super().put_catalog(assets, events, **kw)  # type: ignore[arg-type]


def test_an_interrupted_import_leaves_whole_batches_and_resumes(
        airflow3_sqlite: AirflowDb, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'runs.db'}"
    crashing = _StopAfter(url, 3)
    with pytest.raises(StoreError, match="disk full"):
        import_airflow_db(airflow3_sqlite.target, crashing, batch_size=2)
    partial = all_events(crashing)
    assert len(partial) in range(1, 5)  # two committed batches of at most 2 rows each
    crashing.close()
    store = SqlStore(url)
    reference = SqlStore(f"sqlite:///{tmp_path / 'reference.db'}")
    try:
        import_airflow_db(airflow3_sqlite.target, store, batch_size=2)
        import_airflow_db(airflow3_sqlite.target, reference)
        assert unordered(all_events(store)) == unordered(all_events(reference))
        assert store.catalog() == reference.catalog()
    finally:
        store.close()
        reference.close()


def test_dag_files_give_the_structure_with_dags(airflow3_sqlite: AirflowDb,
                                                tmp_path: Path) -> None:
    stores = [SqlStore(f"sqlite:///{tmp_path / f'{n}.db'}") for n in ("db", "files")]
    try:
        import_airflow_db(airflow3_sqlite.target, stores[0])
        import_airflow_db(airflow3_sqlite.target, stores[1], dags=[airflow3_sqlite.dags])
        strip = [dataclasses.replace(a, metadata={}) for a in stores[0].catalog()]
        assert [dataclasses.replace(a, metadata={}) for a in stores[1].catalog()] == strip
        assert all_events(stores[0]) == all_events(stores[1])
        with pytest.raises(LineageImportError, match="no DAGs found"):
            import_airflow_db(airflow3_sqlite.target, stores[1], dags=[tmp_path])
    finally:
        for made in stores:
            made.close()


def test_imported_assets_carry_the_airflow_uri(airflow3_sqlite: AirflowDb, tmp_path: Path
                                               ) -> None:
    store = SqlStore(f"sqlite:///{tmp_path / 'runs.db'}")
    try:
        import_airflow_db(airflow3_sqlite.target, store)
        orders = store.catalog_asset("warehouse/orders")
        assert orders == CatalogAsset(
            key="warehouse/orders", group="producer", deps=("producer/extract",),
            dag_id="producer", task_id="load_orders", source="airflow-db",
            metadata={"uri": "s3://lake/orders.parquet"})
    finally:
        store.close()
