"""Statements: assignment, ``if``/``for``/``while``/``with``, definitions, imports.

Control flow follows Python where the reader can compute the condition or the iterated
values. Where it cannot, it reads the body once (an ``if`` body as if true, a loop body
with unknown loop variables) and says so when that body built tasks or edges.
"""

from __future__ import annotations

import ast
import contextlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from translators.static import _attrs, _classes, _contexts, _decorators, _exprs
from translators.static._callables import GlobalsProxy
from translators.static._flow import (
    BreakSignal,
    BudgetExceeded,
    ContinueSignal,
    ReturnSignal,
)
from translators.static._imports import bind_import
from translators.static._objects import Scope, Unknown
from translators.static._values import truth

if TYPE_CHECKING:
    from translators.static._interp import Interpreter

#: iterations one ``while`` loop may run
MAX_WHILE = 1_000
_CONTROL = (ReturnSignal, BreakSignal, ContinueSignal, BudgetExceeded, RecursionError)


def exec_block(interp: Interpreter, body: list[ast.stmt], scope: Scope) -> None:
    """Execute statements in order; one failing statement never stops the rest."""
    for stmt in body:
        interp.line = stmt.lineno
        interp.tick()
        handler = _EXEC.get(type(stmt))
        if handler is None:
            continue
        try:
            handler(interp, stmt, scope)
        except _CONTROL:
            raise
        except Exception as error:  # a reader bug must not lose the rest of the file
            interp.warn("internal-error", f"the static reader failed on this statement "
                        f"({type(error).__name__}: {error}); it is skipped", stmt.lineno)


def assign(interp: Interpreter, target: ast.expr, value: object, scope: Scope) -> None:
    """Bind ``value`` to an assignment target (names, unpacking, items, attributes)."""
    if isinstance(target, ast.Name):
        if target.id in scope.globals_:
            scope.module_scope().vars[target.id] = value
        else:
            scope.vars[target.id] = value
    elif isinstance(target, (ast.Tuple, ast.List)):
        _unpack(interp, target, value, scope)
    elif isinstance(target, ast.Subscript):
        container = interp.eval(target.value, scope)
        key = interp.eval(target.slice, scope)
        if isinstance(container, GlobalsProxy) and isinstance(key, str):
            container.scope.vars[key] = value
        elif isinstance(container, (list, dict)) and not isinstance(key, Unknown):
            with contextlib.suppress(Exception):
                container[key] = value  # type: ignore[index,call-overload]
    elif isinstance(target, ast.Attribute):
        _attrs.set_attr(interp, interp.eval(target.value, scope), target.attr, value)
    elif isinstance(target, ast.Starred):
        assign(interp, target.value, value, scope)


def _unpack(interp: Interpreter, target: ast.Tuple | ast.List, value: object,
            scope: Scope) -> None:
    items = list(value) if isinstance(value, (list, tuple, str)) else None
    if isinstance(value, dict):
        items = list(value)
    names = target.elts
    star = next((i for i, t in enumerate(names) if isinstance(t, ast.Starred)), None)
    if items is not None and star is None and len(items) == len(names):
        for sub, item in zip(names, items, strict=True):
            assign(interp, sub, item, scope)
        return
    if items is not None and star is not None and len(items) >= len(names) - 1:
        tail = len(names) - star - 1
        for sub, item in zip(names[:star], items[:star], strict=True):
            assign(interp, sub, item, scope)
        assign(interp, names[star], items[star:len(items) - tail], scope)
        for sub, item in zip(names[star + 1:], items[len(items) - tail:], strict=True):
            assign(interp, sub, item, scope)
        return
    for sub in names:
        assign(interp, sub, Unknown(interp.segment(sub)), scope)


def _expr(interp: Interpreter, stmt: ast.Expr, scope: Scope) -> None:
    interp.eval(stmt.value, scope)


def _assign(interp: Interpreter, stmt: ast.Assign, scope: Scope) -> None:
    value = interp.eval(stmt.value, scope)
    for target in stmt.targets:
        assign(interp, target, value, scope)


def _annassign(interp: Interpreter, stmt: ast.AnnAssign, scope: Scope) -> None:
    if stmt.value is not None:
        assign(interp, stmt.target, interp.eval(stmt.value, scope), scope)


def _augassign(interp: Interpreter, stmt: ast.AugAssign, scope: Scope) -> None:
    target = stmt.target
    load: ast.expr
    if isinstance(target, ast.Name):
        load = ast.Name(id=target.id, ctx=ast.Load())
    elif isinstance(target, (ast.Attribute, ast.Subscript)):
        load = target
    else:
        return
    current = interp.eval(load, scope)
    right = interp.eval(stmt.value, scope)
    if isinstance(current, list) and isinstance(stmt.op, ast.Add) and isinstance(
        right, (list, tuple)
    ):
        current.extend(right)  # ``+=`` on a list extends it in place
        return
    node = ast.BinOp(left=load, op=stmt.op, right=stmt.value)
    ast.copy_location(node, stmt)
    assign(interp, target, _exprs.apply_binop(interp, node, current, right), scope)


def _if(interp: Interpreter, stmt: ast.If, scope: Scope) -> None:
    known = truth(interp.eval(stmt.test, scope))
    if known is None:
        before = interp.created
        interp.exec_block(stmt.body, scope)
        if interp.created != before:
            interp.warn("dynamic-construct", f"condition {interp.segment(stmt.test)!r} cannot "
                        "be evaluated statically; its body was read as if true", stmt.lineno)
        return
    interp.exec_block(stmt.body if known else stmt.orelse, scope)


