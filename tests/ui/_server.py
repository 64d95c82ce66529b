"""Start a real ``assetbridge ui`` process and a headless Chromium for the UI tests."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
QUICKSTART = REPO / "examples" / "quickstart" / "assets.py"
AWKWARD = Path(__file__).resolve().parent / "fixtures" / "awkward.py"
CHROMIUM = "/usr/bin/chromium"
#: flags that keep Debian's Chromium from reaching for the network (which hangs offline)
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


@contextmanager
def ui_server(targets: list[str], home: Path, *, timeout: float = 30.0) -> Iterator[str]:
    """Run ``assetbridge ui TARGET... --port 0`` in ``home``; yield its base URL."""
    home.mkdir(parents=True, exist_ok=True)
    log = home / "ui-server.log"
    env = {**os.environ, "ASSETBRIDGE_HOME": str(home), "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, "-c", "from bridge.cli import main; main()", "ui", "--port", "0",
               *targets]
    with log.open("w") as out:
        process = subprocess.Popen(command, cwd=REPO, env=env, stdout=out,
                                   stderr=subprocess.STDOUT)
    try:
        url = _wait_for_url(process, log, timeout)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_for_url(process: subprocess.Popen[bytes], log: Path, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"assetbridge ui exited {process.returncode}:\n{log.read_text()}")
        for line in log.read_text().splitlines():
            if line.startswith("serving on "):
                url = line.split()[2]
                with urllib.request.urlopen(url + "/static/app.css", timeout=5) as response:
                    assert response.status == 200
                return url
        time.sleep(0.05)
    raise RuntimeError(f"assetbridge ui did not start in {timeout} s:\n{log.read_text()}")


@contextmanager
def chromium() -> Iterator[Any]:
    """Debian's headless Chromium through Playwright (never a downloaded browser)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                             headless=True)
        try:
            yield browser
        finally:
            browser.close()
