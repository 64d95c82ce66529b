"""The rewrites behind ``kpo-modernize``: where KPO arguments live and how they change.

A gathering pass first finds what in the file builds a pod operator: the operator itself
(any alias, module-qualified name or name it is assigned to), subclasses defined in the file,
factory functions that pass their ``**kwargs`` on to one, ``functools.partial`` of one,
dicts spread into one with ``**`` and ``default_args``. Keyword arguments are rewritten in
calls of all these, in ``Operator.partial(...)`` / ``.expand(...)`` and in the literal
dicts spread inline (``**{"xcom_push": True}``, ``**dict(xcom_push=True)``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import libcst as cst
from libcst.codemod.visitors import AddImportsVisitor

from codemods._args import find_kwarg, source_of, string_value
from codemods._dispatch import FastVisitor
from codemods._imports import ImportMovingCommand
from codemods._kpo_table import (
    DEPRECATED_ARGS,
    KPO,
    MOVES,
    OLD_MODELS,
    convert_kwarg,
    convert_model,
)
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
        #: names assigned a pod operator somewhere (not followed if assigned more)
        self.assigned: set[str] = set()
        self.names: Counter[str] = Counter()
        self.default_args: set[str] = {"default_args"}
        self._functions: list[cst.FunctionDef] = []

    def is_kpo(self, func: cst.BaseExpression) -> bool:
        """Whether calling ``func`` builds a pod operator (by name, class or factory)."""
        if type(func) is cst.Name and (func.value in self.classes or func.value in self.factories):
            return True
        return _is_kpo_name(self.bindings.resolve(func))

    def takes_kpo_args(self, call: cst.Call) -> bool:
        """Whether ``call``'s keyword arguments are pod-operator arguments: a call of one
        (:meth:`is_kpo`), ``functools.partial(<operator>, ...)``, ``<operator>.partial(...)``
        or ``<operator>.partial(...).expand(...)``."""
        func = call.func
        if self.is_kpo(func) or self.is_partial_kpo(call):
            return True
        if not isinstance(func, cst.Attribute):
            return False
        if func.attr.value == "expand" and isinstance(func.value, cst.Call):
            func = func.value.func
            if not isinstance(func, cst.Attribute):
                return False
        return func.attr.value == "partial" and self.is_kpo(func.value)

    def is_partial_kpo(self, call: cst.Call) -> bool:
        """Whether ``call`` is ``functools.partial(<operator>, ...)``."""
        first = call.args[0] if call.args else None
        return first is not None and first.keyword is None and not first.star and \
            self.bindings.resolve(call.func) == "functools.partial" and self.is_kpo(first.value)

    def visit_Import(self, node: cst.Import) -> None:
        self.bindings.record(node)

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        self.bindings.record(node)

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.bindings.assign(node.name.value, None)
        if any(self.is_kpo(base.value) for base in node.bases):
            self.classes.add(node.name.value)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.bindings.assign(node.name.value, None)
        self._functions.append(node)

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._assign(target.target, node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._assign(node.target, node.value)

    def visit_For(self, node: cst.For) -> None:
        self._assign(node.target, None)

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None:
            self._assign(node.asname.name, None)

    def _assign(self, target: cst.BaseExpression, value: cst.BaseExpression | None) -> None:
        """Follow ``Pod = KubernetesPodOperator`` (and subclasses, factories, partials);
        any other binding of such a name makes it unknown."""
        if not isinstance(target, cst.Name):
            for name in _bound_names(target):
                self.bindings.assign(name, None)
            return
        name = target.value
        spelled = value.value if isinstance(value, cst.Name) else None
        if spelled in self.classes:
            self.classes.add(name)
        is_partial = isinstance(value, cst.Call) and self.is_partial_kpo(value)
        if spelled in self.factories or is_partial:
            self.factories.add(name)
        resolved = self.bindings.resolve(value) if value is not None else None
        if _is_kpo_name(resolved):
            self.assigned.add(name)
        self.bindings.assign(name, resolved if _is_kpo_name(resolved) else None)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._functions.pop()

    def visit_Name(self, node: cst.Name) -> None:
        self.names[node.value] += 1

    def visit_Call(self, node: cst.Call) -> None:
        default_args = find_kwarg(node, "default_args")
        if default_args is not None and isinstance(default_args.value, cst.Name):
            self.default_args.add(default_args.value.value)
        if not self.takes_kpo_args(node):
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
        if self._uses.takes_kpo_args(original_node) or self._is_super_init(original_node):
            return self._rewrite_args(original_node, updated_node, default_args=False)
        func = original_node.func
        if isinstance(func, cst.Name) and func.value in self._uses.assigned and \
                _argument_names(original_node) & DEPRECATED_ARGS:
            self.report(original_node, "ambiguous-name", f"{func.value!r} is assigned a pod "
                        "operator and something else; rename its deprecated arguments by hand")
            return updated_node
        default_args = find_kwarg(updated_node, "default_args")
        if default_args is not None and isinstance(default_args.value, cst.Dict):
            new = self._rewrite_dict(default_args.value, default_args.value, default_args=True)
            if new is default_args.value:
                return updated_node
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
        if OLD_MODELS.get(self.qualified_name(original_node.value) or ""):
            self.report(original_node, "model", f"{name!r} names an old model class; call "
                        "the kubernetes.client model (k8s.V1...) instead")
            return updated_node
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
            return updated_node if new is value else updated_node.with_changes(value=new)
        if isinstance(value, cst.Call) and isinstance(value.func, cst.Name) and \
                value.func.value == "dict" and isinstance(original_node.value, cst.Call):
            new_call = self._rewrite_args(original_node.value, value,
                                          default_args=is_default_args and not spread)
            return updated_node if new_call is value else updated_node.with_changes(value=new_call)
        return updated_node

    def _is_super_init(self, call: cst.Call) -> bool:
        func = call.func
        return (bool(self._class_stack) and self._uses is not None
                and self._class_stack[-1] in self._uses.classes
                and isinstance(func, cst.Attribute) and func.attr.value == "__init__"
                and isinstance(func.value, cst.Call)
                and isinstance(func.value.func, cst.Name) and func.value.func.value == "super")

    def _convert(self, node: cst.CSTNode, key: str, value: cst.BaseExpression, *,
                 default_args: bool, taken: frozenset[str],
                 ) -> tuple[str, cst.BaseExpression] | None:
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

    def _rewrite_args(self, original: cst.Call, call: cst.Call, *, default_args: bool,
                      taken: frozenset[str] = frozenset()) -> cst.Call:
        """``call`` with deprecated keywords (also in ``**{...}`` / ``**dict(...)``) renamed;
        ``taken``: argument names given around it."""
        taken = taken | _argument_names(call)
        args = []
        for arg in call.args:
            if arg.keyword is not None:
                converted = self._convert(original, arg.keyword.value, arg.value,
                                          default_args=default_args, taken=taken)
                if converted is not None:
                    arg = arg.with_changes(keyword=cst.Name(converted[0]), value=converted[1])
            elif arg.star == "**" and isinstance(arg.value, cst.Dict):
                arg = _with_value(arg, self._rewrite_dict(
                    original, arg.value, default_args=default_args, taken=taken))
            elif arg.star == "**" and _is_dict_call(arg.value):
                assert isinstance(arg.value, cst.Call)
                arg = _with_value(arg, self._rewrite_args(
                    original, arg.value, default_args=default_args, taken=taken))
            args.append(arg)
        return call if _same(args, call.args) else call.with_changes(args=args)

    def _rewrite_dict(self, original: cst.BaseExpression, node: cst.Dict, *,
                      default_args: bool, taken: frozenset[str] = frozenset()) -> cst.Dict:
        taken = taken | _dict_keys(node)
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
        return node if _same(elements, node.elements) else node.with_changes(elements=elements)

    def _use_k8s(self) -> None:
        if self._k8s_added:  # scheduling it twice yields `models as k8s, models as k8s`
            return
        self._k8s_added = True
        AddImportsVisitor.add_needed_import(self.context, "kubernetes.client", "models", "k8s")


def _with_value(arg: cst.Arg, value: cst.BaseExpression) -> cst.Arg:
    return arg if value is arg.value else arg.with_changes(value=value)


def _same(new: Sequence[cst.CSTNode], old: Sequence[cst.CSTNode]) -> bool:
    """Whether ``new`` holds the very nodes of ``old`` (nothing to rebuild)."""
    return len(new) == len(old) and all(a is b for a, b in zip(new, old, strict=True))


def _is_kpo_name(name: str | None) -> bool:
    return name is not None and MOVES.get(name, name) in KPO


def _bound_names(target: cst.BaseExpression) -> list[str]:
    """The names an assignment target (``a``, ``a, *b``, ``[a, b]``) binds."""
    if isinstance(target, cst.Name):
        return [target.value]
    if isinstance(target, cst.Tuple | cst.List):
        return [n for e in target.elements for n in _bound_names(e.value)]
    return []


def _is_dict_call(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Call) and isinstance(node.func, cst.Name) and \
        node.func.value == "dict"


def _dict_keys(node: cst.Dict) -> frozenset[str]:
    """The literal string keys of ``node``."""
    keys = [string_value(e.key) for e in node.elements
            if isinstance(e, cst.DictElement) and isinstance(e.key, cst.SimpleString)]
    return frozenset(k for k in keys if isinstance(k, str))


def _argument_names(call: cst.Call) -> frozenset[str]:
    """The keyword names ``call`` passes, directly or in ``**{...}`` / ``**dict(...)``."""
    names = {a.keyword.value for a in call.args if a.keyword is not None}
    for arg in call.args:
        if arg.star == "**" and isinstance(arg.value, cst.Dict):
            names |= _dict_keys(arg.value)
        elif arg.star == "**" and _is_dict_call(arg.value):
            assert isinstance(arg.value, cst.Call)
            names |= _argument_names(arg.value)
    return frozenset(names)


def _mentions_k8s(value: cst.BaseExpression) -> bool:
    """Whether the source of ``value`` contains ``k8s.`` (a ``k8s.X(...)`` call is known
    to without rendering it)."""
    if type(value) is cst.Call and not value.lpar and source_of(value.func).startswith("k8s."):
        return True
    return "k8s." in source_of(value)
