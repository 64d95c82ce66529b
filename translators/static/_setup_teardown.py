"""Setup and teardown tasks: ``.as_setup()``, ``.as_teardown(setups=...)`` and the
``with teardown_task:`` / ``with setup >> teardown:`` context manager.

:class:`SetupTeardownContext` is a port of Airflow's class of the same name (per file
instead of process-global), so tasks created inside such a ``with`` block get the same
edges to the setup and teardown tasks as in Airflow.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from translators.static import _edges
from translators.static._objects import Task, XComRef

if TYPE_CHECKING:
    from translators.static._interp import Interpreter

_MAX_WALK = 50


def tasks_of(value: object) -> list[Task]:
    """The tasks behind a task or XCom reference."""
    if isinstance(value, Task):
        return [value]
    if isinstance(value, XComRef):
        return list(value.tasks)
    return []


def as_setup(value: object) -> object:
    """``task.as_setup()``: mark and return the same value."""
    for task in tasks_of(value):
        task.is_setup = True
    return value


def as_teardown(interp: Interpreter, value: object, setups: object) -> object:
    """``task.as_teardown(setups=...)``: mark it, and make each setup upstream of it."""
    for task in tasks_of(value):
        task.is_teardown = True
        task.trigger_rule = "all_done_setup_success"
        if setups is not None:
            for setup in setups if isinstance(setups, (list, tuple)) else [setups]:
                as_setup(setup)
                _edges.shift(interp, setup, task, True)
    return value


def _neighbours(tasks: list[Task], operator: object) -> list[Task]:
    return [x for t in tasks for x in [*t.downstream, *t.upstream]
            if (isinstance(operator, list) and x in operator) or x is not operator]


class SetupTeardownContext:
    """Airflow's ``SetupTeardownContext`` for one file (see module docstring)."""

    def __init__(self, interp: Interpreter) -> None:
        self.interp = interp
        self.active = False
        self.context_map: dict[object, list[Task]] = {}
        self.setup: object = []
        self.previous_setup: list[object] = []
        self.teardown: object = []
        self.previous_teardown: list[object] = []
        self.teardown_downstream_of_setup: object = []
        self.previous_teardown_downstream: list[object] = []
        self.setup_upstream_of_teardown: object = []
        self.previous_setup_upstream: list[object] = []

    # -- dependencies ------------------------------------------------------------------

    def _depend(self, receiving: object, new: object, upstream: bool = True) -> None:
        for task in new if isinstance(new, (list, tuple)) else [new]:
            _edges.set_relatives(self.interp, task, receiving, upstream=upstream)

    def update_context_map(self, task: Task) -> None:
        """Remember a task created inside the ``with`` block of a setup/teardown."""
        if task.is_setup or task.is_teardown:
            return
        for holder in (self.setup, self.teardown):
            if holder:
                key = tuple(holder) if isinstance(holder, list) else holder
                self.context_map.setdefault(key, []).append(task)

    # -- entering ----------------------------------------------------------------------

    def push(self, value: object) -> bool:
        """``with task:`` for a setup or teardown task; False when it is neither."""
        tasks = tasks_of(value)
        if not tasks or not (tasks[0].is_setup or tasks[0].is_teardown):
            return False
        operator = tasks[0]
        if operator.is_teardown:
            if self.teardown and self.teardown is not operator:
                self.previous_teardown.append(self.teardown)
            self.teardown = operator
            setups = self._walk(list(operator.upstream), operator, "is_setup")
            if self.setup_upstream_of_teardown and self.setup_upstream_of_teardown != setups:
                self.previous_setup_upstream.append(self.setup_upstream_of_teardown)
            self.setup_upstream_of_teardown = setups
        else:
            if self.setup and self.setup is not operator:
                self.previous_setup.append(self.setup)
            self.setup = operator
            teardowns = self._walk(list(operator.downstream), operator, "is_teardown")
            if self.teardown_downstream_of_setup and (
                self.teardown_downstream_of_setup != teardowns
            ):
                self.previous_teardown_downstream.append(self.teardown_downstream_of_setup)
            self.teardown_downstream_of_setup = teardowns
        self.active = True
        return True

    def _walk(self, tasks: list[Task], operator: Task, flag: str) -> list[Task]:
        for _ in range(_MAX_WALK):
            found = [t for t in tasks if getattr(t, flag)]
            if found:
                return found
            tasks = _neighbours(tasks, operator)
            if not tasks:
                return []
        return []

    # -- leaving -----------------------------------------------------------------------

    def exit(self) -> None:
        """``__exit__``: Airflow's ``set_work_task_roots_and_leaves``."""
        setup = self.setup
        if setup:
            key = tuple(setup) if isinstance(setup, list) else setup
            work = [x for x in self.context_map.get(key, []) if not x.is_teardown
                    and not x.is_setup]
            if work:
                roots = [t for t in work if not t.upstream]
                if not roots:
                    _edges.shift(self.interp, key, work[0], True)
                else:
                    self._depend(roots, key, upstream=False)
                leaves: object = [t for t in work if not t.downstream] or work[-1]
                if self.teardown:
                    self._depend(self.teardown, self.teardown_downstream_of_setup)
                else:
                    self._depend(leaves, self.teardown_downstream_of_setup)
        teardown = self.teardown
        if teardown:
            key = tuple(teardown) if isinstance(teardown, list) else teardown
            work = [x for x in self.context_map.get(key, []) if not x.is_teardown
                    and not x.is_setup]
            if work:
                leaf_list = [t for t in work if not t.downstream]
                if not leaf_list:
                    _edges.shift(self.interp, key, work[-1], False)
                else:
                    self._depend(leaf_list, key)
                roots_value: object = [t for t in work if not t.upstream] or work[0]
                if self.setup:
                    self._depend(self.setup, self.setup_upstream_of_teardown, upstream=False)
                else:
                    self._depend(roots_value, self.setup_upstream_of_teardown, upstream=False)
        self._pop_all()
        self.active = False

    def _pop_all(self) -> None:
        old_setup = self.setup
        if self.previous_setup:
            self.setup = self.previous_setup.pop()
            if self.setup and old_setup:
                self._depend(old_setup, self.setup, upstream=False)
        else:
            self.setup = []
        old_teardown = self.teardown
        if self.previous_teardown:
            self.teardown = self.previous_teardown.pop()
            if self.teardown and old_teardown:
                self._depend(old_teardown, self.teardown)
        else:
            self.teardown = []
        old = self.teardown_downstream_of_setup
        if self.previous_teardown_downstream:
            self.teardown_downstream_of_setup = self.previous_teardown_downstream.pop()
            if self.teardown_downstream_of_setup and old:
                self._depend(old, self.teardown_downstream_of_setup)
        else:
            self.teardown_downstream_of_setup = []
        old = self.setup_upstream_of_teardown
        if self.previous_setup_upstream:
            self.setup_upstream_of_teardown = self.previous_setup_upstream.pop()
            if self.setup_upstream_of_teardown and old:
                self._depend(old, self.setup_upstream_of_teardown, upstream=False)
        else:
            self.setup_upstream_of_teardown = []
        for holder in (old_setup, old_teardown):
            self.context_map.pop(tuple(holder) if isinstance(holder, list) else holder, None)
