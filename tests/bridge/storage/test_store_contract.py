"""One contract suite for every Store: InMemoryStore, SqlStore on a SQLite file, and SqlStore
on a real PostgreSQL server (``fresh_postgres_url`` from ``tests/_postgres.py``).

Every test that takes ``store`` runs against all three implementations; the tests that take
``sql_url`` cover what only a SQL store has (reopening, schema version, open errors).
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterator

import pytest

from bridge._sqlalchemy import create_engine
from bridge._types import EventKind, RunStatus
from bridge.errors import StoreError
from bridge.storage import (
    AssetEvent,
    BackfillRecord,
    CatalogAsset,
    InMemoryStore,
    RunRecord,
    SqlStore,
    Store,
    open_store,
)
from bridge.storage._schema import CURRENT_VERSION, events
from bridge.storage._sql import _event_row

MAT, FAIL, SKIP = EventKind.MATERIALIZATION, EventKind.FAILURE, EventKind.SKIPPED
T0 = 1_767_225_600.123456  # 2026-01-01, with sub-second digits that must survive


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path) -> Iterator[Store]:
    made: Store
    if request.param == "memory":
        made = InMemoryStore()
    elif request.param == "sqlite":
        made = SqlStore(f"sqlite:///{tmp_path / 'runs.db'}")
    else:
        made = SqlStore(request.getfixturevalue("fresh_postgres_url"))
    yield made
    made.close()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def sql_url(request: pytest.FixtureRequest, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'runs.db'}"
    url: str = request.getfixturevalue("fresh_postgres_url")
    return url


def run(run_id: str, started_at: float = T0, **fields) -> RunRecord:
    return RunRecord(run_id=run_id, status=RunStatus.RUNNING, started_at=started_at, **fields)


def event(run_id: str, key: str, kind: EventKind = MAT, partition: str | None = None,
          timestamp: float = T0, **fields) -> AssetEvent:
    return AssetEvent(run_id=run_id, asset_key=key, kind=kind, timestamp=timestamp,
                      partition=partition, **fields)


def unstored(events: list[AssetEvent]) -> list[AssetEvent]:
    return [dataclasses.replace(e, event_id=None) for e in events]


def ids(events: list[AssetEvent]) -> list[int | None]:
    return [e.event_id for e in events]


# --- runs -----------------------------------------------------------------------------------


def test_a_run_round_trips_with_every_field(store: Store) -> None:
    record = RunRecord(
        run_id="r1", status=RunStatus.RUNNING, started_at=T0, finished_at=None,
        target="pipelines/sales.py", selection=("raw/orders", "sales/revenue"),
        partition="2026-01-01", parent_run_id="r0", backfill_id="bf-1",
        tags={"owner": "analytics", "note": "ünïcode ✓"},
    )
    store.add_run(record)
    assert store.get_run("r1") == record
    assert store.get_run("nope") is None


def test_a_run_with_defaults_round_trips(store: Store) -> None:
    store.add_run(run("r1"))
    got = store.get_run("r1")
    assert got == run("r1")
    assert got is not None and got.selection == () and got.tags == {}


def test_finish_run_sets_status_and_time_and_keeps_the_rest(store: Store) -> None:
    store.add_run(run("r1", target="t.py", selection=("a",), tags={"k": "v"}))
    store.add_run(run("r2", started_at=T0 + 1))
    store.finish_run("r1", RunStatus.INTERRUPTED, T0 + 5.5)
    assert store.get_run("r1") == dataclasses.replace(
        run("r1", target="t.py", selection=("a",), tags={"k": "v"}),
        status=RunStatus.INTERRUPTED, finished_at=T0 + 5.5)
    assert store.get_run("r2") == run("r2", started_at=T0 + 1)


@pytest.mark.parametrize("status", list(RunStatus))
def test_every_run_status_round_trips(store: Store, status: RunStatus) -> None:
    store.add_run(run("r1"))
    store.finish_run("r1", status, T0 + 1)
    got = store.get_run("r1")
    assert got is not None and got.status is status


def test_list_runs_is_newest_first_and_limited(store: Store) -> None:
    assert store.list_runs() == []
    order = [3, 0, 54, 17, 1, 40] + [i for i in range(55) if i not in (3, 0, 54, 17, 1, 40)]
    for i in order:  # inserted out of order: the list is by start time, not by insertion
        store.add_run(run(f"r{i:02d}", started_at=T0 + i))
    newest_first = [f"r{i:02d}" for i in range(54, -1, -1)]
    assert [r.run_id for r in store.list_runs()] == newest_first[:50]  # default limit 50
    assert [r.run_id for r in store.list_runs(limit=3)] == ["r54", "r53", "r52"]
    assert [r.run_id for r in store.list_runs(limit=100)] == newest_first
    assert store.list_runs(limit=1)[0] == run("r54", started_at=T0 + 54)


# --- events ---------------------------------------------------------------------------------


def test_add_events_assigns_increasing_ids_and_keeps_the_rest(store: Store) -> None:
    first = [event("r1", "a"), event("r1", "b", FAIL, error="boom"), event("r1", "c", SKIP)]
    stored = store.add_events(first)
    assert unstored(stored) == first
    assert all(isinstance(i, int) for i in ids(stored))
    assert ids(stored) == sorted(ids(stored)) and len(set(ids(stored))) == 3
    again = store.add_events([event("r2", "a"), event("r2", "b")])
    assert min(ids(again)) > max(ids(stored))  # type: ignore[type-var]
    assert ids(again) == sorted(ids(again))


def test_add_events_of_nothing_returns_nothing(store: Store) -> None:
    assert store.add_events([]) == []
    assert store.events_for_run("r1") == []


def test_returned_ids_match_what_is_stored(store: Store) -> None:
    batch = [event("r1", f"key{i:03d}", partition=f"p{i}") for i in range(250)]
    stored = store.add_events(batch)
    assert {e.event_id: e.asset_key for e in stored} == {
        e.event_id: e.asset_key for e in store.events_for_run("r1")}


def test_events_for_run_in_insertion_order_and_only_that_run(store: Store) -> None:
    stored = store.add_events([event("r1", "z"), event("r2", "a"), event("r1", "b", FAIL)])
    stored += store.add_events([event("r1", "a", SKIP), event("r2", "b")])
    assert store.events_for_run("r1") == [stored[0], stored[2], stored[3]]
    assert [e.asset_key for e in store.events_for_run("r1")] == ["z", "b", "a"]
    assert store.events_for_run("r2") == [stored[1], stored[4]]
    assert store.events_for_run("r3") == []


def test_latest_events_is_the_newest_of_a_kind_per_key(store: Store) -> None:
    stored = store.add_events([
        event("r1", "a"), event("r1", "b"), event("r1", "c", FAIL, error="x"),
    ])
    stored += store.add_events([
        event("r2", "a", partition="2026-01-02"), event("r2", "b", FAIL, error="y"),
        event("r2", "c", SKIP, error="skipped"),
    ])
    assert store.latest_events(MAT) == {"a": stored[3], "b": stored[1]}
    assert store.latest_events(FAIL) == {"b": stored[4], "c": stored[2]}
    assert store.latest_events(SKIP) == {"c": stored[5]}


def test_history_recorded_late_does_not_become_the_latest(store: Store) -> None:
    """Imported history (an OpenLineage file, a second Airflow) can be recorded after newer
    events: "latest" and "newest first" go by the event's time, then by recording order."""
    stored = store.add_events([event("new", "a", timestamp=T0 + 100),
                               event("new", "a", partition="p", timestamp=T0 + 100)])
    stored += store.add_events([event("old", "a", timestamp=T0 + 1, source="openlineage"),
                                event("old", "a", partition="p", timestamp=T0 + 1),
                                event("tie", "a", timestamp=T0 + 100)])
    assert store.latest_events(MAT) == {"a": stored[4]}
    assert store.latest_partition_events(["a"]) == {"a": {"p": stored[1]}}
    assert store.history("a") == [stored[4], stored[1], stored[0], stored[3], stored[2]]
    assert store.history("a", limit=2) == [stored[4], stored[1]]


