"""Versioned migrations: a store written by an older release opens in this one, and a store
written by a newer release is refused. On a SQLite file and on a real PostgreSQL server."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from bridge._sqlalchemy import create_engine
from bridge._types import EventKind, RunStatus
from bridge.errors import StoreError
from bridge.storage import AssetEvent, BackfillRecord, RunRecord, SqlStore
from bridge.storage._schema import CURRENT_VERSION, migrate

T0 = 1_767_225_600.5


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def url(request: pytest.FixtureRequest, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'runs.db'}"
    fresh: str = request.getfixturevalue("fresh_postgres_url")
    return fresh


def columns(engine: sa.Engine, table: str) -> set[str]:
    return {column["name"] for column in sa.inspect(engine).get_columns(table)}


def write_version_1_store(url: str) -> None:
    """What the first release left behind: v1 tables and rows written with plain SQL
    (event ids from the database, as the first release let it assign them)."""
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            assert migrate(conn, target=1) == (0, 1)
        assert "config_hash" not in columns(engine, "ab_asset_events")
        assert "source" not in columns(engine, "ab_asset_events")
        assert not sa.inspect(engine).has_table("ab_backfills")
        with engine.begin() as conn:
            conn.execute(sa.text(
                "INSERT INTO ab_runs (run_id, status, started_at, finished_at, target, "
                "selection, partition, parent_run_id, backfill_id, tags) VALUES "
                "('old-run', 'success', :t, :t2, 'assets.py', :sel, NULL, NULL, NULL, :tags)"
            ), {"t": T0, "t2": T0 + 2, "sel": json.dumps(["raw", "clean"]),
                "tags": json.dumps({"who": "v1"})})
            conn.execute(sa.text(
                "INSERT INTO ab_asset_events (run_id, asset_key, kind, partition, "
                "timestamp, code_version, data_version, upstream, metadata, error, seconds, "
                "logs) VALUES ('old-run', :key, :kind, :part, :t, :cv, :dv, :up, :meta, "
                ":err, :sec, :logs)"
            ), [
                {"key": "raw", "kind": "materialization", "part": None, "t": T0,
                 "cv": "1", "dv": "d1", "up": "{}", "meta": json.dumps({"rows": 3}),
                 "err": None, "sec": 0.5, "logs": "hello"},
                {"key": "clean", "kind": "failure", "part": "2026-01-01",
                 "t": T0 + 1, "cv": None, "dv": None,
                 "up": json.dumps({"raw": {"run_id": "old-run", "data_version": "d1"}}),
                 "meta": "{}", "err": "ValueError: x", "sec": 0.25, "logs": None},
            ])
    finally:
        engine.dispose()


def test_a_version_1_store_is_migrated_on_open(url: str) -> None:
    write_version_1_store(url)
    store = SqlStore(url)
    try:
        assert store.migrated_from == 1
        assert store.schema_version == 4 == CURRENT_VERSION
        names = {i["name"] for i in sa.inspect(store.engine).get_indexes("ab_asset_events")}
        assert {"ix_ab_events_key_kind_time", "ix_ab_events_key_partition_time"} <= names
        assert not names & {"ix_ab_events_key_kind", "ix_ab_events_key_partition"}
        assert store.get_run("old-run") == RunRecord(
            run_id="old-run", status=RunStatus.SUCCESS, started_at=T0, finished_at=T0 + 2,
            target="assets.py", selection=("raw", "clean"), tags={"who": "v1"})
        old = store.events_for_run("old-run")
        assert old == [
            AssetEvent(run_id="old-run", asset_key="raw", kind=EventKind.MATERIALIZATION,
                       timestamp=T0, code_version="1", data_version="d1",
                       metadata={"rows": 3}, seconds=0.5, logs="hello", event_id=1),
            AssetEvent(run_id="old-run", asset_key="clean", kind=EventKind.FAILURE,
                       timestamp=T0 + 1, partition="2026-01-01",
                       upstream={"raw": {"run_id": "old-run", "data_version": "d1"}},
                       error="ValueError: x", seconds=0.25, event_id=2),
        ]
        assert all(e.source == "bridge" and e.config_hash is None for e in old)
        assert store.latest_events(EventKind.MATERIALIZATION) == {"raw": old[0]}
        assert store.history("clean") == [old[1]]
        assert store.latest_partition_events(["clean"]) == {"clean": {"2026-01-01": old[1]}}

        # what version 2 added works on the migrated store
        [new] = store.add_events([AssetEvent(
            run_id="new-run", asset_key="raw", kind=EventKind.MATERIALIZATION,
            timestamp=T0 + 10, config_hash="c" * 64, source="airflow")])
        assert new.event_id == 3
        assert store.events_for_run("new-run") == [new]
        assert store.latest_events(EventKind.MATERIALIZATION)["raw"] == new
        backfill = BackfillRecord("bf-1", ("raw",), ("p1", "p2"), RunStatus.RUNNING, T0,
                                  "assets.py")
        store.add_backfill(backfill)
        store.add_run(RunRecord("bf-run", RunStatus.RUNNING, T0 + 11, backfill_id="bf-1"))
        store.set_backfill_status("bf-1", RunStatus.SUCCESS)
        assert store.get_backfill("bf-1") == BackfillRecord(
            "bf-1", ("raw",), ("p1", "p2"), RunStatus.SUCCESS, T0, "assets.py")
        assert [r.run_id for r in store.backfill_runs("bf-1")] == ["bf-run"]
    finally:
        store.close()

    again = SqlStore(url)  # migrated once: the next open has nothing to do
    try:
        assert (again.migrated_from, again.schema_version) == (CURRENT_VERSION,) * 2
        assert len(again.events_for_run("old-run")) == 2
    finally:
        again.close()
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            versions = conn.execute(sa.text("SELECT version FROM ab_schema_version")).all()
        assert [tuple(row) for row in versions] == [(CURRENT_VERSION,)]
    finally:
        engine.dispose()


def test_migrating_an_empty_database_step_by_step_matches_a_new_store(url: str) -> None:
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            assert migrate(conn, target=1) == (0, 1)
        with engine.begin() as conn:
            assert migrate(conn, target=2) == (1, 2)
        assert not sa.inspect(engine).has_table("ab_catalog_assets")
        with engine.begin() as conn:
            assert migrate(conn, target=3) == (2, 3)
        with engine.begin() as conn:
            assert migrate(conn) == (3, 4)
        with engine.begin() as conn:
            assert migrate(conn) == (4, 4)
        assert {"config_hash", "source"} <= columns(engine, "ab_asset_events")
        indexes = {i["name"]: i["column_names"]
                   for i in sa.inspect(engine).get_indexes("ab_asset_events")}
        assert indexes["ix_ab_events_key_kind_time"] == ["asset_key", "kind", "timestamp",
                                                         "event_id"]
        assert "ix_ab_events_key_kind" not in indexes
        assert sa.inspect(engine).has_table("ab_backfills")
        assert {"asset_key", "group_name", "deps", "dag_id", "task_id", "source",
                "metadata"} <= columns(engine, "ab_catalog_assets")
        assert {"name", "value"} <= columns(engine, "ab_import_watermarks")
    finally:
        engine.dispose()


def test_a_store_from_a_newer_release_is_refused(url: str) -> None:
    write_version_1_store(url)
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("UPDATE ab_schema_version SET version = 99"))
    finally:
        engine.dispose()
    with pytest.raises(StoreError, match=r"schema version 99, newer .*upgrade assetbridge"):
        SqlStore(url)
    engine = create_engine(url)  # refused without touching it
    try:
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT version FROM ab_schema_version")).scalar() == 99
        assert "source" not in columns(engine, "ab_asset_events")
    finally:
        engine.dispose()


def test_new_sqlite_stores_use_16_kib_pages_and_older_files_keep_theirs(tmp_path) -> None:
    """Larger pages make bulk imports about a tenth faster; a file that exists keeps its
    page size (SQLite changes it only on VACUUM), and works as before."""
    import sqlite3

    fresh = SqlStore(f"sqlite:///{tmp_path / 'new.db'}")
    fresh.close()
    older = tmp_path / "older.db"
    with sqlite3.connect(older) as conn:
        conn.execute("CREATE TABLE unrelated (x)")  # an existing file: 4 KiB pages
    kept = SqlStore(f"sqlite:///{older}")
    try:
        [stored] = kept.add_events([AssetEvent(run_id="r", asset_key="a",
                                               kind=EventKind.MATERIALIZATION, timestamp=T0)])
        assert kept.latest_events(EventKind.MATERIALIZATION) == {"a": stored}
    finally:
        kept.close()
    sizes = {}
    for name in ("new.db", "older.db"):
        with sqlite3.connect(tmp_path / name) as conn:
            sizes[name] = conn.execute("PRAGMA page_size").fetchone()[0]
    assert sizes == {"new.db": 16384, "older.db": 4096}
