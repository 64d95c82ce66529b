"""SqlTableIOManager on a real SQLite file and a real PostgreSQL server (tests/_postgres.py)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timezone
from typing import Any

import pandas as pd
import pytest
import sqlalchemy as sa

from bridge._keys import AssetKey
from bridge._spec import AssetSpec
from bridge.errors import InputNotFoundError, ResourceError
from bridge.io._base import InputContext, OutputContext
from bridge.io._sql import PARTITION_COLUMN, REGISTRY_TABLE, SqlTableIOManager

ROWS: list[dict[str, Any]] = [
    {"id": 1, "price": 9.5, "name": "apple", "active": True, "note": None,
     "at": datetime(2024, 1, 2, 3, 4, 5, 123456), "day": date(2024, 1, 2),
     "extra": {"tags": ["a", "b"], "size": {"w": 1, "h": 2.5}, "ok": True}},
    {"id": 2, "price": 0.25, "name": "pear ünïcode", "active": False, "note": "x",
     "at": datetime(2023, 12, 31, 23, 59, 59), "day": date(2023, 12, 31),
     "extra": [1, "two", None]},
]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def sql_url(request: pytest.FixtureRequest, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'assets.db'}"
    url: str = request.getfixturevalue("fresh_postgres_url")
    return url


@pytest.fixture
def io(sql_url: str):
    manager = SqlTableIOManager(sql_url)
    yield manager
    manager.dispose()


def write(io: SqlTableIOManager, key: str, value: Any, partition: str | None = None):
    spec = AssetSpec(key=key)
    return io.handle_output(OutputContext(spec.key, spec, partition, "run-1"), value)


def read(io: SqlTableIOManager, key: str, partition: str | None = None,
         annotation: Any = None) -> Any:
    spec = AssetSpec(key=key)
    return io.load_input(InputContext(spec.key, spec, partition, AssetKey(("c",)), annotation))


def by_id(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(rows, key=lambda row: row["id"])


def test_rows_round_trip_with_their_types(io: SqlTableIOManager) -> None:
    stored = write(io, "raw/orders", ROWS)

    assert stored.metadata == {"table": "raw__orders", "rows": 2}
    assert stored.data_version is not None and len(stored.data_version) == 16
    int(stored.data_version, 16)
    loaded = by_id(read(io, "raw/orders"))
    assert loaded == ROWS
    assert [type(loaded[0][c]) for c in ("id", "price", "name", "active", "at", "day")] == [
        int, float, str, bool, datetime, date]
    assert sa.inspect(io.engine).has_table("raw__orders")


def test_data_version_depends_only_on_the_rows(io: SqlTableIOManager) -> None:
    first = write(io, "a", [{"x": 1, "y": "s"}]).data_version
    assert write(io, "b", [{"y": "s", "x": 1}]).data_version == first
    assert write(io, "a", [{"x": 2, "y": "s"}]).data_version != first


def test_columns_of_mixed_or_missing_values_keep_each_value(io: SqlTableIOManager) -> None:
    rows = [{"id": 1, "mixed": 1, "ints": 1}, {"id": 2, "mixed": "one", "floats": 2.5},
            {"id": 3, "mixed": [1], "ints": None}]
    write(io, "mixed", rows)

    assert by_id(read(io, "mixed")) == [
        {"id": 1, "mixed": 1, "ints": 1, "floats": None},
        {"id": 2, "mixed": "one", "ints": None, "floats": 2.5},
        {"id": 3, "mixed": [1], "ints": None, "floats": None},
    ]


def test_second_write_replaces_the_table(io: SqlTableIOManager) -> None:
    write(io, "t", [{"id": 1, "v": "a"}, {"id": 2, "v": "b"}])
    write(io, "t", [{"id": 3, "v": "c"}])  # same columns: rows replaced
    assert read(io, "t") == [{"id": 3, "v": "c"}]

    write(io, "t", [{"id": 4, "w": 1.5}])  # new columns: table recreated
    assert read(io, "t") == [{"id": 4, "w": 1.5}]
    assert [c["name"] for c in sa.inspect(io.engine).get_columns("t")] == ["id", "w"]


def test_empty_list_clears_an_existing_table(io: SqlTableIOManager) -> None:
    write(io, "t", [{"id": 1}])
    stored = write(io, "t", [])

    assert stored.metadata["rows"] == 0
    assert read(io, "t") == []
    assert list(read(io, "t", annotation="pd.DataFrame").columns) == ["id"]


def test_empty_list_without_a_table_is_a_clear_error(io: SqlTableIOManager) -> None:
    with pytest.raises(ResourceError, match=r"'raw/empty'.*empty list.*at least one row"):
        write(io, "raw/empty", [])
    assert not sa.inspect(io.engine).has_table("raw__empty")


def test_partitions_are_written_and_replaced_independently(io: SqlTableIOManager) -> None:
    write(io, "daily", [{"id": 1, "v": "a"}, {"id": 2, "v": "b"}], partition="2024-01-01")
    write(io, "daily", [{"id": 3, "v": "c"}], partition="2024-01-02")
    stored = write(io, "daily", [{"id": 4, "v": "d", "new": True}], partition="2024-01-01")

    assert stored.metadata == {"table": "daily", "rows": 1}
    assert read(io, "daily", "2024-01-01") == [{"id": 4, "v": "d", "new": True}]
    assert read(io, "daily", "2024-01-02") == [{"id": 3, "v": "c", "new": None}]
    with io.engine.connect() as conn:
        partitions = conn.execute(sa.text(f"SELECT {PARTITION_COLUMN} FROM daily")).scalars()
        assert sorted(partitions) == ["2024-01-01", "2024-01-02"]


def test_a_partition_written_empty_loads_as_empty(io: SqlTableIOManager) -> None:
    write(io, "daily", [], partition="2024-01-01")
    write(io, "daily", [{"id": 1}], partition="2024-01-02")
    write(io, "daily", [], partition="2024-01-02")

    assert read(io, "daily", "2024-01-01") == []
    assert read(io, "daily", "2024-01-02") == []
    with pytest.raises(InputNotFoundError, match=r"'daily' partition '2024-01-03'"):
        read(io, "daily", "2024-01-03")
    assert sa.inspect(io.engine).has_table(REGISTRY_TABLE)


def test_missing_partition_raises_input_not_found(io: SqlTableIOManager) -> None:
    write(io, "raw/daily", [{"id": 1}], partition="2024-01-01")

    with pytest.raises(InputNotFoundError, match=r"'raw/daily' partition '2024-01-02'"):
        read(io, "raw/daily", "2024-01-02")


def test_missing_table_raises_input_not_found(io: SqlTableIOManager) -> None:
    with pytest.raises(InputNotFoundError, match=r"'raw/orders'.*raw__orders.*materialize"):
        read(io, "raw/orders")
    with pytest.raises(InputNotFoundError, match=r"'raw/orders' partition 'p1'"):
        read(io, "raw/orders", "p1")


def test_partitioned_read_of_an_unpartitioned_table_is_missing(io: SqlTableIOManager) -> None:
    write(io, "t", [{"id": 1}])
    with pytest.raises(InputNotFoundError, match=r"'t' partition 'p1'"):
        read(io, "t", "p1")


@pytest.mark.parametrize("value", [42, "rows", {"id": 1}, [{"id": 1}, 2], None])
def test_a_value_that_is_not_rows_is_a_resource_error(io: SqlTableIOManager, value) -> None:
    with pytest.raises(ResourceError, match=r"asset 'raw/x' returned .*list of dicts.*DataFrame"):
        write(io, "raw/x", value)


def test_unpartitioned_assets_may_have_a_partition_column(io: SqlTableIOManager) -> None:
    write(io, "t", [{PARTITION_COLUMN: "mine", "id": 1}])
    assert read(io, "t") == [{PARTITION_COLUMN: "mine", "id": 1}]


def test_the_partition_column_name_is_reserved(io: SqlTableIOManager) -> None:
    with pytest.raises(ResourceError, match=r"'daily' has columns \['_partition'\].*other than"):
        write(io, "daily", [{PARTITION_COLUMN: "x"}], partition="p1")


def test_column_names_must_be_strings(io: SqlTableIOManager) -> None:
    with pytest.raises(ResourceError, match=r"'t' has columns \['id', 1\].*string names"):
        write(io, "t", [{"id": 1, 1: "x"}])


def test_concurrent_writers_of_one_table_and_of_many(io: SqlTableIOManager) -> None:
    def job(i: int) -> None:
        write(io, "daily", [{"id": i, "v": f"x{i}"}], partition=f"p{i}")
        write(io, f"t{i % 3}", [{"id": i}])

    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(job, range(12)))

    assert [read(io, "daily", f"p{i}") for i in range(12)] == [
        [{"id": i, "v": f"x{i}"}] for i in range(12)]
    assert len(read(io, "t0")) == 1


def test_dataframe_in_and_dataframe_out(io: SqlTableIOManager) -> None:
    frame = pd.DataFrame({
        "id": [1, 2, 3],
        "price": [1.5, float("nan"), 3.0],
        "name": ["a", None, "c"],
        "flag": [True, False, True],
        "at": pd.to_datetime(["2024-01-01 10:00", None, "2024-01-03 00:00"]),
    })
    stored = write(io, "frames/sales", frame)

    assert stored.metadata == {"table": "frames__sales", "rows": 3}
    for annotation in ("pd.DataFrame", "pandas.DataFrame", pd.DataFrame, "pd.DataFrame | None"):
        loaded = read(io, "frames/sales", annotation=annotation)
        assert isinstance(loaded, pd.DataFrame)
        loaded = loaded.sort_values("id", ignore_index=True)
        assert list(loaded.columns) == ["id", "price", "name", "flag", "at"]
        assert loaded["id"].tolist() == [1, 2, 3]
        assert loaded["price"].tolist()[0::2] == [1.5, 3.0] and pd.isna(loaded["price"][1])
        assert loaded["name"].tolist()[0::2] == ["a", "c"] and pd.isna(loaded["name"][1])
        assert loaded["flag"].tolist() == [True, False, True]
        assert loaded["at"][0] == pd.Timestamp("2024-01-01 10:00") and pd.isna(loaded["at"][1])

    rows = by_id(read(io, "frames/sales"))  # no annotation: plain rows, NaN/NaT as None
    assert rows[1] == {"id": 2, "price": None, "name": None, "flag": False, "at": None}
    assert rows[0]["at"] == datetime(2024, 1, 1, 10, 0)


def test_dataframe_of_rows_and_empty_dataframe_keep_columns(io: SqlTableIOManager) -> None:
    write(io, "rows", [{"id": 1, "v": "a"}])
    assert read(io, "rows", annotation=pd.DataFrame).to_dict("records") == [{"id": 1, "v": "a"}]

    write(io, "empty", pd.DataFrame({"id": pd.Series([], dtype="int64"), "v": []}))
    loaded = read(io, "empty", annotation="DataFrame")
    assert list(loaded.columns) == ["id", "v"] and len(loaded) == 0
    columns = {c["name"]: c["type"] for c in sa.inspect(io.engine).get_columns("empty")}
    assert isinstance(columns["id"], sa.Integer)


def test_partitioned_dataframe_drops_the_partition_column(io: SqlTableIOManager) -> None:
    write(io, "daily", pd.DataFrame({"id": [1, 2]}), partition="p1")
    loaded = read(io, "daily", "p1", annotation=pd.DataFrame)
    assert list(loaded.columns) == ["id"] and sorted(loaded["id"]) == [1, 2]


def fail_on_insert(engine: sa.Engine) -> None:
    """Make every INSERT on ``engine`` fail, after the statements before it ran."""

    @sa.event.listens_for(engine, "before_cursor_execute")
    def _fail(conn, cursor, statement: str, *_args) -> None:
        if statement.lstrip().upper().startswith("INSERT"):
            raise RuntimeError("forced failure")


def test_failed_replace_keeps_the_previous_table(io: SqlTableIOManager) -> None:
    write(io, "t", [{"id": 1, "v": "a"}])
    fail_on_insert(io.engine)

    with pytest.raises(RuntimeError, match="forced failure"):  # after DELETE
        write(io, "t", [{"id": 2, "v": "b"}])
    with pytest.raises(RuntimeError, match="forced failure"):  # after DROP + CREATE
        write(io, "t", [{"id": 2, "other": 1}])
    assert read(io, "t") == [{"id": 1, "v": "a"}]
    assert [c["name"] for c in sa.inspect(io.engine).get_columns("t")] == ["id", "v"]


def test_failed_partition_write_keeps_the_previous_partition(io: SqlTableIOManager) -> None:
    write(io, "daily", [{"id": 1}], partition="p1")
    write(io, "daily", [{"id": 2}], partition="p2")
    fail_on_insert(io.engine)

    with pytest.raises(RuntimeError, match="forced failure"):  # after ALTER + DELETE
        write(io, "daily", [{"id": 3, "new": "x"}], partition="p1")
    assert read(io, "daily", "p1") == [{"id": 1}]
    assert read(io, "daily", "p2") == [{"id": 2}]
    assert [c["name"] for c in sa.inspect(io.engine).get_columns("daily")] == [
        PARTITION_COLUMN, "id"]


def test_a_database_error_is_a_resource_error_and_changes_nothing(io: SqlTableIOManager,
                                                                  ) -> None:
    with io.engine.begin() as conn:  # a table made by hand, with a constraint we do not know
        conn.execute(sa.text("CREATE TABLE daily (_partition TEXT, id BIGINT, req TEXT NOT NULL)"))
    write(io, "daily", [{"id": 1, "req": "x"}], partition="p1")

    with pytest.raises(ResourceError, match=r"cannot store asset 'daily' in table 'daily' of "
                                            r"(sqlite|postgresql).*nothing was changed"):
        write(io, "daily", [{"id": 2}], partition="p1")
    assert read(io, "daily", "p1") == [{"id": 1, "req": "x"}]


def test_values_that_are_not_json_are_refused_before_writing(io: SqlTableIOManager) -> None:
    write(io, "t", [{"id": 1, "other": "a"}])

    with pytest.raises(ResourceError, match=r"'t': column 'other' holds a value that is not JSON"):
        write(io, "t", [{"id": 2, "other": 1}, {"id": 3, "other": object()}])
    assert read(io, "t") == [{"id": 1, "other": "a"}]


def test_integers_beyond_64_bits_are_kept_as_json(io: SqlTableIOManager) -> None:
    write(io, "big", [{"id": 1, "n": 2**70}, {"id": 2, "n": -1}])
    assert by_id(read(io, "big")) == [{"id": 1, "n": 2**70}, {"id": 2, "n": -1}]


def test_failed_write_is_atomic_on_a_plain_sqlite_engine(tmp_path) -> None:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'plain.db'}")  # no BEGIN before DDL
    io = SqlTableIOManager(engine)
    write(io, "t", [{"id": 1}])

    with pytest.raises(ResourceError):
        write(io, "t", [{"id": 2, "x": 1}, {"id": 3, "x": object()}])
    assert read(io, "t") == [{"id": 1}]
    engine.dispose()


def test_engine_is_created_once_and_lazily(tmp_path) -> None:
    path = tmp_path / "sub" / "lazy.db"
    io = SqlTableIOManager(f"sqlite:///{path}")
    assert not path.exists()
    write(io, "t", [{"id": 1}])
    assert io.engine is io.engine and path.exists()
    io.dispose()


def test_sqlite_connections_wait_for_locks(tmp_path) -> None:
    io = SqlTableIOManager(f"sqlite:///{tmp_path / 'busy.db'}")
    with io.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() > 0
    io.dispose()


@pytest.mark.postgres
def test_plain_postgresql_url_uses_psycopg(fresh_postgres_url: str) -> None:
    io = SqlTableIOManager(fresh_postgres_url.replace("postgresql+psycopg://", "postgresql://"))
    write(io, "t", [{"id": 1, "at": datetime(2024, 1, 1, tzinfo=timezone.utc)}])

    assert io.engine.driver == "psycopg"
    assert read(io, "t") == [{"id": 1, "at": datetime(2024, 1, 1, tzinfo=timezone.utc)}]
    io.dispose()


@pytest.mark.postgres
def test_tables_go_to_the_given_schema(fresh_postgres_url: str) -> None:
    engine = sa.create_engine(fresh_postgres_url)
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE SCHEMA marts"))
    io = SqlTableIOManager(engine, schema="marts")

    assert write(io, "sales/daily", [{"id": 1}], partition="p1").metadata == {
        "table": "marts.sales__daily", "rows": 1}
    assert read(io, "sales/daily", "p1") == [{"id": 1}]
    assert sa.inspect(engine).has_table("sales__daily", schema="marts")
    assert not sa.inspect(engine).has_table("sales__daily")
    engine.dispose()


@pytest.mark.postgres
def test_postgres_url_fixture_is_a_live_database(postgres_url: str) -> None:
    engine = sa.create_engine(postgres_url)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT current_database()")).scalar() == "assetbridge_test"
    engine.dispose()


@pytest.mark.postgres
def test_rewrite_with_the_same_columns_keeps_views_on_the_table(fresh_postgres_url: str) -> None:
    io = SqlTableIOManager(fresh_postgres_url)
    write(io, "t", [{"id": 1}])
    with io.engine.begin() as conn:
        conn.execute(sa.text("CREATE VIEW t_view AS SELECT id * 10 AS tens FROM t"))

    write(io, "t", [{"id": 2}, {"id": 3}])
    with io.engine.connect() as conn:
        tens = conn.execute(sa.text("SELECT tens FROM t_view ORDER BY tens")).scalars()
        assert list(tens) == [20, 30]
    io.dispose()
