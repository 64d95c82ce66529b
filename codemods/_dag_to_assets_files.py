"""Companion files: what a command creates next to the file it rewrites.

``dag-to-assets`` rewrites ``dags/etl.py`` into an asset module and creates
``dags/etl_dag.py`` (the Airflow loader). A command lists such files on its
``companions`` attribute as ``(file name, source)`` pairs, relative to the rewritten file's
folder; the runner shows them in ``--diff`` as new files, counts them as a change in
``--check`` and writes them atomically with ``--write``, never replacing an existing file
with different content.
"""

from __future__ import annotations

import contextlib
import difflib
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

__all__ = ["Companions", "companion_diff", "companion_problem", "write_companions"]

Companions = Sequence[tuple[str, str]]


def _target(path: str | Path, name: str) -> Path:
    return Path(path).parent / name


def companion_problem(path: str | Path, companions: Companions) -> str | None:
    """Why the companions of ``path`` cannot be written (an existing different file or a
    source that does not compile), or None."""
    for name, source in companions:
        target = _target(path, name)
        try:
            compile(source, str(target), "exec", dont_inherit=True)
        except (SyntaxError, ValueError) as exc:
            return f"{target} would not compile: {exc}"
        if target.exists() and target.read_text(encoding="utf-8") != source:
            return f"{target} exists with other content; move it away to write it"
    return None


def companion_diff(path: str | Path, companions: Companions) -> str:
    """A unified diff creating each companion that does not exist yet."""
    out = []
    for name, source in companions:
        target = _target(path, name)
        if target.exists():
            continue
        lines = difflib.unified_diff([], source.splitlines(keepends=True),
                                     fromfile="/dev/null", tofile=f"b/{target}")
        out.append("".join(lines))
    return "".join(out)


def write_companions(path: str | Path, companions: Companions) -> None:
    """Create the companions of ``path`` that do not exist yet (each atomically)."""
    for name, source in companions:
        target = _target(path, name)
        if target.exists():
            continue
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(source.encode("utf-8"))
            os.chmod(tmp, 0o644)
            os.replace(tmp, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
