"""What every CLI command needs: the target's asset graph, the store, resources, config."""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bridge._graph import AssetGraph
from bridge._loading import LoadedTarget, load_target
from bridge._project import Project, find_project, open_resources
from bridge.errors import ConfigError
from bridge.io import FilesystemIOManager
from bridge.storage import SqlStore, Store

__all__ = ["Session", "home_dir", "open_session", "parse_config"]


def home_dir() -> Path:
    """The project state folder: ``$ASSETBRIDGE_HOME`` or ``./.assetbridge``."""
    return Path(os.environ.get("ASSETBRIDGE_HOME", ".assetbridge"))


@dataclass
class Session:
    """A loaded target with its store and project."""

    target: LoadedTarget
    graph: AssetGraph
    store: Store
    project: Project

    @contextlib.contextmanager
    def resources(self, env: str | None) -> Iterator[dict[str, Any]]:
        """The environment's resources, with a filesystem I/O manager under the home folder
        unless the environment provides ``io_manager``."""
        with open_resources(self.project, env) as built:
            built.setdefault("io_manager", FilesystemIOManager(home_dir() / "storage"))
            yield built


def open_store_url(store_url: str | None) -> SqlStore:
    """The SQL store at ``store_url`` or the default SQLite file under the home folder."""
    return SqlStore(store_url or f"sqlite:///{home_dir() / 'runs.db'}")


@contextlib.contextmanager
def open_session(target: str, store_url: str | None) -> Iterator[Session]:
    """Load ``target`` and open the store; close the store afterwards."""
    loaded = load_target(target)
    graph = AssetGraph.from_assets(loaded.assets)
    start = Path(target) if Path(target).is_dir() else Path(target).parent
    project = find_project(start if start.exists() else Path.cwd())
    store = open_store_url(store_url)
    try:
        yield Session(loaded, graph, store, project)
    finally:
        store.close()


def parse_config(value: str | None) -> dict[str, Any]:
    """``--config``: inline JSON, or a JSON / YAML / TOML file, keyed by asset key."""
    if not value:
        return {}
    text, source = value, "--config"
    if not value.lstrip().startswith("{"):
        path = Path(value)
        if not path.is_file():
            raise ConfigError(f"--config {value!r} is neither inline JSON nor an existing file")
        text, source = path.read_text(), str(path)
    try:
        if source.endswith((".yaml", ".yml")):
            import yaml

            data = yaml.safe_load(text)
        elif source.endswith(".toml"):
            if sys.version_info >= (3, 11):
                import tomllib
            else:  # pragma: no cover
                import tomli as tomllib
            data = tomllib.loads(text)
        else:
            data = json.loads(text)
    except Exception as exc:
        raise ConfigError(f"{source}: cannot parse config: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: config must map asset keys to their config objects")
    return data
