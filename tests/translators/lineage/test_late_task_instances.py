"""Task instances Airflow commits after an import although they ended before its watermark
(two workers finishing together, a task marked success): the next import reads a look-back
window before the watermark again and imports those the store does not hold, on the SQL
path (SQLite store), the generic path (SQL and in-memory stores) and PostgreSQL."""

from __future__ import annotations

import datetime
import json
import shutil
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from bridge._sqlalchemy import normalize_url
from bridge._types import EventKind
from bridge.storage import AssetEvent, InMemoryStore, SqlStore, Store
from bridge.storage._sql_import import SqliteBulkImport
from tests.translators.lineage._airflow_dbs import AirflowDb
from translators.lineage import import_airflow_db

pytestmark = pytest.mark.airflow
_UTC = datetime.timezone.utc
_LATE, _EARLY = "manual__late", "manual__early"


class _PythonPath(SqlStore):
    """A real SQL store that takes the generic path (it wraps ``put_catalog``)."""

    def put_catalog(self, *args: Any, **kwargs: Any) -> int:
        return super().put_catalog(*args, **kwargs)


class _Airflow:
    """Plain DB-API writes into a copy of an Airflow database (SQLite or PostgreSQL)."""

    def __init__(self, conn: Any, sqlite: bool) -> None:
        self.conn, self.sqlite = conn, sqlite
        self.mark = "?" if sqlite else "%s"

    def rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        cursor = self.conn.cursor()
        cursor.execute(sql.replace("?", self.mark), params)
        found = cursor.fetchall() if cursor.description else []
        cursor.close()
        return list(found)

    def when(self, value: datetime.datetime) -> Any:
        """A timestamp as Airflow stores it (naive UTC text in SQLite)."""
        return value.strftime("%Y-%m-%d %H:%M:%S.%f") if self.sqlite else value

    def watermark_end(self) -> datetime.datetime:
        """The end date of the last finished task instance: the import's watermark."""
        (end,), = self.rows("SELECT max(end_date) FROM task_instance WHERE state IN "
                            "('success', 'failed')")
        when = end if isinstance(end, datetime.datetime) else \
            datetime.datetime.fromisoformat(end)
        return when.replace(tzinfo=_UTC) if when.tzinfo is None else when

    def copy(self, table: str, where: str, values: dict[str, Any]) -> None:
        """Insert a copy of the first row of ``table`` matching ``where`` with ``values``
        (``None`` for ``id``: the next one), in SQL, so every other column stays as
        Airflow wrote it."""
        if self.sqlite:
            columns = [row[1] for row in self.rows(f"PRAGMA table_info({table})")]
        else:
            columns = [row[0] for row in self.rows(
                "SELECT column_name FROM information_schema.columns WHERE table_name = ? "
                "ORDER BY ordinal_position", (table,))]
        if values.get("id", 0) is None:
            columns.remove("id")
            del values["id"]
        chosen = ", ".join(self.mark if c in values else c for c in columns)
        self.rows(f"INSERT INTO {table} ({', '.join(columns)}) SELECT {chosen} FROM {table} "
                  f"WHERE {where} LIMIT 1", tuple(values[c] for c in columns if c in values))
        self.conn.commit()

    def add_run(self, run_id: str, day: int) -> None:
        self.copy("dag_run", "dag_id = 'plain'", {
            "id": None, "run_id": run_id,
            "logical_date": self.when(datetime.datetime(2026, 2, day, tzinfo=_UTC))})

    def add_task_instance(self, task_id: str, run_id: str, state: str,
                          end: datetime.datetime, map_index: int = -1) -> None:
        self.copy("task_instance", f"dag_id = 'plain' AND task_id = '{task_id}'", {
            "id": str(uuid.uuid4()) if self.sqlite else uuid.uuid4(), "run_id": run_id,
            "map_index": map_index, "state": state, "end_date": self.when(end),
            "start_date": self.when(end - datetime.timedelta(seconds=2))})


def _late_events(store: Store) -> list[tuple[str, str, str, int]]:
    """(run, key, kind, map index) of the events of the runs this test adds."""
    return sorted((e.run_id, e.asset_key, e.kind.value, e.metadata.get("map_index", -1))
                  for run in (_LATE, _EARLY) for e in store.events_for_run(run))


def _check_late_imports(target: str, airflow: _Airflow, store: Store,
                        watermark: Callable[[], str | None]) -> list[AssetEvent]:
    """Import, add late task instances, import again (twice); returns the late events."""
    first = import_airflow_db(target, store)
    assert first.events_added > 0
    mark = watermark()
    assert mark is not None
    end = airflow.watermark_end()
    assert json.loads(mark)[0].replace("T", " ")[:19] == end.strftime("%Y-%m-%d %H:%M:%S")
    inside, outside = end - datetime.timedelta(minutes=10), end - datetime.timedelta(hours=2)
    airflow.add_run(_LATE, 1)
    airflow.add_run(_EARLY, 2)
    airflow.add_task_instance("ok", _LATE, "success", inside, map_index=0)
    airflow.add_task_instance("broken", _LATE, "failed", inside)
    airflow.add_task_instance("ok", _EARLY, "success", outside)

    second = import_airflow_db(target, store)
    assert second.events == {"materialization": 1, "failure": 1}
    assert (second.records_read, second.assets_added) == (2, 0)
    assert _late_events(store) == [(_LATE, "plain/broken", "failure", -1),
                                   (_LATE, "plain/ok", "materialization", 0)]
    assert watermark() == mark  # late rows never move it back

    # another mapped instance ending in the same microsecond: same run, key, kind and time,
    # but a task instance of its own
    airflow.add_task_instance("ok", _LATE, "success", inside, map_index=1)
    third = import_airflow_db(target, store)
    assert (third.events, third.records_read) == ({"materialization": 1}, 1)
    assert _late_events(store)[-1] == (_LATE, "plain/ok", "materialization", 1)

    again = import_airflow_db(target, store)
    assert (again.events_added, again.records_read, again.batches) == (0, 0, 0)
    assert watermark() == mark
    late = store.events_for_run(_LATE)
    assert {e.partition for e in late} == {"2026-02-01T00:00:00+00:00"}
    assert {e.metadata["dag_id"] for e in late} == {"plain"}
    assert {(e.kind, e.timestamp) for e in late} == {(EventKind.MATERIALIZATION,
                                                      inside.timestamp()),
                                                     (EventKind.FAILURE, inside.timestamp())}
    return late


