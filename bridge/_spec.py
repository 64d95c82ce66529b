"""AssetSpec: everything known about an asset except the code that computes it."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from bridge._keys import AssetKey
from bridge._partitions import PartitionsDefinition
from bridge._types import TriggerRule

__all__ = ["DEFAULT_GROUP", "DEFAULT_IO_MANAGER", "AssetSpec", "RetryPolicy"]

#: group of assets that name none
DEFAULT_GROUP = "default"
#: resource key of the I/O manager used when an asset names none
DEFAULT_IO_MANAGER = "io_manager"


class RetryPolicy(BaseModel):
    """How often to retry an asset whose function raised, and how long to wait between tries.

    Examples:
        >>> RetryPolicy(max_retries=2, delay=0.5, backoff=2).delay_for(2)
        1.0
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    #: retries after the first attempt
    max_retries: int = Field(default=0, ge=0)
    #: seconds to wait before the first retry
    delay: float = Field(default=0.0, ge=0)
    #: factor applied to the delay after each retry
    backoff: float = Field(default=1.0, ge=1)

    def delay_for(self, attempt: int) -> float:
        """Seconds to wait before retry number ``attempt`` (1-based)."""
        return self.delay * self.backoff ** (attempt - 1)


class AssetSpec(BaseModel):
    """An immutable description of one asset.

    Examples:
        >>> spec = AssetSpec(key="sales/revenue", group="sales", code_version="2")
        >>> str(spec.key), spec.replace(group="finance").group
        ('sales/revenue', 'finance')
    """

    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)

    #: the asset's identity
    key: AssetKey
    #: every upstream asset: data inputs and ordering-only ``deps=``
    deps: tuple[AssetKey, ...] = ()
    #: group shown in views and usable as ``group:NAME`` in selections
    group: str = DEFAULT_GROUP
    description: str | None = None
    owners: tuple[str, ...] = ()
    tags: dict[str, str] = Field(default_factory=dict)
    #: free-form JSON-able metadata shown in views
    metadata: dict[str, Any] = Field(default_factory=dict)
    #: bump it when the code changes meaning; ``status`` reports the change
    code_version: str | None = None
    partitions: PartitionsDefinition | None = None
    #: resource key of the I/O manager that stores this asset's value
    io_manager: str = DEFAULT_IO_MANAGER
    retry: RetryPolicy | None = None
    #: when to run given upstream outcomes in the same run (Airflow's trigger rules)
    trigger_rule: TriggerRule = TriggerRule.ALL_SUCCESS

    @field_validator("key", mode="before")
    @classmethod
    def _coerce_key(cls, value: Any) -> AssetKey:
        return AssetKey.from_user(value)

    @field_validator("deps", mode="before")
    @classmethod
    def _coerce_deps(cls, value: Any) -> tuple[AssetKey, ...]:
        if isinstance(value, (str, AssetKey)):
            value = (value,)
        return tuple(AssetKey.from_user(dep) for dep in value)

    def replace(self, **changes: Any) -> AssetSpec:
        """Return a copy with ``changes`` applied (validated like the constructor)."""
        return type(self).model_validate({**self.__dict__, **changes})
