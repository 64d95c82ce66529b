"""Config forms generated from an asset's pydantic config model, and the config they post.

Scalar fields become inputs (text, number, a true/false choice, a choice of enum or
``Literal`` values); anything else is a JSON text box. Empty inputs are left out, so the
model's defaults apply; pydantic validates the rest when the run starts.
"""

from __future__ import annotations

import enum
import json
import types
import typing
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from bridge.errors import ConfigError

__all__ = ["ConfigField", "config_fields", "config_from_form", "field_name"]

_PREFIX = "cfg|"


@dataclass(frozen=True, slots=True)
class ConfigField:
    """One input of a config form."""

    #: the form field's name: ``cfg|<asset key>|<field>``
    name: str
    label: str
    #: "text", "number", "bool", "choice" or "json"
    kind: str
    #: the default as the input shows it ("" when required)
    value: str
    required: bool
    description: str | None = None
    choices: tuple[str, ...] = ()


def field_name(key: str, field: str) -> str:
    """The form field name of ``field`` of ``key``'s config.

    Examples:
        >>> field_name("sales/revenue", "currency")
        'cfg|sales/revenue|currency'
    """
    return f"{_PREFIX}{key}|{field}"


def config_fields(key: str, model: type[BaseModel]) -> list[ConfigField]:
    """The form inputs for ``model``, in declaration order."""
    fields = []
    for name, info in model.model_fields.items():
        kind, choices = _kind(info.annotation)
        default = info.get_default(call_default_factory=True)
        required = default is PydanticUndefined
        fields.append(ConfigField(
            field_name(key, name), name, kind, "" if required else _show(default, kind),
            required, info.description, choices))
    return fields


def config_from_form(form: Iterable[tuple[str, str]], models: Mapping[str, type[BaseModel]],
                     wanted: set[str]) -> dict[str, dict[str, Any]]:
    """Config per asset key from posted ``cfg|key|field`` pairs, for the ``wanted`` keys.

    Raises:
        ConfigError: a JSON field does not parse.
    """
    config: dict[str, dict[str, Any]] = {}
    for name, raw in form:
        if not name.startswith(_PREFIX) or not raw.strip():
            continue
        key, _, field = name.removeprefix(_PREFIX).rpartition("|")
        model = models.get(key)
        if key not in wanted or model is None or field not in model.model_fields:
            continue
        kind, _ = _kind(model.model_fields[field].annotation)
        config.setdefault(key, {})[field] = _parse(key, field, kind, raw.strip())
    return config


def _parse(key: str, field: str, kind: str, raw: str) -> Any:
    if kind == "bool":
        return raw == "true"
    if kind != "json":
        return raw  # pydantic converts "1.5" to a float field's value
    try:
        return json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"config of {key!r}: field {field!r} is not valid JSON: {exc}; "
                          'write it as JSON, e.g. ["a", "b"] or {"k": 1}') from None


def _kind(annotation: Any) -> tuple[str, tuple[str, ...]]:
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType) and len(args) == 1:
        annotation = args[0]  # Optional[X] shows as X; empty means "leave the default"
    if annotation is bool:
        return "bool", ("true", "false")
    if annotation in (int, float):
        return "number", ()
    if annotation is str:
        return "text", ()
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return "choice", tuple(str(member.value) for member in annotation)
    if typing.get_origin(annotation) is typing.Literal:
        return "choice", tuple(str(value) for value in typing.get_args(annotation))
    return "json", ()


def _show(value: Any, kind: str) -> str:
    if kind == "bool":
        return "true" if value else "false"
    if kind == "json":
        return json.dumps(value, default=str)
    if isinstance(value, enum.Enum):
        return str(value.value)
    return "" if value is None else str(value)
