"""Folding of literal containers, f-strings and comprehensions.

Containers keep whatever values they hold (tasks included), so ``[t1, t2] >> t3`` and
``tasks.append(t)`` work. Comprehensions iterate over values the reader knows; over
anything else the element is evaluated once with unknown loop variables, so tasks built
there are reported instead of silently lost.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Any

from translators.static._objects import Scope, Unknown
from translators.static._values import UNKNOWN, format_value, truth

if TYPE_CHECKING:
    from translators.static._interp import Interpreter


def iterable(value: object) -> list[object] | None:
    """The items a ``for`` loop over ``value`` visits, when the reader knows them.

    Sets are visited in sorted order (Python's own order depends on string hashing).

    Examples:
        >>> iterable({"b": 1, "a": 2})
        ['b', 'a']
        >>> iterable(object()) is None
        True
    """
    if isinstance(value, list):
        return value
    if isinstance(value, (tuple, str, dict)):
        return list(value)
    if isinstance(value, (set, frozenset)):
        try:
            return sorted(value)
        except TypeError:
            return list(value)
    return None


def _elements(interp: Interpreter, nodes: list[ast.expr], scope: Scope) -> list[object] | None:
    items: list[object] = []
    for element in nodes:
        if isinstance(element, ast.Starred):
            value = interp.eval(element.value, scope)
            spread = iterable(value)
            if spread is None:
                return None
            items.extend(spread)
        else:
            items.append(interp.eval(element, scope))
    return items


def eval_list(interp: Interpreter, node: ast.List, scope: Scope) -> object:
    """``[a, *b]``."""
    items = _elements(interp, node.elts, scope)
    return interp.unknown(node) if items is None else items


def eval_tuple(interp: Interpreter, node: ast.Tuple, scope: Scope) -> object:
    """``(a, *b)``."""
    items = _elements(interp, node.elts, scope)
    return interp.unknown(node) if items is None else tuple(items)


def eval_set(interp: Interpreter, node: ast.Set, scope: Scope) -> object:
    """``{a, b}``."""
    items = _elements(interp, node.elts, scope)
    try:
        return interp.unknown(node) if items is None else set(items)
    except TypeError:
        return interp.unknown(node)


def eval_dict(interp: Interpreter, node: ast.Dict, scope: Scope) -> object:
    """``{k: v, **other}``; an unknown key makes the whole dict unknown."""
    result: dict[Any, object] = {}
    for key_node, value_node in zip(node.keys, node.values, strict=True):
        value = interp.eval(value_node, scope)
        if key_node is None:
            if not isinstance(value, dict):
                return interp.unknown(node)
            result.update(value)
            continue
        key = interp.eval(key_node, scope)
        if isinstance(key, Unknown):
            return interp.unknown(node)
        try:
            result[key] = value
        except TypeError:
            return interp.unknown(node)
    return result


def eval_joinedstr(interp: Interpreter, node: ast.JoinedStr, scope: Scope) -> object:
    """f-strings, with conversions and (nested) format specs."""
    parts: list[str] = []
    for part in node.values:
        if isinstance(part, ast.Constant):
            parts.append(str(part.value))
            continue
        if not isinstance(part, ast.FormattedValue):
            return interp.unknown(node)
        spec = ""
        if part.format_spec is not None:
            spec_value = interp.eval(part.format_spec, scope)
            if not isinstance(spec_value, str):
                return interp.unknown(node)
            spec = spec_value
        text = format_value(interp.eval(part.value, scope), part.conversion, spec)
        if text is UNKNOWN:
            return interp.unknown(node)
        parts.append(str(text))
    return "".join(parts)


def eval_comprehension(interp: Interpreter,
                       node: ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp,
                       scope: Scope) -> object:
    """List/set/dict comprehensions and generator expressions (materialised as lists)."""
    from translators.static._statements import assign

    inner = Scope(scope)
    results: list[object] = []
    unknown = False

    def emit() -> None:
        if isinstance(node, ast.DictComp):
            results.append((interp.eval(node.key, inner), interp.eval(node.value, inner)))
        else:
            results.append(interp.eval(node.elt, inner))

    def walk(index: int) -> None:
        nonlocal unknown
        if index == len(node.generators):
            emit()
            return
        gen = node.generators[index]
        items = iterable(interp.eval(gen.iter, inner))
        if items is None:
            unknown = True
            items = [Unknown(interp.segment(gen.target))]
        for item in items:
            interp.tick()
            assign(interp, gen.target, item, inner)
            verdicts = [truth(interp.eval(cond, inner)) for cond in gen.ifs]
            if None in verdicts:
                unknown = True
                walk(index + 1)
                return
            if all(verdicts):
                walk(index + 1)

    before = interp.created
    walk(0)
    if unknown:
        if interp.created != before:
            interp.warn("dynamic-construct", "comprehension over values the reader cannot "
                        f"compute ({interp.segment(node.generators[0].iter)!r}); its tasks are "
                        "read once with unknown values", node.lineno)
        return interp.unknown(node)
    if isinstance(node, (ast.ListComp, ast.GeneratorExp)):
        return results
    try:
        if isinstance(node, ast.SetComp):
            return set(results)
        return dict(results)  # type: ignore[arg-type]
    except TypeError:
        return interp.unknown(node)