def _for(interp: Interpreter, stmt: ast.For | ast.AsyncFor, scope: Scope) -> None:
    from translators.static._folding import iterable

    items = iterable(interp.eval(stmt.iter, scope))
    if items is None:
        assign(interp, stmt.target, Unknown(interp.segment(stmt.target)), scope)
        _read_once(interp, stmt, scope, f"loop over {interp.segment(stmt.iter)!r} cannot be "
                   "evaluated statically; its body was read once with unknown values")
        return
    for item in items:
        interp.tick()
        assign(interp, stmt.target, item, scope)
        try:
            interp.exec_block(stmt.body, scope)
        except ContinueSignal:
            continue
        except BreakSignal:
            return
    interp.exec_block(stmt.orelse, scope)


def _read_once(interp: Interpreter, stmt: ast.For | ast.AsyncFor | ast.While, scope: Scope,
               warning: str) -> None:
    """Run a loop body once when the loop cannot be evaluated; warn if it made tasks."""
    before = interp.created
    with contextlib.suppress(BreakSignal, ContinueSignal):
        interp.exec_block(stmt.body, scope)
    if interp.created != before:
        interp.warn("dynamic-construct", warning, stmt.lineno)


def _while(interp: Interpreter, stmt: ast.While, scope: Scope) -> None:
    for _ in range(MAX_WHILE):
        known = truth(interp.eval(stmt.test, scope))
        if known is None:
            _read_once(interp, stmt, scope, f"loop condition {interp.segment(stmt.test)!r} "
                       "cannot be evaluated statically; its body was read once")
            return
        if not known:
            interp.exec_block(stmt.orelse, scope)
            return
        try:
            interp.exec_block(stmt.body, scope)
        except ContinueSignal:
            continue
        except BreakSignal:
            return
    interp.warn("dynamic-construct", f"while loop stopped after {MAX_WHILE} iterations",
                stmt.lineno)


def _with(interp: Interpreter, stmt: ast.With | ast.AsyncWith, scope: Scope) -> None:
    _contexts.run_with(interp, stmt, scope)


def _try(interp: Interpreter, stmt: Any, scope: Scope) -> None:
    # imports always "succeed" statically, so the ``try`` body is the path Airflow takes
    try:
        interp.exec_block(stmt.body, scope)
        interp.exec_block(stmt.orelse, scope)
    finally:
        interp.exec_block(stmt.finalbody, scope)


def _functiondef(interp: Interpreter, stmt: ast.FunctionDef | ast.AsyncFunctionDef,
                 scope: Scope) -> None:
    decorators = [interp.eval(d, scope) for d in stmt.decorator_list]
    value: object = interp.make_function(stmt, scope)
    for decorator, node in zip(reversed(decorators), reversed(stmt.decorator_list), strict=True):
        value = _decorators.apply_decorator(interp, decorator, value, node)
    assign(interp, ast.Name(id=stmt.name, ctx=ast.Store()), value, scope)


def _classdef(interp: Interpreter, stmt: ast.ClassDef, scope: Scope) -> None:
    value: object = _classes.define_class(interp, stmt, scope)
    for decorator in reversed(stmt.decorator_list):
        value = _decorators.apply_decorator(interp, interp.eval(decorator, scope), value,
                                            decorator)
    assign(interp, ast.Name(id=stmt.name, ctx=ast.Store()), value, scope)


def _return(interp: Interpreter, stmt: ast.Return, scope: Scope) -> None:
    raise ReturnSignal(interp.eval(stmt.value, scope) if stmt.value is not None else None)


def _break(interp: Interpreter, stmt: ast.Break, scope: Scope) -> None:
    raise BreakSignal


def _continue(interp: Interpreter, stmt: ast.Continue, scope: Scope) -> None:
    raise ContinueSignal


def _import(interp: Interpreter, stmt: ast.Import | ast.ImportFrom, scope: Scope) -> None:
    bind_import(stmt, scope)


def _delete(interp: Interpreter, stmt: ast.Delete, scope: Scope) -> None:
    for target in stmt.targets:
        if isinstance(target, ast.Name):
            scope.vars.pop(target.id, None)
        elif isinstance(target, ast.Subscript):
            container = interp.eval(target.value, scope)
            key = interp.eval(target.slice, scope)
            if isinstance(container, (list, dict)) and not isinstance(key, Unknown):
                with contextlib.suppress(Exception):
                    del container[key]  # type: ignore[arg-type]


def _global(interp: Interpreter, stmt: ast.Global, scope: Scope) -> None:
    scope.globals_.update(stmt.names)


def _match(interp: Interpreter, stmt: ast.Match, scope: Scope) -> None:
    interp.warn("dynamic-construct", "match statements are not read statically", stmt.lineno)


_EXEC: dict[type[ast.stmt], Callable[[Interpreter, Any, Scope], None]] = {
    ast.Expr: _expr,
    ast.Assign: _assign,
    ast.AnnAssign: _annassign,
    ast.AugAssign: _augassign,
    ast.If: _if,
    ast.For: _for,
    ast.AsyncFor: _for,
    ast.While: _while,
    ast.With: _with,
    ast.AsyncWith: _with,
    ast.Try: _try,
    ast.FunctionDef: _functiondef,
    ast.AsyncFunctionDef: _functiondef,
    ast.ClassDef: _classdef,
    ast.Return: _return,
    ast.Break: _break,
    ast.Continue: _continue,
    ast.Import: _import,
    ast.ImportFrom: _import,
    ast.Global: _global,
    ast.Delete: _delete,
    ast.Match: _match,
}
if hasattr(ast, "TryStar"):
    _EXEC[ast.TryStar] = _try

__all__ = ["assign", "exec_block"]
