"""Value types shared across the package; imports nothing else from ``bridge``."""

from __future__ import annotations

import enum


class AssetOutcome(str, enum.Enum):
    """What happened to one asset in one run."""

    SUCCESS = "success"
    FAILED = "failed"
    SKIPPED = "skipped"


class RunStatus(str, enum.Enum):
    """The state of a run as recorded in the store."""

    RUNNING = "running"
    SUCCESS = "success"
    FAILED = "failed"
    INTERRUPTED = "interrupted"


class AssetStatus(str, enum.Enum):
    """The answer to "is this asset up to date?"."""

    FRESH = "fresh"
    STALE = "stale"
    NEVER = "never"
    FAILED = "failed"


class EventKind(str, enum.Enum):
    """Kinds of per-asset events kept in run storage."""

    MATERIALIZATION = "materialization"
    FAILURE = "failure"
    SKIPPED = "skipped"


class PartitionState(str, enum.Enum):
    """Per-partition state reported by ``status``."""

    MATERIALIZED = "materialized"
    FAILED = "failed"
    MISSING = "missing"