def test_latest_events_with_a_keys_filter(store: Store) -> None:
    stored = store.add_events([event("r1", "a"), event("r1", "b"), event("r1", "a/x")])
    assert store.latest_events(MAT, ["a"]) == {"a": stored[0]}
    assert store.latest_events(MAT, iter(["a/x", "missing", "a/x"])) == {"a/x": stored[2]}
    assert store.latest_events(MAT, {"b", "a"}) == {"a": stored[0], "b": stored[1]}
    assert store.latest_events(MAT, []) == {}
    assert store.latest_events(FAIL, ["a", "b"]) == {}


def test_latest_events_with_more_keys_than_one_query_chunk(store: Store) -> None:
    keys = [f"group/asset_{i:04d}" for i in range(1203)]
    store.add_events([event("r1", key, FAIL, error="old") for key in keys])
    newer = store.add_events([event("r2", key) for key in keys])
    newest = store.add_events([event("r3", key) for key in keys[::7]])
    expected = {e.asset_key: e for e in newer}
    expected.update((e.asset_key, e) for e in newest)
    assert store.latest_events(MAT) == expected
    assert store.latest_events(MAT, keys) == expected
    wanted = [*keys[250:1150], "not/there"]  # crosses chunk boundaries
    assert store.latest_events(MAT, wanted) == {k: expected[k] for k in keys[250:1150]}
    failures = store.latest_events(FAIL, keys)
    assert len(failures) == 1203 and {e.run_id for e in failures.values()} == {"r1"}


