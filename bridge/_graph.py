"""AssetGraph: asset definitions wired by parameter names into a validated networkx DAG."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import networkx as nx

from bridge._asset import Asset
from bridge._inference import Param
from bridge._keys import AssetKey
from bridge._spec import AssetSpec
from bridge.errors import CycleError, DefinitionError

__all__ = ["AssetGraph", "ResolvedInputs"]


@dataclass(frozen=True, slots=True)
class ResolvedInputs:
    """How one definition's parameters are fed: by upstream assets or by resources."""

    #: parameter name -> upstream asset key
    assets: dict[str, AssetKey]
    #: parameters no asset produces; the environment must supply them as resources
    resources: tuple[Param, ...]


class AssetGraph:
    """An immutable, validated graph of assets.

    Build it with :meth:`from_assets`; it checks duplicate keys, unknown upstream keys and
    cycles, and resolves each parameter to an upstream asset or a resource.

    Examples:
        >>> from bridge import asset
        >>> @asset
        ... def a() -> int: return 1
        >>> @asset
        ... def b(a: int) -> int: return a + 1
        >>> graph = AssetGraph.from_assets([a, b])
        >>> [str(k) for k in graph.upstream("b")], [str(k) for k in graph.toposort()]
        (['a'], ['a', 'b'])
    """

    def __init__(
        self,
        definitions: dict[AssetKey, Asset],
        specs: dict[AssetKey, AssetSpec],
        inputs: dict[int, ResolvedInputs],
        digraph: Any,
    ) -> None:
        self._definitions = definitions
        self._specs = specs
        self._inputs = inputs
        self._digraph = digraph
        self._order: list[AssetKey] | None = None

    @classmethod
    def from_assets(cls, assets: Iterable[Asset | AssetGraph] | AssetGraph) -> AssetGraph:
        """Validate and wire ``assets``; raises DefinitionError or CycleError."""
        if isinstance(assets, AssetGraph):
            return assets
        flat: list[Asset] = []
        for item in assets:
            flat.extend(item.definitions() if isinstance(item, AssetGraph) else [item])
        definitions = _index_definitions(flat)
        resolver = _NameResolver(definitions)
        specs: dict[AssetKey, AssetSpec] = {}
        inputs: dict[int, ResolvedInputs] = {}
        digraph = nx.DiGraph()
        digraph.add_nodes_from(definitions)
        for definition in _unique(definitions.values()):
            resolved = resolver.resolve(definition)
            inputs[id(definition)] = resolved
            data_deps = tuple(dict.fromkeys(resolved.assets.values()))
            for spec in definition.specs:
                for dep in spec.deps:
                    if dep not in definitions:
                        raise resolver.unknown(dep, spec.key, "deps=")
                deps = tuple(dict.fromkeys((*data_deps, *spec.deps)))
                specs[spec.key] = spec.replace(deps=deps) if deps != spec.deps else spec
                digraph.add_edges_from((dep, spec.key) for dep in deps)
        if not nx.is_directed_acyclic_graph(digraph):
            cycle = [str(edge[0]) for edge in nx.find_cycle(digraph)]
            raise CycleError(cycle)
        return cls(definitions, specs, inputs, digraph)

    # --- lookups -------------------------------------------------------------------------

    @property
    def keys(self) -> list[AssetKey]:
        """All asset keys, sorted."""
        return sorted(self._specs)

    @property
    def digraph(self) -> Any:
        """A read-only view of the ``networkx.DiGraph`` (edges point downstream)."""
        return self._digraph.copy(as_view=True)

    def __contains__(self, key: object) -> bool:
        if isinstance(key, str):
            try:
                key = AssetKey.parse(key)
            except DefinitionError:
                return False
        return key in self._specs

    def __len__(self) -> int:
        return len(self._specs)

    def __iter__(self) -> Iterator[AssetKey]:
        return iter(self.keys)

    def spec(self, key: AssetKey | str) -> AssetSpec:
        """The resolved spec of ``key`` (its ``deps`` include inferred data inputs)."""
        return self._specs[self._key(key)]

    def definition(self, key: AssetKey | str) -> Asset:
        """The definition that produces ``key``."""
        return self._definitions[self._key(key)]

    def definitions(self) -> list[Asset]:
        """Each definition once, in key order."""
        return list(_unique(self._definitions[key] for key in self.keys))

    def inputs(self, definition: Asset) -> ResolvedInputs:
        """How ``definition``'s parameters are fed."""
        return self._inputs[id(definition)]

    def upstream(self, key: AssetKey | str) -> list[AssetKey]:
        """Direct upstream keys, sorted."""
        return sorted(self._digraph.predecessors(self._key(key)))

    def downstream(self, key: AssetKey | str) -> list[AssetKey]:
        """Direct downstream keys, sorted."""
        return sorted(self._digraph.successors(self._key(key)))

    def ancestors(self, key: AssetKey | str) -> set[AssetKey]:
        """Every key upstream of ``key``."""
        return set(nx.ancestors(self._digraph, self._key(key)))

    def descendants(self, key: AssetKey | str) -> set[AssetKey]:
        """Every key downstream of ``key``."""
        return set(nx.descendants(self._digraph, self._key(key)))

    def toposort(self) -> list[AssetKey]:
        """Keys in a deterministic topological order (generation by generation, sorted)."""
        if self._order is None:
            self._order = [
                key for generation in nx.topological_generations(self._digraph)
                for key in sorted(generation)
            ]
        return list(self._order)

    def find(self, text: str) -> AssetKey:
        """The key written ``text``; raises DefinitionError with suggestions if unknown."""
        key = AssetKey.from_user(text)
        if key not in self._specs:
            close = difflib.get_close_matches(text, [str(k) for k in self._specs], n=3)
            hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
            raise DefinitionError(f"no asset {text!r} in this project{hint}")
        return key

    def _key(self, key: AssetKey | str) -> AssetKey:
        return self.find(key) if isinstance(key, str) else key


