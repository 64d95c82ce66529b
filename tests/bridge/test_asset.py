"""The @asset and @multi_asset decorators, SourceAsset, and calling definitions."""

from __future__ import annotations

import dataclasses
import inspect
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from bridge import (
    Asset,
    AssetKey,
    AssetSpec,
    DailyPartitions,
    RetryPolicy,
    SourceAsset,
    StaticPartitions,
    asset,
    multi_asset,
)
from bridge.errors import DefinitionError
from tests.bridge._fixture_modules import load_fixture


class Limits(BaseModel):
    top: int = 2


# --- @asset ------------------------------------------------------------------------------


def test_bare_decorator() -> None:
    @asset
    def orders() -> list[int]:
        """All orders.

        Newest last.
        """
        return [1, 2]

    assert isinstance(orders, Asset)
    assert orders.key == AssetKey(("orders",))
    assert orders.keys == (AssetKey(("orders",)),)
    (spec,) = orders.specs
    assert spec.description == "All orders.\n\nNewest last."
    assert spec.group == "default"
    assert spec.io_manager == "io_manager"
    assert spec.deps == ()
    assert not orders.is_multi
    assert not orders.is_source
    assert repr(orders) == "Asset(orders)"


def test_called_decorator_without_arguments() -> None:
    @asset()
    def orders() -> int:
        return 1

    assert isinstance(orders, Asset)
    assert orders.key == AssetKey(("orders",))
    assert orders() == 1


def test_no_docstring_means_no_description() -> None:
    @asset
    def orders() -> int:
        return 1

    assert orders.specs[0].description is None


def test_description_argument_wins_over_docstring() -> None:
    @asset(description="Explicit.")
    def orders() -> int:
        """From the docstring."""
        return 1

    assert orders.specs[0].description == "Explicit."


def test_docstring_from_a_fixture_module() -> None:
    chain = load_fixture("simple_chain")
    assert chain.raw_orders.specs[0].description == (
        "Orders as the shop exports them.\n\nOne dict per order."
    )
    assert chain.clean_orders.specs[0].description is None
    assert chain.order_count.specs[0].owners == ("team:analytics",)


@pytest.mark.parametrize(
    ("kwargs", "key"),
    [
        ({"name": "sales"}, ("sales",)),
        ({"key_prefix": "raw"}, ("raw", "orders")),
        ({"key_prefix": "warehouse/raw"}, ("warehouse", "raw", "orders")),
        ({"key_prefix": ["warehouse", "raw"]}, ("warehouse", "raw", "orders")),
        ({"name": "sales", "key_prefix": "raw"}, ("raw", "sales")),
        ({"name": "raw/sales"}, ("raw", "sales")),
        ({"key_prefix": ""}, ("orders",)),
    ],
)
def test_name_and_key_prefix(kwargs: dict[str, Any], key: tuple[str, ...]) -> None:
    def orders() -> int:
        return 1

    defined = asset(**kwargs)(orders)
    assert defined.key.parts == key
    assert AssetKey.parse(str(defined.key)) == defined.key, "the text form names the same key"


@pytest.mark.parametrize(
    "kwargs",
    [{"name": "a//b"}, {"name": " orders"}, {"key_prefix": "raw/"}, {"key_prefix": ["a", ""]}],
)
def test_invalid_name_or_prefix(kwargs: dict[str, Any]) -> None:
    with pytest.raises(DefinitionError, match="invalid asset key"):
        asset(**kwargs)(lambda: 1)


def test_every_spec_field_is_passed_through() -> None:
    daily = DailyPartitions(start="2024-01-01")
    retry = RetryPolicy(max_retries=2)

    @asset(
        group="sales", description="Revenue.", owners=["ann@example.com"],
        tags={"tier": "gold"}, metadata={"rows": 10}, code_version="3",
        partitions=daily, io_manager="warehouse", retry=retry,
    )
    def revenue() -> int:
        return 1

    spec = revenue.specs[0]
    assert spec == AssetSpec(
        key="revenue", group="sales", description="Revenue.", owners=("ann@example.com",),
        tags={"tier": "gold"}, metadata={"rows": 10}, code_version="3",
        partitions=daily, io_manager="warehouse", retry=retry,
    )


