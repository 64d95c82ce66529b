"""The I/O manager contract: how a value gets from one asset to the next."""

from __future__ import annotations

import abc
from dataclasses import dataclass, field
from typing import Any

from bridge._keys import AssetKey
from bridge._spec import AssetSpec

__all__ = ["IOManager", "InputContext", "OutputContext", "StoredOutput"]


@dataclass(frozen=True, slots=True)
class OutputContext:
    """What an I/O manager knows when it stores an asset's value."""

    key: AssetKey
    spec: AssetSpec
    partition: str | None
    run_id: str


@dataclass(frozen=True, slots=True)
class InputContext:
    """What an I/O manager knows when it loads an upstream value for a consumer."""

    #: the upstream asset whose value is loaded
    key: AssetKey
    spec: AssetSpec
    partition: str | None
    #: the asset that receives the value (None when loaded outside a run)
    consumer: AssetKey | None = None
    #: the consumer parameter's annotation as written (may be a string)
    annotation: Any = None


@dataclass(frozen=True, slots=True)
class StoredOutput:
    """What an I/O manager reports after storing a value."""

    #: a fingerprint of the stored data, if cheap to compute (recorded for provenance)
    data_version: str | None = None
    #: JSON-able facts shown in views (path, row count, ...)
    metadata: dict[str, Any] = field(default_factory=dict)


class IOManager(abc.ABC):
    """Stores asset values and loads them for downstream assets.

    Subclass it and override both methods; an instance is a resource, chosen per asset with
    ``@asset(io_manager="name")`` (default resource key ``io_manager``).
    """

    @abc.abstractmethod
    def handle_output(self, context: OutputContext, value: Any) -> StoredOutput | None:
        """Store ``value`` for ``context.key`` (and partition); must be atomic."""

    @abc.abstractmethod
    def load_input(self, context: InputContext) -> Any:
        """Load the stored value; raise InputNotFoundError if there is none."""


def missing_value(key: AssetKey, partition: str | None, where: str) -> Exception:
    """The error for an upstream value that was never stored."""
    from bridge.errors import InputNotFoundError

    part = f" partition {partition!r}" if partition else ""
    return InputNotFoundError(
        f"no stored value for asset {str(key)!r}{part} in {where}; materialize it first "
        f"(assetbridge run TARGET --select {key})"
    )
