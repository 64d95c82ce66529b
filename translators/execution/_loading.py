"""Loading DAG files live for execution, and the logical date of a run."""

from __future__ import annotations

import contextlib
import hashlib
import inspect
import os
import sys
import threading
from collections.abc import Iterator, Sequence
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

from bridge.errors import TranslationError
from translators._airflow_env import airflow_available, load_dag_files
from translators.model import Diagnostic

__all__ = ["dag_folders", "load_dags", "on_sys_path", "parse_logical_date"]


def load_dags(paths: Sequence[str | Path], dag_id: str | None = None, *,
              reload: bool = False) -> tuple[list[Any], tuple[Diagnostic, ...]]:
    """The DAGs in ``paths`` (one when ``dag_id`` is given) and the read diagnostics.

    Call inside ``translators._airflow_env.airflow_environment()``. The DAG objects of
    files whose bytes have not changed since an earlier call in this process are reused,
    as a worker reuses a parsed DAG; ``reload`` imports the files again anyway (DAG files
    whose top-level code reads the clock or the environment, or a changed helper module
    next to a DAG file given on its own).

    Raises:
        TranslationError: Airflow is missing, nothing was found, or ``dag_id`` is unknown.
    """
    if not airflow_available():
        raise TranslationError("running Airflow DAGs in-process requires the airflow extra: "
                               "pip install 'assetbridge[airflow]'")
    stamp = _stamp(paths)
    with _LOCK:
        loaded = None if reload else _LOADED.get(stamp)
    if loaded is None:
        loaded = _load(paths)
        with _LOCK:
            _LOADED[stamp] = loaded
            while len(_LOADED) > _MAX_LOADED:
                _LOADED.pop(next(iter(_LOADED)))
    dags = sorted(loaded.dags, key=lambda dag: dag.dag_id)
    diagnostics = tuple(sorted(set(loaded.diagnostics), key=lambda d: d.sort_key()))
    if dag_id is not None:
        dags = [dag for dag in dags if dag.dag_id == dag_id]
    if not dags:
        problems = [f"{d.file}:{d.line or 0}: {d.message}" for d in diagnostics
                    if d.level == "error"]
        found = sorted(dag.dag_id for dag in loaded.dags)
        what = f"no DAG {dag_id!r}" if dag_id else "no DAG"
        hint = f"; DAGs found: {found}" if found else ""
        raise TranslationError(f"{what} in {[str(p) for p in paths]}{hint}"
                               + (f"; {problems[0]}" if problems else "")
                               + "; check the path and the dag_id")
    return dags, diagnostics


#: what earlier calls loaded, by the files' paths and bytes
_LOADED: dict[tuple[Any, ...], Any] = {}
_MAX_LOADED = 64
_LOCK = threading.Lock()


def _stamp(paths: Sequence[str | Path]) -> tuple[Any, ...]:
    """What a load of ``paths`` depends on: every file under them with a digest of its
    bytes (``.airflowignore`` files included)."""
    found: list[tuple[str, str]] = []
    for raw in paths:
        root = os.fspath(raw)
        if os.path.isdir(root):
            for folder, dirs, files in os.walk(root):
                dirs.sort()
                found.extend(_file_stamp(os.path.join(folder, name)) for name in sorted(files)
                             if name.endswith(".py") or name == ".airflowignore")
        else:
            found.append(_file_stamp(root))
    return (tuple(os.fspath(p) for p in paths), tuple(found))


def _file_stamp(path: str) -> tuple[str, str]:
    try:
        with open(path, "rb") as handle:
            digest = hashlib.blake2b(handle.read(), digest_size=16).hexdigest()
    except OSError:
        digest = "missing"
    return (os.path.abspath(path), digest)


def _load(paths: Sequence[str | Path]) -> Any:
    """``load_dag_files`` keeping the Airflow DAG objects themselves."""
    if "convert" in inspect.signature(load_dag_files).parameters:
        return load_dag_files(paths, convert=_same)  # type: ignore[call-arg]
    return load_dag_files(paths)  # type: ignore[call-arg]


def _same(dag: Any) -> Any:
    return dag


def dag_folders(paths: Sequence[str | Path]) -> list[Path]:
    """The folders DAG code imports from (a folder argument, or a file's folder)."""
    return [Path(p).resolve() if Path(p).is_dir() else Path(p).resolve().parent for p in paths]


@contextlib.contextmanager
def on_sys_path(folders: Sequence[Path]) -> Iterator[None]:
    """The DAG folders on ``sys.path`` for the whole run (task code may import lazily)."""
    added = [str(f) for f in dict.fromkeys(folders) if str(f) not in sys.path]
    sys.path.extend(added)
    try:
        yield
    finally:
        for entry in added:
            with contextlib.suppress(ValueError):
                sys.path.remove(entry)


def parse_logical_date(value: str | date | datetime | None) -> datetime | None:
    """A timezone-aware logical date (UTC when none is given), as Airflow uses them.

    Examples:
        >>> parse_logical_date("2026-01-01").isoformat()
        '2026-01-01T00:00:00+00:00'
        >>> parse_logical_date("2026-01-01T06:30:00+02:00").isoformat()
        '2026-01-01T06:30:00+02:00'
    """
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            raise TranslationError(f"logical date {value!r} is not an ISO date; use e.g. "
                                   "2026-01-01 or 2026-01-01T06:00:00+00:00") from None
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value