def test_deps_are_ordering_only_upstreams() -> None:
    @asset(deps=["raw/orders", AssetKey(("audit",)), ["x", "y"]])
    def report(orders: int) -> int:
        return orders

    assert report.specs[0].deps == (
        AssetKey(("raw", "orders")), AssetKey(("audit",)), AssetKey(("x", "y")),
    )
    assert [p.name for p in report.signature.params] == ["orders"]


def test_a_single_dep_string_is_one_dep() -> None:
    @asset(deps="raw/orders")  # type: ignore[arg-type]
    def report() -> int:
        return 1

    assert report.specs[0].deps == (AssetKey(("raw", "orders")),)


def test_ins_maps_parameters_to_keys() -> None:
    @asset(ins={"rows": "raw/orders", "people": ["crm", "customers"]})
    def report(rows: list[int], people: list[str]) -> int:
        return len(rows) + len(people)

    assert report.ins == {
        "rows": AssetKey(("raw", "orders")), "people": AssetKey(("crm", "customers")),
    }


@pytest.mark.parametrize("param", ["missing", "context", "config"])
def test_ins_naming_no_input_parameter_is_rejected(param: str) -> None:
    def report(context: Any, config: Limits, rows: list[int]) -> int:
        return len(rows)

    with pytest.raises(
        DefinitionError,
        match=rf"asset 'report': ins= names \['{param}'\] but the function has no such parameter",
    ):
        asset(ins={param: "raw/orders", "rows": "raw/rows"})(report)


def test_ins_with_an_invalid_key() -> None:
    with pytest.raises(DefinitionError, match="invalid asset key 'raw//orders'"):
        asset(ins={"rows": "raw//orders"})(lambda rows: rows)


def test_context_and_config_parameters() -> None:
    @asset
    def top_orders(context: Any, config: Limits, orders: list[int]) -> list[int]:
        return sorted(orders)[-config.top:]

    assert top_orders.signature.wants_context is True
    assert top_orders.signature.config_model is Limits
    assert [p.name for p in top_orders.signature.params] == ["orders"]
    assert top_orders(None, Limits(top=1), [3, 9, 4]) == [9]


def test_config_must_be_a_pydantic_model_at_decoration_time() -> None:
    module = load_fixture("bad_config_annotation")
    with pytest.raises(DefinitionError, match="asset 'config_is_dict': parameter 'config' must"):
        asset(module.config_is_dict)
    with pytest.raises(DefinitionError, match="asset 'raw/limits': parameter 'config' must"):
        asset(name="limits", key_prefix="raw")(module.config_is_unannotated)
    assert asset(module.good).signature.config_model is module.Settings


def test_star_args_are_rejected() -> None:
    with pytest.raises(DefinitionError, match=r"asset 'orders' takes \*rows"):

        @asset
        def orders(*rows: int) -> int:
            return len(rows)

    with pytest.raises(DefinitionError, match=r"asset 'orders' takes \*options"):

        @asset
        def orders(**options: int) -> int:
            return len(options)


def test_calling_an_asset_calls_its_function() -> None:
    calls: list[tuple[Any, ...]] = []

    @asset
    def revenue(orders: list[int], fx: float = 1.0) -> float:
        calls.append((orders, fx))
        return sum(orders) * fx

    assert revenue([1, 2], fx=2.0) == 6.0
    assert revenue(orders=[5]) == 5.0
    assert calls == [([1, 2], 2.0), ([5], 1.0)]


def test_calling_an_asset_lets_its_exceptions_through() -> None:
    @asset
    def broken() -> int:
        raise KeyError("missing column")

    with pytest.raises(KeyError, match="missing column"):
        broken()


def test_source_location_is_recorded() -> None:
    @asset
    def located() -> int:
        return 1

    file, first, last = located.source  # type: ignore[misc]
    def_line = inspect.getsourcelines(located.fn)[1]  # type: ignore[arg-type]
    assert Path(file) == Path(__file__)
    assert first == def_line
    assert last == first + 2, "decorator line through the last body line"


def test_asset_is_frozen() -> None:
    @asset
    def orders() -> int:
        return 1

    with pytest.raises(dataclasses.FrozenInstanceError):
        orders.fn = None  # type: ignore[misc]


