"""Expressions: names, attributes, subscripts, operators, calls and the dispatch table.

Containers, f-strings and comprehensions live in ``_folding``; what a call does in
``_calls``; attribute semantics in ``_attrs``.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from translators.static import _assets, _attrs, _edges, _folding, _statements
from translators.static._callables import CallSite
from translators.static._objects import Scope
from translators.static._values import UNKNOWN, binop, compare, truth, unaryop

if TYPE_CHECKING:
    from translators.static._interp import Interpreter

__all__ = ["EVAL", "apply_binop"]


def eval_name(interp: Interpreter, node: ast.Name, scope: Scope) -> object:
    """A name: locals, enclosing scopes, module, builtins."""
    return interp.lookup(node.id, scope)


def eval_constant(interp: Interpreter, node: ast.Constant, scope: Scope) -> object:
    """A literal."""
    return node.value


def eval_attribute(interp: Interpreter, node: ast.Attribute, scope: Scope) -> object:
    """``value.attr``."""
    return _attrs.get_attr(interp, interp.eval(node.value, scope), node.attr, node)


def eval_subscript(interp: Interpreter, node: ast.Subscript, scope: Scope) -> object:
    """``value[key]``."""
    return _attrs.get_item(interp, interp.eval(node.value, scope),
                           interp.eval(node.slice, scope), node)


def eval_slice(interp: Interpreter, node: ast.Slice, scope: Scope) -> object:
    """``a:b:c`` inside a subscript."""
    parts = [interp.eval(p, scope) if p is not None else None
             for p in (node.lower, node.upper, node.step)]
    if all(p is None or isinstance(p, int) for p in parts):
        return slice(*parts)
    return interp.unknown(node)


def eval_binop(interp: Interpreter, node: ast.BinOp, scope: Scope) -> object:
    """A binary operation; left-nested chains (``a >> b >> ... >> z``) are walked
    iteratively, so long dependency expressions never exhaust the stack."""
    chain: list[ast.BinOp] = []
    current: ast.expr = node
    while isinstance(current, ast.BinOp):
        chain.append(current)
        current = current.left
    value = interp.eval(current, scope)
    for link in reversed(chain):
        value = apply_binop(interp, link, value, interp.eval(link.right, scope))
    return value


def apply_binop(interp: Interpreter, node: ast.BinOp, left: object, right: object) -> object:
    """``left <op> right``: dependencies, asset conditions, or folded arithmetic."""
    op = node.op
    if isinstance(op, (ast.RShift, ast.LShift)) and not (
        isinstance(left, int) and isinstance(right, int)
    ):
        interp.line = getattr(node, "lineno", interp.line)
        return _edges.shift(interp, left, right, isinstance(op, ast.RShift), node)
    if isinstance(op, (ast.BitOr, ast.BitAnd)) and (
        _assets.is_asset_like(left) or _assets.is_asset_like(right)
    ):
        return _assets.combine(interp, "or" if isinstance(op, ast.BitOr) else "and",
                               left, right, node)
    result = binop(op, left, right)
    return interp.unknown(node) if result is UNKNOWN else result


def eval_unaryop(interp: Interpreter, node: ast.UnaryOp, scope: Scope) -> object:
    """``-x``, ``not x`` ..."""
    result = unaryop(node.op, interp.eval(node.operand, scope))
    return interp.unknown(node) if result is UNKNOWN else result


def eval_boolop(interp: Interpreter, node: ast.BoolOp, scope: Scope) -> object:
    """``and`` / ``or`` with Python's short-circuit values."""
    is_and = isinstance(node.op, ast.And)
    value: object = None
    for operand in node.values:
        value = interp.eval(operand, scope)
        known = truth(value)
        if known is None:
            return interp.unknown(node)
        if known != is_and:
            return value
    return value


def eval_compare(interp: Interpreter, node: ast.Compare, scope: Scope) -> object:
    """Chained comparisons."""
    left = interp.eval(node.left, scope)
    for op, right_node in zip(node.ops, node.comparators, strict=True):
        right = interp.eval(right_node, scope)
        result = compare(op, left, right)
        if result is UNKNOWN:
            return interp.unknown(node)
        if not result:
            return False
        left = right
    return True


def eval_ifexp(interp: Interpreter, node: ast.IfExp, scope: Scope) -> object:
    """``a if cond else b``."""
    known = truth(interp.eval(node.test, scope))
    if known is None:
        return interp.unknown(node)
    return interp.eval(node.body if known else node.orelse, scope)


def eval_lambda(interp: Interpreter, node: ast.Lambda, scope: Scope) -> object:
    """A lambda is a function value."""
    return interp.make_function(node, scope)


def eval_namedexpr(interp: Interpreter, node: ast.NamedExpr, scope: Scope) -> object:
    """``(name := value)``."""
    value = interp.eval(node.value, scope)
    _statements.assign(interp, node.target, value, scope)
    return value


def eval_call(interp: Interpreter, node: ast.Call, scope: Scope) -> object:
    """A call: evaluate the callee and arguments (``*``/``**`` spread when known)."""
    fn = interp.eval(node.func, scope)
    site = CallSite(node, node.lineno)
    args: list[object] = []
    for arg in node.args:
        if isinstance(arg, ast.Starred):
            value = interp.eval(arg.value, scope)
            if isinstance(value, (list, tuple)):
                args.extend(value)
            else:
                site.unknown_splat = True
        else:
            site.arg_nodes.append(arg)
            args.append(interp.eval(arg, scope))
    kwargs: dict[str, object] = {}
    for keyword in node.keywords:
        value = interp.eval(keyword.value, scope)
        if keyword.arg is not None:
            kwargs[keyword.arg] = value
            site.kw_nodes[keyword.arg] = keyword.value
        elif isinstance(value, dict) and all(isinstance(k, str) for k in value):
            kwargs.update(value)
        else:
            site.unknown_splat = True
    return interp.call(fn, args, kwargs, site)


def eval_opaque(interp: Interpreter, node: ast.expr, scope: Scope) -> object:
    """``await``, ``yield``, stray ``*x``: evaluated for effects, value unknown."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.expr):
            interp.eval(child, scope)
    return interp.unknown(node)


_Handler = Callable[["Interpreter", Any, Scope], object]
EVAL: dict[type[ast.AST], _Handler] = {
    ast.Name: eval_name,
    ast.Constant: eval_constant,
    ast.Attribute: eval_attribute,
    ast.Subscript: eval_subscript,
    ast.Slice: eval_slice,
    ast.BinOp: eval_binop,
    ast.UnaryOp: eval_unaryop,
    ast.BoolOp: eval_boolop,
    ast.Compare: eval_compare,
    ast.IfExp: eval_ifexp,
    ast.List: _folding.eval_list,
    ast.Tuple: _folding.eval_tuple,
    ast.Set: _folding.eval_set,
    ast.Dict: _folding.eval_dict,
    ast.JoinedStr: _folding.eval_joinedstr,
    ast.Lambda: eval_lambda,
    ast.NamedExpr: eval_namedexpr,
    ast.Call: eval_call,
    ast.ListComp: _folding.eval_comprehension,
    ast.SetComp: _folding.eval_comprehension,
    ast.GeneratorExp: _folding.eval_comprehension,
    ast.DictComp: _folding.eval_comprehension,
    ast.Await: eval_opaque,
    ast.Yield: eval_opaque,
    ast.YieldFrom: eval_opaque,
    ast.Starred: eval_opaque,
}
