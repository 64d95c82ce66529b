"""A module's source from its tree: LibCST's own code generation, without position hooks.

``Module.code`` generates code through a ``CodegenState`` whose
``record_syntactic_position`` is a generator-based context manager, entered around most
nodes for the benefit of ``PositionProvider``; with nothing recording positions, creating
and entering those costs about a quarter of the rendering. :func:`render` runs the same
``_codegen`` methods with a state whose hook is a shared no-op context, so the text is the
same, character for character. The runner renders its results with it, and
:func:`codemods._args.source_of` the nodes it spells.

Every expression's code generation also enters ``_parenthesize`` (lists ``_bracketize``,
dicts and sets ``_braceize``), more generator-based context managers: the opening tokens,
the position hook, the closing ones. While :func:`render` runs, LibCST's methods are
swapped for ones returning a plain context manager that writes the same tokens (and
restored after, exceptions included; a render inside a render keeps them), which saves
about a quarter of the remaining cost. ``tests/codemods/test_building.py`` compares the
text with ``Module.code`` on every fixture.

Examples:
    >>> import libcst as cst
    >>> source = "if x:\\n    y = (1,  2)  # two\\n"
    >>> render(cst.parse_module(source)) == source
    True
"""

from __future__ import annotations

import contextlib
from typing import Any

import libcst as cst
from libcst._nodes import expression as expression_nodes
from libcst._nodes.internal import CodegenState

__all__ = ["render"]

_NOTHING = contextlib.nullcontext()
_EMPTY = cst.Module(body=[])


def render(node: cst.CSTNode) -> str:
    """``node.code`` for a module, else ``Module([]).code_for_node(node)`` (the default
    indentation and newline), generated without position bookkeeping."""
    module = node if isinstance(node, cst.Module) else _EMPTY
    state = _State(default_indent=module.default_indent,
                   default_newline=module.default_newline)
    state.add_token = state.tokens.append  # type: ignore[method-assign,assignment]  # no frame per token
    kept = [(owner, name, owner.__dict__[name]) for owner, name, _ in _SWAPS]
    for owner, name, fast in _SWAPS:
        setattr(owner, name, fast)
    try:
        node._codegen(state)
    finally:
        for owner, name, original in kept:
            setattr(owner, name, original)
    return "".join(state.tokens)


class _Enclosed:
    """What LibCST's ``_parenthesize`` / ``_bracketize`` / ``_braceize`` do around a node's
    code, as a plain context manager: the opening tokens, then (unless the code raised)
    the closing ones."""

    __slots__ = ("_close", "_state")

    def __init__(self, opening: Any, closing: Any, state: CodegenState) -> None:
        for token in opening:
            token._codegen(state)
        self._close, self._state = closing, state

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: object, *_: object) -> None:
        if kind is None:
            for token in self._close:
                token._codegen(self._state)


def _parenthesize(self: Any, state: CodegenState) -> _Enclosed:
    return _Enclosed(self.lpar, self.rpar, state)


def _bracketize(self: Any, state: CodegenState) -> _Enclosed:
    return _Enclosed((self.lbracket,), (self.rbracket,), state)


def _braceize(self: Any, state: CodegenState) -> _Enclosed:
    return _Enclosed((self.lbrace,), (self.rbrace,), state)


#: (class, method, its stand-in while rendering)
_SWAPS: tuple[tuple[Any, str, Any], ...] = (
    (expression_nodes._BaseParenthesizedNode, "_parenthesize", _parenthesize),
    (expression_nodes.BaseList, "_bracketize", _bracketize),
    (expression_nodes._BaseSetOrDict, "_braceize", _braceize),
)


class _State(CodegenState):
    def record_syntactic_position(  # type: ignore[override]
        self, node: cst.CSTNode, *, start_node: cst.CSTNode | None = None,
        end_node: cst.CSTNode | None = None,
    ) -> contextlib.AbstractContextManager[None]:
        return _NOTHING
