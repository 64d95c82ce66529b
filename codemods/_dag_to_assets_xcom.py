"""``ti.xcom_pull(task_ids="x")`` in a PythonOperator's callable: the data flow of classic
DAGs, turned into parameters (``dag-to-assets``).

A callable qualifies when its ``ti`` parameter is used only in
``ti.xcom_pull(task_ids="<task>")`` calls (``key="return_value"`` allowed): each call then
reads its upstream's return value, which :func:`rewrite_puller` passes in as a keyword-only
parameter named after the task instead.
"""

from __future__ import annotations

import libcst as cst

__all__ = ["find_pulls", "rewrite_puller"]


class _Pulls(cst.CSTVisitor):
    def __init__(self) -> None:
        self.pulls: dict[int, str] = {}
        self.pull_names: set[int] = set()
        self.other_uses = 0

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if not (isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name)
                and func.value.value == "ti" and func.attr.value == "xcom_pull"):
            return
        task = _pulled_task(node)
        if task is not None:
            self.pulls[id(node)] = task
            self.pull_names.add(id(func.value))

    def visit_Name(self, node: cst.Name) -> None:
        if node.value == "ti" and id(node) not in self.pull_names:
            self.other_uses += 1


def _pulled_task(call: cst.Call) -> str | None:
    task: str | None = None
    for index, arg in enumerate(call.args):
        name = arg.keyword.value if arg.keyword is not None else ("task_ids" if index == 0
                                                                 else "")
        value = arg.value.evaluated_value if isinstance(arg.value, cst.SimpleString) else None
        if name == "task_ids" and isinstance(value, str) and value.isidentifier():
            task = value
        elif not (name == "key" and value == "return_value"):
            return None
    return task


def find_pulls(function: cst.FunctionDef) -> dict[int, str] | str:
    """``id(call) -> upstream task id`` for each pull in ``function``; or why it does not
    qualify."""
    params = function.params
    if params.star_arg is not cst.MaybeSentinel.DEFAULT or params.kwonly_params or \
            params.star_kwarg is not None or params.posonly_params:
        return f"{function.name.value!r} takes *args, **kwargs or keyword-only parameters"
    visitor = _Pulls()
    function.body.visit(visitor)
    if visitor.other_uses or not visitor.pulls:
        return (f"{function.name.value!r} uses ti for more than "
                "ti.xcom_pull(task_ids='<task>')")
    return visitor.pulls


class _Replace(cst.CSTTransformer):
    def __init__(self, pulls: dict[int, str]) -> None:
        self.pulls = pulls

    def leave_Call(self, original_node: cst.Call,
                   updated_node: cst.Call) -> cst.BaseExpression:
        task = self.pulls.get(id(original_node))
        return cst.Name(task) if task is not None else updated_node


def rewrite_puller(function: cst.FunctionDef, pulls: dict[int, str]) -> cst.FunctionDef:
    """``function`` without ``ti``, each pull replaced by a keyword-only parameter."""
    params = [p for p in function.params.params if p.name.value != "ti"]
    if params:
        params[-1] = params[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    upstream = sorted(set(pulls.values()))
    kwonly = [cst.Param(cst.Name(name)) for name in upstream]
    body = function.body.visit(_Replace(pulls))
    assert isinstance(body, cst.BaseSuite)
    return function.with_changes(params=function.params.with_changes(
        params=params, star_arg=cst.ParamStar(), kwonly_params=kwonly), body=body)
