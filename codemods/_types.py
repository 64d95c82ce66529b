"""Value types of the codemods package (imports nothing else from the package).

Examples are plain records declared on each command class (Fixit's VALID/INVALID idea);
results are values, never exceptions (LibCST's ``TransformResult`` idea).
"""

from __future__ import annotations

import enum
import textwrap
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Change", "FileResult", "FileStatus", "Mode", "NoChange", "Report"]


@dataclass(frozen=True, slots=True)
class Report:
    """Something a command saw but could not rewrite safely (left as is)."""

    #: stable identifier, ``<command>/<what>``, e.g. ``airflow3/subdag``
    code: str
    #: what is wrong and what to do
    message: str
    #: the file, as given to the runner (``<string>`` for examples)
    file: str
    #: 1-based line of the construct
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.code}: {self.message}"

    def to_json(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {"code": self.code, "message": self.message, "file": self.file,
                "line": self.line}


@dataclass(frozen=True, slots=True, init=False)
class Change:
    """An example the command rewrites: ``before`` becomes exactly ``after``."""

    before: str
    after: str
    #: report codes the command must emit on ``before`` (sorted when compared)
    reports: tuple[str, ...]

    def __init__(self, before: str, after: str, *, reports: tuple[str, ...] = ()) -> None:
        object.__setattr__(self, "before", textwrap.dedent(before).lstrip("\n"))
        object.__setattr__(self, "after", textwrap.dedent(after).lstrip("\n"))
        object.__setattr__(self, "reports", reports)


@dataclass(frozen=True, slots=True, init=False)
class NoChange:
    """An example the command leaves byte for byte as it is (possibly reporting it)."""

    code: str
    reports: tuple[str, ...]

    def __init__(self, code: str, *, reports: tuple[str, ...] = ()) -> None:
        object.__setattr__(self, "code", textwrap.dedent(code).lstrip("\n"))
        object.__setattr__(self, "reports", reports)


class Mode(enum.Enum):
    """What the runner does with a changed file."""

    DIFF = "diff"
    CHECK = "check"
    WRITE = "write"


class FileStatus(enum.Enum):
    """The outcome for one file."""

    CHANGED = "changed"
    UNCHANGED = "unchanged"
    SKIPPED = "skipped"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class FileResult:
    """What the runner did with one file (``CHANGED`` means written in write mode)."""

    path: str
    status: FileStatus
    #: why a file was skipped or failed; empty otherwise
    reason: str = ""
    #: unified diff (diff mode only)
    diff: str = ""
    reports: tuple[Report, ...] = field(default_factory=tuple)

    def to_json(self) -> dict[str, Any]:
        """JSON-ready mapping (the ``--json`` per-file record)."""
        return {"path": self.path, "status": self.status.value, "reason": self.reason,
                "diff": self.diff, "reports": [r.to_json() for r in self.reports]}
