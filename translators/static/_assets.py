"""Airflow assets (``Asset``, ``Dataset``, ``AssetAlias``, ``Asset.ref``) and asset
conditions (``&``, ``|``, ``AssetAll``, ``AssetAny``, lists meaning AND) as IR values."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import TYPE_CHECKING

from translators.static._objects import AssetExpression, AssetRef, Unknown

if TYPE_CHECKING:
    from translators.static._interp import Interpreter


@dataclass(frozen=True, slots=True)
class AssetOrTime:
    """``AssetOrTimeSchedule(timetable=..., assets=...)``: a time schedule plus assets."""

    assets: AssetExpression | None


def is_asset_like(value: object) -> bool:
    """True for assets and asset conditions."""
    return isinstance(value, (AssetRef, AssetExpression))


def make_asset(kind: str, args: list[object], kwargs: dict[str, object]) -> object:
    """Evaluate an asset constructor call; Unknown when its name/URI is not a string.

    Examples:
        >>> make_asset("asset", ["orders"], {}).key
        'orders'
        >>> make_asset("asset", [], {"uri": "s3://b/k"}).name
        's3://b/k'
    """
    if kind in {"asset_all", "asset_any"}:
        items = [to_expression(a) for a in args]
        if any(i is None for i in items):
            return Unknown(f"{kind}(...)")
        return _join("and" if kind == "asset_all" else "or", [i for i in items if i])
    if kind == "asset_or_time":
        return AssetOrTime(to_expression(kwargs.get("assets")))
    name = kwargs.get("name", args[0] if args else None)
    if kind == "asset_alias":
        return AssetRef(name=name, kind="alias") if isinstance(name, str) else Unknown("alias")
    uri = kwargs.get("uri", args[1] if len(args) > 1 else None)
    if name is None and uri is None:
        return Unknown("Asset()")
    if not isinstance(name, (str, type(None))) or not isinstance(uri, (str, type(None))):
        return Unknown("Asset(...)")
    return AssetRef(name=name if name is not None else uri, uri=uri if uri is not None else name)


def asset_ref(kwargs: dict[str, object]) -> object:
    """``Asset.ref(name=...)`` / ``Asset.ref(uri=...)``."""
    name, uri = kwargs.get("name"), kwargs.get("uri")
    if isinstance(name, str):
        return AssetRef(name=name)
    if isinstance(uri, str):
        return AssetRef(uri=uri)
    return Unknown("Asset.ref(...)")


def to_expression(value: object) -> AssetExpression | None:
    """An asset, condition or list of them (AND) as an expression; None if not assets."""
    if isinstance(value, AssetRef):
        return AssetExpression(op="asset", asset=value)
    if isinstance(value, AssetExpression):
        return value
    if isinstance(value, (list, tuple)) and value:
        items = [to_expression(v) for v in value]
        if any(i is None for i in items):
            return None
        return _join("and", [i for i in items if i])
    return None


def _join(op: str, items: list[AssetExpression]) -> AssetExpression:
    flat: list[AssetExpression] = []
    for item in items:
        flat.extend(item.items if item.op == op else (item,))
    if len(flat) == 1:
        return flat[0]
    return AssetExpression(op="and" if op == "and" else "or", items=tuple(flat))


def combine(interp: Interpreter, op: str, left: object, right: object,
            node: ast.BinOp) -> object:
    """``left | right`` / ``left & right`` over assets."""
    left_expr, right_expr = to_expression(left), to_expression(right)
    if left_expr is None or right_expr is None:
        return interp.unknown(node)
    return _join(op, [left_expr, right_expr])


def describe(expr: AssetExpression, nested: bool = False) -> str:
    """A readable form: ``orders & (customers | regions)``.

    Examples:
        >>> a, b = (AssetExpression(op="asset", asset=AssetRef(name=n)) for n in "ab")
        >>> describe(AssetExpression(op="or", items=(a, b)))
        'a | b'
    """
    if expr.op == "asset" and expr.asset is not None:
        return expr.asset.key
    text = (" & " if expr.op == "and" else " | ").join(describe(i, True) for i in expr.items)
    return f"({text})" if nested else text


def collect_refs(interp: Interpreter, value: object, line: int) -> list[AssetRef]:
    """The assets in an ``outlets=`` / ``inlets=`` value (one asset or a list)."""
    if value is None:
        return []
    items = value if isinstance(value, (list, tuple)) else [value]
    refs: list[AssetRef] = []
    for item in items:
        if isinstance(item, AssetRef):
            refs.append(item)
        elif isinstance(item, AssetExpression):
            refs.extend(item.assets())
        elif isinstance(item, Unknown):
            interp.warn("unresolved-asset", f"asset {item.source!r} cannot be resolved "
                        "statically; it is left out", line)
    return refs
