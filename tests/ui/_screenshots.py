"""Make the README's screenshots with the real browser: ``python tests/ui/_screenshots.py``.

Starts ``assetbridge ui examples/quickstart/assets.py`` in a scratch home, materializes
everything from the launchpad, refreshes ``raw_orders`` with the CLI (so its downstream
turns stale), and saves ``docs/screenshots/graph.png`` and ``docs/screenshots/asset.png``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.ui._server import QUICKSTART, REPO, chromium, ui_server

OUT = REPO / "docs" / "screenshots"


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        target = str(QUICKSTART.relative_to(REPO))
        with ui_server([target], home) as url, chromium() as browser:
            page = browser.new_page(base_url=url, viewport={"width": 1280, "height": 640},
                                    device_scale_factor=1)
            page.goto("/launchpad")
            page.click("button[data-check=all]")
            page.fill('input[name="cfg|daily_revenue|currency"]', "EUR")
            page.click("button[type=submit]")
            page.wait_for_selector('#run-status[data-status="success"]')
            env = {**os.environ, "ASSETBRIDGE_HOME": str(home)}
            subprocess.run([sys.executable, "-c", "from bridge.cli import main; main()", "run",
                            target, "--select", "raw_orders"],
                           cwd=REPO, env=env, check=True, capture_output=True)
            page.goto("/")
            page.wait_for_selector('a.node[data-key="paid_orders"][data-status="stale"]')
            page.screenshot(path=str(OUT / "graph.png"))
            page.set_viewport_size({"width": 1280, "height": 900})
            page.goto("/assets/daily_revenue")
            page.screenshot(path=str(OUT / "asset.png"), full_page=True)
    print(f"wrote {OUT / 'graph.png'} and {OUT / 'asset.png'}")


if __name__ == "__main__":
    main()
