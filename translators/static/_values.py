"""Bounded constant folding over plain Python values.

The reader folds literals, module-level names, f-strings, ``str.format``, containers,
comprehensions and simple arithmetic so that task ids built in loops resolve. Every
operation here works on plain data only and is bounded: a result that would be huge
(``"x" * 10**9``, ``range(10**8)``) becomes :data:`UNKNOWN` instead. Callers turn
:data:`UNKNOWN` into an :class:`~translators.static._objects.Unknown` carrying source text.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable
from pathlib import PurePosixPath
from typing import Any, Final

from translators.static._objects import Unknown

#: the plain types the reader computes with
DATA_TYPES: Final = (str, int, float, bool, type(None), bytes, list, tuple, dict, set, frozenset,
                     PurePosixPath)
_SCALARS: Final = (str, int, float, bool, type(None), bytes, PurePosixPath)
#: the largest sequence a folded operation may build
MAX_ITEMS: Final = 100_000


class _Marker:
    """Sentinel type for "could not fold"."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "UNKNOWN"


#: returned by folding helpers when the result is not computable
UNKNOWN: Final = _Marker()

_BINOPS: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
    ast.Div: operator.truediv, ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod,
    ast.Pow: operator.pow, ast.BitOr: operator.or_, ast.BitAnd: operator.and_,
    ast.BitXor: operator.xor, ast.LShift: operator.lshift, ast.RShift: operator.rshift,
    ast.MatMult: operator.matmul,
}
_UNARY: dict[type[ast.unaryop], Callable[[Any], Any]] = {
    ast.USub: operator.neg, ast.UAdd: operator.pos, ast.Invert: operator.invert,
}
_CMPOPS: dict[type[ast.cmpop], Callable[[Any, Any], Any]] = {
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
    ast.Gt: operator.gt, ast.GtE: operator.ge, ast.Is: operator.is_, ast.IsNot: operator.is_not,
    ast.In: lambda a, b: a in b, ast.NotIn: lambda a, b: a not in b,
}

#: methods of plain values the reader may call
SAFE_METHODS: dict[type, frozenset[str]] = {
    str: frozenset({
        "format", "join", "upper", "lower", "strip", "lstrip", "rstrip", "replace", "split",
        "rsplit", "startswith", "endswith", "title", "capitalize", "zfill", "casefold",
        "splitlines", "partition", "rpartition", "removeprefix", "removesuffix", "ljust",
        "rjust", "center", "count", "find", "rfind", "index", "isdigit", "isalpha",
        "isalnum", "isidentifier", "islower", "isupper", "swapcase", "format_map",
    }),
    list: frozenset({"append", "extend", "insert", "pop", "index", "count", "copy", "remove",
                     "reverse", "clear"}),
    dict: frozenset({"get", "items", "keys", "values", "update", "copy", "pop", "setdefault"}),
    tuple: frozenset({"index", "count"}),
    set: frozenset({"add", "update", "union", "copy", "difference", "intersection", "discard"}),
    frozenset: frozenset({"union", "difference", "intersection"}),
    PurePosixPath: frozenset({"with_suffix", "with_name", "with_stem", "joinpath", "as_posix",
                              "relative_to", "is_absolute", "match", "is_relative_to"}),
}
#: methods whose arguments end up in text (so they must be plain data, never objects)
_TEXT_METHODS = frozenset({"format", "join", "format_map", "replace"})


def is_data(value: object, depth: int = 0) -> bool:
    """True for plain values, containers included, with nothing the reader invented inside."""
    if isinstance(value, _SCALARS):
        return True
    if depth > 20:
        return False
    if isinstance(value, (list, tuple, set, frozenset)):
        return all(is_data(item, depth + 1) for item in value)
    if isinstance(value, dict):
        return all(is_data(k, depth + 1) and is_data(v, depth + 1) for k, v in value.items())
    return False


def truth(value: object) -> bool | None:
    """The truthiness of a value; None when unknown. Reader objects (tasks ...) are true."""
    if isinstance(value, Unknown):
        return None
    if isinstance(value, DATA_TYPES):
        return bool(value)
    return True


def _too_big(op: type[ast.operator], left: object, right: object) -> bool:
    if op is ast.Mult:
        for seq, count in ((left, right), (right, left)):
            if isinstance(seq, (str, bytes, list, tuple)) and isinstance(count, int):
                return len(seq) * max(count, 0) > MAX_ITEMS * 10
    if op is ast.Pow and isinstance(right, (int, float)):
        return abs(right) > 1000
    if op is ast.LShift and isinstance(right, int):
        return right > 4096
    return False


