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


class TriggerRule(str, enum.Enum):
    """When an asset runs, given what happened to its upstream assets in the same run.

    The names and meanings are Airflow's, so translated DAGs keep their behaviour; plain
    assets use ``all_success``.
    """

    ALL_SUCCESS = "all_success"
    ALL_FAILED = "all_failed"
    ALL_DONE = "all_done"
    ALL_DONE_SETUP_SUCCESS = "all_done_setup_success"
    ALL_SKIPPED = "all_skipped"
    ONE_SUCCESS = "one_success"
    ONE_FAILED = "one_failed"
    ONE_DONE = "one_done"
    NONE_FAILED = "none_failed"
    NONE_FAILED_MIN_ONE_SUCCESS = "none_failed_min_one_success"
    NONE_SKIPPED = "none_skipped"
    ALWAYS = "always"
