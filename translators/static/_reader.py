"""Files in, :class:`ReadResult` out: walk folders, read each file on its own, sort."""

from __future__ import annotations

import ast
import contextlib
import gc
import os
from collections.abc import Iterable, Iterator, Sequence
from importlib.util import decode_source
from pathlib import Path

from translators.model import DagInfo, Diagnostic, ReadResult
from translators.static import _dags, _output
from translators.static._cache import ReadCache, default_cache
from translators.static._interp import Interpreter
from translators.static._source import Reporter, SourceFile

_SKIPPED_DIRS = frozenset({"__pycache__", "node_modules", "site-packages"})


def read_static(paths: Sequence[str | Path], *, cache: bool = True) -> ReadResult:
    """Read Airflow DAG files without importing or executing them.

    Args:
        paths: DAG files and folders (folders are walked recursively for ``*.py``).
        cache: reuse what an earlier read found in a file with the same bytes (see
            ``translators.static._cache``; ``ASSETBRIDGE_NO_CACHE=1`` also turns it off).

    Returns:
        The DAGs found (sorted by file, then dag_id) and per-file diagnostics (sorted by
        file, line, code). A file that cannot be read or parsed yields diagnostics only;
        the other files are still read.
    """
    dags: list[DagInfo] = []
    diagnostics: list[Diagnostic] = []
    readers: dict[str, str] = {}
    store = default_cache() if cache else None
    with _no_gc_pauses():
        for file in collect_files(paths, diagnostics):
            file_dags, file_diagnostics = read_file(file, store)
            dags.extend(file_dags)
            diagnostics.extend(file_diagnostics)
            readers[file] = "static"
    dags.sort(key=lambda d: (d.file, d.dag_id))
    diagnostics.sort(key=lambda d: d.sort_key())
    return ReadResult(dags=tuple(dags), diagnostics=tuple(diagnostics), readers=readers)


@contextlib.contextmanager
def _no_gc_pauses() -> Iterator[None]:
    """Pause the cyclic garbage collector while reading (restored afterwards).

    Parsing and reading allocate millions of small, long-lived objects; the collector's
    repeated passes over them would double the time to read a large file.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def collect_files(paths: Iterable[str | Path], diagnostics: list[Diagnostic]) -> list[str]:
    """The ``.py`` files under ``paths``, each once, in a stable order."""
    found: dict[str, None] = {}
    for path in paths:
        text = os.fspath(path)
        if os.path.isdir(text):
            for root, dirs, files in os.walk(text):
                dirs[:] = sorted(d for d in dirs if d not in _SKIPPED_DIRS
                                 and not d.startswith("."))
                for name in sorted(files):
                    if name.endswith(".py"):
                        found[os.path.join(root, name)] = None
        elif os.path.isfile(text):
            found[text] = None
        else:
            diagnostics.append(Diagnostic(level="error", code="file-not-found",
                                          message=f"{text!r} is neither a file nor a folder",
                                          file=text))
    return sorted(found)


def read_file(file: str, cache: ReadCache | None = None
              ) -> tuple[list[DagInfo], list[Diagnostic]]:
    """Read one DAG file (through ``cache`` when given); never raises."""
    try:
        data = Path(file).read_bytes()
    except OSError as error:
        return [], [Diagnostic(level="error", code="unreadable-file", file=file,
                               message=f"cannot read the file: {error}")]
    if cache is None:
        return _read_source(file, data)
    found = cache.get(file, data)
    if found is None:
        found = _read_source(file, data)
        cache.put(file, data, found)
    return found


def _read_source(file: str, data: bytes) -> tuple[list[DagInfo], list[Diagnostic]]:
    reporter = Reporter(file)
    try:
        text = decode_source(data)
    except (UnicodeDecodeError, SyntaxError) as error:
        reporter.add("error", "unreadable-file", f"cannot read the file: {error}", None)
        return [], reporter.diagnostics
    try:
        tree = ast.parse(text, filename=file)
    except SyntaxError as error:
        reporter.add("error", "syntax-error", f"{error.msg}; no DAG in this file is read",
                     error.lineno)
        return [], reporter.diagnostics
    except (ValueError, RecursionError, MemoryError) as error:
        reporter.add("error", "syntax-error", f"cannot parse the file: {error}", None)
        return [], reporter.diagnostics
    try:
        dags = read_tree(tree, SourceFile(file, text), reporter)
    except Exception as error:  # a reader bug: report it, never stop the batch
        reporter.add("error", "internal-error", f"the static reader failed on this file "
                     f"({type(error).__name__}: {error})", None)
        return [], reporter.diagnostics
    return dags, reporter.diagnostics


def read_tree(tree: ast.Module, source: SourceFile, reporter: Reporter) -> list[DagInfo]:
    """Interpret a parsed module and return the DAGs Airflow would collect from it."""
    interp = Interpreter(source, reporter, Path(source.path).stem)
    interp.run(tree)
    _dags.register_module_dags(interp)
    dags = _dags.registered_dags(interp)
    for task in interp.orphans:
        if not task.ghost:
            interp.warn("task-without-dag", f"task {task.task_id!r} is not in any DAG the reader"
                        " found (no DAG context, dag= argument or dependency on a DAG's task)",
                        task.line, task_id=task.task_id)
    if not dags and not reporter.diagnostics and _imports_airflow(tree):
        interp.warn("no-dag-found", "the file imports Airflow but the reader found no DAG in it"
                    " (a helper module, or DAGs built by code outside this file)", 1,
                    level="info")
    infos = []
    for dag in dags:
        _output.check_cycles(interp, dag)
        infos.append(_output.dag_info(dag, source.path))
    return infos


def _imports_airflow(tree: ast.Module) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import) and any(
            a.name.split(".")[0] == "airflow" for a in node.names
        ):
            return True
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "airflow":
            return True
    return False
