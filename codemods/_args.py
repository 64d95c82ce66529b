"""Keyword-argument edits on ``libcst.Call`` nodes that keep commas and layout valid, and
builders for the small nodes the commands create (cheaper than parsing source text).

Examples:
    >>> source_of(keyword_call("k8s.V1VolumeMount", [("name", cst.SimpleString('"data"'))]))
    'k8s.V1VolumeMount(name="data")'
    >>> source_of(string_dict([("cpu", cst.SimpleString('"1"')), ("memory", cst.Integer("2"))]))
    '{"cpu": "1", "memory": 2}'
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Sequence
from typing import Any

import libcst as cst

from codemods._dispatch import copy_tree, is_layout
from codemods._render import render

__all__ = ["dotted", "fill_template", "find_kwarg", "keyword_call", "remove_kwarg",
           "rename_kwarg", "replace_kwarg", "source_of", "string_dict", "string_value"]

_EQUAL = cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""),
                         whitespace_after=cst.SimpleWhitespace(""))


def dotted(name: str) -> cst.Name | cst.Attribute:
    """``a.b.c`` as a ``Name`` / ``Attribute`` node."""
    first, *rest = name.split(".")
    node: cst.Name | cst.Attribute = cst.Name(first)
    for part in rest:
        node = cst.Attribute(value=node, attr=cst.Name(part))
    return node


def keyword_call(func: str, pairs: Sequence[tuple[str, cst.BaseExpression]]) -> cst.Call:
    """``func(k=v, ...)`` with the given value nodes."""
    args = [cst.Arg(keyword=cst.Name(k), value=v, equal=_EQUAL, **_layout(cst.Arg))
            for k, v in pairs]
    return cst.Call(func=dotted(func), args=args, **_layout(cst.Call))


def string_dict(pairs: Sequence[tuple[str, cst.BaseExpression]]) -> cst.Dict:
    """``{"k": v, ...}`` with the given value nodes."""
    return cst.Dict([cst.DictElement(cst.SimpleString(f'"{k}"'), v, **_layout(cst.DictElement))
                     for k, v in pairs], **_layout(cst.Dict))


@functools.cache
def _layout(kind: type[cst.CSTNode]) -> dict[str, Any]:
    """The whitespace and brackets ``kind`` makes anew for each node by default, made once
    (layout nodes can be shared; new nodes with the default layout are cheaper then)."""
    made = {f.name: f.default_factory() for f in dataclasses.fields(kind)
            if f.default_factory is not dataclasses.MISSING}
    assert all(is_layout(type(node)) for node in made.values()), kind
    return made


def fill_template(template: str, **holes: cst.BaseExpression) -> cst.BaseExpression:
    """``template`` (an expression with ``{name}`` holes) with the hole nodes in it.

    It renders as ``parse_expression(template.format(name=source_of(node), ...))`` would,
    at a fraction of the cost: the template is parsed once, then copied around the nodes.

    Examples:
        >>> source_of(fill_template('{ctx}["ds"].strftime({ctx}["f"])', ctx=cst.Name("c")))
        'c["ds"].strftime(c["f"])'
    """
    holes_by_name = {_HOLE.format(name): node for name, node in holes.items()}
    return copy_tree(_parsed_template(template, tuple(holes)), holes_by_name)


_HOLE = "__template_hole_{}__"


@functools.cache
def _parsed_template(template: str, names: tuple[str, ...]) -> cst.BaseExpression:
    return cst.parse_expression(template.format(**{n: _HOLE.format(n) for n in names}))


def source_of(node: cst.CSTNode) -> str:
    """The source code of ``node`` (names and plain dotted names without rendering)."""
    spelled = _plain_dotted(node)
    return spelled if spelled is not None else render(node)


def _plain_dotted(node: cst.CSTNode) -> str | None:
    """``a.b.c`` for a dotted name written without parentheses or spaces, else None."""
    if type(node) is cst.Name:
        return None if node.lpar else node.value
    if type(node) is not cst.Attribute or node.lpar:
        return None
    dot = node.dot
    if type(dot) is not cst.Dot or not _no_space(dot.whitespace_before) or \
            not _no_space(dot.whitespace_after) or node.attr.lpar:
        return None
    base = _plain_dotted(node.value)
    return None if base is None else f"{base}.{node.attr.value}"


def _no_space(whitespace: cst.BaseParenthesizableWhitespace) -> bool:
    return type(whitespace) is cst.SimpleWhitespace and not whitespace.value


def string_value(node: cst.SimpleString) -> str | bytes:
    """``node.evaluated_value``, without ``ast.literal_eval`` for plain one-line text.

    Examples:
        >>> string_value(cst.SimpleString('"on_finish_action"'))
        'on_finish_action'
        >>> string_value(cst.SimpleString("b'x'"))
        b'x'
    """
    value = node.value
    quote = value[0]
    if (quote == '"' or quote == "'") and "\\" not in value and value[1:3] != quote * 2:
        return value[1:-1]  # no prefix, no escapes, not triple-quoted: the text between
    return node.evaluated_value


def find_kwarg(call: cst.Call, name: str) -> cst.Arg | None:
    """The ``name=`` argument of ``call``, if any."""
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg
    return None


def rename_kwarg(call: cst.Call, old: str, new: str) -> cst.Call:
    """``call`` with ``old=`` renamed to ``new=`` (unchanged when absent)."""
    arg = find_kwarg(call, old)
    if arg is None:
        return call
    return replace_kwarg(call, old, arg.with_changes(keyword=cst.Name(new)))


def replace_kwarg(call: cst.Call, name: str, new: cst.Arg) -> cst.Call:
    """``call`` with its ``name=`` argument replaced by ``new`` (comma kept)."""
    args = [new.with_changes(comma=a.comma) if a.keyword is not None and a.keyword.value == name
            else a for a in call.args]
    return call.with_changes(args=args)


def remove_kwarg(call: cst.Call, name: str) -> cst.Call:
    """``call`` without its ``name=`` argument; a trailing comma moves to the new last arg."""
    args = list(call.args)
    for index, arg in enumerate(args):
        if arg.keyword is not None and arg.keyword.value == name:
            del args[index]
            if index == len(args) and args:
                args[-1] = args[-1].with_changes(comma=arg.comma)
            return call.with_changes(args=args)
    return call
