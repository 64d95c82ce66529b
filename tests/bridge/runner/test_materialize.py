"""The in-process runner: ordering, outcomes, resources, config, partitions, retries."""

from __future__ import annotations

import threading
import time

import pytest
from pydantic import BaseModel

from bridge import (
    AssetContext,
    AssetOutcome,
    DailyPartitions,
    FilesystemIOManager,
    InMemoryStore,
    RetryPolicy,
    RunOptions,
    SourceAsset,
    SqlStore,
    StaticPartitions,
    asset,
    materialize,
    multi_asset,
)
from bridge.errors import ConfigError, PartitionError, ResourceError


@asset
def numbers() -> list[int]:
    return [1, 2, 3]


@asset
def total(numbers: list[int]) -> int:
    return sum(numbers)


@asset
def doubled(total: int) -> int:
    return total * 2


def test_values_flow_by_parameter_name_in_topological_order() -> None:
    order: list[str] = []

    @asset
    def a() -> int:
        order.append("a")
        return 1

    @asset
    def b(a: int) -> int:
        order.append("b")
        return a + 1

    @asset
    def c(a: int, b: int) -> int:
        order.append("c")
        return a + b

    result = materialize([c, b, a])
    assert result.success
    assert order == ["a", "b", "c"]
    assert result.output_for("c") == 3


def test_failure_skips_downstream_and_wraps_the_error_with_the_key() -> None:
    @asset
    def broken(numbers: list[int]) -> int:
        raise ZeroDivisionError("no luck")

    @asset
    def after(broken: int) -> int:
        return broken

    result = materialize([numbers, broken, after])
    assert not result.success
    assert result.result_for("numbers").outcome is AssetOutcome.SUCCESS
    failed = result.result_for("broken")
    assert failed.outcome is AssetOutcome.FAILED
    assert failed.error == "asset 'broken' failed: ZeroDivisionError: no luck"
    assert "raise ZeroDivisionError" in (failed.traceback or "")
    skipped = result.result_for("after")
    assert skipped.outcome is AssetOutcome.SKIPPED
    assert skipped.error == "skipped: upstream 'broken' failed"
    assert [str(f.key) for f in result.failures] == ["broken"]


def test_retry_policy_retries_then_succeeds() -> None:
    calls = {"n": 0}

    @asset(retry=RetryPolicy(max_retries=2))
    def flaky() -> str:
        calls["n"] += 1
        if calls["n"] < 3:
            raise ConnectionError("try again")
        return "ok"

    result = materialize([flaky])
    assert result.success and calls["n"] == 3
    assert result.result_for("flaky").attempts == 3
    assert "attempt 1 failed" in (result.result_for("flaky").logs or "")


def test_retries_exhausted_is_a_failure() -> None:
    @asset(retry=RetryPolicy(max_retries=1))
    def always() -> int:
        raise RuntimeError("down")

    result = materialize([always])
    assert result.result_for("always").outcome is AssetOutcome.FAILED
    assert result.result_for("always").attempts == 2


class FakeSlack:
    def __init__(self) -> None:
        self.sent: list[str] = []

    def post(self, text: str) -> None:
        self.sent.append(text)


def test_resources_are_swapped_by_name() -> None:
    @asset
    def alert(total: int, slack: FakeSlack) -> str:
        slack.post(f"total={total}")
        return "sent"

    fake = FakeSlack()
    result = materialize([numbers, total, alert], resources={"slack": fake})
    assert result.success
    assert fake.sent == ["total=6"]


def test_missing_resource_fails_before_anything_runs_and_suggests_an_asset() -> None:
    @asset
    def report(totl: int) -> int:
        return totl

    store = InMemoryStore()
    with pytest.raises(ResourceError, match=r"asset 'report' needs resource 'totl'.*"
                                            r"did you mean asset 'total'\?"):
        materialize([numbers, total, report], store=store)
    assert store.list_runs() == []


def test_parameter_default_is_used_when_no_resource_is_given() -> None:
    @asset
    def scaled(total: int, factor: int = 10) -> int:
        return total * factor

    assert materialize([numbers, total, scaled]).output_for("scaled") == 60
    assert materialize([numbers, total, scaled],
                       resources={"factor": 2}).output_for("scaled") == 12


