"""Apply commands to files and folders: results as values, atomic writes, many processes.

The runner never raises for a bad file: a file that cannot be read, parsed, transformed or
written becomes a ``FAILED`` :class:`FileResult` with the reason, and the batch goes on. It
never writes a result that does not compile, and it writes through a temporary file in the
same folder plus :func:`os.replace`, so a failure leaves the original untouched.
"""

from __future__ import annotations

import ast
import contextlib
import difflib
import functools
import gc
import io
import multiprocessing
import os
import stat
import tempfile
import tokenize
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing.context import BaseContext
from pathlib import Path
from typing import Any

import libcst as cst
from libcst.codemod import CodemodContext, SkipFile

from bridge.errors import CodemodSkip
from codemods._dag_to_assets_files import companion_diff, companion_problem, write_companions
from codemods._render import render
from codemods._types import FileResult, FileStatus, Mode, Report
from codemods.base import BridgeCommand
from codemods.commands import get_command

__all__ = ["RunSummary", "Transformed", "collect_files", "expand_includes", "process_file",
           "run_codemods", "transform_source", "write_atomic"]

_SKIPPED_DIRS = frozenset({"__pycache__", "node_modules", "site-packages"})


@dataclass(frozen=True, slots=True)
class Transformed:
    """The result of running commands over one module's source."""

    code: str
    reports: tuple[Report, ...] = ()
    #: ``"<command>: <reason>"`` for each command that declined the file
    skipped: tuple[str, ...] = ()
    #: the source encoding (from the coding cookie or BOM; utf-8 by default)
    encoding: str = "utf-8"
    #: files to create next to this one, ``(file name, source)`` (``dag-to-assets``)
    companions: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class RunSummary:
    """Per-file results of a run (sorted by path) and their counts."""

    results: tuple[FileResult, ...]

    def count(self, status: FileStatus) -> int:
        """How many files ended with ``status``."""
        return sum(1 for r in self.results if r.status is status)

    def to_json(self) -> dict[str, Any]:
        """``{"files": [...], "summary": {"changed": n, ...}}``."""
        return {"files": [r.to_json() for r in self.results],
                "summary": {s.value: self.count(s) for s in FileStatus}}


def transform_source(source: str | bytes, commands: Sequence[type[BridgeCommand]], *,
                     filename: str = "<string>") -> Transformed:
    """Run ``commands`` in order over one module's source (pure: nothing is written).

    A command's :attr:`~BridgeCommand.INCLUDES` run before it unless they ran already
    (:func:`expand_includes`); a command whose :meth:`~BridgeCommand.wants` is false for the
    source is not run, and a source no command wants is not parsed.

    Raises:
        libcst.ParserSyntaxError: ``source`` does not parse (``SyntaxError`` when no
            command wants it).

    Examples:
        >>> from codemods.commands import get_command
        >>> out = transform_source("from airflow.operators.dummy import DummyOperator\\n",
        ...                        [get_command("airflow3")])
        >>> out.code
        'from airflow.providers.standard.operators.empty import EmptyOperator\\n'
    """
    chain = expand_includes(commands)
    decoded = _decode(source)
    if decoded is not None:
        text, encoding = decoded
        chain = [c for c in chain if c.wants(text)]
        if not chain:  # nothing to do: only check the syntax, at a fraction of a parse
            compile(text, filename, "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
            return Transformed(code=text, encoding=encoding)
    # parse the text decoded above (LibCST would detect the encoding and decode it again)
    tree = cst.parse_module(source) if decoded is None else \
        cst.parse_module(decoded[0], _parser_config(decoded[1]))
    reports: list[Report] = []
    skipped: list[str] = []
    companions: list[tuple[str, str]] = []
    original = tree
    for command_class in chain:
        command = command_class(CodemodContext(filename=filename))
        command.original, command.source = original, decoded[0] if decoded else None
        try:
            tree = command.transform_module(tree)
        except (SkipFile, CodemodSkip) as skip:
            skipped.append(f"{command_class.NAME}: {skip or 'declined'}")
            continue
        reports.extend(command.reports)
        companions += getattr(command, "companions", ())
    return Transformed(code=render(tree), reports=tuple(reports), skipped=tuple(skipped),
                       companions=tuple(companions),
                       encoding=tree.encoding)


def expand_includes(commands: Sequence[type[BridgeCommand]]) -> list[type[BridgeCommand]]:
    """``commands`` with each one's :attr:`~BridgeCommand.INCLUDES` first, each command once.

    Examples:
        >>> from codemods.commands import get_command
        >>> [c.NAME for c in expand_includes([get_command("airflow3")])]
        ['kpo-modernize', 'airflow3']
    """
    chain: list[type[BridgeCommand]] = []
    for command in commands:
        chain += [c for c in (*expand_includes(command.INCLUDES), command) if c not in chain]
    return chain


@functools.cache
def _parser_config(encoding: str) -> cst.PartialParserConfig:
    return cst.PartialParserConfig(encoding=encoding)


def _decode(source: str | bytes) -> tuple[str, str] | None:
    """``(text, encoding)`` of ``source`` (PEP 263 cookie or BOM), None if undecodable."""
    if isinstance(source, str):
        return source, "utf-8"
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(source).readline)
        return source.decode(encoding), encoding
    except (SyntaxError, UnicodeDecodeError, LookupError):
        return None


def collect_files(paths: Iterable[str | Path]) -> list[Path]:
    """The ``*.py`` files under ``paths`` (sorted; hidden and vendored folders skipped).

    A path that does not exist is returned as is; :func:`process_file` reports it.
    """
    found: set[Path] = set()
    for raw in paths:
        path = Path(raw)
        if not path.is_dir():
            found.add(path)
            continue
        for file in path.rglob("*.py"):
            parts = file.relative_to(path).parts[:-1]
            if not any(p.startswith(".") or p in _SKIPPED_DIRS for p in parts):
                found.add(file)
    return sorted(found)


