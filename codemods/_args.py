"""Keyword-argument edits on ``libcst.Call`` nodes that keep commas and layout valid, and
builders for the small nodes the commands create (cheaper than parsing source text).

Examples:
    >>> source_of(keyword_call("k8s.V1VolumeMount", [("name", cst.SimpleString('"data"'))]))
    'k8s.V1VolumeMount(name="data")'
    >>> source_of(string_dict([("cpu", cst.SimpleString('"1"')), ("memory", cst.Integer("2"))]))
    '{"cpu": "1", "memory": 2}'
"""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst

__all__ = ["dotted", "find_kwarg", "keyword_call", "remove_kwarg", "rename_kwarg",
           "replace_kwarg", "source_of", "string_dict"]

_MODULE = cst.Module(body=[])
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
    return cst.Call(func=dotted(func), args=[cst.Arg(keyword=cst.Name(k), value=v, equal=_EQUAL)
                                             for k, v in pairs])


def string_dict(pairs: Sequence[tuple[str, cst.BaseExpression]]) -> cst.Dict:
    """``{"k": v, ...}`` with the given value nodes."""
    return cst.Dict([cst.DictElement(cst.SimpleString(f'"{k}"'), v) for k, v in pairs])


def source_of(node: cst.CSTNode) -> str:
    """The source code of ``node``."""
    return _MODULE.code_for_node(node)


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
