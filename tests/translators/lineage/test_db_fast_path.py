"""The SQL mapping of task-instance history (SQLite Airflow DB into a SQLite store) writes
exactly what the Python mapping writes: same rows, same ids, same catalog and watermarks."""

from __future__ import annotations

import shutil
import sqlite3
import uuid
from pathlib import Path
from typing import Any

import pytest

from bridge.errors import StoreError
from bridge.storage import SqlStore
from bridge.storage._sql_import import SqliteBulkImport
from tests.translators.lineage._airflow_dbs import AirflowDb
from translators.lineage import import_airflow_db

pytestmark = pytest.mark.airflow


class _PythonPath(SqlStore):
    """A real SQL store that takes the generic path (it wraps ``put_catalog``)."""

    def put_catalog(self, *args: Any, **kwargs: Any) -> int:
        return super().put_catalog(*args, **kwargs)


def _dump(path: Path) -> list[list[tuple[Any, ...]]]:
    conn = sqlite3.connect(path)
    try:
        return [conn.execute(query).fetchall() for query in (
            "SELECT * FROM ab_asset_events ORDER BY event_id",
            "SELECT asset_key, group_name, deps, dag_id, task_id, source, metadata "
            "FROM ab_catalog_assets ORDER BY asset_key",
            "SELECT name, value FROM ab_import_watermarks ORDER BY name")]
    finally:
        conn.close()


def _both(tmp_path: Path, targets: list[str], batch_size: int) -> None:
    fast, slow = SqlStore(f"sqlite:///{tmp_path / 'fast.db'}"), _PythonPath(
        f"sqlite:///{tmp_path / 'slow.db'}")
    try:
        assert SqliteBulkImport.supports(fast) and not SqliteBulkImport.supports(slow)
        for target in targets:
            ours = import_airflow_db(target, fast, batch_size=batch_size)
            theirs = import_airflow_db(target, slow, batch_size=batch_size)
            assert ours.events == theirs.events and ours.events_added > 0
            assert (ours.batches, ours.records_read, ours.assets_added) == (
                theirs.batches, theirs.records_read, theirs.assets_added)
            assert import_airflow_db(target, fast).events_added == 0
    finally:
        fast.close()
        slow.close()
    assert _dump(tmp_path / "fast.db") == _dump(tmp_path / "slow.db")


@pytest.mark.parametrize("batch_size", [50_000, 2])
def test_sql_mapping_matches_python_on_airflow3(airflow3_sqlite: AirflowDb, tmp_path: Path,
                                                batch_size: int) -> None:
    assert airflow3_sqlite.stage1 is not None
    live = tmp_path / "live.db"
    shutil.copy(airflow3_sqlite.stage1, live)
    _both(tmp_path, [str(live)], batch_size)
    # the same file growing by the second plan's runs: an incremental import
    (tmp_path / "inc").mkdir()
    fast, slow = (SqlStore(f"sqlite:///{tmp_path / 'inc' / 'fast.db'}"),
                  _PythonPath(f"sqlite:///{tmp_path / 'inc' / 'slow.db'}"))
    try:
        for source in (airflow3_sqlite.stage1, Path(airflow3_sqlite.target)):
            shutil.copy(source, live)
            for store in (fast, slow):
                import_airflow_db(str(live), store, batch_size=batch_size)
    finally:
        fast.close()
        slow.close()
    assert _dump(tmp_path / "inc" / "fast.db") == _dump(tmp_path / "inc" / "slow.db")


def test_sql_mapping_matches_python_on_airflow2(airflow2_sqlite: AirflowDb,
                                                tmp_path: Path) -> None:
    _both(tmp_path, [airflow2_sqlite.target], 3)


def test_sql_mapping_matches_python_on_odd_rows(airflow3_sqlite: AirflowDb,
                                                tmp_path: Path) -> None:
    """A deleted DAG's tasks, mapped tasks, over-long run ids, missing start dates,
    timestamps in other text forms (one of SQLite's length) and names that JSON must
    escape; asset events with extras, partition keys, no producer, no run and odd text."""
    odd = tmp_path / "odd.db"
    shutil.copy(airflow3_sqlite.target, odd)
    conn = sqlite3.connect(odd)
    try:
        columns = [row[1] for row in conn.execute("PRAGMA table_info(task_instance)")]
        at = {name: i for i, name in enumerate(columns)}
        rows = conn.execute("SELECT * FROM task_instance WHERE state IN "
                            "('success', 'failed')").fetchall()
        changed = []
        for n, original in enumerate(rows):
            row = list(original)
            row[at["id"]] = str(uuid.uuid4())
            if n % 4 == 0:
                row[at["dag_id"]] = "deleted_dag"
            elif n % 4 == 1:
                row[at["map_index"]], row[at["try_number"]] = n, 3
                row[at["end_date"]] = "2026-03-01T10:00:00.250000"  # 26 characters, not SQLite's
            elif n % 4 == 2:
                row[at["run_id"]], row[at["start_date"]] = f"manual__{'x' * 80}{n}", None
            else:
                row[at["end_date"]] = "2026-03-01 10:00:00"
                row[at["start_date"]] = "2026-03-01T09:59:58.500000+00:00"
                row[at["task_id"]] += '_\u00e9"'
            changed.append(tuple(row))
        conn.executemany(f"INSERT INTO task_instance VALUES ({', '.join('?' * len(columns))})",
                         changed)
        _odd_asset_events(conn)
        conn.commit()
    finally:
        conn.close()
    _both(tmp_path, [str(odd)], 3)


