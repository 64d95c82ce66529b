"""SQL operators run against the SQLAlchemy resource named by their conn_id: the
production postgres_default becomes a SQLite file in the test."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from translators.execution import run_dags

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "exec"


def test_sql_operators_against_a_sqlite_file(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'warehouse.db'}"
    result = run_dags(FIXTURES / "sql_dag.py", logical_date="2026-01-02",
                      resources={"postgres_default": url})
    assert result.success, result.states()
    assert result.states() == dict.fromkeys(
        ["check", "create", "load", "total", "value_check"], "success")
    assert [tuple(row) for row in result.xcom("total")] == [("2026-01-02", 42)]
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT day, amount FROM orders")).all()
    engine.dispose()
    assert sorted(rows) == [("2026-01-02", 10), ("2026-01-02", 32)]


def test_an_engine_resource_and_a_second_logical_date(tmp_path: Path) -> None:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'warehouse.db'}")
    for day in ("2026-01-02", "2026-01-03", "2026-01-03"):
        result = run_dags(FIXTURES / "sql_dag.py", logical_date=day,
                          resources={"postgres_default": engine})
        assert result.success
    with engine.connect() as connection:
        days = connection.execute(sa.text("SELECT day, COUNT(*) FROM orders GROUP BY day "
                                          "ORDER BY day")).all()
    engine.dispose()
    assert days == [("2026-01-02", 2), ("2026-01-03", 2)]  # the rerun replaced its day


def test_a_failing_check_fails_the_task(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'warehouse.db'}"
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text("CREATE TABLE orders (day TEXT, amount INTEGER)"))
        connection.execute(sa.text("INSERT INTO orders VALUES ('2026-01-02', 1000)"))
    engine.dispose()
    result = run_dags(FIXTURES / "sql_dag.py", logical_date="2026-01-02",
                      resources={"postgres_default": url},
                      select="exec_sql/value_check")
    assert result.state("value_check") == "failed"


def test_without_a_resource_the_airflow_connection_is_used(tmp_path: Path,
                                                           monkeypatch) -> None:
    monkeypatch.delenv("AIRFLOW_CONN_POSTGRES_DEFAULT", raising=False)
    result = run_dags(FIXTURES / "sql_dag.py", logical_date="2026-01-02",
                      select="exec_sql/create")
    assert result.state("create") == "failed"
    assert "postgres_default" in (result.run.result_for("exec_sql/create").error or "")
