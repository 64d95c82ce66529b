"""Airflow in this process: the environment a read needs, and loading files through DagBag.

Importing Airflow configures it once per process (``AIRFLOW_HOME``, a SQLite engine, a
stdout handler on the root logger, ``warnings.showwarning``). :func:`airflow_environment`
makes that harmless for a program that only *reads* DAG files:

- if the user has not configured Airflow (no ``AIRFLOW_HOME``/``AIRFLOW_CONFIG``, no
  ``~/airflow/airflow.cfg``), ``AIRFLOW_HOME`` is a private temporary directory (examples
  off, SQLite DB inside) instead of a new ``~/airflow``;
- unless ``AIRFLOW__LOGGING__LOGGING_LEVEL``/``..._LOGGING_CONFIG_CLASS`` is set, Airflow
  logs at CRITICAL only and the root logger and ``warnings.showwarning`` are restored;
- during the block stdout goes to stderr (DAG files that print cannot corrupt ``--json``)
  and the SIGSEGV/SIGALRM handlers Airflow's importer installs are restored afterwards.

An Airflow the host program imported itself is left alone. Not thread-safe (``os.environ``).

:func:`load_dag_files` imports with ``safe_mode=False`` (files that never say "airflow" or
"dag", such as DAG-factory callers, are read too), sorted, through one ``DagBag`` (duplicate
DAG ids across files are reported as Airflow reports them). A folder argument (a file's
directory) is on ``sys.path`` while read, as Airflow's DAGs folder is; modules imported from
it are dropped afterwards, so a re-read sees edits.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib.util
import logging
import os
import re
import shutil
import signal
import sys
import tempfile
import threading
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from bridge.errors import TranslationError
from translators.model import Diagnostic

__all__ = ["LoadedFiles", "airflow_available", "airflow_environment", "load_dag_files", "same_file"]

#: env vars naming the user's own Airflow setup; any of them means "configured by the user"
_USER_SETUP_VARS = ("AIRFLOW_HOME", "AIRFLOW_CONFIG")
#: env vars that mean the user chose Airflow's logging; then we do not quiet it
_USER_LOGGING_VARS = ("AIRFLOW__LOGGING__LOGGING_LEVEL", "AIRFLOW__LOGGING__LOGGING_CONFIG_CLASS")
#: for reads (unless the user set them): full tracebacks, so an error's DAG-file line is known
_READ_SETTINGS = {
    "AIRFLOW__CORE__DAGBAG_IMPORT_ERROR_TRACEBACKS": "True",
    "AIRFLOW__CORE__DAGBAG_IMPORT_ERROR_TRACEBACK_DEPTH": "50",
}
_home: str | None = None  #: this process's temporary AIRFLOW_HOME, made on first need
T = TypeVar("T")
_FRAME = re.compile(r'File "(?P<file>[^"]+)", line (?P<line>\d+)')
_WARNING = re.compile(r"^(.*?):(\d+|None): ([\w.]+): (.*)$", re.S)  # file:line: type: message
_TRACEBACK = "Traceback (most recent call last):"
_SIGNALS = [getattr(signal, name) for name in ("SIGSEGV", "SIGALRM") if hasattr(signal, name)]
#: directories never imported from a folder (besides hidden ones): installed code, caches
_SKIPPED_PARTS = ("site-packages", "dist-packages", "__pycache__", "node_modules")


@dataclass(frozen=True)
class LoadedFiles(Generic[T]):
    """What :func:`load_dag_files` found: converted DAGs, files read (in order), diagnostics."""

    dags: list[T]
    files: dict[str, None]
    diagnostics: list[Diagnostic]


def airflow_available() -> bool:
    """Whether Airflow can be imported (the ``airflow`` extra), found without importing it."""
    try:
        return importlib.util.find_spec("airflow") is not None
    except (ImportError, ValueError):
        return False


def _user_configured_airflow() -> bool:
    if any(os.environ.get(name) for name in _USER_SETUP_VARS):
        return True
    return (Path("~") / "airflow" / "airflow.cfg").expanduser().is_file()


def _temporary_home() -> str:
    global _home
    if _home is None:
        _home = tempfile.mkdtemp(prefix="assetbridge-airflow-")
        atexit.register(shutil.rmtree, _home, True)
    return _home


def _first_import_overrides(*, quiet: bool) -> dict[str, str]:
    overrides: dict[str, str] = {}
    if not _user_configured_airflow():
        home = _temporary_home()
        overrides |= {
            "AIRFLOW_HOME": home,
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__DAGS_FOLDER": str(Path(home) / "dags"),
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{Path(home) / 'airflow.db'}",
        }
    if quiet:
        overrides["AIRFLOW__LOGGING__LOGGING_LEVEL"] = "CRITICAL"
    return overrides


@contextlib.contextmanager
def _environ(overrides: dict[str, str]) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in overrides}
    os.environ.update(overrides)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _import_airflow(*, quiet: bool) -> None:
    """Import Airflow; when quiet, undo what its logging setup did to the host process."""
    root = logging.getLogger()
    handlers, level, showwarning = list(root.handlers), root.level, warnings.showwarning
    path = list(sys.path)
    import airflow.settings  # noqa: F401  (configures Airflow from the environment)

    if os.environ.get("AIRFLOW_HOME") == _home:  # our empty home's config/plugins folders
        sys.path[:] = path
    if quiet:
        root.handlers[:] = handlers
        root.setLevel(level)
        warnings.showwarning = showwarning


@contextlib.contextmanager
def _signal_handlers_restored() -> Iterator[None]:
    """Airflow's DAG importer installs SIGSEGV/SIGALRM handlers for good; put ours back."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    saved: dict[signal.Signals, Any] = {sig: signal.getsignal(sig) for sig in _SIGNALS}
    try:
        yield
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, signal.SIG_DFL if handler is None else handler)  # None: not Python's