def binop(op: ast.operator, left: object, right: object) -> object:
    """``left <op> right`` for plain values, else :data:`UNKNOWN`."""
    if not isinstance(left, DATA_TYPES) or not isinstance(right, DATA_TYPES):
        return UNKNOWN
    if _too_big(type(op), left, right):
        return UNKNOWN
    if type(op) is ast.Mod and isinstance(left, str) and not is_data(right):
        return UNKNOWN
    try:
        result: object = _BINOPS[type(op)](left, right)
    except Exception:
        return UNKNOWN
    return result


def unaryop(op: ast.unaryop, value: object) -> object:
    """``<op> value`` for plain values, else :data:`UNKNOWN`."""
    if isinstance(op, ast.Not):
        known = truth(value)
        return UNKNOWN if known is None else not known
    if not isinstance(value, (int, float)):
        return UNKNOWN
    try:
        result: object = _UNARY[type(op)](value)
    except Exception:
        return UNKNOWN
    return result


def compare(op: ast.cmpop, left: object, right: object) -> object:
    """One comparison; identity and equality also work on reader objects."""
    if isinstance(left, Unknown) or isinstance(right, Unknown):
        return UNKNOWN
    try:
        return bool(_CMPOPS[type(op)](left, right))
    except Exception:
        return UNKNOWN


def format_value(value: object, conversion: int, spec: str) -> object:
    """One f-string replacement field, or :data:`UNKNOWN` when the value is not plain."""
    if not is_data(value):
        return UNKNOWN
    try:
        if conversion == ord("r"):
            value = repr(value)
        elif conversion == ord("a"):
            value = ascii(value)
        elif conversion == ord("s"):
            value = str(value)
        return format(value, spec)
    except Exception:
        return UNKNOWN


def call_method(obj: object, name: str, args: list[object], kwargs: dict[str, object]) -> object:
    """Call an allow-listed method of a plain value (``"a_{}".format(x)``, ``l.append(t)``)."""
    allowed = SAFE_METHODS.get(type(obj))
    if allowed is None or name not in allowed:
        return UNKNOWN
    if name in _TEXT_METHODS and not (is_data(args) and is_data(kwargs)):
        return UNKNOWN
    if any(isinstance(a, Unknown) for a in args) and type(obj) not in (list, dict, set):
        return UNKNOWN
    try:
        result: object = getattr(obj, name)(*args, **kwargs)
    except Exception:
        return UNKNOWN
    if isinstance(result, (type({}.items()), type({}.keys()), type({}.values()))):
        return list(result)
    return result


def _range(*args: object) -> object:
    if not all(isinstance(a, int) for a in args):
        return UNKNOWN
    values = range(*args)  # type: ignore[call-overload]
    return list(values) if len(values) <= MAX_ITEMS else UNKNOWN


def _sized(values: object) -> object:
    if isinstance(values, (list, tuple, str, dict, set, frozenset)) and len(values) <= MAX_ITEMS:
        return values
    return UNKNOWN


def _text(func: Callable[..., object]) -> Callable[..., object]:
    def call(*args: object, **kwargs: object) -> object:
        return func(*args, **kwargs) if is_data(args) and is_data(kwargs) else UNKNOWN

    return call


def _listing(func: Callable[..., Any]) -> Callable[..., object]:
    def call(*args: object, **kwargs: object) -> object:
        if not all(_sized(a) is not UNKNOWN or isinstance(a, (int, bool)) for a in args):
            return UNKNOWN
        return list(func(*args, **kwargs))

    return call


#: builtins the reader evaluates, by name
_BUILTINS: dict[str, Callable[..., object]] = {
    "range": _range,
    "len": lambda v: len(v) if _sized(v) is not UNKNOWN else UNKNOWN,
    "str": _text(str), "repr": _text(repr), "int": _text(int), "float": _text(float),
    "bool": lambda v=False: truth(v) if truth(v) is not None else UNKNOWN,
    "list": _listing(list), "tuple": lambda v=(): tuple(v) if _sized(v) is not UNKNOWN else UNKNOWN,
    "set": _text(set), "frozenset": _text(frozenset), "dict": dict,
    "sorted": _listing(sorted), "reversed": _listing(reversed), "enumerate": _listing(enumerate),
    "zip": _listing(zip), "min": _text(min), "max": _text(max), "sum": _text(sum),
    "abs": _text(abs), "round": _text(round), "any": _text(any), "all": _text(all),
    "print": lambda *a, **k: None, "ord": _text(ord), "chr": _text(chr), "hex": _text(hex),
}


def call_builtin(name: str, args: list[object], kwargs: dict[str, object]) -> object:
    """Evaluate a builtin call on plain arguments, else :data:`UNKNOWN`."""
    func = _BUILTINS.get(name)
    if func is None or any(isinstance(a, Unknown) for a in args):
        return UNKNOWN
    try:
        return func(*args, **kwargs)
    except Exception:
        return UNKNOWN
