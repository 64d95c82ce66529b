"""AssetSpec and RetryPolicy: immutable, strict pydantic models."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from bridge import AssetKey, AssetSpec, DailyPartitions, RetryPolicy, StaticPartitions
from bridge._spec import DEFAULT_GROUP, DEFAULT_IO_MANAGER
from bridge.errors import DefinitionError


def test_defaults() -> None:
    spec = AssetSpec(key="orders")
    assert spec.key == AssetKey(("orders",))
    assert spec.deps == ()
    assert spec.group == DEFAULT_GROUP == "default"
    assert spec.io_manager == DEFAULT_IO_MANAGER == "io_manager"
    assert spec.description is None
    assert spec.owners == ()
    assert spec.tags == {}
    assert spec.metadata == {}
    assert spec.code_version is None
    assert spec.partitions is None
    assert spec.retry is None


@pytest.mark.parametrize(
    "key", ["raw/orders", ["raw", "orders"], ("raw", "orders"), AssetKey(("raw", "orders"))]
)
def test_key_is_coerced(key: object) -> None:
    assert AssetSpec(key=key).key == AssetKey(("raw", "orders"))  # type: ignore[arg-type]


def test_deps_are_coerced_to_keys() -> None:
    spec = AssetSpec(key="b", deps=["raw/orders", AssetKey(("a",)), ["x", "y"]])  # type: ignore[list-item]
    assert spec.deps == (
        AssetKey(("raw", "orders")), AssetKey(("a",)), AssetKey(("x", "y")),
    )


@pytest.mark.parametrize("deps", ["raw/orders", AssetKey(("raw", "orders"))])
def test_a_single_dep_is_one_key_not_one_per_character(deps: object) -> None:
    assert AssetSpec(key="b", deps=deps).deps == (AssetKey(("raw", "orders")),)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", ["", "a//b", " a"])
def test_invalid_key_raises_definition_error(bad: str) -> None:
    with pytest.raises(DefinitionError, match="invalid asset key"):
        AssetSpec(key=bad)


def test_invalid_dep_raises_definition_error() -> None:
    with pytest.raises(DefinitionError, match=r"invalid asset key 'raw/'"):
        AssetSpec(key="a", deps=["raw/"])


def test_spec_is_frozen() -> None:
    spec = AssetSpec(key="orders", group="sales")
    with pytest.raises(ValidationError, match="frozen"):
        spec.group = "finance"  # type: ignore[misc]
    assert spec.group == "sales"


def test_unknown_fields_are_rejected() -> None:
    with pytest.raises(ValidationError, match="colour"):
        AssetSpec(key="orders", colour="red")  # type: ignore[call-arg]


@pytest.mark.parametrize(
    "fields",
    [
        {"group": 3},
        {"tags": {"tier": 1}},
        {"owners": [1]},
        {"partitions": "daily"},
        {"retry": {"max_retries": -1}},
    ],
)
def test_field_types_are_validated(fields: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        AssetSpec(key="orders", **fields)  # type: ignore[arg-type]


def test_accepts_partitions_and_retry() -> None:
    daily = DailyPartitions(start="2024-01-01")
    spec = AssetSpec(key="orders", partitions=daily, retry=RetryPolicy(max_retries=2))
    assert spec.partitions is daily
    assert spec.retry == RetryPolicy(max_retries=2)


def test_equal_specs_compare_equal() -> None:
    assert AssetSpec(key="a", deps=["b"]) == AssetSpec(key=["a"], deps=[AssetKey(("b",))])
    assert AssetSpec(key="a", group="x") != AssetSpec(key="a", group="y")


def test_replace_returns_a_changed_copy() -> None:
    spec = AssetSpec(key="orders", group="sales", tags={"tier": "gold"}, code_version="1")
    changed = spec.replace(group="finance", code_version="2")
    assert (changed.group, changed.code_version) == ("finance", "2")
    assert changed.tags == {"tier": "gold"}
    assert changed.key == spec.key
    assert (spec.group, spec.code_version) == ("sales", "1")
    assert changed is not spec


def test_replace_keeps_objects_it_does_not_change() -> None:
    static = StaticPartitions(["eu", "us"])
    retry = RetryPolicy(max_retries=1)
    spec = AssetSpec(key="orders", partitions=static, retry=retry, deps=["raw"])
    changed = spec.replace(description="orders by region")
    assert changed.partitions is static
    assert changed.retry == retry
    assert changed.deps == (AssetKey(("raw",)),)
    assert changed.description == "orders by region"


def test_replace_validates_like_the_constructor() -> None:
    spec = AssetSpec(key="orders")
    assert spec.replace(key="raw/orders").key == AssetKey(("raw", "orders"))
    assert spec.replace(deps=["a", "b/c"]).deps == (AssetKey(("a",)), AssetKey(("b", "c")))
    with pytest.raises(ValidationError, match="colour"):
        spec.replace(colour="red")
    with pytest.raises(ValidationError):
        spec.replace(group=["not", "a", "string"])
    with pytest.raises(DefinitionError, match="invalid asset key"):
        spec.replace(key="a//b")


def test_retry_policy_defaults_and_delays() -> None:
    assert RetryPolicy() == RetryPolicy(max_retries=0, delay=0.0, backoff=1.0)
    policy = RetryPolicy(max_retries=3, delay=0.5, backoff=2)
    assert [policy.delay_for(n) for n in (1, 2, 3)] == [0.5, 1.0, 2.0]
    assert RetryPolicy(max_retries=3, delay=2).delay_for(3) == 2


@pytest.mark.parametrize(
    "fields", [{"max_retries": -1}, {"delay": -0.1}, {"backoff": 0.5}, {"tries": 2}]
)
def test_retry_policy_validates(fields: dict[str, float]) -> None:
    with pytest.raises(ValidationError):
        RetryPolicy(**fields)  # type: ignore[arg-type]


def test_retry_policy_is_frozen() -> None:
    policy = RetryPolicy(max_retries=1)
    with pytest.raises(ValidationError, match="frozen"):
        policy.max_retries = 5  # type: ignore[misc]