@contextlib.contextmanager
def airflow_environment() -> Iterator[None]:
    """Run the block with Airflow imported, configured and quiet (see the module docstring).

    Raises:
        TranslationError: Airflow is installed but fails to import (broken install/config).
    """
    overrides = {k: v for k, v in _READ_SETTINGS.items() if k not in os.environ}
    first_import = "airflow" not in sys.modules
    quiet = not any(name in os.environ for name in _USER_LOGGING_VARS)
    if first_import:
        overrides |= _first_import_overrides(quiet=quiet)
    with _environ(overrides), _signal_handlers_restored():
        if first_import:
            try:
                _import_airflow(quiet=quiet)
            except Exception as error:
                message = f"Airflow is installed but failed to start: {error!r}; fix it or use"
                raise TranslationError(f"{message} the static reader") from error
        with contextlib.redirect_stdout(sys.stderr):
            yield


def load_dag_files(paths: Sequence[str | Path], convert: Callable[[Any], T]) -> LoadedFiles[T]:
    """Import DAG files and folders into one ``DagBag`` (inside :func:`airflow_environment`).

    Args:
        paths: files and folders; folders are walked by Airflow's own discovery
            (``.airflowignore`` honoured), minus hidden directories and installed packages.
        convert: applied to every Airflow DAG found; when it raises, that DAG is left out
            with a ``live-read-error`` diagnostic and the others are still converted.

    Returns:
        The converted DAGs, the files read (sorted per argument) and the diagnostics:
        ``not-found``, ``import-error`` (one per failing file), ``import-warning``.
    """
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=os.devnull, collect_dags=False, safe_mode=False, load_op_links=False)
    loaded: LoadedFiles[T] = LoadedFiles([], {}, [])
    for raw in paths:
        root = Path(raw)
        if not root.exists():
            loaded.diagnostics.append(Diagnostic(level="error", code="not-found", file=str(root),
                                                 message=f"{str(root)!r} does not exist"))
            continue
        with _importable_from(root if root.is_dir() else root.parent):
            for file in _dag_files(root):
                if file not in loaded.files:
                    loaded.files[file] = None
                    loaded.diagnostics.extend(_process(bag, file))
    loaded.diagnostics.extend(_import_error(file, text) for file, text in bag.import_errors.items())
    for dag in (dag for dag in bag.dags.values() if dag.fileloc in loaded.files):
        try:
            loaded.dags.append(convert(dag))
        except Exception as error:  # one DAG the reader cannot convert must not stop the rest
            loaded.diagnostics.append(Diagnostic(level="error", code="live-read-error",
                                                 file=dag.fileloc, dag_id=dag.dag_id,
                                                 message=f"cannot convert it: {error!r}"))
    return loaded