def _unique(definitions: Iterable[Asset]) -> Iterator[Asset]:
    seen: set[int] = set()
    for definition in definitions:
        if id(definition) not in seen:
            seen.add(id(definition))
            yield definition


def _index_definitions(assets: list[Asset]) -> dict[AssetKey, Asset]:
    definitions: dict[AssetKey, Asset] = {}
    for definition in _unique(assets):
        for key in definition.keys:
            other = definitions.get(key)
            if other is not None:
                raise DefinitionError(
                    f"duplicate asset key {str(key)!r}: defined by {_where(other)} and by "
                    f"{_where(definition)}; rename one (name= or key_prefix=)"
                )
            definitions[key] = definition
    return definitions


def _where(definition: Asset) -> str:
    if definition.source:
        return f"{definition.source[0]}:{definition.source[1]}"
    return repr(definition)


class _NameResolver:
    """Maps a parameter name to the upstream asset it names (Hamilton-style, never a guess)."""

    def __init__(self, definitions: dict[AssetKey, Asset]) -> None:
        self._keys = definitions
        self._by_name: dict[str, list[AssetKey]] = {}
        for key in definitions:
            self._by_name.setdefault(key.name, []).append(key)
            if len(key.parts) > 1:
                self._by_name.setdefault(key.to_python_identifier(), []).append(key)

    def resolve(self, definition: Asset) -> ResolvedInputs:
        assets: dict[str, AssetKey] = {}
        resources: list[Param] = []
        own = set(definition.keys)
        for param in definition.signature.params:
            explicit = definition.ins.get(param.name)
            if explicit is not None:
                if explicit not in self._keys:
                    raise self.unknown(explicit, definition.key, f"ins={{{param.name!r}: ...}}")
                assets[param.name] = explicit
                continue
            candidates = [key for key in self._by_name.get(param.name, ()) if key not in own]
            if len(candidates) > 1:
                same_prefix = [k for k in candidates if k.prefix == definition.key.prefix]
                candidates = same_prefix if len(same_prefix) == 1 else candidates
            if len(candidates) > 1:
                raise DefinitionError(
                    f"asset {str(definition.key)!r}: parameter {param.name!r} could mean "
                    f"{sorted(str(k) for k in candidates)}; pick one with ins={{...}}"
                )
            if candidates:
                assets[param.name] = candidates[0]
            else:
                resources.append(param)
        return ResolvedInputs(assets, tuple(resources))

    def unknown(self, key: AssetKey, consumer: AssetKey, via: str) -> DefinitionError:
        close = difflib.get_close_matches(str(key), [str(k) for k in self._keys], n=3)
        hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
        return DefinitionError(
            f"asset {str(consumer)!r} depends on unknown asset {str(key)!r} through {via}"
            f"{hint}"
        )
