"""What ``dag-to-assets`` writes: the DAG's tasks as ``@asset`` functions in the same module.

Each TaskFlow function keeps its body; its decorator becomes ``@asset`` (``deps=`` for the
upstreams that pass no data), and each parameter fed by an upstream task is renamed to that
task's id (bridge infers upstreams from parameter names), with ``old = new`` as the body's
first line when the names differ (``old = new["key"]`` for a key of a ``multiple_outputs``
task: the asset's value is the whole dict); literal arguments become such lines too. A
``PythonOperator`` becomes an asset function calling its callable with its ``op_args`` /
``op_kwargs``. The DAG definition goes; ``airflow`` imports nothing uses any more go too.
The DAG's settings (:mod:`codemods._dag_to_assets_settings`) become ``@asset`` arguments.
"""

from __future__ import annotations

from collections import Counter

import libcst as cst

from codemods._dag_to_assets_plan import DagPlan, NotConvertible, TaskPlan
from codemods._dag_to_assets_settings import DagSettings, string_literal
from codemods._dag_to_assets_xcom import rewrite_puller

__all__ = ["ASSET_IMPORT", "build_assets"]

_CODE = cst.Module([]).code_for_node


def build_assets(module: cst.Module, plan: DagPlan,
                 settings: DagSettings | None = None) -> cst.Module | NotConvertible:
    """``module`` with the DAG replaced by its tasks as asset functions (each with the
    ``@asset`` arguments of ``settings``)."""
    top = {_defined_name(s) for s in module.body} - {None}
    nested: list[cst.BaseStatement] = []
    converted: dict[str, cst.FunctionDef] = {}
    rewritten: dict[str, cst.FunctionDef] = {}  # callables whose XCom pulls became params
    extra = settings.asset_args if settings is not None else ()
    for task in plan.tasks.values():
        built = _asset_function(task, plan, top, module, rewritten, extra)
        if isinstance(built, NotConvertible):
            return built
        if task.task_id in plan.module_tasks:
            converted[task.task_id] = built
        else:
            nested.append(built)
    body: list[cst.BaseStatement] = []
    first = plan.statements[0]
    for statement in module.body:
        if statement is first:
            body += _spaced(nested, statement)
        elif any(statement is s for s in plan.statements):
            continue
        elif isinstance(statement, cst.FunctionDef) and statement.name.value in converted:
            body.append(converted[statement.name.value])
        elif isinstance(statement, cst.FunctionDef) and statement.name.value in rewritten:
            body.append(rewritten[statement.name.value])
        else:
            body.append(statement)
    return _drop_unused_airflow_imports(module.with_changes(body=body))


#: what replaces the first Airflow import that goes (so it sits where imports were)
ASSET_IMPORT = "from bridge import asset\n"


def _spaced(functions: list[cst.BaseStatement],
            replaced: cst.BaseStatement) -> list[cst.BaseStatement]:
    lines = getattr(replaced, "leading_lines", ())
    out = []
    for index, function in enumerate(functions):
        blank = lines if index == 0 else (cst.EmptyLine(), cst.EmptyLine())
        out.append(function.with_changes(leading_lines=blank))
    return out


def _defined_name(statement: cst.BaseStatement) -> str | None:
    if isinstance(statement, cst.FunctionDef | cst.ClassDef):
        return statement.name.value
    return None


def _asset_function(task: TaskPlan, plan: DagPlan, top: set[str | None], module: cst.Module,
                    rewritten: dict[str, cst.FunctionDef], extra: tuple[str, ...]
                    ) -> cst.FunctionDef | NotConvertible:
    if task.function is not None:
        return _taskflow_asset(task, plan, extra)
    return _operator_asset(task, plan, top, module, rewritten, extra)


def _decorator(group: str, deps: list[str], name: str | None = None,
               extra: tuple[str, ...] = ()) -> cst.Decorator:
    args = []
    if name is not None:
        args.append(f"name={string_literal(name)}")
    args.append(f"group={string_literal(group)}")
    if deps:
        args.append(f"deps=[{', '.join(string_literal(d) for d in deps)}]")
    text = f"asset({', '.join([*args, *extra])})"
    return cst.Decorator(decorator=cst.parse_expression(text))


