"""Load the asset modules under tests/bridge/fixtures/ as real, fresh modules."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

FIXTURES = Path(__file__).parent / "fixtures"


def load_fixture(name: str) -> ModuleType:
    """Import ``fixtures/<name>.py`` afresh, as a real module."""
    path = FIXTURES / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"bridge_fixtures_{name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module