def test_latest_partition_events_per_key_and_partition(store: Store) -> None:
    stored = store.add_events([
        event("r1", "daily", partition="2026-01-01"),
        event("r1", "daily", FAIL, partition="2026-01-02", error="boom"),
        event("r1", "other", partition="2026-01-01"),
        event("r1", "plain"),  # unpartitioned: not reported
    ])
    stored += store.add_events([
        event("r2", "daily", partition="2026-01-02"),  # a later success replaces the failure
        event("r2", "daily", FAIL, partition="2026-01-03", error="x"),
        event("r2", "daily", SKIP, partition="2026-01-01", error="skipped"),  # ignored
        event("r2", "plain", partition="2026-01-01"),
    ])
    assert store.latest_partition_events(["daily", "plain", "missing"]) == {
        "daily": {"2026-01-01": stored[0], "2026-01-02": stored[4], "2026-01-03": stored[5]},
        "plain": {"2026-01-01": stored[7]},
    }
    assert store.latest_partition_events(["other"]) == {"other": {"2026-01-01": stored[2]}}
    assert store.latest_partition_events([]) == {}


def test_latest_partition_events_with_more_keys_than_one_query_chunk(store: Store) -> None:
    keys = [f"asset_{i:04d}" for i in range(1100)]
    store.add_events([event("r1", k, partition=p) for k in keys for p in ("p1", "p2")])
    latest = store.add_events([event("r2", k, FAIL, partition="p2", error="e") for k in keys])
    found = store.latest_partition_events(keys + keys[:10])
    assert set(found) == set(keys)
    assert all(set(parts) == {"p1", "p2"} for parts in found.values())
    assert {k: found[k]["p2"] for k in keys} == {e.asset_key: e for e in latest}
    assert {found[k]["p1"].run_id for k in keys} == {"r1"}


