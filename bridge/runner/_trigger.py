"""Trigger rules: whether a step runs, given the outcomes of its upstream steps in the run."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bridge._types import AssetOutcome, TriggerRule

__all__ = ["Upstream", "Verdict", "decide"]


@dataclass(frozen=True, slots=True)
class Upstream:
    """What happened to one upstream asset in this run."""

    key: str
    outcome: AssetOutcome
    #: skipped because something upstream of it failed (Airflow's ``upstream_failed``)
    upstream_failed: bool = False

    @property
    def failed(self) -> bool:
        """Failed itself, or skipped because of a failure further up."""
        return self.outcome is AssetOutcome.FAILED or self.upstream_failed

    @property
    def skipped(self) -> bool:
        """Skipped for a reason other than a failure (a branch, a short-circuit)."""
        return self.outcome is AssetOutcome.SKIPPED and not self.upstream_failed


@dataclass(frozen=True, slots=True)
class Verdict:
    """Run the step, or skip it (as ``upstream_failed`` or plainly) with a reason."""

    run: bool
    upstream_failed: bool = False
    reason: str | None = None


_RUN = Verdict(True)


def decide(rule: TriggerRule, upstream: Sequence[Upstream]) -> Verdict:
    """Apply Airflow's trigger-rule semantics to the upstream outcomes of a step.

    Examples:
        >>> ok, bad = Upstream("a", AssetOutcome.SUCCESS), Upstream("b", AssetOutcome.FAILED)
        >>> decide(TriggerRule.ALL_SUCCESS, [ok, bad])
        Verdict(run=False, upstream_failed=True, reason="upstream 'b' failed")
        >>> decide(TriggerRule.ALL_DONE, [ok, bad]).run
        True
    """
    if not upstream or rule is TriggerRule.ALWAYS:
        return _RUN
    failed = [u for u in upstream if u.failed]
    skipped = [u for u in upstream if u.skipped]
    succeeded = [u for u in upstream if u.outcome is AssetOutcome.SUCCESS]
    if rule is TriggerRule.ALL_SUCCESS:
        if failed:
            return _upstream_failed(failed[0])
        return _skip(skipped[0]) if skipped else _RUN
    if rule in (TriggerRule.ALL_DONE, TriggerRule.ALL_DONE_SETUP_SUCCESS):
        return _RUN
    if rule is TriggerRule.ALL_FAILED:
        return _RUN if len(failed) == len(upstream) else Verdict(
            False, reason="not every upstream failed (trigger rule all_failed)")
    if rule is TriggerRule.ALL_SKIPPED:
        return _RUN if len(skipped) == len(upstream) else Verdict(
            False, reason="not every upstream was skipped (trigger rule all_skipped)")
    if rule is TriggerRule.ONE_SUCCESS:
        if succeeded:
            return _RUN
        return Verdict(False, upstream_failed=bool(failed), reason="no upstream succeeded")
    if rule is TriggerRule.ONE_FAILED:
        return _RUN if failed else Verdict(False, reason="no upstream failed")
    if rule is TriggerRule.ONE_DONE:
        return _RUN if failed or succeeded else Verdict(False, reason="no upstream finished")
    if rule is TriggerRule.NONE_FAILED:
        return _upstream_failed(failed[0]) if failed else _RUN
    if rule is TriggerRule.NONE_FAILED_MIN_ONE_SUCCESS:
        if failed:
            return _upstream_failed(failed[0])
        return _RUN if succeeded else _skip(skipped[0])
    if rule is TriggerRule.NONE_SKIPPED:
        return _skip(skipped[0]) if skipped else _RUN
    raise AssertionError(f"unhandled trigger rule {rule}")  # pragma: no cover


def _upstream_failed(cause: Upstream) -> Verdict:
    verb = "failed" if cause.outcome is AssetOutcome.FAILED else "upstream_failed"
    return Verdict(False, upstream_failed=True, reason=f"upstream {cause.key!r} {verb}")


def _skip(cause: Upstream) -> Verdict:
    return Verdict(False, reason=f"upstream {cause.key!r} skipped")
