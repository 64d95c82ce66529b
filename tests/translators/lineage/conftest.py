"""Session fixtures for the lineage tests: real Airflow databases and API server."""

from __future__ import annotations

import pytest

from tests.translators.lineage._airflow_api import airflow_api, start_api_server
from tests.translators.lineage._airflow_dbs import (
    airflow2_sqlite,
    airflow3_postgres,
    airflow3_sqlite,
    start_postgres_build,
    start_sqlite_builds,
)

__all__ = ["airflow2_sqlite", "airflow3_postgres", "airflow3_sqlite", "airflow_api"]


@pytest.fixture(scope="session", autouse=True)
def _start_airflow_builds(request: pytest.FixtureRequest,
                          tmp_path_factory: pytest.TempPathFactory) -> None:
    """Start every Airflow build at once, so they overlap (the PostgreSQL one only when a
    selected test is marked ``postgres``, the API server only when a test uses it)."""
    start_sqlite_builds(tmp_path_factory)
    items = request.session.items
    if any("airflow_api" in getattr(item, "fixturenames", ()) for item in items):
        start_api_server(tmp_path_factory)
    if any(item.get_closest_marker("postgres") for item in items):
        start_postgres_build(tmp_path_factory, request.getfixturevalue("postgres_server"))
