"""``BridgeCommand``: a LibCST codemod command that declares its own examples and reports.

A command is a :class:`libcst.codemod.VisitorBasedCodemodCommand` (one ``leave_*`` per node
kind it rewrites; imports are scheduled on the context with ``AddImportsVisitor`` /
``RemoveImportsVisitor``). Each command also declares, Fixit style:

- ``NAME``: the name users type (``assetbridge codemod NAME``),
- ``DESCRIPTION``: one line for ``--list``; the class docstring is the longer story,
- ``CHANGE`` / ``NO_CHANGE``: before/after examples, run by ``tests/codemods/test_commands.py``
  and rendered into ``docs/codemods.md``,
- ``TRIGGERS``: substrings; a file containing none of them is left alone without parsing,
- ``INCLUDES``: commands applied before this one in the same run (once per chain).

What a command cannot rewrite safely it leaves as is and reports with :meth:`report`
(``file:line`` plus a code). To decline a whole file, raise :class:`bridge.errors.CodemodSkip`
(or ``libcst.codemod.SkipFile``); the runner reports it as skipped with the reason.

Speed: with LibCST's defaults, a command on a DAG file costs about forty parses of it: a
deep copy of the tree and a scope analysis for its metadata, matcher-decorator dispatch on
every node, a traversal that rebuilds every node, and two more full transforms for the
scheduled imports. Here a command costs a fifth to a quarter of a parse: qualified names come
from the file's imports (:class:`codemods._names.ImportBindings`), line numbers are
computed only for what is reported, found in the file's text when the node's one-line
code occurs there once (:func:`codemods._positions.find_unique_lines`), else counting
newlines up to the reported node (:func:`codemods._positions.find_lines`), the traversal
rebuilds only what changed, skips layout nodes and calls only the handlers a command
defines, through one function per node type generated for the command class
(:mod:`codemods._dispatch`; ``visit_*`` / ``leave_*`` keep their meaning, except in the
fields a class lists in ``SKIPPED_FIELDS``; matcher decorators and per-field hooks are not
supported), new nodes are built from
templates parsed once (:func:`codemods._args.fill_template`), not by parsing text, and
the scheduled imports are applied to the top-level statements
(:func:`codemods._import_edits.apply_scheduled_imports`). The runner renders the result
with LibCST's code generation minus its position hooks (:func:`codemods._render.render`).
"""

from __future__ import annotations

from typing import ClassVar

import libcst as cst
from libcst.codemod import Codemod, CodemodContext, VisitorBasedCodemodCommand

from codemods._dispatch import FastTransformerDispatch
from codemods._import_edits import apply_scheduled_imports
from codemods._names import ImportBindings
from codemods._positions import find_lines, find_unique_lines
from codemods._types import Change, NoChange, Report

__all__ = ["BridgeCommand"]


