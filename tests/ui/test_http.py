"""The UI's HTTP surface without a browser: CSRF, hosts, paths, headers, bad requests."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bridge.storage import SqlStore


@pytest.fixture
def client(ui_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=ui_url, timeout=10) as opened:
        yield opened


def _token(client: httpx.Client) -> str:
    page = client.get("/launchpad")
    assert page.status_code == 200
    found = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page.text)
    assert found is not None
    return found.group(1)


def _run_count(home: Path) -> int:
    store = SqlStore(f"sqlite:///{home / 'runs.db'}")
    try:
        return len(store.list_runs(10_000))
    finally:
        store.close()


def test_launch_needs_the_csrf_token_of_its_cookie(client: httpx.Client, ui_url: str,
                                                   ui_home: Path) -> None:
    token = _token(client)
    before = _run_count(ui_home)
    form = {"source": "0", "key": "raw_orders"}
    assert client.post("/launch", data=form).status_code == 403  # no token
    assert client.post("/launch", data={**form, "csrf_token": "0" * 64}).status_code == 403
    with httpx.Client(base_url=ui_url) as stranger:  # a token without its cookie
        assert stranger.post("/launch", data={**form, "csrf_token": token}).status_code == 403
    foreign = client.post("/launch", data={**form, "csrf_token": token},
                          headers={"origin": "https://evil.example"})
    assert foreign.status_code == 403
    assert _run_count(ui_home) == before
    accepted = client.post("/launch", data={**form, "csrf_token": token})
    assert accepted.status_code == 303
    assert re.fullmatch(r"/runs/[0-9a-f]{12}", accepted.headers["location"])


def test_bad_launch_requests_are_explained_and_start_nothing(client: httpx.Client,
                                                             ui_home: Path) -> None:
    token = _token(client)
    before = _run_count(ui_home)
    cases = {
        "nothing selected": {"source": "0"},
        "no asset 'nope'": {"source": "0", "key": "nope"},
        "field min_amount": {"source": "0", "key": "daily_revenue",
                             "cfg|daily_revenue|min_amount": "lots"},
        "unknown target": {"source": "7", "key": "raw_orders"},
    }
    for message, form in cases.items():
        response = client.post("/launch", data={**form, "csrf_token": token})
        assert response.status_code == 400, message
        assert message in html.unescape(response.text)
    assert _run_count(ui_home) == before


def test_only_loopback_hosts_are_served(client: httpx.Client) -> None:
    assert client.get("/", headers={"host": "attacker.example"}).status_code == 400
    assert client.get("/", headers={"host": "localhost"}).status_code == 200


@pytest.mark.parametrize("path", [
    "/static/../_app.py", "/static/%2e%2e/_app.py", "/static/..%2f_app.py",
    "/static/%2e%2e/%2e%2e/pyproject.toml", "/assets/..%2f..%2fpyproject.toml",
    "/assets/%2fetc%2fpasswd", "/runs/..%2f..%2fpyproject.toml",
])
def test_no_request_path_reaches_the_filesystem(client: httpx.Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert "from __future__" not in response.text and "[project]" not in response.text


def test_pages_forbid_inline_scripts_and_framing(client: httpx.Client) -> None:
    response = client.get("/")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert response.headers["x-content-type-options"] == "nosniff"
    assert client.get("/static/graph.js").headers["content-type"].startswith("text/javascript")


def test_status_feed_matches_the_cli(client: httpx.Client, ui_home: Path) -> None:
    from bridge._status import asset_statuses
    from tests.ui._server import QUICKSTART
    from tests.ui.test_browser import _graph

    fed = client.get("/api/statuses").json()["assets"]
    store = SqlStore(f"sqlite:///{ui_home / 'runs.db'}")
    try:
        reports = asset_statuses(_graph(QUICKSTART), store)
    finally:
        store.close()
    assert {str(k): r.status.value for k, r in reports.items()}.items() <= fed.items()
