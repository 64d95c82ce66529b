"""A bulk import writes through a rollback journal while it has the store to itself, and
leaves the store in WAL mode: after it closes, when another connection already had the
file open, and when another connection opens the file mid-import."""

from __future__ import annotations

import sqlite3
import threading
import time
from contextlib import closing
from pathlib import Path

from bridge.storage import SqlStore
from bridge.storage._sql import _BULK_COLUMNS
from bridge.storage._sql_import import SqliteBulkImport

_SELECT = ("SELECT 'run-' || n, 'key', 'materialization', NULL, n * 1.0, NULL, NULL, NULL, "
           "'{}', '{}', NULL, NULL, NULL, 'test' FROM src.numbers")


def _journal_mode(path: Path) -> str:
    with closing(sqlite3.connect(path)) as conn:
        return str(conn.execute("PRAGMA journal_mode").fetchone()[0])


def _source(tmp_path: Path, rows: int = 100) -> Path:
    path = tmp_path / "source.db"
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("CREATE TABLE numbers (n INTEGER)")
        conn.executemany("INSERT INTO numbers VALUES (?)", [(n,) for n in range(rows)])
        conn.commit()
    return path


def _store(tmp_path: Path) -> tuple[SqlStore, Path]:
    path = tmp_path / "runs.db"
    store = SqlStore(f"sqlite:///{path}")
    store.catalog()  # creates the tables
    return store, path


def _events(path: Path) -> int:
    with closing(sqlite3.connect(path)) as conn:
        return int(conn.execute("SELECT count(*) FROM ab_asset_events").fetchone()[0])


def test_an_import_alone_uses_a_rollback_journal_and_restores_wal(tmp_path: Path) -> None:
    store, path = _store(tmp_path)
    bulk = SqliteBulkImport(store, {"src": _source(tmp_path)})
    try:
        assert bulk.query("PRAGMA main.journal_mode") == [("truncate",)]
        bulk.commit_batch([], _SELECT, (), {"mark": "1"})
    finally:
        bulk.close()
    assert _journal_mode(path) == "wal"
    assert _events(path) == 100 and store.watermark("mark") == "1"
    store.close()


def test_an_import_beside_an_open_connection_stays_in_wal(tmp_path: Path) -> None:
    store, path = _store(tmp_path)
    other = sqlite3.connect(path)
    other.execute("SELECT count(*) FROM ab_asset_events").fetchall()
    bulk = SqliteBulkImport(store, {"src": _source(tmp_path)})
    try:
        assert bulk.query("PRAGMA main.journal_mode") == [("wal",)]
        bulk.commit_batch([], _SELECT, (), {})
        # WAL: the other connection reads while the importer holds a write transaction
        bulk.query("BEGIN IMMEDIATE")
        assert other.execute("SELECT count(*) FROM ab_asset_events").fetchone() == (100,)
        bulk.query("ROLLBACK")
    finally:
        bulk.close()
        other.close()
    assert _journal_mode(path) == "wal" and _events(path) == 100
    store.close()


def test_a_connection_opened_mid_import_gets_wal_back(tmp_path: Path) -> None:
    """Any store connection asks for WAL when it opens; the importer's next batch then
    runs in WAL mode, and nothing is lost."""
    store, path = _store(tmp_path)
    bulk = SqliteBulkImport(store, {"src": _source(tmp_path)})
    try:
        bulk.commit_batch([], _SELECT, (), {})
        reader = SqlStore(f"sqlite:///{path}")
        assert len(reader.events_for_run("run-7")) == 1
        bulk.commit_batch([], _SELECT, (), {})
        assert bulk.query("PRAGMA main.journal_mode") == [("wal",)]
        assert len(reader.events_for_run("run-7")) == 2
        reader.close()
    finally:
        bulk.close()
    assert _journal_mode(path) == "wal" and _events(path) == 200
    store.close()


def _indexes(path: Path) -> set[str]:
    with closing(sqlite3.connect(path)) as conn:
        return {name for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND "
            "tbl_name = 'ab_asset_events' AND sql IS NOT NULL")}


def test_an_import_into_an_empty_store_builds_the_event_indexes_once(tmp_path: Path) -> None:
    store, path = _store(tmp_path)
    expected = _indexes(path)
    assert len(expected) == 3
    bulk = SqliteBulkImport(store, {"src": _source(tmp_path)})
    try:
        assert bulk.query("SELECT count(*) FROM main.sqlite_master WHERE type = 'index' AND "
                          "tbl_name = 'ab_asset_events' AND sql IS NOT NULL") == [(0,)]
        bulk.commit_batch([], _SELECT, (), {})
    finally:
        bulk.close()
    assert _indexes(path) == expected
    # the store's own queries use them again: the latest event of a key, by the index
    with closing(sqlite3.connect(path)) as conn:
        plan = " ".join(str(row) for row in conn.execute(
            "EXPLAIN QUERY PLAN SELECT * FROM ab_asset_events WHERE asset_key = 'key' AND "
            "kind = 'materialization' ORDER BY timestamp DESC LIMIT 1"))
    assert "ix_ab_events_key_kind_time" in plan
    # a store with events keeps its indexes through the next import
    second = SqliteBulkImport(store, {"src": tmp_path / "source.db"})
    try:
        assert len(second.query("SELECT name FROM main.sqlite_master WHERE type = 'index' "
                                "AND tbl_name = 'ab_asset_events' AND sql IS NOT NULL")) == 3
    finally:
        second.close()
    store.close()


def test_the_next_store_rebuilds_the_indexes_an_interrupted_import_left_out(
        tmp_path: Path) -> None:
    store, path = _store(tmp_path)
    expected = _indexes(path)
    bulk = SqliteBulkImport(store, {"src": _source(tmp_path)})
    bulk.commit_batch([], _SELECT, (), {})
    bulk.connection.close()  # as a killed process: no close(), indexes not built
    assert _indexes(path) == set()
    store.close()
    reopened = SqlStore(f"sqlite:///{path}")
    try:
        assert _indexes(path) == expected
        assert len(reopened.events_for_run("run-7")) == 1
    finally:
        reopened.close()


def test_a_store_opened_during_an_import_batch_waits_for_it(tmp_path: Path) -> None:
    """SQLite refuses the switch to WAL at once while the importer writes outside WAL; the
    store goes on in the file's mode and waits for the batch like any writer (here one
    longer than the store's own retries for a file that is locked at open)."""
    store, path = _store(tmp_path)
    bulk = SqliteBulkImport(store, {"src": _source(tmp_path)})
    bulk.query("BEGIN IMMEDIATE")
    bulk.query(f"INSERT INTO main.ab_asset_events ({', '.join(_BULK_COLUMNS)}) {_SELECT}")
    done = threading.Timer(3.5, lambda: bulk.query("COMMIT"))
    done.start()
    try:
        started = time.monotonic()
        reader = SqlStore(f"sqlite:///{path}")  # its open takes the write lock
        assert time.monotonic() - started >= 3.0
        assert len(reader.events_for_run("run-7")) == 1
        reader.close()
    finally:
        done.join()
        bulk.close()
    assert _journal_mode(path) == "wal" and _events(path) == 100
    store.close()
