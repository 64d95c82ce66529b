"""The rewrites behind ``kpo-modernize``: where KPO arguments live and how they change.

A gathering pass first finds what in the file builds a pod operator: the operator itself
(any alias or module-qualified name), subclasses defined in the file, factory functions that
pass their ``**kwargs`` on to one, dicts spread into one with ``**`` and ``default_args``.
"""

from __future__ import annotations

from collections import Counter

import libcst as cst
from libcst.codemod.visitors import AddImportsVisitor

from codemods._args import find_kwarg, source_of, string_value
from codemods._dispatch import FastVisitor
from codemods._imports import ImportMovingCommand
from codemods._kpo_table import KPO, MOVES, OLD_MODELS, convert_kwarg, convert_model
from codemods._names import ImportBindings

__all__ = ["KpoRules"]

_DEFAULT_ARGS_ONLY_KPO = frozenset({"resources"})


class GatherKpoUsesVisitor(FastVisitor):
    """Finds pod-operator subclasses, factories, spread dicts and ``default_args`` names."""

    def __init__(self, bindings: ImportBindings) -> None:
        self.bindings = bindings
        self.classes: set[str] = set()
        self.factories: set[str] = set()
        self.spread: Counter[str] = Counter()
        self.names: Counter[str] = Counter()
        self.default_args: set[str] = {"default_args"}
        self._functions: list[cst.FunctionDef] = []

    def is_kpo(self, func: cst.BaseExpression) -> bool:
        """Whether calling ``func`` builds a pod operator (by name, class or factory)."""
        if isinstance(func, cst.Name) and func.value in self.classes | self.factories:
            return True
        name = self.bindings.resolve(func)
        return name is not None and MOVES.get(name, name) in KPO

    def visit_Import(self, node: cst.Import) -> None:
        self.bindings.record(node)

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        self.bindings.record(node)

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        if any(self.is_kpo(base.value) for base in node.bases):
            self.classes.add(node.name.value)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._functions.append(node)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._functions.pop()

    def visit_Name(self, node: cst.Name) -> None:
        self.names[node.value] += 1

    def visit_Call(self, node: cst.Call) -> None:
        default_args = find_kwarg(node, "default_args")
        if default_args is not None and isinstance(default_args.value, cst.Name):
            self.default_args.add(default_args.value.value)
        if not self.is_kpo(node.func):
            return
        for arg in node.args:
            if arg.star == "**" and isinstance(arg.value, cst.Name):
                self.spread[arg.value.value] += 1
                star = self._functions[-1].params.star_kwarg if self._functions else None
                if star is not None and star.name.value == arg.value.value:
                    self.factories.add(self._functions[-1].name.value)


