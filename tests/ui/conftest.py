"""One live ``assetbridge ui`` (quickstart + awkward fixture assets) and one Chromium for
the whole session; each test gets a fresh browser page."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.ui._server import AWKWARD, QUICKSTART, chromium, ui_server


@pytest.fixture(scope="session")
def ui_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The ASSETBRIDGE_HOME of the session's UI server."""
    return tmp_path_factory.mktemp("ui") / "assetbridge-home"


@pytest.fixture(scope="session")
def ui_url(ui_home: Path) -> Iterator[str]:
    """Base URL of a real ``assetbridge ui`` process."""
    with ui_server([str(QUICKSTART), str(AWKWARD)], ui_home) as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless Debian Chromium."""
    with chromium() as launched:
        yield launched


@pytest.fixture
def page(browser: Any, ui_url: str) -> Iterator[Any]:
    """A new page (own cookies) whose relative URLs go to the UI; fails the test on any
    JavaScript error or alert dialog."""
    context = browser.new_context(base_url=ui_url, viewport={"width": 1280, "height": 800})
    opened = context.new_page()
    problems: list[str] = []
    opened.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    opened.on("dialog", lambda dialog: (problems.append(f"dialog: {dialog.message}"),
                                        dialog.dismiss()))
    opened.set_default_timeout(10_000)
    yield opened
    context.close()
    assert not problems, problems
