"""Assets: a spec (or several) plus the function that computes them; source assets."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar, overload

from bridge._inference import FunctionParams, inspect_function
from bridge._keys import AssetKey, CoercibleToAssetKey
from bridge._partitions import PartitionsDefinition
from bridge._spec import DEFAULT_GROUP, DEFAULT_IO_MANAGER, AssetSpec, RetryPolicy
from bridge.errors import DefinitionError

__all__ = ["Asset", "SourceAsset", "asset", "multi_asset"]

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True, eq=False)
class Asset:
    """One or more asset specs and the function that computes them.

    A single asset's function returns its value; a multi-asset's returns a mapping from
    each output's key (or its last part) to the value. Calling an ``Asset`` calls the
    function directly, which is handy in unit tests.
    """

    #: the assets this definition produces (one unless it is a multi-asset)
    specs: tuple[AssetSpec, ...]
    #: the compute function; None for a source asset
    fn: Callable[..., Any] | None
    #: what the signature asks for
    signature: FunctionParams = field(default_factory=lambda: FunctionParams((), False, None))
    #: explicit parameter -> upstream key mapping (``ins=``)
    ins: Mapping[str, AssetKey] = field(default_factory=dict)
    #: where the function is defined: (file, first line, last line)
    source: tuple[str, int, int] | None = None

    @property
    def key(self) -> AssetKey:
        """The key of a single asset (the first output of a multi-asset)."""
        return self.specs[0].key

    @property
    def keys(self) -> tuple[AssetKey, ...]:
        """Every key this definition produces."""
        return tuple(spec.key for spec in self.specs)

    @property
    def is_multi(self) -> bool:
        """True when the function produces several assets."""
        return len(self.specs) > 1

    @property
    def is_source(self) -> bool:
        """True for upstream data that nothing here produces."""
        return self.fn is None

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self.fn is None:
            raise DefinitionError(f"source asset {str(self.key)!r} has no function to call")
        return self.fn(*args, **kwargs)

    def __repr__(self) -> str:
        kind = "SourceAsset" if self.is_source else "Asset"
        return f"{kind}({', '.join(str(key) for key in self.keys)})"


def SourceAsset(
    key: CoercibleToAssetKey,
    *,
    description: str | None = None,
    group: str = DEFAULT_GROUP,
    io_manager: str = DEFAULT_IO_MANAGER,
    metadata: Mapping[str, Any] | None = None,
    partitions: PartitionsDefinition | None = None,
) -> Asset:
    """Declare upstream data that nothing here produces; downstream assets load it.

    Its value is read through its I/O manager (for example a SQL table another system writes).

    Examples:
        >>> SourceAsset("raw/events").is_source
        True
    """
    spec = AssetSpec(
        key=AssetKey.from_user(key), description=description, group=group,
        io_manager=io_manager, metadata=dict(metadata or {}), partitions=partitions,
    )
    return Asset(specs=(spec,), fn=None)


@overload
def asset(fn: F, /) -> Asset: ...


@overload
def asset(
    *,
    name: str | None = None,
    key_prefix: str | Sequence[str] | None = None,
    deps: Sequence[CoercibleToAssetKey] = (),
    ins: Mapping[str, CoercibleToAssetKey] | None = None,
    group: str | None = None,
    description: str | None = None,
    owners: Sequence[str] = (),
    tags: Mapping[str, str] | None = None,
    metadata: Mapping[str, Any] | None = None,
    code_version: str | None = None,
    partitions: PartitionsDefinition | None = None,
    io_manager: str | None = None,
    retry: RetryPolicy | None = None,
) -> Callable[[Callable[..., Any]], Asset]: ...


def asset(
    fn: Callable[..., Any] | None = None,
    /,
    *,
    name: str | None = None,
    key_prefix: str | Sequence[str] | None = None,
    deps: Sequence[CoercibleToAssetKey] = (),
    ins: Mapping[str, CoercibleToAssetKey] | None = None,
    group: str | None = None,
    description: str | None = None,
    owners: Sequence[str] = (),
    tags: Mapping[str, str] | None = None,
    metadata: Mapping[str, Any] | None = None,
    code_version: str | None = None,
    partitions: PartitionsDefinition | None = None,
    io_manager: str | None = None,
    retry: RetryPolicy | None = None,
) -> Asset | Callable[[Callable[..., Any]], Asset]:
    """Turn a function into an asset; its parameter names name its upstream assets.

    A parameter named after another asset (its key's last part, or the key written with
    ``__`` for ``/``) receives that asset's value. ``context`` receives the run context,
    ``config`` the validated run config (annotate it with a pydantic model), and any other
    parameter is a resource supplied by the environment. ``deps=`` adds upstream assets
    that must run first but whose value is not passed in.

    Examples:
        >>> @asset
        ... def orders() -> list[int]:
        ...     return [1, 2]
        >>> @asset(key_prefix="sales", code_version="2")
        ... def revenue(orders: list[int]) -> int:
        ...     return sum(orders)
        >>> str(revenue.key), revenue(orders=[3, 4])
        ('sales/revenue', 7)
    """

    def decorate(func: Callable[..., Any]) -> Asset:
        key = AssetKey.parse(name or func.__name__)
        if key_prefix:
            key = key.with_prefix(key_prefix)
        spec = AssetSpec(
            key=key, deps=_dep_keys(deps), group=group or DEFAULT_GROUP,
            description=description or inspect.getdoc(func), owners=tuple(owners),
            tags=dict(tags or {}), metadata=dict(metadata or {}), code_version=code_version,
            partitions=partitions, io_manager=io_manager or DEFAULT_IO_MANAGER, retry=retry,
        )
        return _definition((spec,), func, ins)

    return decorate(fn) if fn is not None else decorate


def multi_asset(
    *,
    specs: Sequence[AssetSpec | CoercibleToAssetKey],
    ins: Mapping[str, CoercibleToAssetKey] | None = None,
    deps: Sequence[CoercibleToAssetKey] = (),
    group: str | None = None,
) -> Callable[[Callable[..., Any]], Asset]:
    """One function that produces several assets; it returns ``{key or name: value}``.

    Examples:
        >>> @multi_asset(specs=["users", "accounts"])
        ... def split() -> dict[str, list[str]]:
        ...     return {"users": ["ann"], "accounts": ["acme"]}
        >>> [str(key) for key in split.keys]
        ['users', 'accounts']
    """
    if not specs:
        raise DefinitionError("multi_asset needs at least one spec")
    extra_deps = _dep_keys(deps)

    def decorate(func: Callable[..., Any]) -> Asset:
        built = []
        for item in specs:
            spec = item if isinstance(item, AssetSpec) else AssetSpec(key=AssetKey.from_user(item))
            extra: dict[str, Any] = {"deps": (*spec.deps, *extra_deps)}
            if group and spec.group == DEFAULT_GROUP:
                extra["group"] = group
            built.append(spec.replace(**extra))
        return _definition(tuple(built), func, ins)

    return decorate


def _dep_keys(deps: CoercibleToAssetKey | Sequence[CoercibleToAssetKey]) -> tuple[AssetKey, ...]:
    """``deps=`` as keys; a single ``"a/b"`` string is one dep, not a list of letters."""
    if isinstance(deps, (str, AssetKey)):
        return (AssetKey.from_user(deps),)
    return tuple(AssetKey.from_user(dep) for dep in deps)


def _definition(
    specs: tuple[AssetSpec, ...],
    func: Callable[..., Any],
    ins: Mapping[str, CoercibleToAssetKey] | None,
) -> Asset:
    name = str(specs[0].key)
    signature = inspect_function(func, asset_name=name)
    explicit = {param: AssetKey.from_user(key) for param, key in (ins or {}).items()}
    unknown = set(explicit) - {param.name for param in signature.params}
    if unknown:
        raise DefinitionError(
            f"asset {name!r}: ins= names {sorted(unknown)} but the function has no such "
            "parameter; rename the parameter or fix ins="
        )
    return Asset(specs=specs, fn=func, signature=signature, ins=explicit, source=_source_of(func))


def _source_of(func: Callable[..., Any]) -> tuple[str, int, int] | None:
    code = getattr(func, "__code__", None)
    if code is None:
        return None
    last = max((line for _, _, line in code.co_lines() if line is not None),
               default=code.co_firstlineno)
    return code.co_filename, code.co_firstlineno, last
