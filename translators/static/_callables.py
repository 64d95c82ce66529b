"""Callable and call-related values: functions of the file, decorated functions,
configured decorators, classes, bound methods, call sites (types only)."""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

from translators.static._objects import QualName, Scope

__all__ = [
    "BoundMethod",
    "CallSite",
    "DagFunc",
    "Decorator",
    "Function",
    "GlobalsProxy",
    "Instance",
    "LazySources",
    "LocalClass",
    "PartialCall",
    "PartialOperator",
    "TaskFlowFunc",
    "TaskGroupFunc",
]


@dataclass(eq=False, slots=True)
class Function:
    """A function (or lambda) defined in the file, with the scope it closes over."""

    node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda
    closure: Scope
    #: default values evaluated at definition time, by parameter name
    defaults: dict[str, object] = field(default_factory=dict)

    @property
    def name(self) -> str:
        """The function's name (``<lambda>`` for lambdas)."""
        return "<lambda>" if isinstance(self.node, ast.Lambda) else self.node.name


@dataclass(eq=False, slots=True)
class TaskFlowFunc:
    """A ``@task``-decorated function (``@task.bash``, ``@setup`` ...)."""

    function: Function | None
    #: ``python``, ``bash``, ``branch``, ``virtualenv`` ...
    kind: str = "python"
    kwargs: dict[str, object] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)
    module: str | None = None
    is_setup: bool = False
    is_teardown: bool = False
    #: arguments fixed by ``.partial()``
    partial_kwargs: dict[str, object] = field(default_factory=dict)
    #: the name to report when the function itself is not in the file
    name: str = ""

    @property
    def function_name(self) -> str:
        """The decorated function's name."""
        return self.function.name if self.function is not None else self.name


@dataclass(eq=False, slots=True)
class TaskGroupFunc:
    """A ``@task_group``-decorated function."""

    function: Function
    kwargs: dict[str, object] = field(default_factory=dict)
    partial_kwargs: dict[str, object] = field(default_factory=dict)


@dataclass(eq=False, slots=True)
class DagFunc:
    """A ``@dag``-decorated function; calling it builds a DAG."""

    function: Function
    dag_id: object
    kwargs: dict[str, object] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)
    line: int = 0


@dataclass(eq=False, slots=True)
class Decorator:
    """A configured decorator waiting for its function (``@task(retries=2)``, ``@dag(...)``)."""

    #: ``task``, ``setup``, ``teardown``, ``task_group``, ``dag``, ``asset``
    kind: str
    flavor: str = "python"
    module: str | None = None
    args: list[object] = field(default_factory=list)
    kwargs: dict[str, object] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)
    line: int = 0


@dataclass(eq=False, slots=True)
class LocalClass:
    """A class defined in the file; an operator when it derives from one."""

    name: str
    is_operator: bool
    #: the class body's names (methods, class attributes)
    namespace: dict[str, object] = field(default_factory=dict)
    #: base classes defined in the file, in MRO-ish order
    bases: list[LocalClass] = field(default_factory=list)
    #: fields of a dataclass / NamedTuple / attrs class (its generated ``__init__``)
    fields: list[str] = field(default_factory=list)

    def find(self, name: str) -> object:
        """A class attribute, looked up through the in-file bases; None when absent."""
        if name in self.namespace:
            return self.namespace[name]
        for base in self.bases:
            found = base.find(name)
            if found is not None:
                return found
        return None


@dataclass(eq=False, slots=True)
class Instance:
    """An instance of a (non-operator) class defined in the file."""

    cls: LocalClass
    attrs: dict[str, object] = field(default_factory=dict)


@dataclass(eq=False, slots=True)
class PartialOperator:
    """``SomeOperator.partial(...)`` waiting for ``.expand()``."""

    cls: QualName | LocalClass
    kwargs: dict[str, object]
    sources: dict[str, str]
    line: int


@dataclass(eq=False, slots=True)
class PartialCall:
    """``functools.partial(fn, *args, **kwargs)``."""

    fn: object
    args: list[object]
    kwargs: dict[str, object]


@dataclass(eq=False, slots=True)
class BoundMethod:
    """An attribute of a value that is called later (``t.set_upstream``, ``"x".format``)."""

    obj: object
    name: str


@dataclass(eq=False, slots=True)
class GlobalsProxy:
    """What ``globals()`` returns: assigning into it binds module-level names."""

    scope: Scope


@dataclass(slots=True)
class CallSite:
    """Where a call happens: its node (for source text) and argument expressions."""

    node: ast.Call | None
    line: int
    kw_nodes: dict[str, ast.expr] = field(default_factory=dict)
    arg_nodes: list[ast.expr] = field(default_factory=list)
    #: a ``*args`` / ``**kwargs`` splat could not be evaluated
    unknown_splat: bool = False


class LazySources(Mapping[str, str]):
    """Source text of call arguments by name, computed only when asked for."""

    __slots__ = ("_cache", "_nodes", "_segment")

    def __init__(self, segment: Callable[[ast.AST], str], nodes: dict[str, ast.expr]) -> None:
        self._segment = segment
        self._nodes = nodes
        self._cache: dict[str, str] = {}

    def __getitem__(self, key: str) -> str:
        text = self._cache.get(key)
        if text is None:
            text = self._cache[key] = self._segment(self._nodes[key])
        return text

    def __iter__(self) -> Iterator[str]:
        return iter(self._nodes)

    def __len__(self) -> int:
        return len(self._nodes)