def _dag_files(root: Path) -> list[str]:
    """The files Airflow's own discovery finds under ``root``, minus installed code."""
    from airflow.dag_processing.importers.base import get_importer_registry

    found = [Path(f) for f in get_importer_registry().list_dag_files(str(root), safe_mode=False)]
    return sorted(str(f) for f in found if root.is_file() or not _skipped(f.relative_to(root)))


def _skipped(relative: Path) -> bool:
    folders = relative.parts[:-1]
    return any(part.startswith(".") or part in _SKIPPED_PARTS for part in folders)


def _process(bag: Any, file: str) -> list[Diagnostic]:
    """Import one file into ``bag``; its warnings become diagnostics, never output."""
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")  # the same warnings on every read, in any host
        bag.process_file(file, only_if_updated=False, safe_mode=False)
    return [_import_warning(file, text) for text in bag.captured_warnings.get(file, ())]


@contextlib.contextmanager
def _importable_from(folder: Path) -> Iterator[None]:
    """``folder`` on ``sys.path`` (appended, like Airflow's DAGs folder) during the block."""
    entry = str(folder.resolve())
    added = entry not in sys.path
    if added:
        sys.path.append(entry)
    before = set(sys.modules)
    try:
        yield
    finally:
        if added:
            sys.path.remove(entry)
        new = set(sys.modules) - before
        ours = {n for n in new if _inside(getattr(sys.modules[n], "__file__", None), entry)}
        for name in new:  # packages first imported by this read, from this folder
            if name.partition(".")[0] in ours:
                sys.modules.pop(name, None)


def _import_error(file: str, text: str) -> Diagnostic:
    """An ``import-error`` diagnostic from DagBag's traceback (or bare message) text."""
    line = None
    for frame in _FRAME.finditer(text):
        if same_file(frame["file"], file):
            line = int(frame["line"])
    return Diagnostic(level="error", code="import-error", file=file, line=line,
                      message=_last_exception(text))


def _last_exception(text: str) -> str:
    """The one-line ``Type: message`` of the last exception in a traceback text."""
    lines = text.strip().splitlines()
    if _TRACEBACK in lines:
        start = len(lines) - lines[::-1].index(_TRACEBACK)
        for line in lines[start:]:
            if line and not line[0].isspace():
                return line.strip()
    return next((line.strip() for line in lines if line.strip()), "the file failed to import")


def _import_warning(file: str, text: str) -> Diagnostic:
    """A ``{file}:{line}: {type}: {message}`` warning DagBag captured, as a diagnostic."""
    match = _WARNING.match(text)
    where, line, kind, message = match.groups() if match else (file, "None", "Warning", text)
    return Diagnostic(
        level="warning",
        code="import-warning",
        file=file,
        line=int(line) if line.isdigit() and same_file(where, file) else None,
        message=f"{kind.rpartition('.')[2]}: {(message.strip().splitlines() or [''])[0]}",
    )


def _inside(file: str | None, folder: str) -> bool:
    return file is not None and Path(file).resolve().is_relative_to(folder)


def same_file(a: str, b: str) -> bool:
    """Whether two path strings name the same file (no filesystem access)."""
    return os.path.abspath(a) == os.path.abspath(b)
