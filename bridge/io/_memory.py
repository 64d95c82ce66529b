"""InMemoryIOManager: values kept in a dict; the default for ``materialize()`` in tests."""

from __future__ import annotations

from typing import Any

from bridge._keys import AssetKey
from bridge.io._base import InputContext, IOManager, OutputContext, StoredOutput, missing_value

__all__ = ["InMemoryIOManager"]


class InMemoryIOManager(IOManager):
    """Keeps every value in memory for the life of the object.

    Examples:
        >>> from bridge._spec import AssetSpec
        >>> io, spec = InMemoryIOManager(), AssetSpec(key="a")
        >>> _ = io.handle_output(OutputContext(spec.key, spec, None, "r1"), 42)
        >>> io.load_input(InputContext(spec.key, spec, None))
        42
    """

    def __init__(self) -> None:
        self.values: dict[tuple[AssetKey, str | None], Any] = {}

    def handle_output(self, context: OutputContext, value: Any) -> StoredOutput | None:
        self.values[(context.key, context.partition)] = value
        return None

    def load_input(self, context: InputContext) -> Any:
        try:
            return self.values[(context.key, context.partition)]
        except KeyError:
            raise missing_value(context.key, context.partition, "memory") from None
