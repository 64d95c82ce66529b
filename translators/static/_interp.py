"""The abstract interpreter: evaluates a DAG file's expressions without running it.

It walks the module top to bottom like Python would, but every value is either plain data
it can compute (bounded, see ``_values``), one of the objects in ``_objects`` (tasks, DAGs,
groups ...), or an :class:`Unknown` carrying the source text. Functions defined in the file
are interpreted when called (helpers, DAG factories, ``@dag`` and ``@task_group`` bodies);
anything imported from elsewhere is never executed.
"""

from __future__ import annotations

import ast
import os
from typing import Final

from translators.model import Level
from translators.static import _calls, _statements
from translators.static._callables import CallSite, Function
from translators.static._exprs import EVAL
from translators.static._flow import BreakSignal, BudgetExceeded, ContinueSignal, ReturnSignal
from translators.static._imports import BUILTIN_NAMES, star_modules
from translators.static._objects import Dag, Group, QualName, Scope, Task, Unknown
from translators.static._setup_teardown import SetupTeardownContext
from translators.static._source import Reporter, SourceFile

__all__ = ["MAX_DEPTH", "MAX_STEPS", "Interpreter", "bind_arguments"]

#: statements, loop iterations and comprehension items one file may evaluate
MAX_STEPS: Final = 500_000
#: nested calls of functions defined in the file
MAX_DEPTH: Final = 40
_MISSING: Final = object()


