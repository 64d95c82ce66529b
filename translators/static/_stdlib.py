"""Pure standard-library functions the reader evaluates (paths, JSON, text).

Only functions without side effects or I/O: ``os.path`` string operations and
``pathlib`` pure paths (so ``Path(__file__).stem`` and
``os.path.basename(__file__).replace(".py", "")`` resolve as dag ids), ``json``
encoding/decoding and ``textwrap`` helpers.
"""

from __future__ import annotations

import json
import posixpath
import textwrap
from collections.abc import Callable
from pathlib import PurePosixPath

from translators.static._values import UNKNOWN, is_data

#: attributes of pure paths the reader reads
PATH_ATTRIBUTES = frozenset({"stem", "name", "suffix", "suffixes", "parent", "parts", "anchor"})

_FUNCTIONS: dict[str, Callable[..., object]] = {
    "os.path.basename": posixpath.basename,
    "os.path.dirname": posixpath.dirname,
    "os.path.join": posixpath.join,
    "os.path.splitext": posixpath.splitext,
    "os.path.split": posixpath.split,
    "os.path.normpath": posixpath.normpath,
    "pathlib.Path": PurePosixPath,
    "pathlib.PurePath": PurePosixPath,
    "pathlib.PurePosixPath": PurePosixPath,
    "json.dumps": json.dumps,
    "json.loads": json.loads,
    "textwrap.dedent": textwrap.dedent,
    "textwrap.indent": textwrap.indent,
}
for _name in list(_FUNCTIONS):
    if _name.startswith("os.path."):
        _FUNCTIONS["posixpath." + _name[len("os.path."):]] = _FUNCTIONS[_name]


def is_pure_function(name: str) -> bool:
    """True when the qualified name is one of the evaluated standard-library functions."""
    return name in _FUNCTIONS


def call_pure_function(name: str, args: list[object], kwargs: dict[str, object]) -> object:
    """Call it on plain arguments, else :data:`~translators.static._values.UNKNOWN`.

    Examples:
        >>> call_pure_function("pathlib.Path", ["/dags/etl_daily.py"], {}).stem
        'etl_daily'
        >>> call_pure_function("os.path.basename", ["/dags/etl.py"], {})
        'etl.py'
    """
    if not (is_data(args) and is_data(kwargs)):
        return UNKNOWN
    try:
        return _FUNCTIONS[name](*args, **kwargs)
    except Exception:
        return UNKNOWN
