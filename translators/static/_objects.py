"""The values the static reader's abstract interpreter computes (types only).

Plain Python values (``str``, ``int``, ``list``, ``dict`` ...) stand for themselves. The
classes here stand for what a DAG file builds when Airflow imports it: tasks, DAGs, task
groups, XCom references, edge labels, functions defined in the file, and anything the
reader cannot compute (:class:`Unknown`, which keeps the source text it came from).

This module imports nothing else from the package.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from translators.model import AssetExpression, AssetRef

__all__ = [
    "AssetExpression",
    "AssetRef",
    "Dag",
    "Group",
    "Label",
    "QualName",
    "Scope",
    "Task",
    "Unknown",
    "XComRef",
]


@dataclass(eq=False, slots=True)
class Unknown:
    """A value the reader cannot compute statically."""

    #: the source text of the expression that produced it
    source: str


class QualName:
    """An imported or builtin symbol, by its dotted qualified name (``airflow.sdk.DAG``)."""

    __slots__ = ("last", "module", "name")

    def __init__(self, name: str) -> None:
        self.name = name
        module, _, last = name.rpartition(".")
        #: the last dotted part (the class or function name as defined)
        self.last = last
        #: everything before the last dotted part
        self.module = module

    def __eq__(self, other: object) -> bool:
        return isinstance(other, QualName) and other.name == self.name

    def __hash__(self) -> int:
        return hash(self.name)

    def __repr__(self) -> str:
        return f"QualName({self.name!r})"


class Scope:
    """One namespace: the module's globals or a function call's locals."""

    __slots__ = ("globals_", "parent", "vars")

    def __init__(self, parent: Scope | None, variables: dict[str, object] | None = None) -> None:
        #: the enclosing scope (closure or module), None for the module scope
        self.parent = parent
        self.vars: dict[str, object] = variables if variables is not None else {}
        #: names declared ``global`` in this scope
        self.globals_: set[str] = set()

    def module_scope(self) -> Scope:
        """The outermost scope."""
        scope = self
        while scope.parent is not None:
            scope = scope.parent
        return scope


@dataclass(eq=False, slots=True)
class Task:
    """A task (operator instance) the file creates."""

    task_id: str
    operator: str
    line: int
    operator_module: str | None = None
    dag: Dag | None = None
    group: Group | None = None
    kwargs: dict[str, Any] = field(default_factory=dict)
    upstream: dict[Task, None] = field(default_factory=dict)
    downstream: dict[Task, None] = field(default_factory=dict)
    trigger_rule: str = "all_success"
    retries: int | None = None
    outlets: list[AssetRef] = field(default_factory=list)
    inlets: list[AssetRef] = field(default_factory=list)
    mapped: bool = False
    is_setup: bool = False
    is_teardown: bool = False
    callable_name: str | None = None
    data_inputs: dict[str, str] = field(default_factory=dict)
    #: a task whose id could not be resolved: kept out of the graph, absorbs edges silently
    ghost: bool = False


@dataclass(eq=False, slots=True)
class Group:
    """A TaskGroup; the root group of a DAG has ``raw_id`` None."""

    raw_id: str | None
    dag: Dag
    parent: Group | None
    line: int = 0
    prefix_group_id: bool = True
    default_args: dict[str, object] = field(default_factory=dict)
    #: child tasks and groups by node id, in creation order
    children: dict[str, Task | Group] = field(default_factory=dict)
    #: ids of tasks set upstream of the group as a whole
    upstream_task_ids: set[str] = field(default_factory=set)
    #: created by ``.expand()`` on a ``@task_group`` function
    mapped: bool = False
    #: a group whose id could not be resolved: its tasks are left out of the graph
    ghost: bool = False

    @property
    def group_id(self) -> str | None:
        """The full group id (parent prefixes included), as Airflow computes it."""
        parent = self.parent
        if self.raw_id and parent is not None and parent.prefix_group_id and parent.raw_id:
            return parent.child_id(self.raw_id)
        return self.raw_id

    def child_id(self, label: str) -> str:
        """``label`` prefixed with this group's id when the group prefixes its children."""
        if self.prefix_group_id:
            group_id = self.group_id
            if group_id:
                return f"{group_id}.{label}"
        return label

    def tasks(self) -> Iterator[Task]:
        """Every task in this group and its sub-groups, in creation order."""
        for child in self.children.values():
            if isinstance(child, Group):
                yield from child.tasks()
            else:
                yield child

    def is_mapped(self) -> bool:
        """True when this group or an enclosing one is a mapped task group."""
        group: Group | None = self
        while group is not None:
            if group.mapped:
                return True
            group = group.parent
        return False


@dataclass(eq=False, slots=True)
class Dag:
    """A DAG object the file creates."""

    #: None when the dag_id could not be resolved
    dag_id: str | None
    line: int
    #: the constructor's keyword arguments (evaluated) and their source text
    kwargs: dict[str, object] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)
    default_args: dict[str, object] = field(default_factory=dict)
    tasks: dict[str, Task] = field(default_factory=dict)
    #: task ids and group ids (with join ids) in use, shared by all groups of the DAG
    used_group_ids: set[str] = field(default_factory=set)
    #: the largest ``__N`` suffix in use per task id stem (TaskFlow id de-duplication)
    suffixes: dict[str, int] = field(default_factory=dict)
    #: parameters added by ``@dag`` function signatures
    extra_params: dict[str, object] = field(default_factory=dict)
    auto_register: bool = True
    registered: bool = False
    root: Group = field(init=False)

    def __post_init__(self) -> None:
        self.root = Group(raw_id=None, dag=self, parent=None, line=self.line)


@dataclass(eq=False, slots=True)
class XComRef:
    """An XComArg: a TaskFlow call's result, ``op.output``, ``XComArg(op)``, ``.map()``..."""

    tasks: tuple[Task, ...]
    key: str = "return_value"


@dataclass(eq=False, slots=True)
class Label:
    """An edge label (``Label("x")``); it passes dependencies through and is not a node."""

    text: object
    upstream: list[object] = field(default_factory=list)
    downstream: list[object] = field(default_factory=list)
