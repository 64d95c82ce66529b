"""Line numbers of a few nodes, for reports: one code generation pass, nothing kept.

LibCST's ``PositionProvider`` records the line *and column* range of every node through a
context manager per node, which costs several renders of the module. Reports only need
the first line of the few nodes they are about, so :func:`find_lines` renders the module
up to the last wanted node (and stops there), counting newlines, and notes the line where
each wanted node's syntax starts (after its leading comments and blank lines, as
``PositionProvider`` does).

Examples:
    >>> import libcst as cst
    >>> module = cst.parse_module("# header\\n\\nx = 1\\nprint(\\n    x,\\n)\\n")
    >>> call = module.body[1].body[0].value
    >>> find_lines(module, [module.body[0], call, call.args[0]]) == {
    ...     id(module.body[0]): 3, id(call): 4, id(call.args[0]): 5}
    True
"""

from __future__ import annotations

import contextlib
import dataclasses
import typing
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import libcst as cst
from libcst._nodes.internal import CodegenState

from codemods._render import render
from codemods._traversal_code import field_shape

__all__ = ["find_lines", "find_unique_lines"]

_NOTHING = contextlib.nullcontext()


def find_lines(module: cst.Module, nodes: Iterable[cst.CSTNode]) -> dict[int, int]:
    """``{id(node): first line}`` for those of ``nodes`` that are part of ``module``."""
    state = _LineCountingState(default_indent=module.default_indent,
                               default_newline=module.default_newline,
                               wanted={id(n) for n in nodes})
    if id(module) in state.wanted:
        state.found[id(module)] = 1
    if len(state.found) == len(state.wanted):
        return state.found
    newline = module.default_newline.count("\n")
    try:  # as Module._codegen_impl, stopping as soon as all are found
        for line in module.header:
            line._codegen(state)
        for statement in module.body:
            try:  # statements without a wanted node: count their newlines, cheaper
                state.line += _newlines(statement, state.wanted, newline)
            except _Wanted:
                statement._codegen(state)
    except _AllFound:
        pass
    return state.found


def find_unique_lines(source: str, nodes: Iterable[cst.CSTNode]) -> dict[int, int]:
    """``{id(node): first line}`` for those of ``nodes`` found without a walk: a one-line
    node whose code occurs exactly once in ``source``, the text the tree was parsed from.

    A one-line node renders on its own exactly as inside the module (only a line break
    between brackets carries the indentation), so a node of the tree stands in ``source``
    at the one place its code does. The others are left to :func:`find_lines`.

    Examples:
        >>> import libcst as cst
        >>> source = "from a import days_ago\\nx = f(\\n    days_ago(1),\\n)\\ny = days_ago(2)\\n"
        >>> call = cst.parse_module(source).body[1].body[0].value
        >>> find_unique_lines(source, [call.args[0].value, call]) == {id(call.args[0].value): 3}
        True
    """
    found: dict[int, int] = {}
    for node in nodes:
        code = render(node)
        if len(code) < _MIN_UNIQUE or "\n" in code or "\r" in code:
            continue
        start = source.find(code)
        if start >= 0 and source.find(code, start + 1) < 0:
            found[id(node)] = source.count("\n", 0, start) + 1
    return found


#: shorter code (``x``, ``f(1)``) nearly always occurs more than once (in longer names
#: too): it goes to the walk without searching the text
_MIN_UNIQUE = 8


class _AllFound(Exception):
    """Raised by the counting state to stop code generation once every node is found."""


class _Wanted(Exception):
    """Raised by :func:`_newlines` on meeting a wanted node."""


def _newlines(node: cst.CSTNode, wanted: set[int], newline: int) -> int:
    """How many newlines the code of ``node`` has (what rendering it would count), read
    from its fields; raises :class:`_Wanted` if ``node`` or a descendant is wanted.

    ``newline``: how many newlines the module's default newline has (used where the tree
    leaves the newline to the module: ``Newline(None)``, an empty indented block's ``pass``).
    """
    count: int = (_COUNTERS.get(type(node)) or _counter(type(node)))(node, wanted, newline)
    return count


