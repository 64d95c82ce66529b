"""Loading targets: the assets defined in a Python file, a folder of files, or a module."""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import re
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from bridge._asset import Asset
from bridge.errors import TargetLoadError

__all__ = ["LoadedTarget", "is_dag_target", "load_target"]

#: source text that marks an Airflow DAG file (read as text, never imported)
_AIRFLOW_SOURCE = re.compile(r"^\s*(from|import)\s+airflow\b|\bDAG\s*\(|@dag\b", re.M)


@dataclass(frozen=True, slots=True)
class LoadedTarget:
    """The assets found in a target, and the files they came from."""

    label: str
    assets: list[Asset]
    files: list[Path]


def load_target(target: str) -> LoadedTarget:
    """Import ``target`` (``path/to/assets.py``, a folder, or ``package.module``) and collect
    every asset it defines at module level (also inside module-level lists and tuples).

    Raises:
        TargetLoadError: the target does not exist or fails to import (with file:line).
    """
    path = Path(target)
    if path.suffix == ".py" or path.exists():
        if not path.exists():
            raise TargetLoadError(f"{target}: no such file or folder")
        files = sorted(p for p in path.rglob("*.py")) if path.is_dir() else [path]
        modules = [_import_file(file) for file in files]
    else:
        modules = [_import_module(target)]
        files = [Path(modules[0].__file__)] if modules[0].__file__ else []
    assets: list[Asset] = []
    seen: set[int] = set()
    for module in modules:
        for found in _assets_in(module):
            if id(found) not in seen:
                seen.add(id(found))
                assets.append(found)
    if not assets:
        raise TargetLoadError(f"{target}: defines no assets; decorate functions with @asset")
    return LoadedTarget(target, assets, files)


def _assets_in(module: ModuleType) -> list[Asset]:
    found: list[Asset] = []
    for value in list(vars(module).values()):
        if isinstance(value, Asset):
            found.append(value)
        elif isinstance(value, (list, tuple)):
            found.extend(item for item in value if isinstance(item, Asset))
    return found


def _import_file(path: Path) -> ModuleType:
    resolved = path.resolve()
    digest = hashlib.sha256(str(resolved).encode()).hexdigest()[:8]
    name = f"assetbridge_target_{resolved.stem}_{digest}"
    if name in sys.modules:
        return sys.modules[name]
    folder = str(resolved.parent)
    if folder not in sys.path:
        sys.path.insert(0, folder)
    spec = importlib.util.spec_from_file_location(name, resolved)
    if spec is None or spec.loader is None:
        raise TargetLoadError(f"{path}: cannot be imported as a Python file")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        del sys.modules[name]
        raise TargetLoadError(_describe(path, resolved, exc)) from exc
    return module


def _import_module(name: str) -> ModuleType:
    if "" not in sys.path and "." not in sys.path:
        sys.path.insert(0, "")
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name and name.startswith(exc.name):
            raise TargetLoadError(f"{name}: no such file, folder or module") from exc
        raise TargetLoadError(f"{name}: cannot import: {type(exc).__name__}: {exc}") from exc
    except Exception as exc:
        origin = Path(getattr(exc, "filename", None) or name)
        raise TargetLoadError(_describe(Path(name), origin, exc)) from exc


def _describe(shown: Path, resolved: Path, exc: Exception) -> str:
    line = None
    if isinstance(exc, SyntaxError) and exc.lineno:
        line = exc.lineno
    else:
        for frame in reversed(traceback.extract_tb(exc.__traceback__)):
            if Path(frame.filename).resolve() == resolved:
                line = frame.lineno
                break
    where = f"{shown}:{line}" if line else str(shown)
    message = exc.msg if isinstance(exc, SyntaxError) else str(exc)
    return f"{where}: cannot import: {type(exc).__name__}: {message}"


def is_dag_target(target: str) -> bool:
    """A .py file or folder whose source imports Airflow or defines a DAG (read as text,
    never imported)."""
    path = Path(target)
    if path.is_file():
        return path.suffix == ".py" and _mentions_airflow(path)
    if path.is_dir():
        return any(_mentions_airflow(file) for file in sorted(path.rglob("*.py"))
                   if not any(part.startswith(".") or part in ("site-packages", "__pycache__")
                              for part in file.relative_to(path).parts[:-1]))
    return False


def _mentions_airflow(path: Path) -> bool:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return _AIRFLOW_SOURCE.search(text) is not None
