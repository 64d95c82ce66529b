"""Source text of one file (fast segments) and the file's diagnostics."""

from __future__ import annotations

import ast
import re

from translators.model import Diagnostic, Level

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


class SourceFile:
    """The text of one DAG file, with source segments in O(segment) time.

    ``ast.get_source_segment`` splits the whole file on every call, which is quadratic over
    a file with thousands of tasks; this splits once, on first use.
    """

    def __init__(self, path: str, text: str) -> None:
        #: the path reported in DagInfo.file and diagnostics
        self.path = path
        self.text = text
        self._lines: list[str] | None = None

    def segment(self, node: ast.AST) -> str:
        """The source text of ``node`` (empty when the node has no position)."""
        lineno = getattr(node, "lineno", None)
        end_lineno = getattr(node, "end_lineno", None)
        col = getattr(node, "col_offset", None)
        end_col = getattr(node, "end_col_offset", None)
        if lineno is None or end_lineno is None or col is None or end_col is None:
            return ""
        if self._lines is None:
            self._lines = _LINE.findall(self.text)
        lines = self._lines[lineno - 1 : end_lineno]
        if not lines:
            return ""
        if len(lines) == 1:
            return _slice(lines[0], col, end_col)
        first = _slice(lines[0], col, None)
        last = _slice(lines[-1], 0, end_col)
        return first + "".join(lines[1:-1]) + last


def _slice(line: str, start: int, end: int | None) -> str:
    """Slice a line by UTF-8 byte offsets (what ``ast`` column offsets are)."""
    if line.isascii():
        return line[start:end]
    data = line.encode("utf-8")
    return data[start:end].decode("utf-8", errors="replace")


class Reporter:
    """Collects one file's diagnostics, without duplicates (loops repeat statements)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._seen: set[tuple[str, int, str]] = set()
        self.diagnostics: list[Diagnostic] = []

    def add(
        self,
        level: Level,
        code: str,
        message: str,
        line: int | None,
        *,
        dag_id: str | None = None,
        task_id: str | None = None,
    ) -> None:
        """Record a diagnostic (ignored when the same code, line and message was recorded)."""
        key = (code, line or 0, message)
        if key in self._seen:
            return
        self._seen.add(key)
        self.diagnostics.append(
            Diagnostic(level=level, code=code, message=message, file=self.path, line=line,
                       dag_id=dag_id, task_id=task_id)
        )
