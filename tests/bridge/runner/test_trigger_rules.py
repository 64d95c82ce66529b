"""Trigger rules, SkipAsset and skip_downstream: Airflow's semantics in the bridge runner."""

from __future__ import annotations

import pytest

from bridge import (
    AssetContext,
    AssetOutcome,
    AssetSpec,
    RunStatus,
    SkipAsset,
    TriggerRule,
    asset,
    materialize,
)
from bridge._asset import Asset, _definition
from bridge.runner._trigger import Upstream, decide

OK, FAILED, SKIPPED = AssetOutcome.SUCCESS, AssetOutcome.FAILED, AssetOutcome.SKIPPED


def ups(*outcomes: AssetOutcome, upstream_failed: bool = False) -> list[Upstream]:
    return [Upstream(f"u{i}", o, upstream_failed and o is SKIPPED)
            for i, o in enumerate(outcomes)]


@pytest.mark.parametrize(("rule", "upstream", "runs", "upstream_failed"), [
    (TriggerRule.ALL_SUCCESS, ups(OK, OK), True, False),
    (TriggerRule.ALL_SUCCESS, ups(OK, FAILED), False, True),
    (TriggerRule.ALL_SUCCESS, ups(OK, SKIPPED), False, False),
    (TriggerRule.ALL_SUCCESS, ups(OK, SKIPPED, upstream_failed=True), False, True),
    (TriggerRule.ALL_FAILED, ups(FAILED, FAILED), True, False),
    (TriggerRule.ALL_FAILED, ups(FAILED, OK), False, False),
    (TriggerRule.ALL_DONE, ups(FAILED, SKIPPED, OK), True, False),
    (TriggerRule.ALL_SKIPPED, ups(SKIPPED, SKIPPED), True, False),
    (TriggerRule.ALL_SKIPPED, ups(SKIPPED, OK), False, False),
    (TriggerRule.ONE_SUCCESS, ups(FAILED, OK), True, False),
    (TriggerRule.ONE_SUCCESS, ups(FAILED, FAILED), False, True),
    (TriggerRule.ONE_FAILED, ups(OK, FAILED), True, False),
    (TriggerRule.ONE_FAILED, ups(OK, OK), False, False),
    (TriggerRule.ONE_DONE, ups(SKIPPED, FAILED), True, False),
    (TriggerRule.NONE_FAILED, ups(OK, SKIPPED), True, False),
    (TriggerRule.NONE_FAILED, ups(OK, FAILED), False, True),
    (TriggerRule.NONE_FAILED_MIN_ONE_SUCCESS, ups(SKIPPED, OK), True, False),
    (TriggerRule.NONE_FAILED_MIN_ONE_SUCCESS, ups(SKIPPED, SKIPPED), False, False),
    (TriggerRule.NONE_SKIPPED, ups(OK, FAILED), True, False),
    (TriggerRule.NONE_SKIPPED, ups(OK, SKIPPED), False, False),
    (TriggerRule.ALWAYS, ups(FAILED), True, False),
])
def test_decide_follows_airflow(rule, upstream, runs, upstream_failed) -> None:
    verdict = decide(rule, upstream)
    assert verdict.run is runs
    assert verdict.upstream_failed is upstream_failed


def with_rule(definition: Asset, rule: TriggerRule) -> Asset:
    assert definition.fn is not None
    spec = definition.specs[0].replace(trigger_rule=rule)
    return _definition((spec,), definition.fn, None)


def test_all_done_cleanup_runs_after_a_failure_and_the_run_still_fails() -> None:
    @asset
    def extract() -> int:
        raise RuntimeError("source down")

    @asset(deps=["extract"])
    def cleanup() -> str:
        return "cleaned"

    result = materialize([extract, with_rule(cleanup, TriggerRule.ALL_DONE)])
    assert result.result_for("cleanup").outcome is OK
    assert result.status is RunStatus.FAILED


def test_upstream_failed_propagates_through_all_success_chains() -> None:
    @asset
    def a() -> int:
        raise ValueError("x")

    @asset
    def b(a: int) -> int:
        return a

    @asset
    def c(b: int) -> int:
        return b

    result = materialize([a, b, c])
    assert result.result_for("b").upstream_failed and result.result_for("c").upstream_failed
    assert result.result_for("c").error == "skipped: upstream 'b' upstream_failed"


def test_skip_asset_and_branching_skip_without_failing_the_run() -> None:
    @asset
    def choose(context: AssetContext) -> str:
        context.skip_downstream("left")
        return "right"

    @asset(deps=["choose"])
    def left() -> str:
        return "left ran"

    @asset(deps=["choose"])
    def right() -> str:
        return "right ran"

    @asset(deps=["left", "right"])
    def join() -> str:
        return "joined"

    @asset
    def maybe() -> int:
        raise SkipAsset("nothing new today")

    result = materialize([choose, left, right,
                          with_rule(join, TriggerRule.NONE_FAILED_MIN_ONE_SUCCESS), maybe])
    assert result.result_for("left").outcome is SKIPPED
    assert result.result_for("left").error == "skipped: skipped by 'choose'"
    assert result.result_for("right").outcome is OK
    assert result.result_for("join").outcome is OK
    assert result.result_for("maybe").outcome is SKIPPED
    assert result.result_for("maybe").error == "skipped: nothing new today"
    assert result.success


def test_trigger_rule_is_part_of_the_spec() -> None:
    spec = AssetSpec(key="x", trigger_rule="one_failed")
    assert spec.trigger_rule is TriggerRule.ONE_FAILED
