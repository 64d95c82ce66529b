"""The local web UI (``assetbridge ui``): asset graph, asset pages, runs, backfills and a
launchpad, served by Starlette over the same store the CLI uses.

Needs the ``ui`` extra (``pip install assetbridge[ui]``).
"""

from __future__ import annotations

from bridge.ui._app import create_app
from bridge.ui._project import UiProject, load_project

__all__ = ["UiProject", "create_app", "load_project"]
