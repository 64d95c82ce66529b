"""Shared fixtures: fixture paths, stores and the real PostgreSQL server plugin."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["tests._postgres", "pytester"]

# fixture modules are data (some fail to import on purpose); benchmarks run on demand
collect_ignore_glob = ["*/fixtures/*", "fixtures/*", "benchmarks/*"]

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def repo_root() -> Path:
    """The repository root (examples/ and docs/ live there)."""
    return REPO


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own ASSETBRIDGE_HOME (and reader cache) so nothing leaks into
    ./.assetbridge or ~/.cache."""
    home = tmp_path / "assetbridge-home"
    monkeypatch.setenv("ASSETBRIDGE_HOME", str(home))
    monkeypatch.setenv("ASSETBRIDGE_CACHE_DIR", str(tmp_path / "assetbridge-cache"))
    return home