class Threshold(BaseModel):
    minimum: int = 2
    label: str = "big"


@asset
def big_numbers(numbers: list[int], config: Threshold) -> dict[str, list[int]]:
    return {config.label: [n for n in numbers if n >= config.minimum]}


def test_config_defaults_and_values() -> None:
    assert materialize([numbers, big_numbers]).output_for("big_numbers") == {"big": [2, 3]}
    result = materialize([numbers, big_numbers], config={"big_numbers": {"minimum": 3}})
    assert result.output_for("big_numbers") == {"big": [3]}


def test_invalid_config_names_the_asset_and_the_field() -> None:
    store = InMemoryStore()
    with pytest.raises(ConfigError, match=r"invalid config for asset 'big_numbers': "
                                          r"field 'minimum'.*got 'lots'"):
        materialize([numbers, big_numbers], config={"big_numbers": {"minimum": "lots"}},
                    store=store)
    assert store.list_runs() == []


def test_config_for_an_asset_that_takes_none_is_an_error() -> None:
    with pytest.raises(ConfigError, match="config names asset 'total'"):
        materialize([numbers, total], config={"total": {"x": 1}})


def test_context_exposes_run_partition_config_and_log() -> None:
    seen: dict[str, object] = {}

    @asset(partitions=StaticPartitions(["eu", "us"]))
    def regional(context: AssetContext, config: Threshold) -> str:
        seen.update(partition=context.partition, run_id=context.run_id, config=config)
        context.log.info("building %s", context.partition)
        return f"data-{context.partition}"

    result = materialize([regional], partition="us")
    assert seen["partition"] == "us" and seen["run_id"] == result.run_id
    assert isinstance(seen["config"], Threshold)
    assert result.output_for("regional") == "data-us"
    assert "INFO building us" in (result.result_for("regional").logs or "")


def test_partitioned_asset_requires_a_valid_partition() -> None:
    @asset(partitions=DailyPartitions(start="2026-01-01"))
    def daily(context: AssetContext) -> str:
        return context.partition or ""

    with pytest.raises(PartitionError, match="asset 'daily' is partitioned"):
        materialize([daily])
    with pytest.raises(PartitionError, match="2025-12-31"):
        materialize([daily], partition="2025-12-31")
    assert materialize([daily], partition="2026-01-05").output_for("daily") == "2026-01-05"


def test_unpartitioned_consumer_receives_all_materialized_partitions(tmp_path) -> None:
    io = FilesystemIOManager(tmp_path / "values")
    store = SqlStore(f"sqlite:///{tmp_path / 'runs.db'}")

    @asset(partitions=StaticPartitions(["a", "b", "c"]))
    def part(context: AssetContext) -> str:
        return context.partition.upper() if context.partition else ""

    @asset
    def combined(part: dict[str, str]) -> str:
        return "".join(part[k] for k in sorted(part))

    for key in ("a", "c"):
        assert materialize([part, combined], selection="part", partition=key, store=store,
                           resources={"io_manager": io}).success
    result = materialize([part, combined], selection="combined", store=store,
                         resources={"io_manager": io})
    assert result.output_for("combined") == "AC"


def test_multi_asset_produces_each_output() -> None:
    @multi_asset(specs=["evens", "odds"])
    def split(numbers: list[int]) -> dict[str, list[int]]:
        return {"evens": [n for n in numbers if n % 2 == 0],
                "odds": [n for n in numbers if n % 2]}

    @asset
    def odd_count(odds: list[int]) -> int:
        return len(odds)

    result = materialize([numbers, split, odd_count])
    assert result.output_for("evens") == [2]
    assert result.output_for("odd_count") == 2


def test_multi_asset_missing_output_fails_clearly() -> None:
    @multi_asset(specs=["x", "y"])
    def half() -> dict[str, int]:
        return {"x": 1}

    result = materialize([half])
    assert result.result_for("y").outcome is AssetOutcome.FAILED
    assert "returned no value for 'y'" in (result.result_for("y").error or "")


def test_source_asset_is_loaded_through_its_io_manager(tmp_path) -> None:
    io = FilesystemIOManager(tmp_path)
    raw = SourceAsset("events")
    from bridge.io import OutputContext

    io.handle_output(OutputContext(raw.key, raw.specs[0], None, "external"), [5, 6])

    @asset
    def event_count(events: list[int]) -> int:
        return len(events)

    result = materialize([raw, event_count], resources={"io_manager": io})
    assert result.output_for("event_count") == 2