# --- multi_asset -------------------------------------------------------------------------


def test_multi_asset_produces_several_keys() -> None:
    @multi_asset(specs=["users", AssetSpec(key="crm/accounts", group="crm")], group="identity")
    def split(events: list[str]) -> dict[str, list[str]]:
        return {"users": events[:1], "accounts": events[1:]}

    assert split.is_multi
    assert split.keys == (AssetKey(("users",)), AssetKey(("crm", "accounts")))
    assert split.key == AssetKey(("users",))
    assert [spec.group for spec in split.specs] == ["identity", "crm"]
    assert [p.name for p in split.signature.params] == ["events"]
    assert split(["a", "b"]) == {"users": ["a"], "accounts": ["b"]}
    assert repr(split) == "Asset(users, crm/accounts)"


def test_multi_asset_deps_apply_to_every_output() -> None:
    @multi_asset(specs=[AssetSpec(key="a", deps=["x"]), "b"], deps=["y", "z/w"])
    def both() -> dict[str, int]:
        return {"a": 1, "b": 2}

    assert both.specs[0].deps == (AssetKey(("x",)), AssetKey(("y",)), AssetKey(("z", "w")))
    assert both.specs[1].deps == (AssetKey(("y",)), AssetKey(("z", "w")))


def test_multi_asset_with_a_single_dep_string() -> None:
    @multi_asset(specs=["a"], deps="raw/orders")  # type: ignore[arg-type]
    def one() -> dict[str, int]:
        return {"a": 1}

    assert one.specs[0].deps == (AssetKey(("raw", "orders")),)


def test_multi_asset_without_group_keeps_default() -> None:
    @multi_asset(specs=["a", "b"])
    def both() -> dict[str, int]:
        return {"a": 1, "b": 2}

    assert [spec.group for spec in both.specs] == ["default", "default"]
    assert not multi_asset(specs=["only"])(lambda: {"only": 1}).is_multi


def test_multi_asset_needs_specs() -> None:
    with pytest.raises(DefinitionError, match="multi_asset needs at least one spec"):
        multi_asset(specs=[])


def test_multi_asset_checks_ins_and_signature() -> None:
    with pytest.raises(DefinitionError, match=r"asset 'a': ins= names \['nope'\]"):
        multi_asset(specs=["a", "b"], ins={"nope": "x"})(lambda events: {})
    with pytest.raises(DefinitionError, match=r"asset 'a' takes \*rows"):
        multi_asset(specs=["a", "b"])(lambda *rows: {})


def test_multi_asset_fixture() -> None:
    multi = load_fixture("multi")
    assert multi.split.keys == (AssetKey(("users",)), AssetKey(("accounts",)))
    assert multi.split.specs[1].tags == {"pii": "yes"}
    assert multi.split([{"who": "ann", "kind": "user"}, {"who": "acme", "kind": "account"}]) == {
        "users": ["ann"], "accounts": ["acme"],
    }


# --- SourceAsset -------------------------------------------------------------------------


def test_source_asset() -> None:
    regions = StaticPartitions(["eu", "us"])
    events = SourceAsset(
        "raw/events", description="Clickstream.", group="landing", io_manager="warehouse",
        metadata={"owner": "web"}, partitions=regions,
    )
    assert events.is_source
    assert events.fn is None
    assert not events.is_multi
    assert events.key == AssetKey(("raw", "events"))
    assert events.specs[0] == AssetSpec(
        key="raw/events", description="Clickstream.", group="landing", io_manager="warehouse",
        metadata={"owner": "web"}, partitions=regions,
    )
    assert events.signature.params == ()
    assert repr(events) == "SourceAsset(raw/events)"


def test_source_asset_accepts_keys_and_parts() -> None:
    assert SourceAsset(["raw", "events"]).key == AssetKey(("raw", "events"))
    assert SourceAsset(AssetKey(("events",))).key == AssetKey(("events",))
    with pytest.raises(DefinitionError, match="invalid asset key"):
        SourceAsset("raw//events")


def test_calling_a_source_asset_fails() -> None:
    with pytest.raises(DefinitionError, match="source asset 'raw/events' has no function to call"):
        SourceAsset("raw/events")()
