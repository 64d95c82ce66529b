"""Which assets a code change affects: by changed keys, or by a git diff mapped to the
functions that define assets.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterable
from pathlib import Path

from bridge._graph import AssetGraph
from bridge._keys import AssetKey
from bridge.errors import GitError

__all__ = ["changed_assets_since", "impacted_assets"]

_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")


def impacted_assets(graph: AssetGraph, changed: Iterable[AssetKey]) -> list[AssetKey]:
    """The changed assets and everything downstream of them, in topological order.

    Examples:
        >>> from bridge import asset
        >>> @asset
        ... def a() -> int: return 1
        >>> @asset
        ... def b(a: int) -> int: return a
        >>> @asset
        ... def c() -> int: return 3
        >>> graph = AssetGraph.from_assets([a, b, c])
        >>> [str(k) for k in impacted_assets(graph, [graph.find("a")])]
        ['a', 'b']
    """
    hit: set[AssetKey] = set()
    for key in changed:
        hit |= {key, *graph.descendants(key)}
    return [key for key in graph.toposort() if key in hit]


def changed_assets_since(graph: AssetGraph, gitref: str, cwd: str | None = None) -> list[AssetKey]:
    """Assets whose defining function overlaps lines changed since ``gitref``.

    Compares the working tree with ``gitref`` (``git diff -U0``), so uncommitted edits count.
    """
    changed_lines = _changed_lines(gitref, cwd)
    hit: list[AssetKey] = []
    for definition in graph.definitions():
        if definition.source is None:
            continue
        path, first, last = definition.source
        lines = changed_lines.get(os.path.realpath(path))
        if lines is not None and any(first <= n <= last for n in lines):
            hit.extend(definition.keys)
    return sorted(hit)


def _changed_lines(gitref: str, cwd: str | None) -> dict[str, set[int]]:
    try:
        top = _git(["rev-parse", "--show-toplevel"], cwd).strip()
        diff = _git(["diff", "-U0", "--no-color", gitref, "--"], top)
    except FileNotFoundError:
        raise GitError("git is not installed; impact --since needs git") from None
    changed: dict[str, set[int]] = {}
    current: str | None = None
    for line in diff.splitlines():
        if line.startswith("+++ "):
            name = line[4:].removeprefix("b/")
            current = None if name == "/dev/null" else os.path.realpath(Path(top, name))
            if current is not None:
                changed.setdefault(current, set())
        elif line.startswith("@@") and current is not None:
            match = _HUNK.match(line)
            if match:
                start, count = int(match.group(1)), int(match.group(2) or 1)
                # a pure deletion (count 0) touches the line where it happened
                changed[current].update(range(start, start + max(count, 1)))
    return changed


def _git(args: list[str], cwd: str | None) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        reason = (done.stderr.strip().splitlines() or ["unknown error"])[0]
        raise GitError(f"git {' '.join(args[:2])} failed: {reason}")
    return done.stdout