def test_missing_upstream_value_fails_the_consumer_with_a_hint(tmp_path) -> None:
    io = FilesystemIOManager(tmp_path)
    result = materialize([numbers, total], selection="total", resources={"io_manager": io})
    assert "no stored value for asset 'numbers'" in (result.result_for("total").error or "")


def test_selection_loads_unselected_upstream_from_the_previous_run(tmp_path) -> None:
    io = FilesystemIOManager(tmp_path)
    materialize([numbers, total, doubled], resources={"io_manager": io})
    result = materialize([numbers, total, doubled], selection="doubled",
                         resources={"io_manager": io})
    assert list(result.assets) == [doubled.key]
    assert result.output_for("doubled") == 12


def test_from_failure_reexecutes_only_what_did_not_succeed(tmp_path) -> None:
    io = FilesystemIOManager(tmp_path / "v")
    store = SqlStore(f"sqlite:///{tmp_path / 'runs.db'}")
    state = {"fail": True}
    runs: list[str] = []

    @asset
    def step1() -> int:
        runs.append("step1")
        return 1

    @asset
    def step2(step1: int) -> int:
        runs.append("step2")
        if state["fail"]:
            raise RuntimeError("flaky")
        return step1 + 1

    @asset
    def step3(step2: int) -> int:
        runs.append("step3")
        return step2 + 1

    first = materialize([step1, step2, step3], store=store, resources={"io_manager": io})
    assert not first.success
    state["fail"] = False
    runs.clear()
    second = materialize([step1, step2, step3], store=store, resources={"io_manager": io},
                         options=RunOptions(from_failure=first.run_id))
    assert second.success and runs == ["step2", "step3"]
    assert store.get_run(second.run_id).parent_run_id == first.run_id  # type: ignore[union-attr]


def test_threads_run_independent_assets_concurrently() -> None:
    barrier = threading.Barrier(3, timeout=5)

    def make(name: str):
        @asset(name=name)
        def wait_for_peers(numbers: list[int]) -> str:
            barrier.wait()  # deadlocks unless three run at once
            return name

        return wait_for_peers

    leaves = [make(f"leaf{i}") for i in range(3)]
    result = materialize([numbers, *leaves], options=RunOptions(max_workers=3))
    assert result.success
    assert {result.output_for(f"leaf{i}") for i in range(3)} == {"leaf0", "leaf1", "leaf2"}


def test_threaded_failure_still_skips_downstream() -> None:
    @asset
    def slow() -> int:
        time.sleep(0.05)
        raise ValueError("slow failure")

    @asset
    def after_slow(slow: int) -> int:
        return slow

    result = materialize([numbers, total, slow, after_slow], options=RunOptions(max_workers=2))
    assert result.result_for("total").outcome is AssetOutcome.SUCCESS
    assert result.result_for("after_slow").outcome is AssetOutcome.SKIPPED


class RecordingHooks:
    def __init__(self) -> None:
        self.calls: list[str] = []

    def on_run_start(self, *, keys, **_):
        self.calls.append(f"start:{len(keys)}")

    def before_asset(self, *, key, **_):
        self.calls.append(f"before:{key}")

    def after_asset(self, *, result, **_):
        self.calls.append(f"after:{result.key}:{result.outcome.value}")

    def on_run_end(self, *, result, **_):
        self.calls.append(f"end:{result.status.value}")


def test_hooks_see_every_step() -> None:
    hooks = RecordingHooks()
    materialize([numbers, total], options=RunOptions(hooks=[hooks]))
    assert hooks.calls == ["start:2", "before:numbers", "after:numbers:success",
                           "before:total", "after:total:success", "end:success"]


def test_print_output_is_captured_into_the_logs() -> None:
    @asset
    def chatty() -> int:
        print("hello from user code")
        return 1

    result = materialize([chatty])
    assert "hello from user code" in (result.result_for("chatty").logs or "")


def test_store_url_records_run_and_events(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'runs.db'}"
    result = materialize([numbers, total], store=url)
    store = SqlStore(url)
    run = store.get_run(result.run_id)
    assert run is not None and run.status.value == "success"
    events = store.events_for_run(result.run_id)
    assert [e.asset_key for e in events] == ["numbers", "total"]
    assert events[1].upstream["numbers"]["run_id"] == result.run_id
    assert events[1].data_version is not None


