"""From a function signature to what the asset needs: upstream inputs, context, config."""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from bridge.errors import DefinitionError

__all__ = ["CONFIG_PARAM", "CONTEXT_PARAM", "FunctionParams", "Param", "inspect_function"]

#: the parameter that receives the run context; never an upstream
CONTEXT_PARAM = "context"
#: the parameter that receives validated run config; never an upstream
CONFIG_PARAM = "config"


@dataclass(frozen=True, slots=True)
class Param:
    """One parameter that is an upstream asset or a resource (decided by the graph)."""

    name: str
    has_default: bool
    default: Any
    #: the annotation as written (may be a string under ``from __future__ import annotations``)
    annotation: Any


@dataclass(frozen=True, slots=True)
class FunctionParams:
    """What a function's signature asks for."""

    params: tuple[Param, ...]
    wants_context: bool
    config_model: type[BaseModel] | None


def inspect_function(fn: Callable[..., Any], *, asset_name: str) -> FunctionParams:
    """Read ``fn``'s signature: ``context`` and ``config`` are special, the rest are inputs.

    Examples:
        >>> def revenue(context, orders, fx=1.0): ...
        >>> found = inspect_function(revenue, asset_name="revenue")
        >>> found.wants_context, [p.name for p in found.params]
        (True, ['orders', 'fx'])
    """
    params: list[Param] = []
    wants_context = False
    config_model: type[BaseModel] | None = None
    for param in inspect.signature(fn).parameters.values():
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            raise DefinitionError(
                f"asset {asset_name!r} takes *{param.name}; asset functions need named "
                "parameters so assetbridge can wire upstream assets and resources"
            )
        if param.name == CONTEXT_PARAM:
            wants_context = True
        elif param.name == CONFIG_PARAM:
            config_model = _config_model(fn, asset_name)
        else:
            has_default = param.default is not param.empty
            params.append(
                Param(param.name, has_default, param.default if has_default else None,
                      param.annotation)
            )
    return FunctionParams(tuple(params), wants_context, config_model)


def _config_model(fn: Callable[..., Any], asset_name: str) -> type[BaseModel]:
    try:
        hint = typing.get_type_hints(fn).get(CONFIG_PARAM)
    except Exception as exc:
        raise DefinitionError(
            f"asset {asset_name!r}: cannot resolve the annotation of 'config' ({exc}); "
            "import the config model at module level"
        ) from exc
    if not (isinstance(hint, type) and issubclass(hint, BaseModel)):
        raise DefinitionError(
            f"asset {asset_name!r}: parameter 'config' must be annotated with a pydantic "
            f"BaseModel subclass, not {hint!r}"
        )
    return hint
