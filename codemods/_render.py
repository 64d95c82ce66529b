"""A module's source from its tree: LibCST's own code generation, without position hooks.

``Module.code`` generates code through a ``CodegenState`` whose
``record_syntactic_position`` is a generator-based context manager, entered around most
nodes for the benefit of ``PositionProvider``; with nothing recording positions, creating
and entering those costs about a quarter of the rendering. :func:`render` runs the same
``_codegen`` methods with a state whose hook is a shared no-op context, so the text is the
same, character for character. The runner renders its results with it, and
:func:`codemods._args.source_of` the nodes it spells.

Examples:
    >>> import libcst as cst
    >>> source = "if x:\\n    y = (1,  2)  # two\\n"
    >>> render(cst.parse_module(source)) == source
    True
"""

from __future__ import annotations

import contextlib

import libcst as cst
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
    node._codegen(state)
    return "".join(state.tokens)


class _State(CodegenState):
    def record_syntactic_position(  # type: ignore[override]
        self, node: cst.CSTNode, *, start_node: cst.CSTNode | None = None,
        end_node: cst.CSTNode | None = None,
    ) -> contextlib.AbstractContextManager[None]:
        return _NOTHING