def test_partitions_fan_in_within_the_same_run_and_backfill_runs_summaries_once(
    tmp_path,
) -> None:
    from bridge import backfill

    io = FilesystemIOManager(tmp_path / "values")
    store = SqlStore(f"sqlite:///{tmp_path / 'runs.db'}")
    calls: list[str] = []

    @asset
    def lookup() -> dict[str, int]:
        calls.append("lookup")
        return {"a": 1, "b": 2, "c": 3}

    @asset(partitions=StaticPartitions(["a", "b", "c"]))
    def part(context: AssetContext, lookup: dict[str, int]) -> int:
        calls.append(f"part:{context.partition}")
        return lookup[context.partition or ""]

    @asset
    def summary(part: dict[str, int]) -> int:
        calls.append("summary")
        return sum(part.values())

    # same run: the consumer sees the partition this run made plus the stored ones
    first = materialize([lookup, part, summary], partition="a", store=store,
                        resources={"io_manager": io})
    assert first.output_for("summary") == 1
    result = backfill([lookup, part, summary], selection="*", start="a", end="c",
                      store=store, resources={"io_manager": io})
    assert result.success
    assert result.unpartitioned == {"before": "materialized", "after": "materialized"}
    calls_in_backfill = calls[3:]
    assert calls_in_backfill == ["lookup", "part:a", "part:b", "part:c", "summary"]
    summary_run = result.run_ids[-1]
    loaded = materialize([lookup, part, summary], selection="summary", store=store,
                         resources={"io_manager": io})
    assert loaded.output_for("summary") == 6
    assert store.get_run(summary_run).partition is None  # type: ignore[union-attr]


def test_failures_carry_the_wrapped_exception_with_the_original_as_cause() -> None:
    from bridge.errors import AssetExecutionError

    @asset
    def explodes() -> int:
        raise KeyError("missing column")

    result = materialize([explodes])
    error = result.result_for("explodes").exception
    assert isinstance(error, AssetExecutionError)
    assert error.asset_key == "explodes" and isinstance(error.original, KeyError)
    assert error.__cause__ is error.original
    with pytest.raises(AssetExecutionError, match="asset 'explodes' failed: KeyError"):
        result.raise_on_failure()
    assert materialize([numbers]).raise_on_failure().success


class FlakyStore(InMemoryStore):
    """Fails the first N event writes, like a database that drops a connection."""

    def __init__(self, failures: int) -> None:
        super().__init__()
        self.failures = failures

    def add_events(self, events):
        if self.failures:
            self.failures -= 1
            from bridge.errors import StoreError

            raise StoreError("connection dropped")
        return super().add_events(events)


def test_a_failed_event_write_is_retried_and_nothing_is_lost() -> None:
    @asset
    def slow_first() -> int:
        time.sleep(0.6)  # lets the background flusher try (and fail) at least once
        return 1

    @asset
    def second(slow_first: int) -> int:
        time.sleep(0.6)
        return slow_first + 1

    store = FlakyStore(failures=1)
    result = materialize([slow_first, second], store=store)
    assert result.success and store.failures == 0
    assert [e.asset_key for e in store.events_for_run(result.run_id)] == ["slow_first", "second"]


def test_a_store_that_keeps_failing_fails_the_run_loudly() -> None:
    from bridge.errors import StoreError

    with pytest.raises(StoreError, match="connection dropped"):
        materialize([numbers], store=FlakyStore(failures=100))


def test_backfill_refuses_an_unpartitioned_asset_between_partitioned_ones() -> None:
    from bridge import backfill
    from bridge.errors import PartitionError

    parts = StaticPartitions(["a", "b"])

    @asset(partitions=parts)
    def first(context: AssetContext) -> str:
        return context.partition or ""

    @asset
    def middle(first: dict[str, str]) -> int:
        return len(first)

    @asset(partitions=parts)
    def last(middle: int) -> int:
        return middle

    with pytest.raises(PartitionError, match=r"unpartitioned asset\(s\) \['middle'\] sit between"):
        backfill([first, middle, last], selection="*", start="a", end="b")
