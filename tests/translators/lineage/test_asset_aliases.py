"""Asset aliases in a real Airflow 3 metadata database: the assets an alias resolved to are
produced by the tasks whose outlets name it, and schedules and inlets on the alias depend on
them; the alias itself is no catalog entry.

The database is built once for this module from ``fixtures/aliases`` (``airflow db migrate``,
then ``dag.test()`` of the producer and the consumer, as ``_airflow_dbs`` does).
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest
import sqlalchemy as sa

from bridge.storage import AssetEvent, InMemoryStore, SqlStore, Store
from tests.translators.lineage._airflow_dbs import AIRFLOW3_BIN, HERE, _run
from translators.lineage import import_airflow_db
from translators.lineage._catalog import resolve_aliases
from translators.model import AssetExpression, AssetRef, DagInfo

pytestmark = pytest.mark.airflow
DAGS = HERE / "fixtures" / "aliases"
PLAN = ["alias_producer=2026-03-01", "alias_consumer=2026-03-02"]
RESOLVED = {"exports/daily", "s3://lake/exports/audit.csv"}


@pytest.fixture(scope="module")
def airflow_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An Airflow 3 SQLite database where ``export`` emitted events through an alias."""
    home = tmp_path_factory.mktemp("airflow3-aliases")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
    env.update(AIRFLOW_HOME=str(home), AIRFLOW__CORE__LOAD_EXAMPLES="False",
               AIRFLOW__CORE__DAGS_FOLDER=str(DAGS),
               AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=f"sqlite:///{home / 'airflow.db'}",
               AIRFLOW__CORE__UNIT_TEST_MODE="False", PYTHONDONTWRITEBYTECODE="1")
    _run([str(AIRFLOW3_BIN / "airflow"), "db", "migrate"], env, home, "aliases: db migrate")
    _run([str(AIRFLOW3_BIN / "python"), str(HERE / "_build_airflow_db.py"), str(DAGS), *PLAN],
         env, home, "aliases: dag.test")
    return home / "airflow.db"


def events_of(store: Store) -> list[AssetEvent]:
    """Every event, without store ids, in a fixed order."""
    return sorted((dataclasses.replace(e, event_id=None) for entry in store.catalog()
                   for e in store.history(entry.key, 1000)), key=repr)


def test_the_resolved_assets_are_produced_by_the_alias_task(airflow_db: Path,
                                                            tmp_path: Path) -> None:
    engine = sa.create_engine(f"sqlite:///{airflow_db}")
    with engine.connect() as conn:  # what Airflow recorded: the alias resolved to both
        resolved = {row[0] for row in conn.execute(sa.text(
            "SELECT a.name FROM asset_alias_asset r JOIN asset a ON a.id = r.asset_id "
            "JOIN asset_alias al ON al.id = r.alias_id WHERE al.name = 'daily-export'"))}
        emitted = sorted(conn.execute(sa.text(
            "SELECT a.name, e.source_run_id FROM asset_event e "
            "JOIN asset a ON a.id = e.asset_id")).all())
    engine.dispose()
    assert resolved == RESOLVED and len(emitted) == 2

    store = SqlStore(f"sqlite:///{tmp_path / 'runs.db'}")
    try:
        import_airflow_db(str(airflow_db), store)
        catalog = {entry.key: entry for entry in store.catalog()}
        # no entry named after an alias, resolved or not; prepare keeps its own asset
        assert set(catalog) == RESOLVED | {"alias_producer/prepare", "alias_consumer/report",
                                           "alias_consumer/archive"}
        for key in RESOLVED:
            entry = catalog[key]
            assert (entry.dag_id, entry.task_id, entry.group) == ("alias_producer", "export",
                                                                  "alias_producer")
            assert entry.deps == ("alias_producer/prepare",)
        assert catalog["exports/daily"].metadata == {"uri": "s3://lake/exports/daily.csv"}
        # the asset events land on the resolved assets, attributed to the producing task
        got = sorted((e.asset_key, e.run_id) for key in RESOLVED for e in store.history(key))
        assert got == emitted
        assert all(e.metadata["task_id"] == "export" for key in RESOLVED
                   for e in store.history(key))
        # the alias task's success is its asset events; prepare's is its own materialization
        assert [e.partition for e in store.history("alias_producer/prepare")] == [
            "2026-03-01T00:00:00+00:00"]
        # the consumer's root is scheduled on the alias, archive reads it as an inlet
        assert catalog["alias_consumer/report"].deps == tuple(sorted(RESOLVED))
        assert catalog["alias_consumer/archive"].deps == tuple(sorted(
            RESOLVED | {"alias_consumer/report"}))
        # the history mapped in SQL and the one mapped in Python agree
        memory = InMemoryStore()
        import_airflow_db(str(airflow_db), memory)
        assert memory.catalog() == store.catalog()
        assert events_of(memory) == events_of(store)
    finally:
        store.close()


def test_an_alias_schedule_is_any_of_its_assets_and_an_unresolved_one_goes() -> None:
    daily, audit = AssetRef(name="exports/daily"), AssetRef(uri="s3://lake/audit.csv")
    orders = AssetExpression(op="asset", asset=AssetRef(name="orders"))

    def alias(name: str) -> AssetExpression:
        return AssetExpression(op="asset", asset=AssetRef(name=name, kind="alias"))

    dag = DagInfo(dag_id="d", file="d.py", schedule_assets=AssetExpression(
        op="and", items=(orders, alias("daily-export"), alias("never"))))
    [got] = resolve_aliases([dag], {"daily-export": [daily, audit]})
    assert got.schedule_assets == AssetExpression(op="and", items=(orders, AssetExpression(
        op="or", items=(AssetExpression(op="asset", asset=daily),
                        AssetExpression(op="asset", asset=audit)))))
    only_unresolved = dag.model_copy(update={"schedule_assets": alias("never")})
    assert resolve_aliases([only_unresolved], {})[0].schedule_assets is None
    plain = dag.model_copy(update={"schedule_assets": orders})
    assert resolve_aliases([plain], {})[0] is plain