def test_history_is_newest_first_without_skips_and_limited(store: Store) -> None:
    stored = store.add_events([
        event("r1", "a", partition="p1"), event("r1", "b"), event("r1", "a", SKIP),
    ])
    stored += store.add_events([event(f"r{i}", "a", FAIL if i % 3 == 0 else MAT,
                                      partition=f"p{i}", error="e" if i % 3 == 0 else None)
                                for i in range(2, 12)])
    history = store.history("a")
    assert history == [*stored[:2:-1], stored[0]]
    assert [e.run_id for e in history[:3]] == ["r11", "r10", "r9"]
    assert all(e.kind is not SKIP for e in history)
    assert store.history("a", limit=4) == history[:4]
    assert store.history("b") == [stored[1]]
    assert store.history("missing") == []


def test_history_default_limit_is_100(store: Store) -> None:
    store.add_events([event("r1", "a", partition=f"p{i:03d}") for i in range(120)])
    history = store.history("a")
    assert len(history) == 100
    assert history[0].partition == "p119" and history[-1].partition == "p020"


def test_json_fields_round_trip(store: Store) -> None:
    upstream = {
        "raw/orders": {"run_id": "r0", "timestamp": T0, "data_version": "abc123",
                       "partition": None},
        "raw/customers": {"run_id": "r0", "timestamp": T0 - 0.5, "data_version": None,
                          "partition": "2026-01-01"},
    }
    metadata = {
        "rows": 42, "ratio": 0.125, "ok": True, "nothing": None, "name": "ünïcode ✓ 日本",
        "columns": ["id", "amount"], "nested": {"deep": {"list": [1, 2.5, "x", None, False]}},
        "quote": 'it\'s "quoted" \\ and \n newline', "empty": {}, "big": 2**53,
    }
    full = event("r1", "sales/revenue", partition="2026-01-01", code_version="v2",
                 data_version="d" * 64, config_hash="c" * 64, upstream=upstream,
                 metadata=metadata, seconds=1.25, logs="line 1\nline 2 ✓\n",
                 source="openlineage")
    failed = event("r1", "sales/other", FAIL, error="ValueError: bad\nsecond line",
                   seconds=0.5, source="airflow")
    stored = store.add_events([full, failed])
    assert unstored(stored) == [full, failed]
    for got in (store.events_for_run("r1")[0], store.latest_events(MAT)["sales/revenue"],
                store.history("sales/revenue")[0],
                store.latest_partition_events(["sales/revenue"])["sales/revenue"]["2026-01-01"]):
        assert got == stored[0]
        assert got.upstream == upstream and got.metadata == metadata
    assert store.latest_events(FAIL)["sales/other"] == stored[1]
    assert stored[1].upstream == {} and stored[1].metadata == {}


def test_event_defaults_round_trip(store: Store) -> None:
    bare = event("r1", "a")
    [stored] = store.add_events([bare])
    [got] = store.events_for_run("r1")
    assert got == stored and unstored([got]) == [bare]
    assert got.source == "bridge" and got.upstream == {} and got.metadata == {}
    assert got.partition is None and got.config_hash is None and got.logs is None


def test_concurrent_writers_get_unique_ids_and_lose_nothing(store: Store) -> None:
    errors: list[BaseException] = []

    def write(worker: int) -> None:
        try:
            for batch in range(15):
                store.add_events([event(f"w{worker}", f"k{batch}-{i}") for i in range(4)])
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(w,)) for w in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    everything = [e for w in range(6) for e in store.events_for_run(f"w{w}")]
    assert len(everything) == 6 * 15 * 4
    assert len({e.event_id for e in everything}) == len(everything)
    for w in range(6):
        keys = [e.asset_key for e in store.events_for_run(f"w{w}")]
        assert keys == [f"k{b}-{i}" for b in range(15) for i in range(4)]


# --- backfills ------------------------------------------------------------------------------


