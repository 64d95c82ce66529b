"""The rewrite behind ``kpo-portable``: one pod-operator call to a container task + call.

:func:`plan_call` reads a ``KubernetesPodOperator(...)`` call and returns either a
:class:`PortablePlan` (the ``ContainerTask(...)`` source and the call without its container
arguments, which get ``**pod_arguments(NAME)`` in their place) or the reason it cannot be
converted safely.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

import libcst as cst

from codemods._portable_values import (
    Placeholders,
    SecretArgs,
    Unsafe,
    read_env,
    read_secret,
    read_string,
    read_strings,
    string_literal,
)

__all__ = ["CONTAINER_KEYWORDS", "CallFacts", "PortablePlan", "constant_name", "definition",
           "plan_call", "rebuild_call"]

#: the operator keywords that become the container task (in the order they are written)
CONTAINER_KEYWORDS = ("image", "cmds", "arguments", "env_vars", "secrets",
                      "container_resources")


@dataclass(frozen=True)
class CallFacts:
    """What the rest of the file tells about a call's names (from the gathering pass)."""

    #: module-level names bound once to a ``Secret(...)`` call
    secrets: Mapping[str, cst.Call] = field(default_factory=dict)
    #: module-level names bound once to a dict literal (for ``**name``)
    dicts: Mapping[str, cst.Dict] = field(default_factory=dict)
    is_secret: Callable[[cst.BaseExpression], bool] = lambda _: False
    is_env_var: Callable[[cst.BaseExpression], bool] = lambda _: False
    is_resources: Callable[[cst.BaseExpression], bool] = lambda _: False


@dataclass(frozen=True)
class PortablePlan:
    """A convertible call: the definition to insert and the call to keep."""

    task_id: str
    #: ``ContainerTask(...)`` keyword arguments, as source, in order
    fields: tuple[tuple[str, str], ...]
    #: the bridge.containers names the definition uses
    imports: frozenset[str]
    call: cst.Call


def plan_call(call: cst.Call, facts: CallFacts) -> PortablePlan | Unsafe | None:
    """The plan for ``call``; None when it has nothing to convert (already portable)."""
    keywords = {a.keyword.value: a for a in call.args if a.keyword is not None}
    if any(_is_pod_arguments(a) for a in call.args):
        return None
    if any(a.keyword is None and not a.star for a in call.args):
        return Unsafe("positional arguments", "call")
    for arg in call.args:
        if arg.star == "*":
            return Unsafe("*args in the call", "call")
        if arg.star == "**":
            spread = _spread_keys(arg.value, facts)
            if isinstance(spread, Unsafe):
                return spread
            if spread & set(CONTAINER_KEYWORDS):
                keys = ", ".join(sorted(spread & set(CONTAINER_KEYWORDS)))
                return Unsafe(f"{keys} set in a ** dict; move them into the call first",
                              "spread")
    if "image" not in keywords:
        return Unsafe("no image= in the call (it comes from default_args or elsewhere)", "image")
    task_id = keywords.get("task_id")
    if task_id is None or not isinstance(task_id.value, cst.SimpleString) or \
            not isinstance(task_id.value.evaluated_value, str):
        return Unsafe("task_id is not a string literal", "task-id")
    found = Placeholders()
    fields: list[tuple[str, str]] = []
    imports = {"ContainerTask"}
    for keyword in CONTAINER_KEYWORDS:
        if keyword not in keywords:
            continue
        converted = _field(keyword, keywords[keyword].value, found, facts, imports)
        if isinstance(converted, Unsafe):
            return Unsafe(f"{keyword}=: {converted.reason}", converted.code)
        fields.append(converted)
    if found.names:
        imports.add("context_value")
        pairs = ", ".join(f"{string_literal(name)}: context_value({string_literal(source)})"
                          for name, source in found.names.items())
        fields.append(("params", "{" + pairs + "}"))
    return PortablePlan(str(task_id.value.evaluated_value), tuple(fields), frozenset(imports),
                        call)


def _field(keyword: str, value: cst.BaseExpression, found: Placeholders, facts: CallFacts,
           imports: set[str]) -> tuple[str, str] | Unsafe:
    if keyword == "image":
        text = read_string(value, found)
        if isinstance(text, Unsafe):
            return text
        if text is None:
            if isinstance(value, cst.Name | cst.Attribute):
                return "image", cst.Module([]).code_for_node(value)
            return Unsafe("not a string literal or a name")
        if found.names:
            return Unsafe("a templated image", "template")
        return "image", string_literal(text)
    if keyword in ("cmds", "arguments"):
        items = read_strings(value, found)
        if isinstance(items, Unsafe):
            return items
        name = "command" if keyword == "cmds" else "arguments"
        return name, _tuple(string_literal(item) for item in items)
    if keyword == "env_vars":
        env = read_env(value, found, facts.is_env_var)
        if isinstance(env, Unsafe):
            return env
        pairs = ", ".join(f"{string_literal(k)}: {string_literal(v)}" for k, v in env.items())
        return "env", "{" + pairs + "}"
    if keyword == "secrets":
        return _secrets(value, facts, imports)
    return _resources(value, facts, imports)


def _secrets(value: cst.BaseExpression, facts: CallFacts,
             imports: set[str]) -> tuple[str, str] | Unsafe:
    if not isinstance(value, cst.List | cst.Tuple):
        return Unsafe("not a literal list")
    refs = []
    for element in value.elements:
        node = element.value
        if isinstance(node, cst.Name) and node.value in facts.secrets:
            node = facts.secrets[node.value]
        if not isinstance(node, cst.Call) or not facts.is_secret(node.func):
            return Unsafe("an item that is not Secret(...) or a name bound once to one")
        secret = read_secret(node)
        if isinstance(secret, Unsafe):
            return secret
        refs.append(_secret_ref(secret))
    imports.add("SecretRef")
    return "secrets", _tuple(refs)


