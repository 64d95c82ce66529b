"""Assets choose the SQL-table I/O manager per asset; runs on SQLite and real PostgreSQL."""

from __future__ import annotations

import pytest

from bridge import (
    AssetContext,
    SqlStore,
    SqlTableIOManager,
    StaticPartitions,
    asset,
    asset_statuses,
    materialize,
)


@asset(io_manager="warehouse_io")
def orders() -> list[dict[str, object]]:
    return [{"id": 1, "amount": 10.5}, {"id": 2, "amount": 4.5}]


@asset  # default in-memory I/O manager, reading a SQL-stored upstream
def order_total(orders: list[dict[str, object]]) -> float:
    return sum(float(row["amount"]) for row in orders)  # type: ignore[arg-type]


@asset(io_manager="warehouse_io", partitions=StaticPartitions(["eu", "us"]))
def regional(context: AssetContext) -> list[dict[str, object]]:
    return [{"region": context.partition, "n": 1 if context.partition == "eu" else 2}]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'warehouse.db'}"
    return str(request.getfixturevalue("fresh_postgres_url"))


def test_sql_table_io_manager_per_asset_and_sql_store(db_url: str) -> None:
    io = SqlTableIOManager(db_url)
    store = SqlStore(db_url)
    result = materialize([orders, order_total], resources={"warehouse_io": io}, store=store)
    assert result.success, [f.error for f in result.failures]
    assert result.output_for("order_total") == 15.0
    assert sorted(r["id"] for r in result.output_for("orders")) == [1, 2]
    event = store.events_for_run(result.run_id)[0]
    assert event.metadata == {"table": "orders", "rows": 2} and event.data_version
    # a later run loads the upstream table written by the first one
    again = materialize([orders, order_total], selection="order_total",
                        resources={"warehouse_io": io}, store=store)
    assert again.output_for("order_total") == 15.0
    from bridge import AssetGraph

    statuses = asset_statuses(AssetGraph.from_assets([orders, order_total]), store)
    assert {str(k): r.status.value for k, r in statuses.items()} == {
        "orders": "fresh", "order_total": "fresh"}
    io.dispose()
    store.close()


def test_partitions_land_in_one_table(db_url: str) -> None:
    io = SqlTableIOManager(db_url)
    for partition in ("eu", "us"):
        assert materialize([regional], partition=partition,
                           resources={"warehouse_io": io}).success
    result = materialize([regional], partition="us", resources={"warehouse_io": io})
    assert result.output_for("regional", "eu") == [{"region": "eu", "n": 1}]
    assert result.output_for("regional", "us") == [{"region": "us", "n": 2}]
    io.dispose()
