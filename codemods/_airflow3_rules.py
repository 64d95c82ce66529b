"""The rewrites behind ``airflow3`` that are not import moves: calls, context keys, Jinja."""

from __future__ import annotations

import re

import libcst as cst
from libcst.codemod.visitors import AddImportsVisitor, RemoveImportsVisitor

from codemods._airflow3_table import (
    APPLY_DEFAULTS,
    ASSET_OR_TIME,
    CONTEXT_KEYS,
    DAG_ARG_RENAMES,
    DAG_ARGS_REMOVED,
    DAG_CALLABLES,
    MOVED_MODULES,
    MOVES,
    REMOVED,
    TEMPLATE_ATTRS,
)
from codemods._args import (
    fill_template,
    find_kwarg,
    remove_kwarg,
    rename_kwarg,
    source_of,
    string_value,
)
from codemods._imports import ImportMovingCommand
from codemods._jinja import rewrite_template

__all__ = ["Airflow3Rules"]

_CONTEXT_NAMES = frozenset({"context", "ctx", "kwargs", "kw", "kwds", "templates_dict"})
_SUBDAG = frozenset({"airflow.operators.subdag.SubDagOperator",
                     "airflow.operators.subdag_operator.SubDagOperator"})
_GONE_PREFIXES = ("airflow.contrib.", "airflow.operators.", "airflow.sensors.",
                  "airflow.hooks.", "airflow.kubernetes.")
_DATE_KEYS = frozenset({"start_date", "end_date"})
_TRIGGER_DAG_RUN = "airflow.providers.standard.operators.trigger_dagrun.TriggerDagRunOperator"
_REGION = re.compile(r"(\{\{|\{%)(.*?)(\}\}|%\})", re.S)
_TEMPLATE_ATTR = re.compile(r"(?<![\w.'\"])(" + "|".join(map(re.escape, TEMPLATE_ATTRS))
                            + r")(?![\w'\"])")