def process_file(path: str | Path, command_names: Sequence[str], mode: Mode) -> FileResult:
    """Run the named commands over one file; never raises (failures are results)."""
    with _cyclic_gc_paused():
        return _process_file(path, command_names, mode)


@contextlib.contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while one file is processed.

    LibCST trees are acyclic (nodes hold no parent links), so reference counting frees them;
    the cyclic collector would only re-scan the hundreds of thousands of live nodes a parse
    allocates, which costs about a tenth of a file's time. Cycles made meanwhile are
    collected as usual once it is back on.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _process_file(path: str | Path, command_names: Sequence[str], mode: Mode) -> FileResult:
    name = str(path)
    try:
        commands = [get_command(n) for n in command_names]
        original = Path(path).read_bytes()
    except (OSError, KeyError) as exc:
        return FileResult(name, FileStatus.FAILED, reason=_reason(exc))
    try:
        out = transform_source(original, commands, filename=name)
    except cst.ParserSyntaxError as exc:
        return FileResult(name, FileStatus.FAILED,
                          reason=f"does not parse (line {exc.raw_line}): {exc.message}")
    except SyntaxError as exc:
        return FileResult(name, FileStatus.FAILED,
                          reason=f"does not parse (line {exc.lineno}): {exc.msg}")
    except Exception as exc:  # a command bug must not stop the batch
        return FileResult(name, FileStatus.FAILED, reason=f"codemod error: {_reason(exc)}")
    encoding = out.encoding
    before = original.decode(encoding)
    if out.code == before:
        status = FileStatus.SKIPPED if out.skipped else FileStatus.UNCHANGED
        return FileResult(name, status, reason="; ".join(out.skipped), reports=out.reports)
    try:
        compile(out.code, name, "exec", dont_inherit=True)
    except (SyntaxError, ValueError) as exc:
        return FileResult(name, FileStatus.FAILED, reports=out.reports,
                          reason=f"result would not compile, file left as is: {exc}")
    problem = companion_problem(path, out.companions) if out.companions else None
    if problem is not None:
        return FileResult(name, FileStatus.FAILED, reports=out.reports,
                          reason=f"{problem}; file left as is")
    diff = (_unified_diff(before, out.code, name) + companion_diff(path, out.companions)
            if mode is Mode.DIFF else "")
    if mode is Mode.WRITE:
        try:
            write_companions(path, out.companions)
            write_atomic(Path(path), out.code.encode(encoding))
        except OSError as exc:
            return FileResult(name, FileStatus.FAILED, reports=out.reports,
                              reason=f"cannot write, file left as is: {_reason(exc)}")
    return FileResult(name, FileStatus.CHANGED, reason="; ".join(out.skipped), diff=diff,
                      reports=out.reports)


def run_codemods(paths: Iterable[str | Path], command_names: Sequence[str], *,
                 mode: Mode = Mode.DIFF, jobs: int = 1,
                 on_result: Callable[[FileResult], None] | None = None,
                 on_start: Callable[[int], None] | None = None) -> RunSummary:
    """Run the named commands over files and folders, with ``jobs`` processes.

    Args:
        paths: files and folders (walked for ``*.py``).
        command_names: command names, applied in this order (see ``list_commands()``).
        mode: DIFF (results carry diffs), CHECK (nothing written) or WRITE (in place).
        jobs: worker processes; 1 runs in this process.
        on_result: called with each result as it arrives (progress bars).
        on_start: called once with the number of files.

    Returns:
        One result per file, sorted by path; the same whatever ``jobs`` is.

    Raises:
        KeyError: an unknown command name (checked before any file is read).
    """
    for command_name in command_names:
        get_command(command_name)
    files = collect_files(paths)
    if on_start is not None:
        on_start(len(files))
    results = []
    for result in _process_all(files, list(command_names), mode, jobs):
        if on_result is not None:
            on_result(result)
        results.append(result)
    return RunSummary(tuple(sorted(results, key=lambda r: r.path)))


def _process_all(files: list[Path], names: list[str], mode: Mode,
                 jobs: int) -> Iterator[FileResult]:
    if jobs <= 1 or len(files) <= 1:
        for file in files:
            yield process_file(file, names, mode)
        return
    context: BaseContext = multiprocessing.get_context()
    if "forkserver" in multiprocessing.get_all_start_methods():
        server = multiprocessing.get_context("forkserver")
        # workers fork from a server process that imported the commands once (if that
        # server is already running, it keeps what it has)
        server.set_forkserver_preload([__name__])
        context = server
    chunk = max(1, len(files) // (jobs * 8))
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        yield from pool.map(process_file, files, [names] * len(files), [mode] * len(files),
                            chunksize=chunk)


def write_atomic(path: Path, data: bytes) -> None:
    """Replace ``path``'s content with ``data`` atomically, keeping its permission bits.

    Raises:
        PermissionError: ``path`` is not writable (its folder may be; the file's mode wins).
    """
    if not os.access(path, os.W_OK):
        raise PermissionError(f"{path} is not writable")
    mode = stat.S_IMODE(path.stat().st_mode)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _unified_diff(before: str, after: str, name: str) -> str:
    lines = difflib.unified_diff(before.splitlines(keepends=True),
                                 after.splitlines(keepends=True),
                                 fromfile=f"a/{name}", tofile=f"b/{name}")
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
                   for line in lines)


def _reason(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
