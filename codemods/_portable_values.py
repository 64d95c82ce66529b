"""Reading a KubernetesPodOperator's container arguments as plain values (``kpo-portable``).

Each reader takes a LibCST expression and returns the value it spells, or an :class:`Unsafe` saying
why it cannot be converted safely (the caller reports it and leaves the task as is).
Jinja in strings becomes ``${name}`` placeholders when it names a context value
:func:`bridge.containers.context_value` knows (:data:`KNOWN_SOURCES`, ``params.<name>``,
one of those datetimes through Airflow's ``ds`` / ``ds_nodash`` / ``ts`` / ``ts_nodash``
filter, ``macros.ds_add`` of a ``YYYY-MM-DD`` value); any other template is a reason to stop.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import libcst as cst

from bridge.containers import context_value
from bridge.errors import DefinitionError

__all__ = ["KNOWN_SOURCES", "Placeholders", "SecretArgs", "Unsafe", "read_env", "read_secret",
           "read_string", "read_strings", "string_literal"]

#: context values a template may name to become a typed parameter
KNOWN_SOURCES = frozenset({"ds", "ds_nodash", "logical_date", "ts", "ts_nodash",
                           "data_interval_start", "data_interval_end"})

_EXPRESSION = re.compile(r"\{\{(.*?)\}\}", re.S)
_PARAM = re.compile(r"params\.([A-Za-z_][A-Za-z0-9_]*)$")
#: ``macros.ds_add`` as :func:`~bridge.containers.context_value` spells it
_DS_ADD = re.compile(r"macros\.ds_add\(\(?(.*?)\)?, (-?\d+)\)")


@dataclass(frozen=True)
class Unsafe:
    """Why a value cannot be converted safely (``code`` is the report code's suffix)."""

    reason: str
    code: str = "argument"


@dataclass
class Placeholders:
    """The parameters found so far for one task: placeholder name -> context source."""

    names: dict[str, str] = field(default_factory=dict)

    def name_for(self, source: str) -> str:
        """The placeholder for ``source`` (``ds``; ``limit`` for ``params.limit``)."""
        for name, known in self.names.items():
            if known == source:
                return name
        match = _PARAM.match(source)
        name = match.group(1) if match else _identifier(source)
        if name in self.names:
            name = _identifier(source)
        self.names[name] = source
        return name


def _identifier(source: str) -> str:
    """A placeholder name for a context source: ``ds``, ``params_limit``,
    ``data_interval_end_ds``, ``ds_minus_7`` (``macros.ds_add(ds, -7)``)."""
    added = _DS_ADD.fullmatch(source)
    if added is not None:
        days = int(added.group(2))
        return f"{_identifier(added.group(1))}_{'minus' if days < 0 else 'plus'}_{abs(days)}"
    return re.sub(r"\W+", "_", source).strip("_")


def _known(source: str) -> str | None:
    """``source`` as :func:`~bridge.containers.context_value` spells it, None if unknown."""
    if source in KNOWN_SOURCES or _PARAM.match(source):
        return source
    try:
        return context_value(source).source
    except DefinitionError:
        return None


def string_literal(text: str) -> str:
    """``text`` as a Python string literal, double-quoted where possible."""
    literal = repr(text)
    if literal.startswith("'") and '"' not in text:
        literal = '"' + literal[1:-1].replace("\\'", "'") + '"'
    return literal


def _plain_string(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.SimpleString | cst.ConcatenatedString):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


def read_string(node: cst.BaseExpression, found: Placeholders) -> str | Unsafe | None:
    """``node``'s text with templates as ``${name}`` (``$`` doubled); None if not a string
    literal."""
    text = _plain_string(node)
    if text is None:
        return None
    if "{%" in text or "{#" in text:
        return Unsafe(f"Jinja statement or comment in {text!r}", "template")
    parts: list[str] = []
    last = 0
    for match in _EXPRESSION.finditer(text):
        source = _known(match.group(1).strip())
        if source is None:
            return Unsafe(f"template {match.group(0)!r} is not a plain context value "
                          f"({', '.join(sorted(KNOWN_SOURCES))}, params.<name>, one of "
                          "those datetimes | ds, ds_nodash, ts or ts_nodash, or "
                          "macros.ds_add(ds, N))", "template")
        parts.append(text[last:match.start()].replace("$", "$$"))
        parts.append("${" + found.name_for(source) + "}")
        last = match.end()
    parts.append(text[last:].replace("$", "$$"))
    out = "".join(parts)
    if "{{" in out or "}}" in out:
        return Unsafe(f"unbalanced template braces in {text!r}", "template")
    return out


def read_strings(node: cst.BaseExpression, found: Placeholders) -> list[str] | Unsafe:
    """A list or tuple of string literals, converted; else the reason."""
    if not isinstance(node, cst.List | cst.Tuple):
        return Unsafe("not a literal list of strings")
    out = []
    for element in node.elements:
        if not isinstance(element, cst.Element):
            return Unsafe("a starred item in the list")
        text = read_string(element.value, found)
        if text is None:
            return Unsafe("an item that is not a string literal")
        if isinstance(text, Unsafe):
            return text
        out.append(text)
    return out


def read_env(node: cst.BaseExpression, found: Placeholders,
             is_env_var: Callable[[cst.BaseExpression], bool]) -> dict[str, str] | Unsafe:
    """A dict of string literals, or a list of ``V1EnvVar(name=..., value=...)``."""
    pairs: list[tuple[cst.BaseExpression, cst.BaseExpression]] = []
    if isinstance(node, cst.Dict):
        for element in node.elements:
            if not isinstance(element, cst.DictElement):
                return Unsafe("a ** item in env_vars")
            pairs.append((element.key, element.value))
    elif isinstance(node, cst.List):
        for item in node.elements:
            call = item.value
            if not isinstance(item, cst.Element) or not isinstance(call, cst.Call) \
                    or not is_env_var(call.func):
                return Unsafe("an env_vars item that is not k8s.V1EnvVar(name=..., value=...)")
            kwargs = {a.keyword.value: a.value for a in call.args if a.keyword is not None}
            if set(kwargs) != {"name", "value"} or len(call.args) != 2:
                return Unsafe("a V1EnvVar with value_from or positional arguments")
            pairs.append((kwargs["name"], kwargs["value"]))
    else:
        return Unsafe("env_vars is not a literal dict or list of V1EnvVar")
    out: dict[str, str] = {}
    for key_node, value_node in pairs:
        key = _plain_string(key_node)
        value = read_string(value_node, found)
        if key is None or value is None:
            return Unsafe("an env_vars name or value that is not a string literal")
        if isinstance(value, Unsafe):
            return value
        out[key] = value
    return out


@dataclass(frozen=True)
class SecretArgs:
    """The literal arguments of a provider ``Secret(...)`` call."""

    deploy_type: str
    deploy_target: str | None
    secret: str
    key: str | None


_SECRET_FIELDS = ("deploy_type", "deploy_target", "secret", "key")


def read_secret(call: cst.Call) -> SecretArgs | Unsafe:
    """A ``Secret(deploy_type, deploy_target, secret, key)`` call with literal arguments."""
    values: dict[str, str | None] = {}
    for index, arg in enumerate(call.args):
        name = arg.keyword.value if arg.keyword is not None else (
            _SECRET_FIELDS[index] if index < len(_SECRET_FIELDS) and not arg.star else "")
        if name not in _SECRET_FIELDS:
            return Unsafe("a Secret with items= or other arguments")
        if isinstance(arg.value, cst.Name) and arg.value.value == "None":
            values[name] = None
            continue
        text = _plain_string(arg.value)
        if text is None or "{{" in text:
            return Unsafe("a Secret argument that is not a string literal")
        values[name] = text
    if values.get("deploy_type") is None or values.get("secret") is None:
        return Unsafe("a Secret without deploy_type or secret")
    return SecretArgs(str(values["deploy_type"]), values.get("deploy_target"),
                      str(values["secret"]), values.get("key"))