class Airflow3Rules(ImportMovingCommand):
    """Call, context-key and template rewrites (the command class adds the examples)."""

    MOVES = MOVES

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self._star_params: list[str | None] = []
        #: enclosing ``start_date=`` / ``end_date=`` arguments and dict entries
        self._date_args: list[cst.CSTNode] = []

    # -- imports with no automatic replacement ------------------------------------------
    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool | None:
        super().visit_ImportFrom(node)
        if node.relative or node.module is None or isinstance(node.names, cst.ImportStar):
            return None
        module = source_of(node.module)
        for alias in node.names:
            full = f"{module}.{alias.evaluated_name}"
            if full in _SUBDAG:
                self.report(node, "subdag", "SubDagOperator was removed in Airflow 3; "
                            "rewrite the sub-DAG as a TaskGroup")
            elif full in REMOVED:
                self.report(node, "removed-import", f"{full} was removed in Airflow 3; "
                            f"{REMOVED[full]}")
            elif full == APPLY_DEFAULTS:  # gone once its decorators are (leave_FunctionDef)
                RemoveImportsVisitor.remove_unused_import(
                    self.context, module, alias.evaluated_name, alias.evaluated_alias)
            elif full not in MOVES and full not in MOVED_MODULES \
                    and f"{module}.".startswith(_GONE_PREFIXES) \
                    and full != "airflow.utils.dates.days_ago":
                self.report(node, "removed-import", f"{full} is gone in Airflow 3 and has no "
                            "known replacement here; import it from its provider package")
        return None

    # -- context keys in Python -----------------------------------------------------------
    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool | None:
        super().visit_FunctionDef(node)
        star = node.params.star_kwarg
        self._star_params.append(star.name.value if star is not None else None)
        for param in (*node.params.params, *node.params.kwonly_params):
            if param.name.value in CONTEXT_KEYS and param.name.value != "conf":
                self.report(param, "context-param", f"parameter {param.name.value!r} no longer "
                            "receives a context value in Airflow 3; take the replacement key "
                            "(e.g. logical_date) or read it from the context")
        return None

    def leave_FunctionDef(self, original_node: cst.FunctionDef,
                          updated_node: cst.FunctionDef) -> cst.BaseStatement:
        self._star_params.pop()
        return super().leave_FunctionDef(original_node,
                                         self._drop_apply_defaults(original_node, updated_node))

    def _drop_apply_defaults(self, original: cst.FunctionDef,
                             node: cst.FunctionDef) -> cst.FunctionDef:
        """``node`` without ``@apply_defaults`` (comments between decorators are kept)."""
        kept: list[cst.Decorator] = []
        carried: list[cst.EmptyLine] = []
        for old, new in zip(original.decorators, node.decorators, strict=True):
            if self.qualified_name(old.decorator) != APPLY_DEFAULTS:
                kept.append(new.with_changes(leading_lines=[*carried, *new.leading_lines])
                            if carried else new)
                carried = []
                continue
            carried += new.leading_lines
            if isinstance(old.decorator, cst.Attribute):  # ``@decorators.apply_defaults``
                self.drop_binding(old.decorator)
        if len(kept) == len(node.decorators):
            return node
        return node.with_changes(decorators=kept, lines_after_decorators=[
            *carried, *node.lines_after_decorators])

    def _is_context(self, node: cst.BaseExpression) -> bool:
        if isinstance(node, cst.Call):
            return self.qualified_name(node.func) in {
                "airflow.sdk.get_current_context",
                "airflow.operators.python.get_current_context"}
        return isinstance(node, cst.Name) and (
            node.value in _CONTEXT_NAMES or node.value in self._star_params)

    def leave_Subscript(self, original_node: cst.Subscript,
                        updated_node: cst.Subscript) -> cst.BaseExpression:
        key = _string_key(original_node)
        if key not in CONTEXT_KEYS or not self._is_context(original_node.value):
            return updated_node
        rule = CONTEXT_KEYS[key]
        if rule.python is None:
            self.report(original_node, "context-key", f"context key {key!r} was removed in "
                        f"Airflow 3; {rule.hint}")
            return updated_node
        return fill_template(rule.python, ctx=updated_node.value)

    # -- calls --------------------------------------------------------------------------
    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        callee = self.qualified_name(original_node.func) or ""
        callee = MOVES.get(callee, callee)
        if callee == "airflow.utils.dates.days_ago":
            return self._days_ago(original_node, updated_node)
        if callee == ASSET_OR_TIME:
            return self._asset_or_time(original_node, updated_node)
        if callee in REMOVED:
            self.report(original_node, "removed-name", f"{callee} was removed in Airflow 3; "
                        f"{REMOVED[callee]}")
        elif isinstance(original_node.func, cst.Attribute) \
                and original_node.func.attr.value == "create_dagrun" \
                and find_kwarg(original_node, "execution_date") is not None:
            self.report(original_node, "create-dagrun", "create_dagrun(execution_date=) "
                        "is gone in Airflow 3: airflow.sdk.DAG has no create_dagrun (the "
                        "scheduler's takes run_id=, logical_date=, run_after=, run_type=, "
                        "triggered_by=); trigger runs with TriggerDagRunOperator or the REST "
                        "API, or use dag.test() in tests")
        elif callee in _SUBDAG:
            self.report(original_node, "subdag", "SubDagOperator was removed in Airflow 3; "
                        "rewrite the sub-DAG as a TaskGroup")
        elif callee in DAG_CALLABLES:
            return self._dag_call(original_node, updated_node)
        elif callee.startswith("airflow.") and callee.endswith(("Operator", "Sensor")):
            return self._operator_call(original_node, updated_node, callee)
        elif isinstance(original_node.func, cst.Attribute) \
                and original_node.func.attr.value == "get" \
                and self._is_context(original_node.func.value):
            return self._context_get(original_node, updated_node)
        return updated_node

    def _dag_call(self, original: cst.Call, call: cst.Call) -> cst.Call:
        for removed in DAG_ARGS_REMOVED:
            call = remove_kwarg(call, removed)
        if find_kwarg(call, "sla_miss_callback") is not None:
            self.report(original, "sla", "sla_miss_callback was removed in Airflow 3 "
                        "(SLAs are replaced by deadline alerts); remove it by hand")
        for old, new in DAG_ARG_RENAMES.items():
            if find_kwarg(call, old) is None:
                continue
            if find_kwarg(call, new) is not None:
                self.report(original, "duplicate-arg", f"both {old}= and {new}= are given; "
                            f"keep one as {new}=")
                continue
            call = rename_kwarg(call, old, new)
        return call

    def _asset_or_time(self, original: cst.Call, call: cst.Call) -> cst.Call:
        if find_kwarg(call, "datasets") is None:
            return call
        if find_kwarg(call, "assets") is not None:
            self.report(original, "duplicate-arg", "both datasets= and assets= are given; "
                        "keep one as assets=")
            return call
        return rename_kwarg(call, "datasets", "assets")

    def _operator_call(self, original: cst.Call, call: cst.Call, callee: str) -> cst.Call:
        call = remove_kwarg(call, "provide_context")
        if find_kwarg(call, "max_active_tis_per_dag") is None:
            call = rename_kwarg(call, "task_concurrency", "max_active_tis_per_dag")
        if callee == _TRIGGER_DAG_RUN and find_kwarg(call, "logical_date") is None:
            call = rename_kwarg(call, "execution_date", "logical_date")
        if find_kwarg(call, "sla") is not None:
            self.report(original, "sla", "sla= was removed in Airflow 3 (SLAs are replaced "
                        "by deadline alerts); remove it by hand")
        return call

    def _context_get(self, original: cst.Call, call: cst.Call) -> cst.Call:
        if not call.args or not isinstance(call.args[0].value, cst.SimpleString):
            return call
        key = string_value(call.args[0].value)
        rule = CONTEXT_KEYS.get(key) if isinstance(key, str) else None
        if rule is None:
            return call
        renamed = re.fullmatch(r'\{ctx\}\["(\w+)"\]', rule.python or "")
        new_key = renamed.group(1) if renamed else None
        if new_key is None:
            func = call.func
            ctx = func.value.value if isinstance(func, cst.Attribute) and \
                isinstance(func.value, cst.Name) else "context"
            instead = f"use {rule.python.format(ctx=ctx, q=chr(34))}" if rule.python \
                else rule.hint
            self.report(original, "context-key", f"context key {key!r} was removed in Airflow 3"
                        f"; {instead}")
            return call
        first = call.args[0].with_changes(value=cst.SimpleString(f'"{new_key}"'))
        return call.with_changes(args=[first, *call.args[1:]])

    def _days_ago(self, original: cst.Call, call: cst.Call) -> cst.BaseExpression:
        if len(call.args) != 1 or call.args[0].keyword is not None or call.args[0].star:
            self.report(original, "days-ago", "days_ago() with hour/minute arguments has no "
                        "automatic replacement; use an explicit pendulum datetime")
            return call
        value = call.args[0].value
        if isinstance(value, cst.Integer):  # the digits, without parentheses around them
            value, template = cst.Integer(value.value), "-{days}"
        else:
            template = "-({days})"
        if self._date_args:
            self.report(original, "dynamic-date", "days_ago() became pendulum.today(...), "
                        "which changes every day like days_ago did; as a start_date or "
                        "end_date it makes Airflow 3 store a new DAG version daily (ruff "
                        "AIR304): use a fixed date, e.g. pendulum.datetime(2024, 1, 1, "
                        "tz='UTC')")
        AddImportsVisitor.add_needed_import(self.context, "pendulum")
        RemoveImportsVisitor.remove_unused_import(self.context, "airflow.utils.dates", "days_ago")
        self.drop_binding(original.func)
        return fill_template(f'pendulum.today("UTC").add(days={template})', days=value)

    # -- where a date is used -------------------------------------------------------------
    def visit_Arg(self, node: cst.Arg) -> bool | None:
        super().visit_Arg(node)
        if node.keyword is not None and node.keyword.value in _DATE_KEYS:
            self._date_args.append(node)
        return None

    def leave_Arg(self, original_node: cst.Arg, updated_node: cst.Arg,
                  ) -> cst.Arg | cst.FlattenSentinel[cst.Arg] | cst.RemovalSentinel:
        if self._date_args and self._date_args[-1] is original_node:
            self._date_args.pop()
        return updated_node

    def visit_DictElement(self, node: cst.DictElement) -> bool | None:
        if isinstance(node.key, cst.SimpleString) and string_value(node.key) in _DATE_KEYS:
            self._date_args.append(node)
        return None

    def leave_DictElement(self, original_node: cst.DictElement,
                          updated_node: cst.DictElement) -> cst.BaseDictElement:
        if self._date_args and self._date_args[-1] is original_node:
            self._date_args.pop()
        return updated_node

    # -- Jinja in string literals ---------------------------------------------------------
    def leave_SimpleString(self, original_node: cst.SimpleString,
                           updated_node: cst.SimpleString) -> cst.SimpleString:
        if "{{" not in updated_node.value and "{%" not in updated_node.value:
            return updated_node
        new, unresolved = rewrite_template(_template_attrs(updated_node.value),
                                           updated_node.quote[0])
        for key in unresolved:
            self.report(original_node, "template-key", f"{{{{ {key} }}}} was removed from the "
                        f"template context in Airflow 3; {CONTEXT_KEYS[key].hint}")
        return updated_node if new == updated_node.value else updated_node.with_changes(value=new)


def _template_attrs(text: str) -> str:
    """``text`` with the :data:`TEMPLATE_ATTRS` spellings replaced inside Jinja regions."""
    if not any(attr in text for attr in TEMPLATE_ATTRS):
        return text
    return _REGION.sub(lambda m: m.group(1) + _TEMPLATE_ATTR.sub(
        lambda a: TEMPLATE_ATTRS[a.group(1)], m.group(2)) + m.group(3), text)


def _string_key(node: cst.Subscript) -> str | None:
    if len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Index):
        return None
    value = node.slice[0].slice.value
    if isinstance(value, cst.SimpleString):
        key = string_value(value)
        return key if isinstance(key, str) else None
    return None
