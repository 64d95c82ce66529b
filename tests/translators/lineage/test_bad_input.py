"""Bad input is refused with one clear line and nothing half-imported: databases that are not
Airflow's, schema versions this release does not know, damaged DAGs, malformed events."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from bridge.storage import SqlStore, Store
from tests.translators.lineage._airflow_dbs import AirflowDb
from translators.lineage import LineageImportError, import_airflow_db, import_openlineage

pytestmark = pytest.mark.airflow


@pytest.fixture
def store(tmp_path: Path) -> SqlStore:
    return SqlStore(f"sqlite:///{tmp_path / 'runs.db'}")


def assert_empty(store: Store) -> None:
    assert store.catalog() == []
    assert store.list_runs() == [] and store.event_counts(
        __import__("bridge._types", fromlist=["EventKind"]).EventKind.MATERIALIZATION) == {}


def altered(db: AirflowDb, tmp_path: Path, *statements: str) -> str:
    """A copy of a real Airflow database with ``statements`` applied."""
    copy = tmp_path / "altered.db"
    shutil.copyfile(db.target, copy)
    with sqlite3.connect(copy) as conn:
        for statement in statements:
            conn.execute(statement)
    return str(copy)


def test_a_database_that_is_not_airflows(store: SqlStore, tmp_path: Path) -> None:
    other = tmp_path / "shop.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY, amount REAL)")
    with pytest.raises(LineageImportError, match=r"shop\.db is not an Airflow metadata "
                                                 r"database .*sql_alchemy_conn"):
        import_airflow_db(str(other), store)
    assert_empty(store)


def test_a_file_that_is_not_a_database(store: SqlStore, tmp_path: Path) -> None:
    text = tmp_path / "notes.db"
    text.write_text("just some notes, not SQLite\n" * 50)
    with pytest.raises(LineageImportError, match=r"cannot read Airflow database .*notes\.db: "
                                                 r"file is not a database"):
        import_airflow_db(str(text), store)
    with pytest.raises(LineageImportError, match=r"'.*missing\.db' does not exist"):
        import_airflow_db(str(tmp_path / "missing.db"), store)
    with pytest.raises(LineageImportError, match="only PostgreSQL and SQLite"):
        import_airflow_db("mysql://airflow@localhost/airflow", store)
    assert_empty(store)


def test_an_unknown_schema_version(store: SqlStore, airflow3_sqlite: AirflowDb,
                                   tmp_path: Path) -> None:
    future = altered(airflow3_sqlite, tmp_path,
                     "UPDATE alembic_version SET version_num = 'abcdef123456'")
    with pytest.raises(LineageImportError, match=r"schema revision 'abcdef123456', which this "
                                                 r"assetbridge does not know .*3\.0-3\.3"):
        import_airflow_db(future, store)
    assert_empty(store)


def test_an_airflow_older_than_datasets(store: SqlStore, airflow2_sqlite: AirflowDb,
                                        tmp_path: Path) -> None:
    old = altered(airflow2_sqlite, tmp_path,
                  "UPDATE alembic_version SET version_num = 'f5fcbda3e651'")
    with pytest.raises(LineageImportError, match=r"older than 2\.4 .*'f5fcbda3e651'"):
        import_airflow_db(old, store)
    assert_empty(store)


def test_a_schema_missing_its_asset_tables(store: SqlStore, airflow3_sqlite: AirflowDb,
                                           tmp_path: Path) -> None:
    broken = altered(airflow3_sqlite, tmp_path, "PRAGMA foreign_keys = OFF",
                     "DROP TABLE asset_event")
    with pytest.raises(LineageImportError, match=r"claims Airflow 3\.3\.0 .*lacks tables "
                                                 r"asset_event"):
        import_airflow_db(broken, store)
    assert_empty(store)


def test_a_damaged_serialized_dag(store: SqlStore, airflow3_sqlite: AirflowDb,
                                  tmp_path: Path) -> None:
    damaged = altered(airflow3_sqlite, tmp_path,
                      "UPDATE serialized_dag SET data = '{\"dag\": ' WHERE dag_id = 'plain'")
    with pytest.raises(LineageImportError, match=r"serialized DAG 'plain' cannot be decoded"):
        import_airflow_db(damaged, store)
    assert_empty(store)


GOOD = {"eventType": "COMPLETE", "eventTime": "2026-03-01T10:00:00Z",
        "run": {"runId": "0190a3c2-0000-7000-8000-000000000001"},
        "job": {"namespace": "etl", "name": "load"},
        "inputs": [], "outputs": [{"namespace": "s3://lake", "name": "orders.parquet"}],
        "producer": "https://example.com/producer", "schemaURL": "https://example.com/s"}


@pytest.mark.parametrize(("line", "message"), [
    ("{not json", r"events\.ndjson:3: not JSON"),
    (json.dumps({**GOOD, "eventType": "EXPLODED"}), r"events\.ndjson:3: not an OpenLineage "
                                                    r"RunEvent: eventType"),
    (json.dumps({k: v for k, v in GOOD.items() if k != "run"}), r":3: .*: run: Field required"),
    (json.dumps({**GOOD, "eventTime": "yesterday"}), r":3: .*eventTime"),
    (json.dumps({**GOOD, "outputs": [{"namespace": "s3://lake"}]}), r"outputs\.0\.name"),
    (json.dumps([1, 2]), r":3: not an OpenLineage RunEvent"),
])
def test_malformed_openlineage_events_import_nothing(store: SqlStore, tmp_path: Path,
                                                     line: str, message: str) -> None:
    folder = tmp_path / "events"
    folder.mkdir()
    (folder / "a_good.json").write_text(json.dumps(GOOD))  # read first, still not imported
    (folder / "events.ndjson").write_text(json.dumps(GOOD) + "\n\n" + line + "\n")
    with pytest.raises(LineageImportError, match=message):
        import_openlineage(folder, store)
    assert_empty(store)
    assert store.watermark(f"openlineage:{(folder / 'a_good.json').resolve()}") is None


def test_a_missing_openlineage_path(store: SqlStore, tmp_path: Path) -> None:
    with pytest.raises(LineageImportError, match="no such file or folder"):
        import_openlineage(tmp_path / "nope", store)


def test_a_database_server_that_does_not_answer(store: SqlStore) -> None:
    import socket

    with socket.socket() as probe:  # a free port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(LineageImportError, match=(
            r"^cannot connect to Airflow database .*127\.0\.0\.1:\d+/airflow: .*; check the "
            r"URL, the credentials and that the server is running$")):
        import_airflow_db(f"postgresql://nobody@127.0.0.1:{port}/airflow", store)
    assert_empty(store)


def test_a_web_server_that_is_not_airflows_api(store: SqlStore, tmp_path: Path) -> None:
    import http.server
    import threading

    from translators.lineage import import_airflow_api

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        with pytest.raises(LineageImportError, match=(
                rf"HTTP 404 .*; is {base} an Airflow 3 API server \(REST API v2 under "
                r"/api/v2\)\?$")):
            import_airflow_api(base, store)
    finally:
        server.shutdown()
        server.server_close()
    assert_empty(store)