def _taskflow_asset(task: TaskPlan, plan: DagPlan,
                    extra: tuple[str, ...]) -> cst.FunctionDef | NotConvertible:
    function = task.function
    assert function is not None
    params: list[cst.Param] = []
    prologue: list[str] = []
    rebound: list[str] = []  # ``extract = extract["key"]``: after the lines reading extract
    taken: set[str] = set()
    for param in function.params.params:
        name = param.name.value
        if name in task.inputs:
            upstream, key = task.inputs[name], task.keys.get(name)
            if upstream not in taken:
                taken.add(upstream)
                # a key's value arrives as the whole dict: its annotation would not hold
                annotation = param.annotation if key is None else None
                params.append(param.with_changes(name=cst.Name(upstream), default=None,
                                                 equal=cst.MaybeSentinel.DEFAULT,
                                                 annotation=annotation))
            read = upstream if key is None else f"{upstream}[{string_literal(key)}]"
            if name != read:
                (rebound if name == upstream else prologue).append(f"{name} = {read}")
        elif name in task.literals:
            prologue.append(f"{name} = {_CODE(task.literals[name])}")
        elif name in plan.tasks or name == "context":
            return NotConvertible(function, "param-name", f"parameter {name!r} of "
                                  f"{function.name.value!r} would read as an upstream asset")
        else:
            params.append(param)
    if params:
        params[-1] = params[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    prologue += rebound
    body = function.body
    if prologue and isinstance(body, cst.IndentedBlock):
        statements = list(body.body)
        at = 1 if statements and _is_docstring(statements[0]) else 0
        added = [cst.parse_statement(line + "\n") for line in prologue]
        body = body.with_changes(body=[*statements[:at], *added, *statements[at:]])
    return function.with_changes(
        decorators=[_decorator(plan.dag_id, task.deps, extra=extra)],
        params=function.params.with_changes(params=params), body=body)


def _is_docstring(statement: cst.BaseStatement) -> bool:
    return isinstance(statement, cst.SimpleStatementLine) and \
        isinstance(statement.body[0], cst.Expr) and \
        isinstance(statement.body[0].value, cst.SimpleString | cst.ConcatenatedString)


def _operator_asset(task: TaskPlan, plan: DagPlan, top: set[str | None], module: cst.Module,
                    rewritten: dict[str, cst.FunctionDef],
                    extra: tuple[str, ...]) -> cst.FunctionDef | NotConvertible:
    target = task.callable_
    if not isinstance(target, cst.Name) or target.value not in top:
        return NotConvertible(target or module, "callable", f"the python_callable of "
                              f"{task.task_id!r} is not a function defined in the file")
    definition = next(s for s in module.body if isinstance(s, cst.FunctionDef)
                      and s.name.value == target.value)
    params = definition.params
    given = len(task.op_args)
    unbound = [p.name.value for index, p in enumerate(params.params)
               if index >= given and p.default is None and p.name.value != "ti"
               and p.name.value not in dict(task.op_kwargs)]
    if params.star_kwarg is not None or unbound or params.kwonly_params or \
            (task.pulls and task.op_args):
        return NotConvertible(definition, "context", f"{target.value!r} takes the Airflow "
                              "context (**kwargs or unbound parameters); pass values with "
                              "op_kwargs first")
    arguments = [_CODE(a) for a in task.op_args]
    arguments += [f"{k}={_CODE(v)}" for k, v in task.op_kwargs]
    upstream = sorted(set(task.pulls.values()))
    if task.pulls:
        uses = _UsedNames()
        module.visit(uses)
        if uses.counts[target.value] != 2 or target.value in rewritten:
            return NotConvertible(definition, "callable", f"{target.value!r} pulls XComs and "
                                  "is used elsewhere too; give each task its own callable")
        rewritten[target.value] = rewrite_puller(definition, task.pulls)
        arguments += [f"{name}={name}" for name in upstream]
    name = task.task_id if task.task_id not in top else f"{task.task_id}_asset"
    source = (f"def {name}({', '.join(upstream)}):\n"
              f"    return {target.value}({', '.join(arguments)})\n")
    built = cst.parse_statement(source)
    assert isinstance(built, cst.FunctionDef)
    key = None if name == task.task_id else task.task_id
    return built.with_changes(decorators=[_decorator(plan.dag_id, task.deps, key, extra)])


def _drop_unused_airflow_imports(module: cst.Module) -> cst.Module:
    used = _UsedNames()
    for statement in module.body:
        if not _is_import(statement):
            statement.visit(used)
    body: list[cst.BaseStatement] = []
    placed = False
    for statement in module.body:
        if _is_import(statement):
            assert isinstance(statement, cst.SimpleStatementLine)
            kept = _kept_import(statement.body[0], used.names)  # type: ignore[arg-type]
            if kept is None:
                if not placed:
                    placed = True
                    body.append(cst.parse_statement(ASSET_IMPORT).with_changes(
                        leading_lines=statement.leading_lines))
                continue
            statement = statement.with_changes(body=[kept])
        body.append(statement)
    return module.with_changes(body=body)


def _is_import(statement: cst.BaseStatement) -> bool:
    return isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1 and \
        isinstance(statement.body[0], cst.Import | cst.ImportFrom)


def _kept_import(node: cst.Import | cst.ImportFrom, used: set[str]
                 ) -> cst.Import | cst.ImportFrom | None:
    if isinstance(node, cst.ImportFrom):
        module = _CODE(node.module) if node.module is not None else ""
        if not module.startswith("airflow") or isinstance(node.names, cst.ImportStar):
            return node
        names = [a for a in node.names if (a.evaluated_alias or a.evaluated_name) in used]
    else:
        names = [a for a in node.names if not a.evaluated_name.startswith("airflow")
                 or (a.evaluated_alias or a.evaluated_name.split(".")[0]) in used]
    if not names:
        return None
    if len(names) == len(node.names):  # type: ignore[arg-type]
        return node
    names[-1] = names[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    return node.with_changes(names=names)


class _UsedNames(cst.CSTVisitor):
    def __init__(self) -> None:
        self.names: set[str] = set()
        self.counts: Counter[str] = Counter()

    def visit_Name(self, node: cst.Name) -> None:
        self.names.add(node.value)
        self.counts[node.value] += 1