class Interpreter:
    """Evaluates one parsed DAG file; results are in :attr:`dags` and the reporter."""

    def __init__(self, source: SourceFile, reporter: Reporter, module_name: str) -> None:
        self.source = source
        self.reporter = reporter
        self.module = Scope(None, {"__name__": module_name,
                                   "__file__": os.path.abspath(source.path)})
        self.star_modules: list[str] = []
        #: Airflow's DagContext and TaskGroupContext stacks
        self.dag_stack: list[Dag] = []
        self.group_stack: list[Group] = []
        self.setup_teardown = SetupTeardownContext(self)
        #: every DAG object created, in creation order
        self.dags: list[Dag] = []
        #: tasks created outside any DAG (they join one when a dependency links them)
        self.orphans: dict[Task, None] = {}
        #: tasks and edges created so far (tells whether a loop body built graph parts)
        self.created = 0
        self.steps = 0
        self.depth = 0
        #: the line of the statement being evaluated
        self.line = 1

    # -- diagnostics and source --------------------------------------------------------

    def warn(
        self,
        code: str,
        message: str,
        line: int | None = None,
        *,
        level: Level = "warning",
        dag_id: str | None = None,
        task_id: str | None = None,
    ) -> None:
        """Record a diagnostic at ``line`` (default: the current statement), in the current
        DAG unless ``dag_id`` says otherwise."""
        if dag_id is None and self.dag_stack:
            dag_id = self.dag_stack[-1].dag_id
        self.reporter.add(level, code, message, line or self.line, dag_id=dag_id,
                          task_id=task_id)

    def segment(self, node: ast.AST | None) -> str:
        """Source text of a node."""
        return self.source.segment(node) if node is not None else ""

    def unknown(self, node: ast.AST | None) -> Unknown:
        """An :class:`Unknown` for the expression ``node``."""
        return Unknown(self.segment(node))

    def tick(self) -> None:
        """Count one evaluation step; stop the file when the budget is spent."""
        self.steps += 1
        if self.steps > MAX_STEPS:
            raise BudgetExceeded

    # -- contexts ----------------------------------------------------------------------

    def current_dag(self) -> Dag | None:
        """The DAG of the innermost ``with DAG`` (Airflow's DagContext)."""
        return self.dag_stack[-1] if self.dag_stack else None

    def current_group(self, dag: Dag | None) -> Group | None:
        """Airflow's ``TaskGroupContext.get_current(dag)``."""
        if self.group_stack:
            return self.group_stack[-1]
        return dag.root if dag is not None else None

    # -- running -----------------------------------------------------------------------

    def run(self, tree: ast.Module) -> None:
        """Interpret a module body."""
        self.module.vars["__doc__"] = ast.get_docstring(tree, clean=False)
        self.star_modules = star_modules(tree)
        for stmt in tree.body:
            try:
                self.exec_block([stmt], self.module)
            except BudgetExceeded:
                self.warn("dynamic-construct", f"reading stopped after {MAX_STEPS} evaluation "
                          "steps; the graph is partial (a very long or endless loop?)")
                return
            except RecursionError:
                self.warn("dynamic-construct", "this statement nests too deeply for the reader;"
                          " it is skipped", stmt.lineno)
            except (ReturnSignal, BreakSignal, ContinueSignal):
                pass

    def exec_block(self, body: list[ast.stmt], scope: Scope) -> None:
        """Execute statements in order."""
        _statements.exec_block(self, body, scope)

    def call(self, fn: object, args: list[object], kwargs: dict[str, object],
             site: CallSite) -> object:
        """Call any value (see ``_calls``)."""
        return _calls.call(self, fn, args, kwargs, site)

    def call_function(self, fn: Function, args: list[object], kwargs: dict[str, object],
                      line: int) -> object:
        """Interpret a call of a function defined in the file."""
        if self.depth >= MAX_DEPTH:
            self.warn("dynamic-construct", f"calls of {fn.name!r} nest deeper than {MAX_DEPTH}; "
                      "not followed", line)
            return Unknown(f"{fn.name}(...)")
        local = Scope(fn.closure, bind_arguments(fn, args, kwargs))
        self.depth += 1
        try:
            if isinstance(fn.node, ast.Lambda):
                return self.eval(fn.node.body, local)
            self.exec_block(fn.node.body, local)
        except ReturnSignal as signal:
            return signal.value
        finally:
            self.depth -= 1
        return None

    def make_function(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda,
                      scope: Scope) -> Function:
        """A function value with its defaults evaluated now (as Python does)."""
        params = node.args
        positional = [*params.posonlyargs, *params.args]
        defaults: dict[str, object] = {}
        for param, default in zip(positional[len(positional) - len(params.defaults):],
                                  params.defaults, strict=True):
            defaults[param.arg] = self.eval(default, scope)
        for param, kw_default in zip(params.kwonlyargs, params.kw_defaults, strict=True):
            if kw_default is not None:
                defaults[param.arg] = self.eval(kw_default, scope)
        return Function(node, scope, defaults)

    # -- expressions -------------------------------------------------------------------

    def eval(self, node: ast.expr, scope: Scope) -> object:
        """Evaluate an expression."""
        handler = EVAL.get(type(node))
        if handler is None:
            return self.unknown(node)
        return handler(self, node, scope)

    def lookup(self, name: str, scope: Scope) -> object:
        """A name's value: locals, enclosing scopes, module, builtins, star imports."""
        current: Scope | None = scope
        while current is not None:
            value = current.vars.get(name, _MISSING)
            if value is not _MISSING:
                return value
            current = current.parent
        if name in BUILTIN_NAMES:
            return QualName(f"builtins.{name}")
        if self.star_modules:
            return QualName(f"{self.star_modules[-1]}.{name}")
        return Unknown(name)


def bind_arguments(fn: Function, args: list[object],
                   kwargs: dict[str, object]) -> dict[str, object]:
    """Bind call arguments to a function's parameters (missing ones are unknown)."""
    params = fn.node.args
    remaining = dict(kwargs)
    bound: dict[str, object] = {}
    positional = [*params.posonlyargs, *params.args]
    for index, param in enumerate(positional):
        if index < len(args):
            bound[param.arg] = args[index]
        elif param.arg in remaining:
            bound[param.arg] = remaining.pop(param.arg)
        else:
            bound[param.arg] = fn.defaults.get(param.arg, Unknown(param.arg))
    if params.vararg is not None:
        bound[params.vararg.arg] = tuple(args[len(positional):])
    for param in params.kwonlyargs:
        if param.arg in remaining:
            bound[param.arg] = remaining.pop(param.arg)
        else:
            bound[param.arg] = fn.defaults.get(param.arg, Unknown(param.arg))
    if params.kwarg is not None:
        bound[params.kwarg.arg] = remaining
    return bound
