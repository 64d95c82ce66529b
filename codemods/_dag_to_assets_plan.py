"""What ``dag-to-assets`` reads from a DAG file: its tasks and the data flowing between them.

:func:`plan_dag` finds the one DAG of a module (a ``@dag`` function called at module level,
or a ``with DAG(...)`` block), its TaskFlow tasks (``@task`` functions called once) and
``PythonOperator`` tasks, which argument of each task receives which upstream's return
value (or which key of it, for a ``multiple_outputs`` task), the literal arguments, and the
ordering edges (``>>`` / ``<<``) that carry no data.
Anything else in the DAG makes the file unconvertible: the result is then an
:class:`~codemods._portable_values.Unsafe` with the reason and the node to report.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import libcst as cst
from libcst.metadata import FunctionScope, GlobalScope, MetadataWrapper, ScopeProvider

from codemods._dag_to_assets_xcom import find_pulls

__all__ = ["DagPlan", "NotConvertible", "Resolve", "TaskPlan", "plan_dag"]

Resolve = Callable[[cst.BaseExpression], "str | None"]

_DAG_DECORATORS = frozenset({"airflow.decorators.dag", "airflow.sdk.dag"})
_TASK_DECORATORS = frozenset({"airflow.decorators.task", "airflow.sdk.task"})
_DAG_CLASSES = frozenset({"airflow.DAG", "airflow.models.DAG", "airflow.models.dag.DAG",
                          "airflow.sdk.DAG"})
_PYTHON_OPERATORS = frozenset({"airflow.operators.python.PythonOperator",
                               "airflow.operators.python_operator.PythonOperator",
                               "airflow.providers.standard.operators.python.PythonOperator"})


@dataclass(frozen=True)
class NotConvertible:
    """Why the file stays as it is, and where."""

    node: cst.CSTNode
    code: str
    message: str


@dataclass
class TaskPlan:
    """One task: where its code is and what it receives."""

    task_id: str
    #: the ``@task`` function (TaskFlow) or None (PythonOperator)
    function: cst.FunctionDef | None = None
    #: PythonOperator: the callable's expression and its literal op_args / op_kwargs
    callable_: cst.BaseExpression | None = None
    op_args: tuple[cst.BaseExpression, ...] = ()
    op_kwargs: tuple[tuple[str, cst.BaseExpression], ...] = ()
    #: TaskFlow: parameter -> upstream task id
    inputs: dict[str, str] = field(default_factory=dict)
    #: TaskFlow: parameter -> the key it reads of its upstream's dict (``multiple_outputs``)
    keys: dict[str, str] = field(default_factory=dict)
    #: TaskFlow: parameter -> literal argument
    literals: dict[str, cst.BaseExpression] = field(default_factory=dict)
    #: PythonOperator: its callable's ``ti.xcom_pull`` calls, ``id(call) -> task id``
    pulls: dict[int, str] = field(default_factory=dict)
    #: upstream task ids that pass no data
    deps: list[str] = field(default_factory=list)
    called: bool = False


@dataclass
class DagPlan:
    """The DAG of a module, ready to become assets."""

    dag_id: str
    #: the DAG's schedule when it is a string literal or None; the node when it is not
    schedule: str | cst.BaseExpression | None
    #: the module-level statements that define the DAG (removed from the asset module)
    statements: list[cst.BaseStatement]
    tasks: dict[str, TaskPlan]
    #: module-level ``@task`` functions used by the DAG (moved into place as assets)
    module_tasks: set[str] = field(default_factory=set)
    #: the ``DAG(...)`` / ``@dag(...)`` call whose arguments are the DAG's settings
    call: cst.Call | None = None


class _Reader:
    def __init__(self, resolve: Resolve, module_tasks: dict[str, cst.FunctionDef],
                 defs: dict[str, cst.FunctionDef] | None = None) -> None:
        self.resolve = resolve
        self.defs = defs or {}
        self.functions = dict(module_tasks)
        self.tasks: dict[str, TaskPlan] = {}
        self.names: dict[str, str] = {}  # variable -> task id
        self.edges: list[tuple[str, str]] = []

    def fail(self, node: cst.CSTNode, code: str, message: str) -> NotConvertible:
        return NotConvertible(node, code, message)

    # -- statements of the DAG body ---------------------------------------------------
    def statement(self, node: cst.BaseStatement) -> NotConvertible | None:
        if isinstance(node, cst.FunctionDef):
            if not self.is_task_function(node):
                return self.fail(node, "statement", f"function {node.name.value!r} in the DAG "
                                 "is not a plain @task")
            self.functions[node.name.value] = node
            return None
        if not isinstance(node, cst.SimpleStatementLine):
            return self.fail(node, "statement", "only @task functions, task calls, "
                             "PythonOperator tasks and >> edges can become assets")
        for small in node.body:
            problem = self.small_statement(small)
            if problem is not None:
                return problem
        return None

    def small_statement(self, node: cst.BaseSmallStatement) -> NotConvertible | None:
        if isinstance(node, cst.Pass):
            return None
        if isinstance(node, cst.Expr):
            if isinstance(node.value, cst.SimpleString):
                return None
            found = self.expression(node.value)
            return found if isinstance(found, NotConvertible) else None
        if isinstance(node, cst.Assign) and len(node.targets) == 1 and \
                isinstance(node.targets[0].target, cst.Name):
            found = self.expression(node.value)
            if isinstance(found, NotConvertible):
                return found
            if len(found) != 1:
                return self.fail(node, "statement", "an assignment that is not one task")
            self.names[node.targets[0].target.value] = found[0]
            return None
        return self.fail(node, "statement", "a statement that builds no task")

    # -- expressions: tasks, calls, edges -----------------------------------------------
    def expression(self, node: cst.BaseExpression) -> list[str] | NotConvertible:
        """The task ids ``node`` stands for (registering calls and edges on the way)."""
        if isinstance(node, cst.Name) and node.value in self.names:
            return [self.names[node.value]]
        if isinstance(node, cst.List | cst.Tuple):
            out: list[str] = []
            for element in node.elements:
                found = self.expression(element.value)
                if isinstance(found, NotConvertible):
                    return found
                out += found
            return out
        if isinstance(node, cst.BinaryOperation) and \
                isinstance(node.operator, cst.RightShift | cst.LeftShift):
            left, right = self.expression(node.left), self.expression(node.right)
            if isinstance(left, NotConvertible):
                return left
            if isinstance(right, NotConvertible):
                return right
            up, down = (left, right) if isinstance(node.operator, cst.RightShift) \
                else (right, left)
            self.edges += [(u, d) for u in up for d in down]
            return right
        if isinstance(node, cst.Call):
            return self.call(node)
        return self.fail(node, "expression", f"{cst.Module([]).code_for_node(node)!r} is not "
                         "a task, a task call or an edge")

    def call(self, node: cst.Call) -> list[str] | NotConvertible:
        func = node.func
        if isinstance(func, cst.Name) and func.value in self.functions:
            return self.task_call(func.value, node)
        if self.resolve(func) in _PYTHON_OPERATORS:
            return self.python_operator(node)
        if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and \
                func.value.value in self.functions:
            return self.fail(node, "expression", f".{func.attr.value}() of task "
                             f"{func.value.value!r} (mapping, overrides) has no asset "
                             "equivalent yet")
        return self.fail(node, "operator", f"{cst.Module([]).code_for_node(func)!r} has no "
                         "asset equivalent (only @task and PythonOperator tasks convert)")

    def task_call(self, name: str, node: cst.Call) -> list[str] | NotConvertible:
        if name in self.tasks:
            return self.fail(node, "called-twice", f"task {name!r} is called more than once")
        function = self.functions[name]
        params = function.params
        if params.star_arg is not cst.MaybeSentinel.DEFAULT or params.star_kwarg is not None \
                or params.posonly_params or params.kwonly_params:
            return self.fail(function, "signature", f"{name!r} takes *args, **kwargs or "
                             "keyword-only parameters")
        names = [p.name.value for p in params.params]
        plan = TaskPlan(task_id=name, function=function)
        for index, arg in enumerate(node.args):
            if arg.star or (arg.keyword is None and index >= len(names)):
                return self.fail(node, "call", f"unsupported arguments in the call of {name!r}")
            param = arg.keyword.value if arg.keyword is not None else names[index]
            if param not in names:
                return self.fail(node, "call", f"{name!r} has no parameter {param!r}")
            if is_literal(arg.value):
                plan.literals[param] = arg.value
                continue
            found = self.output(arg.value, f"argument {param!r} of {name!r}")
            if isinstance(found, NotConvertible):
                return found
            plan.inputs[param] = found[0]
            if found[1] is not None:
                plan.keys[param] = found[1]
        for declared in params.params:
            bound = declared.name.value in plan.inputs or declared.name.value in plan.literals
            if not bound and declared.default is None:
                return self.fail(function, "context", f"{name!r} takes "
                                 f"{declared.name.value!r} from the Airflow context; pass it "
                                 "as an argument first")
        self.tasks[name] = plan
        return [name]

    def output(self, node: cst.BaseExpression,
               what: str) -> tuple[str, str | None] | NotConvertible:
        """The one task ``node`` passes, and the key read of its dict (``order["total"]``
        of a ``multiple_outputs`` task) or None."""
        key = None
        if isinstance(node, cst.Subscript):
            index = node.slice[0].slice if len(node.slice) == 1 else None
            value = index.value if isinstance(index, cst.Index) else None
            if not isinstance(value, cst.SimpleString) or \
                    not isinstance(value.evaluated_value, str):
                return self.fail(node, "expression", f"{what} reads a task's output with a "
                                 "key that is not a string literal")
            key, node = value.evaluated_value, node.value
        found = self.expression(node)
        if isinstance(found, NotConvertible):
            return found
        if len(found) != 1:
            return self.fail(node, "call", f"{what} is not one task")
        producer = self.tasks[found[0]].function
        if key is not None and (producer is None or not _multiple_outputs(producer)):
            return self.fail(node, "expression", f"{what} reads key {key!r} of task "
                             f"{found[0]!r}, which pushes no such XCom: declare "
                             "@task(multiple_outputs=True) on it (or pass the whole value)")
        return found[0], key

    def python_operator(self, node: cst.Call) -> list[str] | NotConvertible:
        kwargs = {a.keyword.value: a.value for a in node.args if a.keyword is not None}
        allowed = {"task_id", "python_callable", "op_args", "op_kwargs", "dag"}
        task_id = kwargs.get("task_id")
        if len(kwargs) != len(node.args) or set(kwargs) - allowed or \
                not isinstance(task_id, cst.SimpleString) or \
                not isinstance(task_id.evaluated_value, str) or \
                not task_id.evaluated_value.isidentifier():
            return self.fail(node, "operator", "a PythonOperator with arguments other than "
                             "an identifier task_id, python_callable, op_args, op_kwargs")
        op_args = kwargs.get("op_args")
        op_kwargs = kwargs.get("op_kwargs")
        if (op_args is not None and not (isinstance(op_args, cst.List | cst.Tuple)
                                         and is_literal(op_args))) or \
                (op_kwargs is not None and not (isinstance(op_kwargs, cst.Dict)
                                                and is_literal(op_kwargs))):
            return self.fail(node, "operator", "op_args / op_kwargs are not literals")
        if task_id.evaluated_value in self.tasks:
            return self.fail(node, "called-twice", f"two tasks {task_id.evaluated_value!r}")
        plan = TaskPlan(task_id=task_id.evaluated_value, callable_=kwargs.get("python_callable"))
        if isinstance(op_args, cst.List | cst.Tuple):
            plan.op_args = tuple(e.value for e in op_args.elements)
        if isinstance(op_kwargs, cst.Dict):
            plan.op_kwargs = tuple((str(e.key.evaluated_value), e.value)
                                   for e in op_kwargs.elements if isinstance(e, cst.DictElement)
                                   and isinstance(e.key, cst.SimpleString))
        target = plan.callable_
        function = self.defs.get(target.value) if isinstance(target, cst.Name) else None
        if function is not None and "ti" in {p.name.value for p in function.params.params}:
            pulls = find_pulls(function)
            if isinstance(pulls, str):
                return self.fail(function, "context", pulls)
            plan.pulls = pulls
            plan.inputs = {task: task for task in pulls.values()}
        self.tasks[plan.task_id] = plan
        return [plan.task_id]

    def is_task_function(self, node: cst.FunctionDef) -> bool:
        """``@task``, ``@task()`` or ``@task(multiple_outputs=True|False)``."""
        if len(node.decorators) != 1 or node.asynchronous is not None:
            return False
        decorator = node.decorators[0].decorator
        if isinstance(decorator, cst.Call):
            if any(a.keyword is None or a.keyword.value != "multiple_outputs"
                   or not (isinstance(a.value, cst.Name)
                           and a.value.value in ("True", "False")) for a in decorator.args):
                return False
            decorator = decorator.func
        return self.resolve(decorator) in _TASK_DECORATORS


_MAPPINGS = frozenset({"dict", "Dict", "Mapping", "MutableMapping"})


def _multiple_outputs(function: cst.FunctionDef) -> bool:
    """Whether the ``@task`` ``function`` pushes each key of its dict as an XCom: declared
    (``multiple_outputs=True``) or, as Airflow infers it, its return annotation is a dict."""
    decorator = function.decorators[0].decorator
    if isinstance(decorator, cst.Call) and decorator.args:
        value = decorator.args[0].value
        return isinstance(value, cst.Name) and value.value == "True"
    annotation = function.returns.annotation if function.returns is not None else None
    if isinstance(annotation, cst.Subscript):
        annotation = annotation.value
    name = annotation.attr if isinstance(annotation, cst.Attribute) else annotation
    return isinstance(name, cst.Name) and name.value in _MAPPINGS


def is_literal(node: cst.BaseExpression) -> bool:
    """A constant, or a list / tuple / dict / set of constants."""
    if isinstance(node, cst.SimpleString | cst.Integer | cst.Float | cst.ConcatenatedString):
        return not isinstance(node, cst.SimpleString) or "{{" not in node.value
    if isinstance(node, cst.Name):
        return node.value in ("True", "False", "None")
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus):
        return is_literal(node.expression)
    if isinstance(node, cst.List | cst.Tuple | cst.Set):
        return all(isinstance(e, cst.Element) and is_literal(e.value) for e in node.elements)
    if isinstance(node, cst.Dict):
        return all(isinstance(e, cst.DictElement) and is_literal(e.key) and is_literal(e.value)
                   for e in node.elements)
    return False


def plan_dag(module: cst.Module, resolve: Resolve) -> DagPlan | NotConvertible | None:
    """The DAG of ``module`` as tasks and flows; None when the module defines no DAG."""
    found = _find_dag(module, resolve)
    if found is None or isinstance(found, NotConvertible):
        return found
    dag_id, schedule, statements, body, call = found
    module_tasks: dict[str, cst.FunctionDef] = {}
    probe = _Reader(resolve, {})
    for statement in module.body:
        if isinstance(statement, cst.FunctionDef) and probe.is_task_function(statement):
            module_tasks[statement.name.value] = statement
    defs = {s.name.value: s for s in module.body if isinstance(s, cst.FunctionDef)}
    reader = _Reader(resolve, module_tasks, defs)
    for inner in body:
        problem = reader.statement(inner)
        if problem is not None:
            return problem
    if not reader.tasks:
        return NotConvertible(statements[0], "empty", f"DAG {dag_id!r} has no task to convert")
    problem = _moved_safely(module, statements[0], reader, module_tasks)
    if problem is not None:
        return problem
    for plan in reader.tasks.values():
        missing = sorted(set(plan.inputs.values()) - set(reader.tasks))
        if missing:
            return NotConvertible(statements[0], "xcom", f"{plan.task_id!r} pulls the XCom "
                                  f"of {', '.join(missing)}, not a task of this DAG")
    for up, down in reader.edges:
        plan = reader.tasks[down]
        if up not in plan.inputs.values() and up not in plan.deps:
            plan.deps.append(up)
    used = {name for name in module_tasks if name in reader.tasks}
    return DagPlan(dag_id, schedule, statements, reader.tasks, used, call)


_Found = tuple[str, "str | cst.BaseExpression | None", list[cst.BaseStatement],
               list[cst.BaseStatement], "cst.Call | None"]


def _find_dag(module: cst.Module, resolve: Resolve) -> _Found | NotConvertible | None:
    found: list[_Found] = []
    dag_functions: dict[str, cst.FunctionDef] = {}
    for statement in module.body:
        if isinstance(statement, cst.FunctionDef) and any(
                resolve(d.decorator.func if isinstance(d.decorator, cst.Call) else d.decorator)
                in _DAG_DECORATORS for d in statement.decorators):
            dag_functions[statement.name.value] = statement
        elif isinstance(statement, cst.With) and len(statement.items) == 1:
            item = statement.items[0].item
            if isinstance(item, cst.Call) and resolve(item.func) in _DAG_CLASSES:
                dag_id = _dag_id(item)
                if dag_id is None:
                    return NotConvertible(statement, "dag-id", "the dag_id is not a literal")
                block = statement.body
                body = list(block.body) if isinstance(block, cst.IndentedBlock) else []
                found.append((dag_id, _schedule(item), [statement], body, item))
        elif isinstance(statement, cst.SimpleStatementLine) and any(
                isinstance(small, cst.Assign) and isinstance(small.value, cst.Call)
                and resolve(small.value.func) in _DAG_CLASSES for small in statement.body):
            return NotConvertible(statement, "dag-shape", "a DAG assigned to a name; write it "
                                  "as `with DAG(...):` or a @dag function to convert it")
    for statement in module.body:
        call = _module_call(statement)
        if call is not None and call in dag_functions:
            function = dag_functions.pop(call)
            decorator = next(d.decorator for d in function.decorators)
            arguments = decorator if isinstance(decorator, cst.Call) else None
            dag_id = _dag_id(arguments) if arguments is not None else None
            schedule = _schedule(arguments) if arguments is not None else None
            inner = list(function.body.body) if isinstance(function.body, cst.IndentedBlock) \
                else []
            found.append((dag_id or function.name.value, schedule, [function, statement],
                          inner, arguments))
    if not found:
        return None
    if len(found) > 1:
        return NotConvertible(found[1][2][0], "dags", "more than one DAG in the file")
    return found[0]


def _module_call(statement: cst.BaseStatement) -> str | None:
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return None
    small = statement.body[0]
    value = small.value if isinstance(small, cst.Expr | cst.Assign) else None
    if isinstance(value, cst.Call) and isinstance(value.func, cst.Name) and not value.args:
        return value.func.value
    return None


def _dag_id(call: cst.Call) -> str | None:
    for index, arg in enumerate(call.args):
        if (arg.keyword is not None and arg.keyword.value == "dag_id") or \
                (arg.keyword is None and index == 0):
            value = arg.value
            if isinstance(value, cst.SimpleString) and isinstance(value.evaluated_value, str):
                return value.evaluated_value
            return None
    return None


def _schedule(call: cst.Call) -> str | cst.BaseExpression | None:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value in ("schedule", "schedule_interval"):
            value = arg.value
            if isinstance(value, cst.Name) and value.value == "None":
                return None
            if isinstance(value, cst.SimpleString) and isinstance(value.evaluated_value, str):
                return value.evaluated_value
            return value
    return None


class _Names(cst.CSTVisitor):
    def __init__(self) -> None:
        self.ids: set[int] = set()

    def visit_Name(self, node: cst.Name) -> None:
        self.ids.add(id(node))


def _outer_reads(dag: cst.FunctionDef | cst.With) -> dict[int, str]:
    """``id(name) -> name`` for each name in ``dag`` that reads a variable bound by the DAG
    statement itself (``with`` block) or the ``@dag`` function's body: what is gone once the
    DAG is removed. A parameter or a local of a task is not such a read (scope analysis)."""
    wrapper = MetadataWrapper(cst.Module(body=[dag]), unsafe_skip_copy=True)
    scopes = {scope for scope in wrapper.resolve(ScopeProvider).values() if scope is not None}
    outer = {scope for scope in scopes if isinstance(scope, GlobalScope)
             or (isinstance(scope, FunctionScope) and scope.node is dag)}
    return {id(access.node): access.node.value for scope in scopes for access in scope.accesses
            if isinstance(access.node, cst.Name)
            and any(referent.scope in outer for referent in access.referents)}


def _moved_safely(module: cst.Module, dag: cst.BaseStatement, reader: _Reader,
                  module_tasks: dict[str, cst.FunctionDef]) -> NotConvertible | None:
    """Tasks defined inside a ``@dag`` function move to module level: they must not read
    the function's parameters or variables, nor take a name the module already uses."""
    if isinstance(dag, cst.FunctionDef) and (dag.params.params or dag.params.kwonly_params
                                             or dag.params.star_kwarg):
        return NotConvertible(dag, "dag-params", f"the @dag function {dag.name.value!r} takes "
                              "parameters (DAG params); tasks cannot read them as assets")
    top: set[str] = set()
    for statement in module.body:
        if isinstance(statement, cst.FunctionDef | cst.ClassDef) and statement is not dag:
            top.add(statement.name.value)
        elif isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, cst.Assign):
                    top |= {t.target.value for t in small.targets
                            if isinstance(t.target, cst.Name)}
    reads: dict[int, str] | None = None
    for task in reader.tasks.values():
        function = task.function
        if function is None or task.task_id in module_tasks:
            continue
        if task.task_id in top:
            return NotConvertible(function, "name-clash", f"the module already defines "
                                  f"{task.task_id!r}; rename the task function")
        if reads is None:
            assert isinstance(dag, cst.FunctionDef | cst.With)
            reads = _outer_reads(dag)
        used = _Names()
        function.visit(used)
        closure = sorted({reads[node] for node in used.ids if node in reads})
        if closure:
            return NotConvertible(function, "closure", f"{task.task_id!r} reads "
                                  f"{', '.join(closure)} from the DAG's body, which does not "
                                  "become assets; pass it as an argument or a module constant")
    return None
