"""A graph of 2,000 assets in the browser: drawn without labels, labelled where you zoom."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.benchmarks._ui_project import write_project
from tests.ui._server import ui_server

N = 2_000


@pytest.fixture(scope="module")
def big_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("big")
    module = write_project(folder, N)
    with ui_server([str(module)], folder / "home") as url:
        yield url


def test_a_big_graph_is_searchable_and_labelled_where_zoomed(browser: Any,
                                                             big_url: str) -> None:
    page = browser.new_page(base_url=big_url, viewport={"width": 1280, "height": 800})
    try:
        page.goto("/")
        page.wait_for_selector('svg#graph[data-ready="true"]', state="attached")
        assert page.locator("a.node").count() == N
        assert page.locator("a.node text").count() == 0  # too small to read: no labels yet
        assert page.locator("text.band-label").count() == N // 100
        page.fill("#graph-search", "a1999")
        page.press("#graph-search", "Enter")
        label = page.locator('a.node[data-key="a1999"] text')
        label.wait_for()
        assert label.text_content() == "a1999"
        labelled = page.locator("a.node text").count()
        assert 0 < labelled < N // 10  # only the nodes in view
        page.locator('a.node[data-key="a1999"]').click()
        page.wait_for_url("**/assets/a1999")
        assert page.locator("h1").text_content() == "a1999"
    finally:
        page.close()


def test_the_page_is_one_request_of_about_a_megabyte_or_less(big_url: str) -> None:
    import urllib.request

    with urllib.request.urlopen(big_url + "/") as response:
        size = len(response.read())
    assert size < N * 300  # bytes per asset, edges included


