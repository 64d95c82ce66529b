"""Qualified-name aware import moves, shared by the commands (Fixit: tables keyed by name).

A command lists ``MOVES``: old qualified name -> new qualified name. Then

- ``from old.module import X [as Y]`` is rewritten in place (same position, comments kept),
  one line per new module, unmoved names stay on the old line;
- uses of ``X`` are renamed when the new name differs (aliases are kept as they are);
- module-qualified uses (``mod.X`` with ``import old.module as mod``) become the bare new
  name with an import added at the top; the old module import goes if nothing uses it.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import ClassVar

import libcst as cst
from libcst.codemod.visitors import AddImportsVisitor, RemoveImportsVisitor

from codemods._args import dotted
from codemods._names import dotted_name
from codemods.base import BridgeCommand

__all__ = ["ImportMovingCommand"]


class ImportMovingCommand(BridgeCommand):
    """A command that moves names between modules per its ``MOVES`` table."""

    #: old qualified name -> new qualified name (``module.attr``)
    MOVES: ClassVar[Mapping[str, str]] = {}
    #: the names of attributes (``x.DAG``) and of keyword arguments (``f(DAG=1)``) are never
    #: references to an import: :meth:`leave_Name` need not see them
    SKIPPED_FIELDS: ClassVar[Mapping[type[cst.CSTNode], frozenset[str]]] = MappingProxyType(
        {cst.Attribute: frozenset({"attr"}), cst.Arg: frozenset({"keyword"})})

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._import_depth = 0

    def visit_Import(self, node: cst.Import) -> bool | None:
        self._import_depth += 1
        return super().visit_Import(node)

    def leave_Import(self, original_node: cst.Import, updated_node: cst.Import) -> cst.Import:
        self._import_depth -= 1
        return updated_node

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool | None:
        self._import_depth += 1
        return super().visit_ImportFrom(node)

    def leave_ImportFrom(self, original_node: cst.ImportFrom,
                         updated_node: cst.ImportFrom) -> cst.ImportFrom:
        self._import_depth -= 1
        return updated_node

    def leave_SimpleStatementLine(
        self, original_node: cst.SimpleStatementLine, updated_node: cst.SimpleStatementLine
    ) -> cst.BaseStatement | cst.FlattenSentinel[cst.BaseStatement]:
        node = updated_node.body[0] if len(updated_node.body) == 1 else None
        if type(node) is not cst.ImportFrom:
            return updated_node
        groups = self.split_import(node)
        if groups is None:
            return updated_node
        lines = [updated_node.with_changes(body=[stmt]) if i == 0 else
                 cst.SimpleStatementLine(body=[stmt]) for i, stmt in enumerate(groups)]
        return lines[0] if len(lines) == 1 else cst.FlattenSentinel(lines)

    def split_import(self, node: cst.ImportFrom) -> list[cst.ImportFrom] | None:
        """``node`` as one import per target module (old module first), or None if no move."""
        if node.relative or node.module is None or isinstance(node.names, cst.ImportStar):
            return None
        module = dotted_name(node.module)
        by_module: dict[str, list[cst.ImportAlias]] = {}
        moved = False
        for alias in node.names:
            target = self.MOVES.get(f"{module}.{alias.evaluated_name}")
            if target is None:
                by_module.setdefault(str(module), []).append(alias)
                continue
            moved = True
            new_module, new_name = target.rsplit(".", 1)
            asname = alias.asname
            if asname is not None and alias.evaluated_alias == new_name:
                asname = None
            by_module.setdefault(new_module, []).append(
                alias.with_changes(name=cst.Name(new_name), asname=asname))
        if not moved:
            return None
        out = []
        for index, (name, aliases) in enumerate(by_module.items()):
            module_node = dotted(name)
            if index == 0:
                keep = node.lpar is not None
                out.append(node.with_changes(module=module_node,
                                             names=_comma_separated(aliases, keep)))
            else:
                out.append(cst.ImportFrom(module=module_node,
                                          names=_comma_separated(aliases, False)))
        return out

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.BaseExpression:
        if self._import_depth or not self.bindings.binds(original_node.value):
            return updated_node
        target = self._target(original_node)
        if target is None:
            return updated_node
        old_name = self.qualified_name(original_node) or ""
        new_name = target.rsplit(".", 1)[1]
        if original_node.value == old_name.rsplit(".", 1)[1] != new_name:
            return updated_node.with_changes(value=new_name)
        return updated_node

    def leave_Attribute(self, original_node: cst.Attribute,
                        updated_node: cst.Attribute) -> cst.BaseExpression:
        if self._import_depth:
            return updated_node
        target = self._target(original_node)
        if target is None:
            return updated_node
        new_module, new_name = target.rsplit(".", 1)
        AddImportsVisitor.add_needed_import(self.context, new_module, new_name)
        self.drop_binding(original_node)
        return cst.Name(new_name)

    def drop_binding(self, expression: cst.BaseExpression) -> None:
        """Schedule the removal of the import ``expression`` (``x`` or ``x.y``) starts from,
        done at the end only if nothing else uses it."""
        while isinstance(expression, cst.Attribute):
            expression = expression.value
        binding = (self.bindings.node_for(expression.value)
                   if isinstance(expression, cst.Name) else None)
        if binding is not None:
            RemoveImportsVisitor.remove_unused_import_by_node(self.context, binding)

    def _target(self, node: cst.CSTNode) -> str | None:
        name = self.qualified_name(node)
        return self.MOVES.get(name) if name is not None else None


def _comma_separated(aliases: list[cst.ImportAlias], keep: bool) -> list[cst.ImportAlias]:
    """Aliases with valid commas: kept as written inside parentheses, else ``a, b``."""
    if keep:
        return aliases
    space = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    return [a.with_changes(comma=space if i < len(aliases) - 1 else cst.MaybeSentinel.DEFAULT)
            for i, a in enumerate(aliases)]
