"""Keyword-argument edits on ``libcst.Call`` nodes that keep commas and layout valid."""

from __future__ import annotations

import libcst as cst

__all__ = ["find_kwarg", "remove_kwarg", "rename_kwarg", "replace_kwarg", "source_of"]

_MODULE = cst.Module(body=[])


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