def test_a_backfill_round_trips(store: Store) -> None:
    record = BackfillRecord(
        backfill_id="bf-1", selection=("daily/a", "daily/b"),
        partitions=tuple(f"2026-01-{d:02d}" for d in range(1, 31)), status=RunStatus.RUNNING,
        created_at=T0, target="pipelines/daily.py",
    )
    store.add_backfill(record)
    assert store.get_backfill("bf-1") == record
    assert store.get_backfill("bf-2") is None
    minimal = BackfillRecord("bf-2", (), (), RunStatus.RUNNING, T0 + 1)
    store.add_backfill(minimal)
    assert store.get_backfill("bf-2") == minimal


def test_set_backfill_status(store: Store) -> None:
    record = BackfillRecord("bf-1", ("a",), ("p1", "p2"), RunStatus.RUNNING, T0, "t.py")
    store.add_backfill(record)
    store.add_backfill(dataclasses.replace(record, backfill_id="bf-2"))
    for status in (RunStatus.INTERRUPTED, RunStatus.RUNNING, RunStatus.SUCCESS):
        store.set_backfill_status("bf-1", status)
        assert store.get_backfill("bf-1") == dataclasses.replace(record, status=status)
    assert store.get_backfill("bf-2") == dataclasses.replace(record, backfill_id="bf-2")


def test_backfill_runs_are_its_runs_oldest_first(store: Store) -> None:
    store.add_backfill(BackfillRecord("bf-1", ("a",), ("p1", "p2", "p3"),
                                      RunStatus.RUNNING, T0))
    store.add_run(run("late", started_at=T0 + 30, backfill_id="bf-1", partition="p3"))
    store.add_run(run("early", started_at=T0 + 10, backfill_id="bf-1", partition="p1"))
    store.add_run(run("other", started_at=T0 + 20, backfill_id="bf-2", partition="p2"))
    store.add_run(run("plain", started_at=T0 + 15))
    store.add_run(run("middle", started_at=T0 + 20, backfill_id="bf-1", partition="p2"))
    store.finish_run("middle", RunStatus.FAILED, T0 + 21)
    runs = store.backfill_runs("bf-1")
    assert [r.run_id for r in runs] == ["early", "middle", "late"]
    assert runs[1].status is RunStatus.FAILED and runs[1].partition == "p2"
    assert store.backfill_runs("bf-404") == []


# --- asset catalog --------------------------------------------------------------------------


def imported(key: str, group: str = "etl", deps: tuple[str, ...] = (), **fields) -> CatalogAsset:
    return CatalogAsset(key=key, group=group, deps=deps, **fields)


def test_the_catalog_round_trips_sorted_and_filtered_by_group(store: Store) -> None:
    assert store.catalog() == [] and store.catalog_asset("x") is None
    orders = imported("warehouse/orders", "producer", ("producer/extract",),
                      dag_id="producer", task_id="load", metadata={"uri": "s3://lake/o"})
    source = imported("s3://lake/customers.csv", "external", source="openlineage")
    extract = imported("producer/extract", "producer", dag_id="producer", task_id="extract")
    assert store.put_catalog([orders, source, extract]) == 0
    assert store.catalog() == [extract, source, orders]
    assert store.catalog(group="producer") == [extract, orders]
    assert store.catalog(group="nothing") == []
    assert store.catalog_asset("warehouse/orders") == orders
    assert store.catalog_asset("s3://lake/customers.csv") == source


