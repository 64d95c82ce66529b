"""The traversal of ``kpo-portable`` (the command class in ``commands/kpo_portable.py`` adds
its name and examples)."""

from __future__ import annotations

import libcst as cst
from libcst.codemod.visitors import AddImportsVisitor

from codemods._dispatch import FastVisitor
from codemods._kpo_rules import GatherKpoUsesVisitor
from codemods._kpo_table import KPO, MOVES
from codemods._portable_rewrite import (
    CallFacts,
    PortablePlan,
    constant_name,
    definition,
    plan_call,
    rebuild_call,
)
from codemods._portable_values import Unsafe
from codemods.base import BridgeCommand

__all__ = ["PortableKpoRules"]

_SECRET = "airflow.providers.cncf.kubernetes.secret.Secret"
_K8S = ("kubernetes.client.models.", "kubernetes.client.")


class GatherModuleValuesVisitor(FastVisitor):
    """Module-level names bound exactly once, with their value."""

    def __init__(self) -> None:
        self.values: dict[str, cst.BaseExpression] = {}
        self.twice: set[str] = set()

    def visit_Module(self, node: cst.Module) -> bool | None:
        for statement in node.body:
            if not isinstance(statement, cst.SimpleStatementLine):
                continue
            for small in statement.body:
                if isinstance(small, cst.Assign) and len(small.targets) == 1 and \
                        isinstance(small.targets[0].target, cst.Name):
                    name = small.targets[0].target.value
                    (self.twice.add(name) if name in self.values
                     else self.values.__setitem__(name, small.value))
        return False


class PortableKpoRules(BridgeCommand):
    """Moves each convertible pod operator's container spec into a ``ContainerTask``."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._facts = CallFacts()
        self._uses: GatherKpoUsesVisitor | None = None
        self._taken: set[str] = set()
        self._step = "    "
        self._lines: list[list[cst.BaseStatement]] = []
        self._nested = 0
        self._functions = 0

    def visit_Module(self, node: cst.Module) -> bool | None:
        self._step = node.default_indent
        self._uses = GatherKpoUsesVisitor(self.bindings)
        self._uses.walk(node)
        self._taken = set(self._uses.names)
        values = GatherModuleValuesVisitor()
        values.walk(node)
        once = {k: v for k, v in values.values.items() if k not in values.twice}
        self._facts = CallFacts(
            secrets={k: v for k, v in once.items() if isinstance(v, cst.Call)},
            dicts={k: v for k, v in once.items() if isinstance(v, cst.Dict)},
            is_secret=lambda f: self._resolves(f, (_SECRET,)),
            is_env_var=lambda f: self._resolves(f, tuple(p + "V1EnvVar" for p in _K8S)),
            is_resources=lambda f: self._resolves(
                f, tuple(p + "V1ResourceRequirements" for p in _K8S)))
        return None

    def _resolves(self, func: cst.BaseExpression, names: tuple[str, ...]) -> bool:
        name = self.qualified_name(func)
        return name is not None and MOVES.get(name, name) in names

    # -- where a definition can go ------------------------------------------------------
    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> bool | None:
        self._lines.append([])
        return None

    def leave_SimpleStatementLine(self, original_node: cst.SimpleStatementLine,
                                  updated_node: cst.SimpleStatementLine
                                  ) -> cst.BaseStatement | cst.FlattenSentinel[cst.BaseStatement]:
        pending = self._lines.pop()
        if not pending:
            return updated_node
        first, line = pending[0], updated_node
        if updated_node.leading_lines:  # blank lines and comments stay above the pair
            first = first.with_changes(leading_lines=updated_node.leading_lines)
            line = updated_node.with_changes(leading_lines=())
        return cst.FlattenSentinel([first, *pending[1:], line])

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool | None:
        self._functions += 1
        return super().visit_FunctionDef(node)

    def leave_FunctionDef(self, original_node: cst.FunctionDef,
                          updated_node: cst.FunctionDef) -> cst.BaseStatement:
        self._functions -= 1
        return super().leave_FunctionDef(original_node, updated_node)

    # lambdas and comprehensions: a definition above the statement could not see their names
    def visit_Lambda(self, node: cst.Lambda) -> bool | None:
        self._nested += 1
        return super().visit_Lambda(node)

    def leave_Lambda(self, original_node: cst.Lambda,
                     updated_node: cst.Lambda) -> cst.BaseExpression:
        self._nested -= 1
        return super().leave_Lambda(original_node, updated_node)

    def visit_ListComp(self, node: cst.ListComp) -> bool | None:
        self._nested += 1
        return None

    def leave_ListComp(self, original_node: cst.ListComp,
                       updated_node: cst.ListComp) -> cst.BaseExpression:
        self._nested -= 1
        return updated_node

    def visit_SetComp(self, node: cst.SetComp) -> bool | None:
        self._nested += 1
        return None

    def leave_SetComp(self, original_node: cst.SetComp,
                      updated_node: cst.SetComp) -> cst.BaseExpression:
        self._nested -= 1
        return updated_node

    def visit_DictComp(self, node: cst.DictComp) -> bool | None:
        self._nested += 1
        return None

    def leave_DictComp(self, original_node: cst.DictComp,
                       updated_node: cst.DictComp) -> cst.BaseExpression:
        self._nested -= 1
        return updated_node

    def visit_GeneratorExp(self, node: cst.GeneratorExp) -> bool | None:
        self._nested += 1
        return None

    def leave_GeneratorExp(self, original_node: cst.GeneratorExp,
                           updated_node: cst.GeneratorExp) -> cst.BaseExpression:
        self._nested -= 1
        return updated_node

    # -- the rewrite --------------------------------------------------------------------
    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        assert self._uses is not None
        func = original_node.func
        if isinstance(func, cst.Name) and func.value in self._uses.classes:
            self.report(original_node, "subclass", f"{func.value} subclasses the pod operator; "
                        "its __init__ may change the container arguments, convert by hand")
            return updated_node
        if not self._resolves(func, tuple(KPO)):
            return updated_node
        plan = plan_call(original_node, self._facts)
        if plan is None:
            return updated_node
        if isinstance(plan, Unsafe):
            self.report(original_node, plan.code, f"pod operator left as is: {plan.reason}")
            return updated_node
        if self._nested or not self._lines:
            self.report(original_node, "placement", "pod operator inside a lambda, a "
                        "comprehension, a one-line `if x: ...` body or a statement's header; "
                        "no place for its ContainerTask")
            return updated_node
        return self._apply(plan, updated_node)

    def _apply(self, plan: PortablePlan, call: cst.Call) -> cst.Call:
        name = constant_name(plan.task_id, local=self._functions > 0)
        base, index = name, 2
        while name in self._taken:
            name, index = f"{base}_{index}", index + 1
        self._taken.add(name)
        self._lines[-1].append(definition(name, plan.fields, self._step))
        for imported in sorted(plan.imports):
            AddImportsVisitor.add_needed_import(self.context, "bridge.containers", imported)
        AddImportsVisitor.add_needed_import(self.context, "translators.containers_airflow",
                                            "pod_arguments")
        return rebuild_call(call, name)
