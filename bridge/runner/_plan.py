"""Planning a run: what executes, in which order, with which partition, config and resources.

Everything that can be wrong with a request (selection, partition, config, resources) is
found here, before the run touches the store.
"""

from __future__ import annotations

import difflib
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from bridge._asset import Asset
from bridge._graph import AssetGraph
from bridge._keys import AssetKey
from bridge._spec import AssetSpec
from bridge.errors import ConfigError, PartitionError, ResourceError
from bridge.io import IOManager

__all__ = ["RunPlan", "Step", "plan_run"]


@dataclass(frozen=True, slots=True)
class Step:
    """One definition to execute."""

    definition: Asset
    #: the definition's specs (resolved deps)
    specs: tuple[AssetSpec, ...]
    partition: str | None
    config: BaseModel | None
    config_hash: str | None
    #: parameter -> resource value
    resources: dict[str, Any]
    #: parameter -> upstream key
    inputs: dict[str, AssetKey]
    #: upstream keys that must finish first (data inputs and deps=)
    upstream: frozenset[AssetKey]


@dataclass(frozen=True, slots=True)
class RunPlan:
    """Steps in topological order plus the I/O manager of every key involved."""

    steps: list[Step]
    io_managers: dict[AssetKey, IOManager]


def plan_run(
    graph: AssetGraph,
    keys: frozenset[AssetKey],
    *,
    partition: str | None,
    config: Mapping[str, Any],
    resources: Mapping[str, Any],
) -> RunPlan:
    """Validate a request and order its steps; raises before anything runs."""
    definitions: dict[int, Asset] = {}
    for key in graph.toposort():
        if key in keys:
            definitions.setdefault(id(graph.definition(key)), graph.definition(key))
    _check_config_keys(graph, config, definitions.values())
    steps = [
        _step(graph, definition, partition=partition, config=config, resources=resources)
        for definition in definitions.values()
    ]
    io_managers: dict[AssetKey, IOManager] = {}
    for step in steps:
        for key in (*(spec.key for spec in step.specs), *step.inputs.values()):
            io_managers[key] = _io_manager(graph.spec(key), resources, step.definition)
    return RunPlan(steps, io_managers)


def _step(
    graph: AssetGraph,
    definition: Asset,
    *,
    partition: str | None,
    config: Mapping[str, Any],
    resources: Mapping[str, Any],
) -> Step:
    specs = tuple(graph.spec(key) for key in definition.keys)
    wiring = graph.inputs(definition)
    model, config_hash = _config_for(definition, config)
    values: dict[str, Any] = {}
    for param in wiring.resources:
        if param.name in resources:
            values[param.name] = resources[param.name]
        elif not param.has_default:
            raise _missing_resource(graph, definition, param.name, resources)
    upstream = frozenset(dep for spec in specs for dep in spec.deps)
    return Step(definition, specs, _partition_for(specs[0], partition), model, config_hash,
                values, dict(wiring.assets), upstream)


def _partition_for(spec: AssetSpec, partition: str | None) -> str | None:
    if spec.partitions is None:
        return None
    if partition is None:
        raise PartitionError(
            f"asset {str(spec.key)!r} is partitioned ({spec.partitions!r}); pass a partition "
            "(--partition KEY) or run a backfill (assetbridge backfill --from P --to P)"
        )
    try:
        return spec.partitions.validate(partition)
    except PartitionError as exc:
        raise PartitionError(f"asset {str(spec.key)!r}: {exc}") from None


def _config_for(
    definition: Asset, config: Mapping[str, Any]
) -> tuple[BaseModel | None, str | None]:
    model_type = definition.signature.config_model
    if model_type is None:
        return None, None
    raw: Any = next((config[str(k)] for k in definition.keys if str(k) in config), {})
    name = str(definition.key)
    try:
        model = raw if isinstance(raw, model_type) else model_type.model_validate(raw)
    except ValidationError as exc:
        error = exc.errors()[0]
        field = ".".join(str(part) for part in error["loc"]) or "(root)"
        raise ConfigError(
            f"invalid config for asset {name!r}: field {field!r}: {error['msg']} "
            f"(got {error.get('input')!r})",
            asset_key=name,
        ) from None
    digest = hashlib.sha256(model.model_dump_json().encode()).hexdigest()[:16]
    return model, digest


def _check_config_keys(
    graph: AssetGraph, config: Mapping[str, Any], definitions: Any
) -> None:
    wanted = {str(k) for d in definitions if d.signature.config_model for k in d.keys}
    for name in config:
        if name in wanted:
            continue
        reason = "is not in this run" if AssetKey.from_user(name) in graph else "does not exist"
        takes = sorted(wanted) or "none"
        raise ConfigError(
            f"config names asset {name!r}, which {reason} or takes no config; "
            f"assets in this run that take config: {takes}",
            asset_key=name,
        )


def _io_manager(spec: AssetSpec, resources: Mapping[str, Any], consumer: Asset) -> IOManager:
    manager = resources.get(spec.io_manager)
    if not isinstance(manager, IOManager):
        what = "was not provided" if manager is None else f"is {type(manager).__name__}"
        raise ResourceError(
            f"asset {str(spec.key)!r} uses I/O manager {spec.io_manager!r}, which {what}; "
            f"provide an IOManager under resources[{spec.io_manager!r}] (needed by "
            f"{str(consumer.key)!r})"
        )
    return manager


def _missing_resource(
    graph: AssetGraph, definition: Asset, name: str, resources: Mapping[str, Any]
) -> ResourceError:
    close = difflib.get_close_matches(name, [k.name for k in graph.keys], n=1)
    hint = f"; no asset is named {name!r}, did you mean asset {close[0]!r}?" if close else ""
    provided = sorted(r for r in resources if not isinstance(resources[r], IOManager))
    return ResourceError(
        f"asset {str(definition.key)!r} needs resource {name!r}, which was not provided "
        f"(provided: {provided or 'none'}); pass resources={{{name!r}: ...}} or declare it "
        f"for the environment in assetbridge.toml{hint}"
    )