def test_put_catalog_replaces_by_key_and_appends_events_and_watermarks(store: Store) -> None:
    store.put_catalog([imported("a", deps=("b",)), imported("b")], watermarks={"w": "1"})
    new_a = imported("a", "other", ("b", "c"), dag_id="d", task_id="t")
    assert store.put_catalog(
        [new_a], [event("airflow-run", "a", source="airflow", partition="p",
                        metadata={"m": [1, {"n": None}]}, upstream={"b": {"run_id": "r"}},
                        seconds=0.5, code_version="1"),
                  event("airflow-run", "b", FAIL, source="airflow", error="boom")],
        watermarks={"w": "2", "v": "x"}) == 2
    stored = store.events_for_run("airflow-run")
    assert unstored(stored) == [
        event("airflow-run", "a", source="airflow", partition="p",
              metadata={"m": [1, {"n": None}]}, upstream={"b": {"run_id": "r"}}, seconds=0.5,
              code_version="1"),
        event("airflow-run", "b", FAIL, source="airflow", error="boom")]
    assert ids(stored)[0] < ids(stored)[1]  # type: ignore[operator]
    assert store.catalog() == [new_a, imported("b")]
    assert (store.watermark("w"), store.watermark("v"), store.watermark("u")) == ("2", "x", None)
    assert store.history("b") == [stored[1]]
    assert store.latest_events(MAT)["a"].source == "airflow"
    [later] = store.add_events([event("bridge-run", "a")])
    assert later.event_id > ids(stored)[1]  # type: ignore[operator]


def test_event_counts_per_key_and_kind(store: Store) -> None:
    store.add_events([event("r1", "a"), event("r2", "a"), event("r2", "b"),
                      event("r3", "b", FAIL), event("r3", "c", SKIP)])
    assert store.event_counts(MAT) == {"a": 2, "b": 1}
    assert store.event_counts(FAIL) == {"b": 1}
    assert store.event_counts(MAT, ["a", "zzz"]) == {"a": 2}
    assert store.event_counts(MAT, []) == {}


def test_a_failing_put_catalog_writes_nothing(sql_url: str) -> None:
    store = SqlStore(sql_url)
    try:
        store.put_catalog([imported("kept")], watermarks={"w": "1"})
        bad = event("r1", "a", metadata={"not json": object()})
        with pytest.raises(StoreError, match="cannot record imported assets"):
            store.put_catalog([imported("new"), imported("kept", "changed")],
                              [event("r1", "a"), bad], watermarks={"w": "2"})
        assert store.catalog() == [imported("kept")]
        assert store.watermark("w") == "1"
        assert store.events_for_run("r1") == []
    finally:
        store.close()


# --- what only a SQL store has --------------------------------------------------------------


def test_a_sql_store_keeps_everything_when_reopened(sql_url: str) -> None:
    first = SqlStore(sql_url)
    assert (first.migrated_from, first.schema_version) == (0, CURRENT_VERSION)
    first.add_run(run("r1", tags={"a": "b"}))
    stored = first.add_events([event("r1", "a", metadata={"n": [1, {"m": None}]})])
    first.add_backfill(BackfillRecord("bf", ("a",), ("p",), RunStatus.SUCCESS, T0))
    first.close()
    again = SqlStore(sql_url)
    try:
        assert (again.migrated_from, again.schema_version) == (CURRENT_VERSION, CURRENT_VERSION)
        assert again.get_run("r1") == run("r1", tags={"a": "b"})
        assert again.events_for_run("r1") == stored
        assert again.get_backfill("bf") == BackfillRecord("bf", ("a",), ("p",),
                                                          RunStatus.SUCCESS, T0)
        more = again.add_events([event("r2", "a")])
        assert more[0].event_id > stored[0].event_id  # type: ignore[operator]
    finally:
        again.close()


def test_two_sql_store_objects_on_one_database_share_it(sql_url: str) -> None:
    one, two = SqlStore(sql_url), SqlStore(sql_url)
    try:
        a = one.add_events([event("r1", "a")])
        b = two.add_events([event("r1", "b")])
        c = one.add_events([event("r1", "c")])
        assert ids(a)[0] < ids(b)[0] < ids(c)[0]  # type: ignore[operator]
        assert two.events_for_run("r1") == a + b + c
    finally:
        one.close()
        two.close()


