"""Node dispatch for visitors and transformers, cached per node type.

LibCST's ``CSTVisitor`` / ``CSTTransformer`` look ``visit_<Node>`` / ``leave_<Node>`` up
with ``getattr`` on every node, plus ``visit_<Node>_<field>`` hooks for every field, and
the codemod base classes add matcher-decorator checks on top; and every traversal, even a
read-only one, rebuilds every node. On a DAG file that costs more than parsing it. These
mixins keep the rules of ``visit_*`` (return False to skip the children) and ``leave_*``
(return the new node), drop the per-field hooks and matcher decorators (no command uses
them) and traverse without rebuilding what did not change (:meth:`FastVisitor.walk`,
:meth:`FastTransformerDispatch.rewrite`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any, ClassVar, TypeVar

import libcst as cst

__all__ = ["FastTransformerDispatch", "FastVisitor"]

CSTNodeT = TypeVar("CSTNodeT", bound=cst.CSTNode)
_Cache = dict[type[cst.CSTNode], Any]


class _Cached:
    _visitors: ClassVar[_Cache] = {}
    _leavers: ClassVar[_Cache] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._visitors, cls._leavers = {}, {}

    def _method(self, cache: _Cache, prefix: str, kind: type[cst.CSTNode]) -> Any:
        try:
            return cache[kind]
        except KeyError:
            found = cache[kind] = getattr(type(self), f"{prefix}{kind.__name__}", None)
            return found

    def on_visit(self, node: cst.CSTNode) -> bool:
        visit = self._method(self._visitors, "visit_", type(node))
        return visit is None or visit(self, node) is not False

    def on_visit_attribute(self, node: cst.CSTNode, attribute: str) -> None:
        return None

    def on_leave_attribute(self, original_node: cst.CSTNode, attribute: str) -> None:
        return None


class FastTransformerDispatch(_Cached):
    """Mix in before a ``CSTTransformer`` subclass; :meth:`rewrite` is the fast traversal.

    ``rewrite`` calls ``visit_*`` / ``leave_*`` as ``node.visit(transformer)`` does, with
    two differences that make it several times faster: a node whose children are all
    unchanged is passed on as it is (``updated_node is original_node``) instead of being
    rebuilt, and whitespace, comments and punctuation are not visited (no command edits
    them on their own). Children are visited in the order of the node's fields.
    """

    def on_leave(self, original_node: CSTNodeT, updated_node: CSTNodeT) -> Any:
        """``leave_<Node>(original_node, updated_node)`` if defined, else ``updated_node``
        (typed ``Any``: LibCST's transformer and matcher bases disagree on the result type).
        """
        leave = self._method(self._leavers, "leave_", type(original_node))
        return updated_node if leave is None else leave(self, original_node, updated_node)

    def rewrite(self, node: cst.CSTNode) -> Any:
        """``node`` transformed: a node, or a ``FlattenSentinel`` / ``RemovalSentinel``."""
        updated = node
        if self.on_visit(node):
            changes: dict[str, Any] = {}
            for name in _fields(type(node)):
                value = getattr(node, name)
                if type(value) is tuple or type(value) is list:
                    items = self._rewrite_sequence(value)
                    if items is not None:
                        changes[name] = items
                elif not _skipped(type(value)):
                    new = self.rewrite(value)
                    if new is not value:
                        if isinstance(new, cst.RemovalSentinel | cst.FlattenSentinel):
                            raise TypeError(f"cannot remove or flatten {type(node).__name__}."
                                            f"{name}: it is not a sequence")
                        changes[name] = new
            if changes:
                updated = node.with_changes(**changes)
        return self.on_leave(node, updated)

    def _rewrite_sequence(self, values: Sequence[Any]) -> tuple[Any, ...] | None:
        """The rewritten items, or None when none changed."""
        out: list[Any] = []
        changed = False
        for item in values:
            if _skipped(type(item)):
                out.append(item)
                continue
            new = self.rewrite(item)
            if new is item:
                out.append(item)
                continue
            changed = True
            if isinstance(new, cst.FlattenSentinel):
                out += new.nodes
            elif not isinstance(new, cst.RemovalSentinel):
                out.append(new)
        return tuple(out) if changed else None


class FastVisitor(_Cached, cst.CSTVisitor):
    """A ``CSTVisitor`` with cached dispatch and a read-only walk.

    ``node.visit(visitor)`` rebuilds every node of the tree even for a visitor (LibCST has
    no read-only traversal); :meth:`walk` visits the same nodes in the same order without
    rebuilding them and without descending into whitespace, comments and punctuation.
    """

    def on_leave(self, original_node: cst.CSTNode) -> None:
        leave = self._method(self._leavers, "leave_", type(original_node))
        if leave is not None:
            leave(self, original_node)

    def walk(self, node: cst.CSTNode) -> None:
        """Visit ``node`` and its descendants (``visit_*`` returning False skips children)."""
        if self.on_visit(node):
            for child in _children(node):
                self.walk(child)
        self.on_leave(node)


_TRIVIA = (cst.BaseParenthesizableWhitespace, cst.TrailingWhitespace, cst.EmptyLine,
           cst.Newline, cst.Comment, cst.Comma, cst.Dot, cst.LeftParen, cst.RightParen,
           cst.AssignEqual, cst.Colon, cst.Semicolon, cst.LeftSquareBracket,
           cst.RightSquareBracket, cst.LeftCurlyBrace, cst.RightCurlyBrace, cst.ImportStar,
           cst.BaseBinaryOp, cst.BaseBooleanOp, cst.BaseCompOp, cst.BaseUnaryOp,
           cst.BaseAugOp, cst.Asynchronous)
_FIELDS: dict[type[cst.CSTNode], tuple[str, ...]] = {}
_SKIP: dict[type, bool] = {tuple: False, list: False}


def _skipped(kind: type) -> bool:
    """Not a node, or a node with nothing but layout in it (cached per type)."""
    try:
        return _SKIP[kind]
    except KeyError:
        skip = _SKIP[kind] = not issubclass(kind, cst.CSTNode) or issubclass(kind, _TRIVIA)
        return skip


def _fields(kind: type[cst.CSTNode]) -> tuple[str, ...]:
    try:
        return _FIELDS[kind]
    except KeyError:
        names = _FIELDS[kind] = tuple(f.name for f in dataclasses.fields(kind))
        return names


def _children(node: cst.CSTNode) -> list[cst.CSTNode]:
    out: list[cst.CSTNode] = []
    for name in _fields(type(node)):
        value = getattr(node, name)
        if type(value) is tuple or type(value) is list:
            out += [v for v in value if not _skipped(type(v))]
        elif not _skipped(type(value)):
            out.append(value)
    return out
