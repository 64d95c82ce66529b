"""``BridgeCommand``: a LibCST codemod command that declares its own examples and reports.

A command is a :class:`libcst.codemod.VisitorBasedCodemodCommand` (one ``leave_*`` per node
kind it rewrites; imports are scheduled on the context with ``AddImportsVisitor`` /
``RemoveImportsVisitor``). Each command also declares, Fixit style:

- ``NAME``: the name users type (``assetbridge codemod NAME``),
- ``DESCRIPTION``: one line for ``--list``; the class docstring is the longer story,
- ``CHANGE`` / ``NO_CHANGE``: before/after examples, run by ``tests/codemods/test_commands.py``
  and rendered into ``docs/codemods.md``,
- ``TRIGGERS``: substrings; a file containing none of them is left alone without parsing.

What a command cannot rewrite safely it leaves as is and reports with :meth:`report`
(``file:line`` plus a code). To decline a whole file, raise :class:`bridge.errors.CodemodSkip`
(or ``libcst.codemod.SkipFile``); the runner reports it as skipped with the reason.
"""

from __future__ import annotations

from typing import ClassVar

import libcst as cst
from libcst.codemod import CodemodContext, VisitorBasedCodemodCommand
from libcst.metadata import PositionProvider, QualifiedNameProvider

from codemods._types import Change, NoChange, Report

__all__ = ["BridgeCommand"]


class BridgeCommand(VisitorBasedCodemodCommand):
    """Base class of assetbridge codemod commands (see the module docstring)."""

    METADATA_DEPENDENCIES = (PositionProvider, QualifiedNameProvider)

    #: the command's name on the command line, e.g. ``kpo-modernize``
    NAME: ClassVar[str] = ""
    #: one line: what the command does (an instance attribute on LibCST's base class)
    DESCRIPTION: str = ""
    #: examples the command rewrites (its tests and its documentation)
    CHANGE: ClassVar[tuple[Change, ...]] = ()
    #: examples the command must leave untouched
    NO_CHANGE: ClassVar[tuple[NoChange, ...]] = ()
    #: a file containing none of these substrings is not parsed (fast path for big folders)
    TRIGGERS: ClassVar[tuple[str, ...]] = ()

    def __init__(self, context: CodemodContext) -> None:
        super().__init__(context)
        #: what this command saw and left for a human, in source order
        self.reports: list[Report] = []

    def report(self, node: cst.CSTNode, code: str, message: str) -> None:
        """Record that ``node`` (an *original* node) needs a human; the file keeps it as is."""
        try:
            line = self.get_metadata(PositionProvider, node).start.line
        except KeyError:
            line = 0
        item = Report(code=f"{self.NAME}/{code}", message=message,
                      file=self.context.filename or "<string>", line=line)
        if item not in self.reports:
            self.reports.append(item)

    def qualified_names(self, node: cst.CSTNode) -> set[str]:
        """The qualified names ``node`` (an *original* node) may refer to; empty if unknown."""
        try:
            found = self.get_metadata(QualifiedNameProvider, node, set())
        except KeyError:
            return set()
        return {q.name for q in found}

    def qualified_name(self, node: cst.CSTNode) -> str | None:
        """The single qualified name of ``node``, or None when unknown or ambiguous."""
        names = self.qualified_names(node)
        return next(iter(names)) if len(names) == 1 else None

    @classmethod
    def wants(cls, source: str) -> bool:
        """False when ``source`` contains none of :attr:`TRIGGERS` (the command is skipped)."""
        return not cls.TRIGGERS or any(trigger in source for trigger in cls.TRIGGERS)
