"""Python source of one traversal function per node type, for :mod:`codemods._dispatch`.

A generic traversal loops over a node's field names, reads each with ``getattr`` and tests
whether it holds a sequence; that bookkeeping costs more than the few handlers a command
calls. The function generated for a node type reads its fields as attributes, one after
the other, and knows from the field's annotation whether it holds a sequence (a field
whose annotation allows both is tested at run time).

The generated function takes ``(self, node)`` and, through the names it is executed with,
uses ``visit`` / ``leave`` (the handlers, or None: left out of the code), ``keep_parens``
(the parentheses of an expression ``leave`` replaces), ``passed`` (the class's table:
child type -> True to pass over it, else the traversal function of the
child's type), ``pass_`` (fills that table for a type not yet in it) and ``rebuild``
(``with_changes``).
"""

from __future__ import annotations

import collections.abc
import functools
import typing
from typing import Any, Literal

import libcst as cst

__all__ = ["field_shape", "traversal_source"]

Shape = Literal["one", "many", "either"]

_CHILD = """\
action = passed.get(type(child))
if action is None:
    action = pass_(self, type(child))
"""

# a transformer: ``changes`` collects the fields whose children changed
_ONE = _CHILD + """\
if action is not True:
    new = action(self, child)
    if new is not child:
        if isinstance(new, (RemovalSentinel, FlattenSentinel)):
            raise TypeError("cannot remove or flatten {kind}.{field}: it is not a sequence")
        if changes is None:
            changes = {{}}
        changes["{field}"] = new
"""
_MANY = """\
items = None
for index, child in enumerate(value):
""" + "".join(f"    {line}\n" for line in _CHILD.splitlines()) + """\
    new = child if action is True else action(self, child)
    if new is child:
        if items is not None:
            items.append(child)
        continue
    if items is None:
        items = list(value[:index])
    if isinstance(new, FlattenSentinel):
        items += new.nodes
    elif not isinstance(new, RemovalSentinel):
        items.append(new)
if items is not None:
    if changes is None:
        changes = {{}}
    changes["{field}"] = tuple(items)
"""

# a visitor: children are only visited
_VISIT_ONE = _CHILD + """\
if action is not True:
    action(self, child)
"""
_VISIT_MANY = "for child in value:\n" + "".join(
    f"    {line}\n" for line in _VISIT_ONE.splitlines())


def traversal_source(kind: type[cst.CSTNode], fields: tuple[str, ...], *, transformer: bool,
                     visit: bool, leave: bool) -> str:
    """The source of ``def traverse(self, node)`` for ``kind`` nodes, visiting ``fields``.

    A transformer's function returns the node (rebuilt only if a child changed) or what
    ``leave`` returns; a visitor's returns None.
    """
    body: list[str] = []
    for field in fields:
        body += [f"value = node.{field}"] if field_shape(kind, field) != "one" else []
        body += _field_code(kind, field, transformer).splitlines()
    if transformer and body:
        body = ["changes = None", *body,
                "if changes:", "    updated = rebuild(node, changes)"]
    lines = ["def traverse(self, node):"]
    lines += ["    updated = node"] if transformer else []
    if visit and body:
        lines += ["    if visit(self, node) is not False:", *(f"        {b}" for b in body)]
    else:
        lines += ["    visit(self, node)"] if visit else []
        lines += [f"    {b}" for b in body]
    if transformer and leave and "lpar" in _hints(kind):
        # an expression replaced by one without parentheses keeps the original's: they may
        # be what makes it parse (``not(f(x))``)
        lines += ["    new = leave(self, node, updated)",
                  "    if new is updated or not node.lpar:",
                  "        return new",
                  "    return keep_parens(node, new)"]
    elif transformer:
        lines.append("    return leave(self, node, updated)" if leave else "    return updated")
    elif leave:
        lines.append("    leave(self, node)")
    lines += [] if len(lines) > 1 else ["    return None"]
    return "\n".join(lines) + "\n"


def _field_code(kind: type[cst.CSTNode], field: str, transformer: bool) -> str:
    one, many = (_ONE, _MANY) if transformer else (_VISIT_ONE, _VISIT_MANY)
    one = one.format(kind=kind.__name__, field=field)
    many = many.format(field=field)
    shape = field_shape(kind, field)
    if shape == "one":
        return f"child = node.{field}\n{one}"
    if shape == "many":
        return many
    indented = "".join(f"    {line}\n" for line in one.splitlines())
    return ("if type(value) is tuple or type(value) is list:\n"
            + "".join(f"    {line}\n" for line in many.splitlines())
            + f"else:\n    child = value\n{indented}")


@functools.cache
def _hints(kind: type[cst.CSTNode]) -> dict[str, Any]:
    return typing.get_type_hints(kind)


def field_shape(kind: type[cst.CSTNode], field: str) -> Shape:
    """Whether ``kind.field`` holds one value, a sequence, or either (by its annotation)."""
    annotation = _hints(kind).get(field, Any)
    options = typing.get_args(annotation) if typing.get_origin(annotation) is typing.Union \
        else (annotation,)
    many = [typing.get_origin(o) is collections.abc.Sequence for o in options]
    if annotation is Any or any(o is Any for o in options):
        return "either"
    return "many" if all(many) else "either" if any(many) else "one"