def _odd_asset_events(conn: sqlite3.Connection) -> None:
    """Copies of the asset events with what the SQL mapping must hand to Python or map
    as Python does: extras (valid, empty, invalid JSON), names JSON escapes, no producer,
    no run, over-long run ids, partition keys, other timestamp forms, mapped producers."""
    columns = [row[1] for row in conn.execute("PRAGMA table_info(asset_event)")]
    at = {name: i for i, name in enumerate(columns)}
    rows = conn.execute("SELECT * FROM asset_event ORDER BY id").fetchall()
    assert rows
    changed = []
    for n, original in enumerate(rows * 2):
        row = list(original)
        row[at["id"]] = None
        if n % 6 == 0:
            row[at["source_dag_id"]], row[at["source_run_id"]] = None, None
            row[at["extra"]] = '{"rows": [1, "\u00e9"], "ok": true}'
        elif n % 6 == 1:
            row[at["source_dag_id"]] += '_\u00e9"'
            row[at["source_map_index"]], row[at["partition_key"]] = n, f"p{n}"
        elif n % 6 == 2:
            row[at["extra"]], row[at["source_run_id"]] = "not json", f"manual__{'y' * 80}{n}"
        elif n % 6 == 3:
            row[at["timestamp"]] = "2026-03-01T10:00:00+00:00"
            row[at["source_task_id"]], row[at["extra"]] = None, "null"
        elif n % 6 == 4:
            row[at["source_dag_id"]], row[at["partition_key"]] = "", ""
            row[at["source_run_id"]], row[at["source_map_index"]] = "", None
        else:
            row[at["source_task_id"]] += "\\x"
        changed.append(tuple(row))
    conn.executemany(f"INSERT INTO asset_event VALUES ({', '.join('?' * len(columns))})",
                     changed)


@pytest.mark.parametrize("stop_after", [3, 9])
def test_an_interrupted_sql_import_leaves_whole_batches_and_resumes(
        airflow3_sqlite: AirflowDb, tmp_path: Path, stop_after: int) -> None:
    """A store that refuses a write mid-import (a real SQLite error from a trigger, in an
    asset-event batch or in a task-instance batch) keeps whole batches and their
    watermarks; the next import continues and ends where an uninterrupted one does."""
    fast = SqlStore(f"sqlite:///{tmp_path / 'fast.db'}")
    fast.catalog()  # creates the tables
    conn = sqlite3.connect(tmp_path / "fast.db")
    conn.execute("CREATE TRIGGER full BEFORE INSERT ON ab_asset_events WHEN (SELECT count(*) "
                 f"FROM ab_asset_events) >= {stop_after} BEGIN SELECT RAISE(ABORT, "
                 "'disk full (simulated)'); END")
    conn.commit()
    with pytest.raises(StoreError, match="disk full"):
        import_airflow_db(airflow3_sqlite.target, fast, batch_size=2)
    rows, marks = _dump(tmp_path / "fast.db")[0::2]
    assert 0 < len(rows) <= stop_after and marks  # whole batches, with their watermarks
    assert len({row[0] for row in rows}) == len(rows)
    conn.execute("DROP TRIGGER full")
    conn.commit()
    conn.close()
    slow = _PythonPath(f"sqlite:///{tmp_path / 'slow.db'}")
    try:
        assert import_airflow_db(airflow3_sqlite.target, fast, batch_size=2).events_added > 0
        import_airflow_db(airflow3_sqlite.target, slow, batch_size=2)
        assert import_airflow_db(airflow3_sqlite.target, fast).events_added == 0
    finally:
        fast.close()
        slow.close()
    done, reference = _dump(tmp_path / "fast.db"), _dump(tmp_path / "slow.db")
    # the same events (ids may differ where the interruption split the batches) and the
    # same catalog and watermarks
    assert sorted(row[1:] for row in done[0]) == sorted(row[1:] for row in reference[0])
    assert done[1:] == reference[1:]
