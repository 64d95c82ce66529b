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
from collections.abc import Iterable
from dataclasses import dataclass, field

import libcst as cst
from libcst._nodes.internal import CodegenState

__all__ = ["find_lines"]

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
    try:  # as Module._codegen_impl, stopping as soon as all are found
        for line in module.header:
            line._codegen(state)
        for statement in module.body:
            statement._codegen(state)
    except _AllFound:
        pass
    return state.found


class _AllFound(Exception):
    """Raised by the counting state to stop code generation once every node is found."""


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