def _secret_ref(secret: SecretArgs) -> str:
    args = [string_literal(secret.deploy_type),
            "None" if secret.deploy_target is None else string_literal(secret.deploy_target),
            string_literal(secret.secret)]
    if secret.key is not None:
        args.append(string_literal(secret.key))
    return f"SecretRef({', '.join(args)})"


def _resources(value: cst.BaseExpression, facts: CallFacts,
               imports: set[str]) -> tuple[str, str] | Unsafe:
    if not isinstance(value, cst.Call) or not facts.is_resources(value.func):
        return Unsafe("not a k8s.V1ResourceRequirements(...) call")
    parts = []
    for arg in value.args:
        if arg.keyword is None or arg.keyword.value not in ("requests", "limits") or \
                not _literal_dict(arg.value):
            return Unsafe("V1ResourceRequirements with other than literal requests/limits")
        parts.append(f"{arg.keyword.value}={cst.Module([]).code_for_node(arg.value)}")
    imports.add("ContainerResources")
    return "resources", f"ContainerResources({', '.join(parts)})"


def _literal_dict(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Dict) and all(
        isinstance(e, cst.DictElement) and isinstance(e.key, cst.SimpleString)
        and isinstance(e.value, cst.SimpleString | cst.Integer | cst.Float)
        for e in node.elements)


def _tuple(items: Iterable[str]) -> str:
    parts = list(items)
    return "(" + ", ".join(parts) + ("," if len(parts) == 1 else "") + ")"


def _spread_keys(value: cst.BaseExpression, facts: CallFacts) -> set[str] | Unsafe:
    node = facts.dicts.get(value.value) if isinstance(value, cst.Name) else None
    if node is None:
        return Unsafe("a ** argument that is not a module-level dict literal", "spread")
    keys = set()
    for element in node.elements:
        if not isinstance(element, cst.DictElement) or \
                not isinstance(element.key, cst.SimpleString):
            return Unsafe("a ** dict with non-literal keys", "spread")
        keys.add(str(element.key.evaluated_value))
    return keys


def _is_pod_arguments(arg: cst.Arg) -> bool:
    value = arg.value
    return arg.star == "**" and isinstance(value, cst.Call) and \
        isinstance(value.func, cst.Name) and value.func.value == "pod_arguments"


def rebuild_call(call: cst.Call, name: str) -> cst.Call:
    """``call`` with ``**pod_arguments(name)`` where ``image=`` was, and without the other
    container keywords (commas and line breaks of the kept arguments stay as they were)."""
    args: list[cst.Arg] = []
    for arg in call.args:
        keyword = arg.keyword.value if arg.keyword is not None else None
        if keyword == "image":
            args.append(cst.Arg(value=cst.parse_expression(f"pod_arguments({name})"),
                                star="**", comma=arg.comma))
        elif keyword not in CONTAINER_KEYWORDS:
            args.append(arg)
        elif args and _breaks_line(arg.comma) and not _breaks_line(args[-1].comma):
            args[-1] = args[-1].with_changes(comma=arg.comma)  # keep the line break
    if call.args and args and args[-1] is not call.args[-1]:
        args[-1] = args[-1].with_changes(comma=call.args[-1].comma)
    return call.with_changes(args=args)


def _breaks_line(comma: cst.Comma | cst.MaybeSentinel) -> bool:
    return isinstance(comma, cst.Comma) and \
        isinstance(comma.whitespace_after, cst.ParenthesizedWhitespace)


def definition(name: str, fields: tuple[tuple[str, str], ...], step: str, *,
               width: int = 99) -> cst.BaseStatement:
    """``NAME = ContainerTask(...)``, one field a line (LibCST adds the block's indentation);
    a long dict, tuple or call field gets one item a line."""
    body = ""
    for key, value in fields:
        line = f"{step}{key}={value},"
        if len(line) > width:
            opening, items, closing = _split_items(value)
            inner = "".join(f"{step * 2}{item},\n" for item in items)
            line = f"{step}{key}={opening}\n{inner}{step}{closing},"
        body += line + "\n"
    return cst.parse_statement(f"{name} = ContainerTask(\n{body})\n")


def _split_items(value: str) -> tuple[str, list[str], str]:
    """A dict, tuple or call display as its opening, items (source) and closing."""
    node = cst.parse_expression(value)
    code = cst.Module([]).code_for_node
    if isinstance(node, cst.Dict):
        return "{", [f"{code(e.key)}: {code(e.value)}" for e in node.elements
                     if isinstance(e, cst.DictElement)], "}"
    if isinstance(node, cst.Tuple):
        return "(", [code(e.value) for e in node.elements], ")"
    if isinstance(node, cst.Call):
        return f"{code(node.func)}(", [code(a.with_changes(comma=cst.MaybeSentinel.DEFAULT))
                                        for a in node.args], ")"
    return "", [value], ""


def constant_name(task_id: str, *, local: bool = False) -> str:
    """``extract-orders`` -> ``EXTRACT_ORDERS_CONTAINER`` (``extract_orders_container`` for a
    local variable)."""
    base = re.sub(r"\W+", "_", task_id).strip("_").upper() or "TASK"
    name = f"{'_' if base[0].isdigit() else ''}{base}_CONTAINER"
    return name.lower() if local else name
