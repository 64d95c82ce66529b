"""Choose a reader per file: Airflow's own (live) where a file imports, static elsewhere.

``mode="auto"`` (the default) reads everything through Airflow's ``DagBag`` when Airflow is
installed, then re-reads statically every file that failed there (an import error, or a DAG
Airflow rejected, such as a cycle). Each such file gets an info diagnostic
``reader-fallback`` saying why, and ``ReadResult.readers`` says which reader produced each
file. Without Airflow (or when it cannot start), every file is read statically, with the
same note.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Literal

from bridge.errors import TranslationError
from translators._airflow_env import airflow_available
from translators.live import read_live
from translators.model import DagInfo, Diagnostic, Level, ReadResult

__all__ = ["ReadMode", "read_dags"]

#: ``auto``: live where a file imports under Airflow, static otherwise
ReadMode = Literal["auto", "static", "live"]
#: live diagnostics that send a file to the static reader
_LIVE_FAILURES = frozenset({"import-error", "live-read-error"})
_NO_AIRFLOW = "Airflow is not installed (pip install 'assetbridge[airflow]' to read through it)"


def read_dags(paths: Sequence[str | Path], *, mode: ReadMode = "auto") -> ReadResult:
    """Read DAG files and folders into the IR with the static reader, the live one, or both.

    Args:
        paths: DAG files and folders.
        mode: ``static`` (parse only, no code runs), ``live`` (import through Airflow's
            ``DagBag``; needs the ``airflow`` extra) or ``auto``: live for files that import
            cleanly under Airflow, static for the others and when Airflow is missing.

    Returns:
        One result for all files; ``readers`` maps each file to ``"live"`` or ``"static"``.

    Raises:
        TranslationError: ``mode`` is unknown, or ``live`` without a working Airflow.
    """
    if mode == "static":
        return _read_static(paths)
    if mode == "live":
        return read_live(paths)
    if mode != "auto":
        raise TranslationError(f"unknown read mode {mode!r}; use 'auto', 'static' or 'live'")
    try:
        live = read_live(paths) if airflow_available() else None
    except TranslationError as error:  # installed, but Airflow cannot start here
        live, reason = None, str(error)
    else:
        reason = _NO_AIRFLOW
    if live is None:
        static = _read_static(paths)
        notes = [_fallback_note(file, reason) for file in sorted(static.readers)]
        return _result(static.dags, [*static.diagnostics, *notes], static.readers)
    failures: dict[str, Diagnostic] = {}
    for diagnostic in live.diagnostics:
        if diagnostic.code in _LIVE_FAILURES and diagnostic.file is not None:
            failures.setdefault(diagnostic.file, diagnostic)
    if not failures:
        return live
    static = _read_static(sorted(failures))
    notes = [
        _fallback_note(file, f"it failed under Airflow: {error.message}", line=error.line,
                       level="warning")
        for file, error in failures.items()
    ]
    return _result(
        [dag for dag in live.dags if dag.file not in failures] + list(static.dags),
        [d for d in live.diagnostics if d.file not in failures] + [*static.diagnostics, *notes],
        {**live.readers, **dict.fromkeys(failures, "static"), **static.readers},
    )


def _read_static(paths: Sequence[str | Path]) -> ReadResult:
    """The static reader (``translators.static``), with every file it read marked static."""
    static = importlib.import_module("translators.static")  # imported only when used
    read_static: Callable[[Sequence[str | Path]], ReadResult] = static.read_static
    result = read_static(paths)
    files = {dag.file for dag in result.dags} | set(result.readers)
    return result.model_copy(update={"readers": dict.fromkeys(sorted(files), "static")})


def _fallback_note(file: str, why: str, *, line: int | None = None,
                   level: Level = "info") -> Diagnostic:
    """Why a file was read statically: ``warning`` when Airflow itself cannot load it (it
    would be an import error in Airflow too), ``info`` when Airflow is missing here."""
    return Diagnostic(
        level=level,
        code="reader-fallback",
        file=file,
        line=line,
        message=f"read statically: {why}",
    )


def _result(
    dags: Sequence[DagInfo], diagnostics: Sequence[Diagnostic], readers: dict[str, str]
) -> ReadResult:
    return ReadResult(
        dags=tuple(sorted(dags, key=lambda dag: (dag.dag_id, dag.file))),
        diagnostics=tuple(sorted(set(diagnostics), key=Diagnostic.sort_key)),
        readers=dict(sorted(readers.items())),
    )
