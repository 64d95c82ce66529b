"""AssetKey: parsing, formatting, ordering, prefixes and the identifier form."""

from __future__ import annotations

import dataclasses

import pytest

from bridge import AssetKey
from bridge.errors import BridgeError, DefinitionError


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("orders", ("orders",)),
        ("raw/orders", ("raw", "orders")),
        ("a/b/c", ("a", "b", "c")),
        ("my table/2024", ("my table", "2024")),
        ("warehouse.db", ("warehouse.db",)),
    ],
)
def test_parse_splits_on_slash(text: str, parts: tuple[str, ...]) -> None:
    key = AssetKey.parse(text)
    assert key.parts == parts
    assert str(key) == text


@pytest.mark.parametrize(
    "text",
    ["", "/", "/orders", "orders/", "raw//orders", " orders", "raw/ orders", "orders ",
     "orders\n", "raw/\torders", "raw/ /orders"],
)
def test_parse_rejects_empty_or_padded_parts(text: str) -> None:
    with pytest.raises(DefinitionError, match=r"invalid asset key .*'raw/orders'"):
        AssetKey.parse(text)


def test_invalid_key_error_quotes_the_text_and_is_a_bridge_error() -> None:
    with pytest.raises(BridgeError, match=r"invalid asset key 'raw//orders'"):
        AssetKey.parse("raw//orders")


def test_str_and_repr() -> None:
    key = AssetKey(("raw", "orders"))
    assert str(key) == "raw/orders"
    assert repr(key) == "AssetKey('raw/orders')"
    assert f"{key}" == "raw/orders"


def test_parse_round_trips_through_str() -> None:
    for text in ["a", "a/b", "x/y/z"]:
        assert AssetKey.parse(str(AssetKey.parse(text))) == AssetKey.parse(text)


def test_equality_and_hashing_follow_the_parts() -> None:
    assert AssetKey.parse("raw/orders") == AssetKey(("raw", "orders"))
    assert AssetKey.parse("raw/orders") != AssetKey.parse("orders")
    assert AssetKey.parse("raw/orders") != "raw/orders"
    lookup = {AssetKey.parse("raw/orders"): 1}
    assert lookup[AssetKey(("raw", "orders"))] == 1
    assert len({AssetKey.parse("a"), AssetKey(("a",)), AssetKey.parse("b")}) == 2


def test_keys_are_immutable() -> None:
    key = AssetKey.parse("a")
    with pytest.raises(dataclasses.FrozenInstanceError):
        key.parts = ("b",)  # type: ignore[misc]


@pytest.mark.parametrize(
    "value",
    ["raw/orders", ["raw", "orders"], ("raw", "orders"), AssetKey(("raw", "orders"))],
)
def test_from_user_accepts_keys_text_and_parts(value: object) -> None:
    assert AssetKey.from_user(value) == AssetKey(("raw", "orders"))  # type: ignore[arg-type]


def test_from_user_returns_a_key_unchanged() -> None:
    key = AssetKey.parse("raw/orders")
    assert AssetKey.from_user(key) is key


@pytest.mark.parametrize("value", [[], ["raw", ""], ("", "orders"), "a//b"])
def test_from_user_validates(value: object) -> None:
    with pytest.raises(DefinitionError, match="invalid asset key"):
        AssetKey.from_user(value)  # type: ignore[arg-type]


def test_name_and_prefix() -> None:
    key = AssetKey.parse("marts/daily/revenue")
    assert key.name == "revenue"
    assert key.prefix == ("marts", "daily")
    assert AssetKey.parse("revenue").prefix == ()
    assert AssetKey.parse("revenue").name == "revenue"


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [
        ("raw", "raw/orders"),
        ("a/b", "a/b/orders"),
        (["a", "b"], "a/b/orders"),
        (("a",), "a/orders"),
        ([], "orders"),
    ],
)
def test_with_prefix(prefix: str | list[str], expected: str) -> None:
    key = AssetKey.parse("orders")
    assert key.with_prefix(prefix) == AssetKey.parse(expected)
    assert key == AssetKey.parse("orders"), "with_prefix must not change the original"


def test_with_prefix_on_a_prefixed_key_puts_the_new_prefix_first() -> None:
    assert AssetKey.parse("b/c").with_prefix("a").parts == ("a", "b", "c")


@pytest.mark.parametrize("prefix", ["", "raw/", "/raw", "a//b", [""], ["ok", " bad"]])
def test_with_prefix_rejects_invalid_prefixes(prefix: str | list[str]) -> None:
    with pytest.raises(DefinitionError, match="invalid asset key"):
        AssetKey.parse("orders").with_prefix(prefix)


@pytest.mark.parametrize(
    ("text", "identifier"),
    [
        ("orders", "orders"),
        ("raw/orders", "raw__orders"),
        ("marts/daily/revenue", "marts__daily__revenue"),
        ("raw/my-orders.v2", "raw__my_orders_v2"),
    ],
)
def test_to_python_identifier(text: str, identifier: str) -> None:
    result = AssetKey.parse(text).to_python_identifier()
    assert result == identifier
    assert result.isidentifier()


def test_keys_sort_by_parts() -> None:
    keys = [AssetKey.parse(t) for t in ["b", "a/z", "a", "a/b", "a-b"]]
    assert [str(k) for k in sorted(keys)] == ["a", "a/b", "a/z", "a-b", "b"]
    # as strings "a-b" < "a/b" ('-' sorts before '/'); keys sort part by part instead
    assert AssetKey.parse("a/b") < AssetKey.parse("a-b")
    assert AssetKey.parse("a") < AssetKey.parse("a/b")
    assert max(keys) == AssetKey.parse("b")
