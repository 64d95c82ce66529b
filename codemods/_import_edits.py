"""Apply the imports a command scheduled on its context, touching top-level statements only.

Commands schedule imports the LibCST way (``AddImportsVisitor.add_needed_import``,
``RemoveImportsVisitor.remove_unused_import[_by_node]``). LibCST then runs two more full
transforms, one of them with a scope analysis; that costs several times the parse of a DAG
file, for edits that only ever touch the imports at the top. :func:`apply_scheduled_imports`
gives the same result from the module's top-level statements:

- additions follow ``AddImportsVisitor`` exactly: names missing from an existing
  ``from m import ...`` of the first import block are prepended to it (sorted); other
  imports go after that block (``import m`` sorted, ``import m as a``, then
  ``from m import ...`` by module), with a blank line before the first statement after;
- a removal drops an import alias when its name no longer occurs in the code (every
  ``Name`` outside imports, read with a walk that rebuilds nothing), and the whole
  statement when no alias is left; unlike LibCST, the comments and blank lines above a
  removed statement are kept. Imports nested below the top level are left to LibCST's
  ``RemoveImportsVisitor``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence

import libcst as cst
from libcst.codemod import CodemodContext
from libcst.codemod.visitors import AddImportsVisitor, ImportItem, RemoveImportsVisitor

from codemods._args import dotted
from codemods._dispatch import FastVisitor
from codemods._names import dotted_name

__all__ = ["apply_scheduled_imports"]

Removal = tuple[str, str | None, str | None]  # (module, obj, asname), as LibCST schedules it
Statement = cst.SimpleStatementLine | cst.BaseCompoundStatement
Statements = list[Statement]


def apply_scheduled_imports(module: cst.Module, context: CodemodContext) -> cst.Module:
    """``module`` with the imports scheduled on ``context`` added and removed (in that order)."""
    added: list[ImportItem] = context.scratch.pop(AddImportsVisitor.CONTEXT_KEY, [])
    removed: list[Removal] = context.scratch.pop(RemoveImportsVisitor.CONTEXT_KEY, [])
    if added:
        module = _add(module, added)
    if removed:
        module, left = _remove(module, removed)
        if left:  # imports below the top level: LibCST's scope-aware visitor handles them
            context.scratch[RemoveImportsVisitor.CONTEXT_KEY] = left
            module = RemoveImportsVisitor(context).transform_module(module)
    return module


# -- additions (AddImportsVisitor's algorithm over the top-level statements) -------------
def _add(module: cst.Module, items: Sequence[ImportItem]) -> cst.Module:
    plain = {i.module for i in items if i.obj_name is None and i.alias is None}
    aliased = {i.module: i.alias for i in items if i.obj_name is None and i.alias is not None}
    names: dict[str, set[str]] = defaultdict(set)
    for item in items:
        if item.obj_name is not None:
            names[item.module].add(_spell(item.obj_name, item.alias))
    start = 1 if _skips_first(module) else 0
    end = start
    while end < len(module.body) and _single_import(module.body[end]) is not None:
        end += 1
    body = list(module.body)
    first_from: dict[str, int] = {}
    for index in range(start, end):
        node = _single_import(body[index])
        if isinstance(node, cst.Import):
            for alias in node.names:
                if alias.asname is None:
                    plain.discard(alias.evaluated_name)
                elif aliased.get(alias.evaluated_name) == alias.evaluated_alias:
                    del aliased[alias.evaluated_name]
        elif isinstance(node, cst.ImportFrom) and not node.relative and node.module:
            name = dotted_name(node.module)
            first_from.setdefault(name, index)
            if isinstance(node.names, cst.ImportStar):
                names.pop(name, None)
            else:
                names[name] -= {_spell(a.evaluated_name, a.evaluated_alias)
                                for a in node.names}
    for name, index in first_from.items():
        if names.get(name):
            body[index] = _prepend(body[index], sorted(names.pop(name), key=_alias_last))
    names = {m: n for m, n in names.items() if n}
    if not (plain or aliased or names):
        return module.with_changes(body=body)
    after = body[end:]
    if after:
        after[0] = _with_blank_line(after[0])
    with_alias = sorted(m for m, n in names.items() if any(" as " in x for x in n))
    order = with_alias + sorted(m for m in names if m not in with_alias)
    new = [_import(m, None) for m in sorted(plain)]
    new += [_import(m, a) for m, a in aliased.items()]
    new += [_import_from(m, sorted(names[m])) for m in order]
    future = [line for line in new if _is_future(line)]
    rest = [line for line in new if not _is_future(line)]
    return module.with_changes(body=[*body[:start], *future, *body[start:end], *rest, *after])


def _import(module: str, alias: str | None) -> cst.SimpleStatementLine:
    asname = cst.AsName(name=cst.Name(alias)) if alias is not None else None
    return cst.SimpleStatementLine([cst.Import([cst.ImportAlias(dotted(module), asname)])])


def _import_from(module: str, spelled: list[str]) -> cst.SimpleStatementLine:
    return cst.SimpleStatementLine([cst.ImportFrom(module=dotted(module),
                                                   names=[_alias(n) for n in spelled])])


def _alias(spelled: str) -> cst.ImportAlias:
    name, _, alias = spelled.partition(" as ")
    return cst.ImportAlias(name=cst.Name(name),
                           asname=cst.AsName(name=cst.Name(alias)) if alias else None)


def _is_future(line: cst.SimpleStatementLine) -> bool:
    node = line.body[0]
    return isinstance(node, cst.ImportFrom) and isinstance(node.module, cst.Name) and \
        node.module.value == "__future__"


def _spell(name: str, alias: str | None) -> str:
    return name if alias is None else f"{name} as {alias}"


def _alias_last(spelled: str) -> tuple[bool, str]:
    return " as " in spelled, spelled


def _prepend(line: Statement, spelled: list[str]) -> Statement:
    """``from m import a, b`` with ``spelled`` names put first (as AddImportsVisitor does)."""
    assert isinstance(line, cst.SimpleStatementLine)
    node = line.body[0]
    assert isinstance(node, cst.ImportFrom) and not isinstance(node.names, cst.ImportStar)
    new = [_alias(n) for n in spelled]
    return line.with_changes(body=[node.with_changes(names=[*new, *node.names])])


def _skips_first(module: cst.Module) -> bool:
    """A docstring or ``__strict__`` flag first: imports never go above it."""
    if not module.body or not isinstance(module.body[0], cst.SimpleStatementLine):
        return False
    first = module.body[0].body[0]
    if isinstance(first, cst.Expr):
        return isinstance(first.value, cst.SimpleString)
    return isinstance(first, cst.Assign) and len(first.targets) == 1 and \
        isinstance(first.targets[0].target, cst.Name) and \
        first.targets[0].target.value == "__strict__"


def _single_import(statement: Statement) -> cst.Import | cst.ImportFrom | None:
    if type(statement) is cst.SimpleStatementLine and len(statement.body) == 1:
        small = statement.body[0]
        if type(small) is cst.Import or type(small) is cst.ImportFrom:
            return small
    return None


def _with_blank_line(statement: Statement) -> Statement:
    lines = statement.leading_lines
    if lines and lines[0].comment is None:
        return statement
    return statement.with_changes(leading_lines=(cst.EmptyLine(), *lines))


# -- removals -----------------------------------------------------------------------------
def _remove(module: cst.Module, wanted: list[Removal]) -> tuple[cst.Module, list[Removal]]:
    usage = _Usage(module)
    left = set(wanted)
    body: Statements = []
    carried: Sequence[cst.EmptyLine] = ()
    for statement in module.body:
        node = _single_import(statement)
        kept = statement
        if node is not None and not isinstance(node.names, cst.ImportStar):
            aliases = [a for a in node.names if not _drop(node, a, left, usage.used)]
            if not aliases:
                carried = [*carried, *statement.leading_lines]
                continue
            if len(aliases) < len(node.names):
                last = aliases[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
                kept = statement.with_changes(  # type: ignore[attr-defined]
                    body=[node.with_changes(names=[*aliases[:-1], last])])
        if carried:
            kept = _with_leading(kept, carried)
            carried = ()
        body.append(kept)
    nested = bool(left) and usage.nested
    return module.with_changes(body=body), [w for w in wanted if w in left] if nested else []


def _drop(node: cst.Import | cst.ImportFrom, alias: cst.ImportAlias, left: set[Removal],
          used: set[str]) -> bool:
    """Whether ``alias`` is scheduled for removal and unused (then it is marked as done)."""
    if isinstance(node, cst.Import):
        key: Removal = (alias.evaluated_name, None, alias.evaluated_alias)
        bound = alias.evaluated_alias or alias.evaluated_name.split(".")[0]
    else:
        if node.relative or node.module is None:
            return False
        key = (dotted_name(node.module), alias.evaluated_name,
               alias.evaluated_alias)
        bound = alias.evaluated_alias or alias.evaluated_name
    if key not in left:
        return False
    left.discard(key)
    return bound not in used


def _with_leading(statement: Statement,
                  carried: Sequence[cst.EmptyLine]) -> Statement:
    """Keep comments from a removed statement; blank lines only where there were none."""
    own = statement.leading_lines
    if own and all(line.comment is None for line in carried):
        return statement
    return statement.with_changes(leading_lines=(*carried, *own))


class _Usage(FastVisitor):
    """The names a module's code still uses, read from its tree (no rendering).

    Every ``Name`` outside import statements counts, attribute and keyword names included
    (so an import is kept rather than wrongly removed), and so does every string literal
    that spells an identifier (``__all__`` entries, string annotations).
    """

    def __init__(self, module: cst.Module) -> None:
        self.used: set[str] = set()
        self.imports = 0
        self.walk(module)
        top = sum(1 for statement in module.body if type(statement) is cst.SimpleStatementLine
                  for small in statement.body
                  if type(small) is cst.Import or type(small) is cst.ImportFrom)
        #: whether imports occur below the top level (LibCST's visitor removes those)
        self.nested = self.imports > top

    def visit_Name(self, node: cst.Name) -> None:
        self.used.add(node.value)

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        spelled = _IDENTIFIER_STRING.fullmatch(node.value)
        if spelled is not None:
            self.used.add(spelled.group(2))

    def visit_Import(self, node: cst.Import) -> bool:
        self.imports += 1
        return False

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        self.imports += 1
        return False


_IDENTIFIER_STRING = re.compile(r"[rRuUbB]*(['\"])(\w+)\1")
