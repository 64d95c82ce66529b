"""REST API v2 import against a real Airflow 3 API server on 127.0.0.1 (token from
``POST /auth/token``): same catalog and history as importing its database directly; paging;
retries through a real local HTTP proxy that answers 503/429 first."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import httpx
import pytest

from bridge.storage import SqlStore, Store
from tests.translators.lineage._airflow_api import AirflowApi
from tests.translators.lineage._airflow_dbs import AirflowDb
from translators.lineage import (
    AirflowApiClient,
    LineageImportError,
    import_airflow_api,
    import_airflow_db,
)

pytestmark = pytest.mark.airflow


def store_at(tmp_path: Path, name: str) -> SqlStore:
    return SqlStore(f"sqlite:///{tmp_path / name}")


def facts(store: Store) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    catalog = [(a.key, a.group, a.deps, a.dag_id, a.task_id) for a in store.catalog()]
    events = sorted((e.asset_key, e.kind.value, e.run_id, e.partition, round(e.timestamp, 3),
                     e.error, e.source) for a in store.catalog()
                    for e in store.history(a.key, 1000))
    return catalog, events


def test_the_api_import_matches_the_database_import(airflow_api: AirflowApi,
                                                    airflow3_sqlite: AirflowDb,
                                                    tmp_path: Path) -> None:
    via_api, via_db = store_at(tmp_path, "api.db"), store_at(tmp_path, "db.db")
    api = AirflowApiClient(airflow_api.url, airflow_api.token, page_size=2)
    try:
        result = import_airflow_api(airflow_api.url, via_api, client=api)
        import_airflow_db(airflow3_sqlite.target, via_db)
        assert facts(via_api) == facts(via_db)
        assert result.events_added == len(facts(via_db)[1]) > 10
        assert result.batches > 4  # two items a page: many pages, one transaction each
        again = import_airflow_api(airflow_api.url, via_api, client=api)
        assert (again.events_added, again.assets_added, again.assets_updated) == (0, 0, 0)
        assert facts(via_api) == facts(via_db)
    finally:
        api.close()
        via_api.close()
        via_db.close()


class _FlakyProxy(http.server.BaseHTTPRequestHandler):
    """Forwards GETs to Airflow, after answering the first ones 503 / 429."""

    upstream: ClassVar[str] = ""
    failures: ClassVar[list[int]] = []
    seen: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        type(self).seen.append(self.path)
        if type(self).failures:
            status = type(self).failures.pop(0)
            self.send_response(status)
            self.send_header("Retry-After", "0")
            self.end_headers()
            return
        answer = httpx.get(self.upstream + self.path, timeout=30, headers={
            "Authorization": self.headers.get("Authorization", "")})
        body = answer.content
        self.send_response(answer.status_code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""


@pytest.fixture
def flaky_proxy(airflow_api: AirflowApi) -> Iterator[type[_FlakyProxy]]:
    handler = type("Proxy", (_FlakyProxy,), {"upstream": airflow_api.url,
                                             "failures": [503, 429, 502], "seen": []})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    handler.url = f"http://127.0.0.1:{server.server_address[1]}"  # type: ignore[attr-defined]
    yield handler
    server.shutdown()
    server.server_close()


def test_transient_errors_are_retried(flaky_proxy: type[_FlakyProxy], airflow_api: AirflowApi,
                                      tmp_path: Path) -> None:
    url = flaky_proxy.url  # type: ignore[attr-defined]
    store = store_at(tmp_path, "runs.db")
    api = AirflowApiClient(url, airflow_api.token, backoff=0.01)
    try:
        result = import_airflow_api(url, store, client=api)
    finally:
        api.close()
        store.close()
    assert result.events_added > 10
    assert flaky_proxy.seen[:4] == [flaky_proxy.seen[0]] * 4  # one request, tried four times
    assert api.requests == len(flaky_proxy.seen)


def test_a_rejected_token_and_an_unreachable_server(airflow_api: AirflowApi,
                                                    tmp_path: Path) -> None:
    store = store_at(tmp_path, "runs.db")
    try:
        with pytest.raises(LineageImportError,
                           match=r"40[13] (Unauthorized|Forbidden); pass a valid --token"):
            import_airflow_api(airflow_api.url, store, token="not-a-token")
        dead = AirflowApiClient("http://127.0.0.1:9", retries=1, backoff=0.01)
        with pytest.raises(LineageImportError, match=r"127\.0\.0\.1:9 unreachable"):
            import_airflow_api("http://127.0.0.1:9", store, client=dead)
        assert dead.requests == 2
        assert store.catalog() == []
    finally:
        store.close()