#: node types with text that may hold newlines, and the fields that hold it
_TEXTS: dict[type[cst.CSTNode], tuple[str, ...]] = {
    cst.SimpleString: ("value",), cst.FormattedStringText: ("value",),
    cst.TemplatedStringText: ("value",), cst.SimpleWhitespace: ("value",),
    cst.Newline: ("value",), cst.Comment: ("value",)}
_Counter = Callable[[Any, set[int], int], int]
#: value type -> ``(node, wanted, newline) -> newlines``, generated per node type
_COUNTERS: dict[type, _Counter] = {}

_CHILD = """\
child = {value}
if type(child) is SimpleWhitespace:  # the most common node, inlined
    if id(child) in wanted:
        raise Wanted
    count += child.value.count("\\n")
else:
    count += (counters.get(type(child)) or counter(type(child)))(child, wanted, newline)
"""


def _counter(kind: type) -> _Counter:
    """The newline counter of ``kind`` values (0 for values that are not nodes)."""
    lines = ["def count(node, wanted, newline):"]
    if not issubclass(kind, cst.CSTNode):
        lines.append("    return 0")
    else:
        lines += ["    if id(node) in wanted:", "        raise Wanted", "    count = 0"]
        for name in _TEXTS.get(kind, ()):
            lines += [f"    text = node.{name}", "    if text is None:",
                      "        count += newline", '    elif "\\n" in text:',
                      '        count += text.count("\\n")']
        hints = typing.get_type_hints(kind)
        for attribute in dataclasses.fields(kind):
            name = attribute.name
            if not _may_hold_nodes(hints.get(name, Any)):
                continue
            one = _CHILD.format(value="value").splitlines()
            many = ["for item in value:",
                    *(f"    {line}" for line in _CHILD.format(value="item").splitlines())]
            shape = field_shape(kind, name)
            body = one if shape == "one" else many if shape == "many" else [
                "if type(value) is tuple or type(value) is list:", *(f"    {x}" for x in many),
                "else:", *(f"    {x}" for x in one)]
            lines += [f"    value = node.{name}", *(f"    {line}" for line in body)]
        if kind is cst.IndentedBlock:
            lines += ["    if not node.body:", "        count += newline"]
        lines.append("    return count")
    scope: dict[str, Any] = {"Wanted": _Wanted, "SimpleWhitespace": cst.SimpleWhitespace,
                             "counters": _COUNTERS, "counter": _counter}
    exec(compile("\n".join(lines) + "\n", f"<newlines {kind.__name__}>", "exec"), scope)
    found: _Counter = scope["count"]
    _COUNTERS[kind] = found
    return found


def _may_hold_nodes(annotation: Any) -> bool:
    origin = typing.get_origin(annotation)
    if origin is typing.Literal:
        return False
    if origin is not None:
        return any(_may_hold_nodes(arg) for arg in typing.get_args(annotation))
    if isinstance(annotation, type):
        return issubclass(annotation, cst.CSTNode) or \
            not annotation.__module__.startswith(("libcst", "builtins"))
    return annotation is not type(None)


@dataclass
class _LineCountingState(CodegenState):
    wanted: set[int] = field(default_factory=set)
    found: dict[int, int] = field(default_factory=dict)
    line: int = 1

    def add_token(self, value: str) -> None:
        self.line += value.count("\n")

    def add_indent_tokens(self) -> None:
        return None

    def pop_trailing_newline(self) -> None:
        return None

    def record_syntactic_position(  # type: ignore[override]
        self, node: cst.CSTNode, *, start_node: cst.CSTNode | None = None,
        end_node: cst.CSTNode | None = None,
    ) -> contextlib.AbstractContextManager[None]:
        key = id(node)
        if key in self.wanted and key not in self.found:
            self.found[key] = self.line
            if len(self.found) == len(self.wanted):
                raise _AllFound
        return _NOTHING


