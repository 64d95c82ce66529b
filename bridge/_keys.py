"""Asset keys: ``/``-separated names such as ``raw/orders``."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TypeAlias

from bridge.errors import DefinitionError

#: a non-empty part without "/" that neither starts nor ends with whitespace
_PART = re.compile(r"[^/\s](?:[^/]*[^/\s])?")


@dataclass(frozen=True, order=True, slots=True)
class AssetKey:
    """The identity of an asset: a tuple of parts, written ``a/b`` in text and JSON.

    Examples:
        >>> AssetKey.parse("raw/orders").parts
        ('raw', 'orders')
        >>> str(AssetKey(("raw", "orders")))
        'raw/orders'
        >>> AssetKey.parse("orders").with_prefix("raw").to_python_identifier()
        'raw__orders'
    """

    parts: tuple[str, ...]
    _hash: int = field(init=False, repr=False, compare=False, default=0)

    def __post_init__(self) -> None:
        # keys are hashed constantly (graph nodes, dict keys); compute it once
        object.__setattr__(self, "_hash", hash(self.parts))

    def __hash__(self) -> int:
        return self._hash

    @classmethod
    def parse(cls, text: str) -> AssetKey:
        """Parse ``"a/b"`` into a key; raises DefinitionError on empty parts."""
        parts = tuple(text.split("/"))
        if not all(_PART.fullmatch(part) for part in parts):
            raise DefinitionError(
                f"invalid asset key {text!r}: use '/'-separated, non-empty parts like 'raw/orders'"
            )
        return cls(parts)

    @classmethod
    def from_user(cls, value: CoercibleToAssetKey) -> AssetKey:
        """Accept a key, a ``"a/b"`` string or a sequence of parts."""
        if isinstance(value, AssetKey):
            return value
        if isinstance(value, str):
            return cls.parse(value)
        return cls.parse("/".join(value))

    @property
    def name(self) -> str:
        """The last part: what a parameter name must match to depend on this asset."""
        return self.parts[-1]

    @property
    def prefix(self) -> tuple[str, ...]:
        """All parts but the last."""
        return self.parts[:-1]

    def with_prefix(self, prefix: str | Sequence[str]) -> AssetKey:
        """Return a key with ``prefix`` (``"a/b"`` or parts) put in front; validated like parse."""
        extra = tuple(prefix.split("/")) if isinstance(prefix, str) else tuple(prefix)
        return AssetKey.parse("/".join(extra + self.parts))

    def to_python_identifier(self) -> str:
        """The key as a Python identifier (``raw/orders`` -> ``raw__orders``)."""
        return "__".join(re.sub(r"\W", "_", part) for part in self.parts)

    def __str__(self) -> str:
        return "/".join(self.parts)

    def __repr__(self) -> str:
        return f"AssetKey({str(self)!r})"


CoercibleToAssetKey: TypeAlias = "AssetKey | str | Sequence[str]"