def test_reads_do_not_wait_for_an_open_write_transaction(sql_url: str) -> None:
    store = SqlStore(sql_url)
    [committed] = store.add_events([event("r1", "a")])
    writer = create_engine(sql_url)
    read: list[list[AssetEvent]] = []
    try:
        with writer.begin() as conn:  # holds SQLite's write lock until the block ends
            conn.execute(events.insert().values(_event_row(event("r1", "uncommitted"))))
            reader = threading.Thread(target=lambda: read.append(store.events_for_run("r1")))
            reader.start()
            reader.join(timeout=10)
            assert not reader.is_alive(), "a read waited for the writer's lock"
        assert read == [[committed]]
        assert [e.asset_key for e in store.events_for_run("r1")] == ["a", "uncommitted"]
    finally:
        writer.dispose()
        store.close()


def test_open_store_takes_a_store_a_url_or_nothing(sql_url: str) -> None:
    memory = InMemoryStore()
    assert open_store(memory) is memory
    assert isinstance(open_store(None), InMemoryStore)
    opened = open_store(sql_url)
    try:
        assert isinstance(opened, SqlStore) and opened.list_runs() == []
    finally:
        opened.close()


def test_a_duplicate_run_id_is_refused_with_store_error(sql_url: str) -> None:
    store = SqlStore(sql_url)
    try:
        store.add_run(run("r1"))
        with pytest.raises(StoreError, match="cannot write to run storage"):
            store.add_run(run("r1"))
    finally:
        store.close()


@pytest.mark.parametrize("url", ["nosuchdialect://user:secret@host/db", "not a url at all"])
def test_a_bad_url_raises_store_error(url: str) -> None:
    with pytest.raises(StoreError, match="cannot open run storage") as raised:
        SqlStore(url)
    assert "secret" not in str(raised.value)


def test_a_sqlite_file_that_cannot_be_opened_raises_store_error(tmp_path) -> None:
    (tmp_path / "a_file").write_text("not a folder")
    with pytest.raises(StoreError, match=r"cannot open run storage .*a_file"):
        SqlStore(f"sqlite:///{tmp_path / 'a_file' / 'runs.db'}")
    (tmp_path / "a_folder").mkdir()
    with pytest.raises(StoreError, match=r"cannot open run storage .*unable to open database"):
        SqlStore(f"sqlite:///{tmp_path / 'a_folder'}")


def test_a_file_that_is_not_a_database_raises_store_error(tmp_path) -> None:
    (tmp_path / "runs.db").write_bytes(b"this is not a SQLite database, just text " * 100)
    with pytest.raises(StoreError, match=r"cannot open run storage .*not a database"):
        SqlStore(f"sqlite:///{tmp_path / 'runs.db'}")


@pytest.mark.postgres
def test_a_missing_postgres_database_raises_store_error(fresh_postgres_url: str) -> None:
    missing = fresh_postgres_url.rsplit("/", 1)[0] + "/no_such_database"
    with pytest.raises(StoreError, match=r'cannot open run storage .*"no_such_database"'):
        SqlStore(missing)


def test_an_unreachable_postgres_server_raises_store_error() -> None:
    with pytest.raises(StoreError, match=r"cannot open run storage postgresql.*127\.0\.0\.1:1/"):
        SqlStore("postgresql://nobody:secret@127.0.0.1:1/nowhere?connect_timeout=2")


def test_unknown_run_or_backfill_updates_are_store_errors(store) -> None:
    with pytest.raises(StoreError, match="no run 'ghost'"):
        store.finish_run("ghost", RunStatus.SUCCESS, 1.0)
    with pytest.raises(StoreError, match="no backfill 'bf-ghost'"):
        store.set_backfill_status("bf-ghost", RunStatus.SUCCESS)


def test_duplicate_run_ids_are_refused_by_every_store(store) -> None:
    store.add_run(RunRecord(run_id="twice", status=RunStatus.RUNNING, started_at=1.0))
    with pytest.raises(StoreError):
        store.add_run(RunRecord(run_id="twice", status=RunStatus.RUNNING, started_at=2.0))