class KpoRules(ImportMovingCommand):
    """Argument and model rewrites (the command class adds the examples)."""

    MOVES = MOVES

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self._uses: GatherKpoUsesVisitor | None = None
        self._class_stack: list[str] = []
        self._k8s_added = False

    def visit_Module(self, node: cst.Module) -> bool | None:
        self._uses = GatherKpoUsesVisitor(self.bindings)
        self._uses.walk(node)
        return None

    def visit_ClassDef(self, node: cst.ClassDef) -> bool | None:
        super().visit_ClassDef(node)
        self._class_stack.append(node.name.value)
        return None

    def leave_ClassDef(self, original_node: cst.ClassDef,
                       updated_node: cst.ClassDef) -> cst.BaseStatement:
        self._class_stack.pop()
        return updated_node

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        assert self._uses is not None
        kind = OLD_MODELS.get(self.qualified_name(original_node.func) or "")
        if kind is not None:
            converted = convert_model(kind, updated_node)
            if isinstance(converted, str):
                self.report(original_node, "model", converted)
                return updated_node
            self._use_k8s()
            self.drop_binding(original_node.func)
            return converted
        if self._uses.is_kpo(original_node.func) or self._is_super_init(original_node):
            return self._rewrite_args(original_node, updated_node, default_args=False)
        default_args = find_kwarg(updated_node, "default_args")
        if default_args is not None and isinstance(default_args.value, cst.Dict):
            new = self._rewrite_dict(default_args.value, default_args.value, default_args=True)
            args = [a.with_changes(value=new) if a is default_args else a
                    for a in updated_node.args]
            return updated_node.with_changes(args=args)
        return updated_node

    def leave_Assign(self, original_node: cst.Assign,
                     updated_node: cst.Assign) -> cst.Assign:
        assert self._uses is not None
        if len(original_node.targets) != 1 or \
                not isinstance(original_node.targets[0].target, cst.Name):
            return updated_node
        name = original_node.targets[0].target.value
        spread = self._uses.spread[name]
        is_default_args = name in self._uses.default_args
        if not spread and not is_default_args:
            return updated_node
        if spread and self._uses.names[name] != spread + 1:
            self.report(original_node, "shared-dict", f"{name!r} is spread into a pod operator "
                        "and used elsewhere; rename its deprecated keys by hand")
            return updated_node
        value = updated_node.value
        if isinstance(value, cst.Dict):
            new = self._rewrite_dict(original_node.value, value,
                                     default_args=is_default_args and not spread)
            return updated_node.with_changes(value=new)
        if isinstance(value, cst.Call) and isinstance(value.func, cst.Name) and \
                value.func.value == "dict" and isinstance(original_node.value, cst.Call):
            new_call = self._rewrite_args(original_node.value, value,
                                          default_args=is_default_args and not spread)
            return updated_node.with_changes(value=new_call)
        return updated_node

    def _is_super_init(self, call: cst.Call) -> bool:
        func = call.func
        return (bool(self._class_stack) and self._uses is not None
                and self._class_stack[-1] in self._uses.classes
                and isinstance(func, cst.Attribute) and func.attr.value == "__init__"
                and isinstance(func.value, cst.Call)
                and isinstance(func.value.func, cst.Name) and func.value.func.value == "super")

    def _convert(self, node: cst.CSTNode, key: str, value: cst.BaseExpression, *,
                 default_args: bool, taken: set[str]) -> tuple[str, cst.BaseExpression] | None:
        if default_args and key in _DEFAULT_ARGS_ONLY_KPO:
            self.report(node, "default-args", f"{key!r} in default_args also reaches other "
                        "operators; move it to the pod operator as container_resources=")
            return None
        converted = convert_kwarg(key, value)
        if isinstance(converted, str):
            self.report(node, "argument", converted)
            return None
        if converted is not None and converted[0] in taken:
            self.report(node, "argument", f"both {key!r} and {converted[0]!r} are given; "
                        "keep one")
            return None
        if converted is not None and _mentions_k8s(converted[1]):
            self._use_k8s()
        return converted

    def _rewrite_args(self, original: cst.Call, call: cst.Call, *,
                      default_args: bool) -> cst.Call:
        taken = {a.keyword.value for a in call.args if a.keyword is not None}
        args = []
        for arg in call.args:
            converted = None if arg.keyword is None else self._convert(
                original, arg.keyword.value, arg.value, default_args=default_args, taken=taken)
            if converted is not None:
                arg = arg.with_changes(keyword=cst.Name(converted[0]), value=converted[1])
            args.append(arg)
        return call.with_changes(args=args)

    def _rewrite_dict(self, original: cst.BaseExpression, node: cst.Dict, *,
                      default_args: bool) -> cst.Dict:
        keys = [string_value(e.key) for e in node.elements
                if isinstance(e, cst.DictElement) and isinstance(e.key, cst.SimpleString)]
        taken = {k for k in keys if isinstance(k, str)}
        elements = []
        for element in node.elements:
            key = (string_value(element.key) if isinstance(element, cst.DictElement)
                   and isinstance(element.key, cst.SimpleString) else None)
            converted = None if not isinstance(key, str) else self._convert(
                original, key, element.value, default_args=default_args, taken=taken)
            if converted is not None and isinstance(element, cst.DictElement) and \
                    isinstance(element.key, cst.SimpleString):
                quote = element.key.quote
                element = element.with_changes(key=cst.SimpleString(
                    f"{quote}{converted[0]}{quote}"), value=converted[1])
            elements.append(element)
        return node.with_changes(elements=elements)

    def _use_k8s(self) -> None:
        if self._k8s_added:  # scheduling it twice yields `models as k8s, models as k8s`
            return
        self._k8s_added = True
        AddImportsVisitor.add_needed_import(self.context, "kubernetes.client", "models", "k8s")


def _mentions_k8s(value: cst.BaseExpression) -> bool:
    """Whether the source of ``value`` contains ``k8s.`` (a ``k8s.X(...)`` call is known
    to without rendering it)."""
    if type(value) is cst.Call and not value.lpar and source_of(value.func).startswith("k8s."):
        return True
    return "k8s." in source_of(value)
