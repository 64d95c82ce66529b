"""Airflow task states and trigger rules in bridge terms: they mean what Airflow's mean."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final

from bridge._types import AssetOutcome, TriggerRule
from bridge.runner import AssetResult
from bridge.runner._trigger import Upstream

__all__ = ["FAILED", "SKIPPED", "STATES", "SUCCESS", "UPSTREAM_FAILED", "airflow_state",
           "combine_map_states", "trigger_rule_of", "upstream_of"]

SUCCESS: Final = "success"
FAILED: Final = "failed"
SKIPPED: Final = "skipped"
#: not run because something upstream failed (trigger rule ``all_success`` and friends)
UPSTREAM_FAILED: Final = "upstream_failed"
#: every final state a task of an in-process run can end in
STATES: Final = (SUCCESS, FAILED, SKIPPED, UPSTREAM_FAILED)


def airflow_state(result: AssetResult) -> str:
    """The Airflow task state that a bridge asset result stands for.

    Args:
        result: one asset's result from a bridge run.

    Returns:
        ``success``, ``failed``, ``skipped`` or ``upstream_failed``.

    Examples:
        >>> from bridge._keys import AssetKey
        >>> key = AssetKey.parse("etl/load")
        >>> airflow_state(AssetResult(key, AssetOutcome.SKIPPED, upstream_failed=True))
        'upstream_failed'
        >>> airflow_state(AssetResult(key, AssetOutcome.SKIPPED))
        'skipped'
    """
    if result.outcome is AssetOutcome.SUCCESS:
        return SUCCESS
    if result.outcome is AssetOutcome.FAILED:
        return FAILED
    return UPSTREAM_FAILED if result.upstream_failed else SKIPPED


def combine_map_states(states: Iterable[str]) -> str:
    """The state of a mapped task's asset from the states of its map indexes.

    Any failure fails it; all skipped (or no index at all) skips it; otherwise it
    succeeded.

    Examples:
        >>> combine_map_states(["success", "skipped"]), combine_map_states([])
        ('success', 'skipped')
    """
    found = list(states)
    if FAILED in found:
        return FAILED
    if UPSTREAM_FAILED in found:
        return UPSTREAM_FAILED
    return SUCCESS if SUCCESS in found else SKIPPED


#: Airflow rules the bridge runner does not know, and the bridge rule that decides whether
#: the step starts (the asset function then applies the Airflow rule itself)
_CLOSEST_RULE = {"all_done_min_one_success": TriggerRule.ALL_DONE}

def trigger_rule_of(task: Any) -> TriggerRule:
    """The bridge trigger rule for an Airflow task (same names, same meaning).

    Examples:
        >>> class Task: trigger_rule = "none_failed_min_one_success"
        >>> trigger_rule_of(Task()).value
        'none_failed_min_one_success'
    """
    rule = str(getattr(task.trigger_rule, "value", task.trigger_rule))
    return _CLOSEST_RULE.get(rule) or TriggerRule(rule)


def upstream_of(task_id: str, state: str | None) -> Upstream:
    """An upstream task's Airflow state as the bridge's trigger rules see it."""
    if state == SUCCESS:
        return Upstream(task_id, AssetOutcome.SUCCESS)
    if state == FAILED:
        return Upstream(task_id, AssetOutcome.FAILED)
    return Upstream(task_id, AssetOutcome.SKIPPED, upstream_failed=state == UPSTREAM_FAILED)
