"""Node dispatch for visitors and transformers, cached per node type.

LibCST's ``CSTVisitor`` / ``CSTTransformer`` look ``visit_<Node>`` / ``leave_<Node>`` up
with ``getattr`` on every node, plus ``visit_<Node>_<field>`` hooks for every field, and
the codemod base classes add matcher-decorator checks on top; and every traversal, even a
read-only one, rebuilds every node. On a DAG file that costs more than parsing it. These
mixins keep the rules of ``visit_*`` (return False to skip the children) and ``leave_*``
(return the new node), drop the per-field hooks and matcher decorators (no command uses
them) and traverse without rebuilding what did not change (:meth:`FastVisitor.walk`,
:meth:`FastTransformerDispatch.rewrite`), with one traversal function per class and node
type, generated the first time the type is met (:mod:`codemods._traversal_code`).
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Callable, Mapping
from typing import Any, ClassVar, TypeVar

import libcst as cst

from codemods._traversal_code import traversal_source

__all__ = ["FastTransformerDispatch", "FastVisitor", "copy_tree", "is_layout", "rebuild"]

CSTNodeT = TypeVar("CSTNodeT", bound=cst.CSTNode)
_Cache = dict[type[cst.CSTNode], Any]
_Traverse = Callable[[Any, cst.CSTNode], Any]


_FRAMEWORK: frozenset[type] = frozenset()  # the classes below (set after them)


class _Cached:
    _visitors: ClassVar[_Cache] = {}
    _leavers: ClassVar[_Cache] = {}
    #: node type -> its traversal function, ``(self, node) -> result`` (generated per class
    #: by :func:`codemods._traversal_code.traversal_source`)
    _traversals: ClassVar[dict[type[cst.CSTNode], _Traverse]] = {}
    #: child type -> True to pass over it (not a node, a layout node, or a node type with
    #: no children and no handler), else the traversal function of its type (a visitor's
    #: ``visit_*`` itself for a node type without children and without ``leave_*``)
    _passed: ClassVar[dict[type, Any]] = {}
    #: node type -> fields the traversal does not enter (their nodes see no handler)
    SKIPPED_FIELDS: ClassVar[Mapping[type[cst.CSTNode], frozenset[str]]] = {}
    #: whether the class overrides on_visit / on_leave (then every node goes through them)
    _hooked: ClassVar[bool] = False
    _transformer: ClassVar[bool] = True

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._visitors, cls._leavers = {}, {}
        cls._traversals, cls._passed = {}, {}
        cls._hooked = any("on_visit" in vars(k) or "on_leave" in vars(k) for k in cls.__mro__
                          if issubclass(k, _Cached) and k not in _FRAMEWORK)

    def _method(self, cache: _Cache, prefix: str, kind: type[cst.CSTNode]) -> Any:
        """``<prefix><Node>`` of this class, None when absent or one of LibCST's stubs."""
        try:
            return cache[kind]
        except KeyError:
            found = getattr(type(self), f"{prefix}{kind.__name__}", None)
            if getattr(found, "_is_no_op", False):  # LibCST's typed stubs do nothing
                found = None
            cache[kind] = found
            return found

    def _handlers(self, kind: type[cst.CSTNode]) -> tuple[Any, Any]:
        """``(visit, leave)`` for ``kind`` nodes (None where there is nothing to call)."""
        cls = type(self)
        if cls._hooked:
            return cls.on_visit, cls.on_leave  # type: ignore[attr-defined]
        return (self._method(cls._visitors, "visit_", kind),
                self._method(cls._leavers, "leave_", kind))

    def _traversal(self, kind: type[cst.CSTNode]) -> _Traverse:
        """The traversal function of ``kind`` nodes for this class (made once)."""
        cls = type(self)
        found = cls._traversals.get(kind)
        if found is None:
            visit, leave = self._handlers(kind)
            skipped = cls.SKIPPED_FIELDS.get(kind, frozenset())
            fields = tuple(f for f in _fields(kind) if f not in skipped)
            source = traversal_source(kind, fields, transformer=cls._transformer,
                                      visit=visit is not None, leave=leave is not None)
            scope = {"visit": visit, "leave": leave, "passed": cls._passed, "rebuild": rebuild,
                     "keep_parens": keep_parens,
                     "pass_": cls._pass, "FlattenSentinel": cst.FlattenSentinel,
                     "RemovalSentinel": cst.RemovalSentinel}
            exec(compile(source, f"<traverse {kind.__name__}>", "exec"), scope)
            found = cls._traversals[kind] = scope["traverse"]
        return found

    def _pass(self, kind: type) -> Any:
        """How the traversal treats children of type ``kind`` (see ``_passed``)."""
        action: Any = True
        if not _skipped(kind):
            visit, leave = self._handlers(kind)
            if not self._transformer and visit is not None and leave is None \
                    and not _fields(kind):
                action = visit  # a visitor's leaf: its visit_* is all there is to call
            elif _fields(kind) or (visit, leave) != (None, None):
                action = self._traversal(kind)
        type(self)._passed[kind] = action
        return action

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
    them on their own). Children are visited in the order of the node's fields. A subclass
    may override :meth:`on_visit` / :meth:`on_leave` (both then see every node).
    """

    def on_leave(self, original_node: CSTNodeT, updated_node: CSTNodeT) -> Any:
        """``leave_<Node>(original_node, updated_node)`` if defined, else ``updated_node``
        (typed ``Any``: LibCST's transformer and matcher bases disagree on the result type).
        """
        leave = self._method(self._leavers, "leave_", type(original_node))
        return updated_node if leave is None else leave(self, original_node, updated_node)

    def rewrite(self, node: cst.CSTNode) -> Any:
        """``node`` transformed: a node, or a ``FlattenSentinel`` / ``RemovalSentinel``."""
        traverse = self._traversals.get(type(node)) or self._traversal(type(node))
        return traverse(self, node)


class FastVisitor(_Cached, cst.CSTVisitor):
    """A ``CSTVisitor`` with cached dispatch and a read-only walk.

    ``node.visit(visitor)`` rebuilds every node of the tree even for a visitor (LibCST has
    no read-only traversal); :meth:`walk` visits the same nodes in the same order without
    rebuilding them and without descending into whitespace, comments and punctuation.
    """

    _transformer = False

    def on_leave(self, original_node: cst.CSTNode) -> None:
        leave = self._method(self._leavers, "leave_", type(original_node))
        if leave is not None:
            leave(self, original_node)

    def walk(self, node: cst.CSTNode) -> None:
        """Visit ``node`` and its descendants (``visit_*`` returning False skips children)."""
        traverse = self._traversals.get(type(node)) or self._traversal(type(node))
        traverse(self, node)


_FRAMEWORK = frozenset({_Cached, FastTransformerDispatch, FastVisitor})
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


def rebuild(node: CSTNodeT, changes: dict[str, Any]) -> CSTNodeT:
    """``node.with_changes(**changes)``, validated the same way, without going through
    ``dataclasses.replace`` and the generated ``__init__`` (a third of the cost)."""
    kind = type(node)
    names = _INIT_FIELDS.get(kind)
    if names is None:
        names = _INIT_FIELDS[kind] = tuple(f.name for f in dataclasses.fields(kind))
    new = object.__new__(kind)
    for name in names:
        object.__setattr__(new, name, changes[name] if name in changes else getattr(node, name))
    new.__post_init__()
    return new


_INIT_FIELDS: dict[type[cst.CSTNode], tuple[str, ...]] = {}


def is_layout(kind: type) -> bool:
    """Whether ``kind`` is a node type of whitespace, comments or punctuation."""
    return issubclass(kind, _TRIVIA)


def _fields(kind: type[cst.CSTNode]) -> tuple[str, ...]:
    """The fields of ``kind`` whose declared type admits a node that is not layout."""
    try:
        return _FIELDS[kind]
    except KeyError:
        hints = typing.get_type_hints(kind)
        names = _FIELDS[kind] = tuple(f.name for f in dataclasses.fields(kind)
                                      if _may_hold_nodes(hints.get(f.name, Any)))
        return names


def _may_hold_nodes(annotation: Any) -> bool:
    """Whether a field declared as ``annotation`` can hold a node that is not layout."""
    origin = typing.get_origin(annotation)
    if origin is typing.Literal:
        return False
    if origin is not None:
        return any(_may_hold_nodes(arg) for arg in typing.get_args(annotation))
    if annotation is type(None) or annotation in (str, int, bool, float, bytes):
        return False
    if isinstance(annotation, type) and not issubclass(annotation, cst.CSTNode) and \
            annotation.__module__.startswith("libcst"):
        return False  # MaybeSentinel and other markers
    if isinstance(annotation, type) and issubclass(annotation, cst.CSTNode):
        return not issubclass(annotation, _TRIVIA)
    return True  # unknown: look at the value at run time


def copy_tree(node: CSTNodeT, substitutes: dict[str, cst.BaseExpression]) -> CSTNodeT:
    """A copy of ``node`` made of new nodes (layout nodes are shared), in which each
    ``Name`` spelled as a key of ``substitutes`` is replaced by that value, inside the
    parentheses written around the name (a value used twice is copied the second time).

    Examples:
        >>> call = cst.parse_expression("f(-(x), x)")
        >>> new = copy_tree(call, {"x": cst.Name("y")})
        >>> cst.Module(body=[]).code_for_node(new), new.args[0].value is call.args[0].value
        ('f(-(y), y)', False)
    """
    copied: CSTNodeT = _copy(node, substitutes, set())
    return copied


def _copy(node: Any, substitutes: dict[str, cst.BaseExpression], used: set[str]) -> Any:
    if type(node) is cst.Name and node.value in substitutes:
        name = node.value
        new = substitutes[name] if name not in used else _copy(substitutes[name], {}, used)
        used.add(name)
        if node.lpar:
            new = new.with_changes(lpar=[*node.lpar, *new.lpar], rpar=[*new.rpar, *node.rpar])
        return new
    changes: dict[str, Any] = {}
    for field in _fields(type(node)):
        value = getattr(node, field)
        if type(value) is tuple or type(value) is list:
            changes[field] = [v if _skipped(type(v)) else _copy(v, substitutes, used)
                              for v in value]
        elif not _skipped(type(value)):
            changes[field] = _copy(value, substitutes, used)
    return rebuild(node, changes)


def keep_parens(original: cst.CSTNode, new: Any) -> Any:
    """``new`` with ``original``'s parentheses when it replaces a parenthesized expression
    and has none of its own (``not(days_ago(1))`` must not become ``notpendulum...``)."""
    if isinstance(new, cst.BaseExpression) and not new.lpar:
        return new.with_changes(lpar=original.lpar,  # type: ignore[attr-defined]
                                rpar=original.rpar)  # type: ignore[attr-defined]
    return new
