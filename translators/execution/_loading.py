"""Loading DAG files live for execution, and the logical date of a run."""

from __future__ import annotations

import contextlib
import inspect
import sys
from collections.abc import Iterator, Sequence
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

from bridge.errors import TranslationError
from translators._airflow_env import airflow_available, load_dag_files
from translators.model import Diagnostic

__all__ = ["dag_folders", "load_dags", "on_sys_path", "parse_logical_date"]


def load_dags(paths: Sequence[str | Path], dag_id: str | None = None
              ) -> tuple[list[Any], tuple[Diagnostic, ...]]:
    """The DAGs in ``paths`` (one when ``dag_id`` is given) and the read diagnostics.

    Call inside ``translators._airflow_env.airflow_environment()``.

    Raises:
        TranslationError: Airflow is missing, nothing was found, or ``dag_id`` is unknown.
    """
    if not airflow_available():
        raise TranslationError("running Airflow DAGs in-process requires the airflow extra: "
                               "pip install 'assetbridge[airflow]'")
    loaded = _load(paths)
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