@contextmanager
def _sqlite_airflow(db: AirflowDb, tmp_path: Path) -> Iterator[tuple[str, _Airflow]]:
    copy = tmp_path / "airflow.db"
    shutil.copyfile(db.target, copy)
    conn = sqlite3.connect(copy)
    try:
        yield str(copy), _Airflow(conn, sqlite=True)
    finally:
        conn.close()


def _sqlite_watermark(store: Store, target: str) -> Callable[[], str | None]:
    return lambda: store.watermark(f"airflow-db:{Path(target).resolve()}:task_instance")


@pytest.mark.parametrize("kind", ["sql", "generic-sql", "memory"])
def test_late_task_instances_inside_the_window_are_imported(
        airflow3_sqlite: AirflowDb, tmp_path: Path, kind: str) -> None:
    store: Store = {"sql": SqlStore, "generic-sql": _PythonPath}[kind](
        f"sqlite:///{tmp_path / 'runs.db'}") if kind != "memory" else InMemoryStore()
    assert SqliteBulkImport.supports(store) is (kind == "sql")
    try:
        with _sqlite_airflow(airflow3_sqlite, tmp_path) as (target, airflow):
            _check_late_imports(target, airflow, store, _sqlite_watermark(store, target))
    finally:
        store.close()


def test_both_paths_write_the_same_late_rows(airflow3_sqlite: AirflowDb,
                                             tmp_path: Path) -> None:
    """Row for row and id for id, with small batches (a batch of late rows only)."""
    dumps = []
    for name, made in (("fast", SqlStore), ("slow", _PythonPath)):
        (tmp_path / name).mkdir()
        store = made(f"sqlite:///{tmp_path / name / 'runs.db'}")
        try:
            with _sqlite_airflow(airflow3_sqlite, tmp_path / name) as (target, airflow):
                import_airflow_db(target, store, batch_size=2)
                end = airflow.watermark_end()
                airflow.add_run(_LATE, 1)
                for n, minutes in enumerate((30, 20, 20, 5, 59)):
                    airflow.add_task_instance(
                        "ok", _LATE, "success", end - datetime.timedelta(minutes=minutes), n)
                airflow.add_task_instance("broken", _LATE, "failed", end)
                result = import_airflow_db(target, store, batch_size=2)
                assert (result.batches, result.records_read) == (3, 6)
        finally:
            store.close()
        conn = sqlite3.connect(tmp_path / name / "runs.db")
        dumps.append([conn.execute(query).fetchall() for query in (
            "SELECT * FROM ab_asset_events ORDER BY event_id",
            "SELECT value FROM ab_import_watermarks ORDER BY name")])
        conn.close()
    assert dumps[0] == dumps[1]


def test_no_lookback_reads_nothing_again(airflow3_sqlite: AirflowDb, tmp_path: Path) -> None:
    store = SqlStore(f"sqlite:///{tmp_path / 'runs.db'}")
    try:
        with _sqlite_airflow(airflow3_sqlite, tmp_path) as (target, airflow):
            import_airflow_db(target, store)
            airflow.add_run(_LATE, 1)
            airflow.add_task_instance("ok", _LATE, "success",
                                      airflow.watermark_end() - datetime.timedelta(minutes=1))
            assert import_airflow_db(target, store, lookback=0).records_read == 0
            assert import_airflow_db(target, store, lookback=30).records_read == 0
            assert import_airflow_db(target, store).events == {"materialization": 1}
    finally:
        store.close()


@pytest.mark.postgres
def test_late_task_instances_on_postgres(airflow3_postgres: AirflowDb, postgres_server: Any,
                                         fresh_postgres_url: str) -> None:
    """A copy of the Airflow PostgreSQL database (``CREATE DATABASE ... TEMPLATE``) into a
    PostgreSQL store: the generic path with server-side cursors and timestamptz."""
    source = sa.make_url(normalize_url(airflow3_postgres.target))
    name = f"late_{uuid.uuid4().hex[:8]}"
    postgres_server.execute(f'CREATE DATABASE "{name}" TEMPLATE "{source.database}"')
    target = source.set(database=name).render_as_string(hide_password=False)
    engine = sa.create_engine(target)
    store = SqlStore(fresh_postgres_url)
    try:
        raw = engine.raw_connection()
        try:
            mark = f"airflow-db:{source.set(database=name).render_as_string()}:task_instance"
            late = _check_late_imports(target, _Airflow(raw, sqlite=False), store,
                                       lambda: store.watermark(mark))
            assert len(late) == 3
        finally:
            raw.close()
    finally:
        store.close()
        engine.dispose()
        postgres_server.drop_database(name)