class BridgeCommand(FastTransformerDispatch, VisitorBasedCodemodCommand):
    """Base class of assetbridge codemod commands (see the module docstring).

    Subclasses overriding a ``visit_*`` / ``leave_*`` method defined here call ``super()``.
    """

    METADATA_DEPENDENCIES = ()

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
    #: commands the runner applies first, unless they already ran earlier in the chain
    INCLUDES: ClassVar[tuple[type[BridgeCommand], ...]] = ()

    def __init__(self, context: CodemodContext) -> None:
        Codemod.__init__(self, context)  # not the matcher set-up of LibCST's transformer
        #: what this command saw and left for a human, in source order
        self.reports: list[Report] = []
        #: the file's imports: what names and dotted expressions refer to
        self.bindings = ImportBindings()
        self._not_references: set[int] = set()
        self._pending: list[tuple[cst.CSTNode, str, str]] = []
        #: the file as parsed, when earlier commands of a chain changed the tree this one
        #: gets: reports give the line in the file, not in the earlier commands' output
        self.original: cst.Module | None = None
        #: the text ``original`` was parsed from, if known: a report's line is then looked
        #: up in it first (:func:`codemods._positions.find_unique_lines`)
        self.source: str | None = None

    def transform_module(self, tree: cst.Module) -> cst.Module:
        """Run the command over ``tree``, then apply the imports it scheduled."""
        self.bindings.prescan(tree)
        try:
            result = self.transform_module_impl(tree)
        finally:
            self._resolve_reports(tree)
        return apply_scheduled_imports(result, self.context)

    def transform_module_impl(self, tree: cst.Module) -> cst.Module:
        """The command's traversal (:meth:`~codemods._dispatch.FastTransformerDispatch.rewrite`);
        override to transform differently."""
        result = self.rewrite(tree)
        assert isinstance(result, cst.Module)
        return result

    def report(self, node: cst.CSTNode, code: str, message: str) -> None:
        """Record that ``node`` (an *original* node) needs a human; the file keeps it as is."""
        self._pending.append((node, code, message))

    def _resolve_reports(self, tree: cst.Module) -> None:
        nodes = [node for node, _, _ in self._pending]
        lines = find_unique_lines(self.source, nodes) if nodes and self.source else {}
        rest = [node for node in nodes if id(node) not in lines]
        if rest:
            lines.update(find_lines(self.original or tree, rest))
        if self.original is not None and len(lines) < len(nodes):  # nodes earlier commands made
            lines = {**find_lines(tree, [n for n in nodes if id(n) not in lines]), **lines}
        pending = sorted(self._pending, key=lambda item: lines.get(id(item[0]), 0))
        for node, code, message in pending:
            item = Report(code=f"{self.NAME}/{code}", message=message,
                          file=self.context.filename or "<string>", line=lines.get(id(node), 0))
            if item not in self.reports:
                self.reports.append(item)
        self._pending.clear()

    def qualified_names(self, node: cst.CSTNode) -> set[str]:
        """The qualified names ``node`` (an *original* node) may refer to; empty if unknown."""
        name = self.qualified_name(node)
        return {name} if name is not None else set()

    def qualified_name(self, node: cst.CSTNode) -> str | None:
        """The qualified name of the import ``node`` (an *original* node) spells, if any.

        Attribute names (``x.DAG``), keyword names (``f(DAG=1)``) and the names that
        definitions and parameters introduce are not references to an import.
        """
        if id(node) in self._not_references:
            return None
        return self.bindings.resolve(node)

    @classmethod
    def wants(cls, source: str) -> bool:
        """False when ``source`` contains none of :attr:`TRIGGERS` (the command is skipped)."""
        return not cls.TRIGGERS or any(trigger in source for trigger in cls.TRIGGERS)

    # -- what names refer to ------------------------------------------------------------
    def visit_Import(self, node: cst.Import) -> bool | None:
        self.bindings.record(node)
        return None

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool | None:
        self.bindings.record(node)
        return None

    def visit_Attribute(self, node: cst.Attribute) -> bool | None:
        self._not_references.add(id(node.attr))
        return None

    def visit_Arg(self, node: cst.Arg) -> bool | None:
        if node.keyword is not None:
            self._not_references.add(id(node.keyword))
        return None

    def visit_Param(self, node: cst.Param) -> bool | None:
        self._not_references.add(id(node.name))
        return None

    def visit_ClassDef(self, node: cst.ClassDef) -> bool | None:
        self._not_references.add(id(node.name))
        return None

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool | None:
        self._not_references.add(id(node.name))
        self.bindings.push_scope(node.params)
        return None

    def leave_FunctionDef(self, original_node: cst.FunctionDef,
                          updated_node: cst.FunctionDef) -> cst.BaseStatement:
        self.bindings.pop_scope()
        return updated_node

    def visit_Lambda(self, node: cst.Lambda) -> bool | None:
        self.bindings.push_scope(node.params)
        return None

    def leave_Lambda(self, original_node: cst.Lambda,
                     updated_node: cst.Lambda) -> cst.BaseExpression:
        self.bindings.pop_scope()
        return updated_node
