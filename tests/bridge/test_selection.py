"""Selection syntax over an asset graph."""

from __future__ import annotations

import re

import pytest

from bridge import AssetGraph, AssetKey, select
from bridge.errors import DefinitionError, SelectionError
from tests.bridge._fixture_modules import load_fixture


@pytest.fixture(scope="module")
def diamond() -> AssetGraph:
    """source -> (left, right) -> joined -> audit (deps=)."""
    return AssetGraph.from_assets(load_fixture("diamond").ASSETS)


@pytest.fixture(scope="module")
def prefixed() -> AssetGraph:
    """raw/orders, raw/customers -> clean/orders, clean/enriched -> marts/daily/summary."""
    return AssetGraph.from_assets(load_fixture("prefixed").ASSETS)


def names(graph: AssetGraph, expression: str | None) -> list[str]:
    return sorted(str(key) for key in select(graph, expression))


ALL = ["audit", "joined", "left", "right", "source"]


@pytest.mark.parametrize("expression", [None, "*", " * ", "", "   "])
def test_everything(diamond: AssetGraph, expression: str | None) -> None:
    assert names(diamond, expression) == ALL


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("joined", ["joined"]),
        ("+joined", ["joined", "left", "right", "source"]),
        ("left+", ["audit", "joined", "left"]),
        ("+left+", ["audit", "joined", "left", "source"]),
        ("source+", ALL),
        ("+audit", ALL),
        ("+source", ["source"]),
        ("audit+", ["audit"]),
        ("left,right", ["left", "right"]),
        (" left , right ", ["left", "right"]),
        ("left,+left", ["left", "source"]),
        ("left+,right+", ["audit", "joined", "left", "right"]),
        ("group:branches", ["left", "right"]),
        ("group:default", ["audit", "joined", "source"]),
        ("tag:tier=gold", ["left"]),
        ("tag:tier=silver", ["right"]),
        ("tag:tier", ["left", "right"]),
        ("tag:team=core,group:branches", ["joined", "left", "right"]),
        ("left,*", ALL),
    ],
)
def test_terms(diamond: AssetGraph, expression: str, expected: list[str]) -> None:
    assert names(diamond, expression) == expected


def test_result_is_a_frozenset_of_keys(diamond: AssetGraph) -> None:
    result = select(diamond, "left")
    assert isinstance(result, frozenset)
    assert result == frozenset({AssetKey(("left",))})


def test_prefixed_keys(prefixed: AssetGraph) -> None:
    assert names(prefixed, "raw/orders+") == [
        "clean/enriched", "clean/orders", "marts/daily/summary", "raw/orders",
    ]
    assert names(prefixed, "+clean/orders") == ["clean/orders", "raw/orders"]
    assert names(prefixed, "marts/daily/summary,raw/customers") == [
        "marts/daily/summary", "raw/customers",
    ]


def test_unknown_key_suggests_close_keys(diamond: AssetGraph) -> None:
    with pytest.raises(
        SelectionError,
        match=re.escape(
            "selection '+jioned': no asset 'jioned' in this project; did you mean 'joined'"
        ),
    ):
        select(diamond, "left,+jioned")


def test_a_bare_name_does_not_select_a_prefixed_key(prefixed: AssetGraph) -> None:
    with pytest.raises(SelectionError, match=r"no asset 'summary' in this project"):
        select(prefixed, "summary")


def test_selection_errors_are_definition_errors(diamond: AssetGraph) -> None:
    with pytest.raises(DefinitionError):
        select(diamond, "nope")


@pytest.mark.parametrize("expression", ["left,,right", "left,", ",left", "left, ,right"])
def test_empty_term(diamond: AssetGraph, expression: str) -> None:
    with pytest.raises(SelectionError, match=re.escape(f"empty term in selection {expression!r}")):
        select(diamond, expression)


@pytest.mark.parametrize("expression", ["+", "++", "+a//b", "raw/"])
def test_malformed_key_terms(diamond: AssetGraph, expression: str) -> None:
    with pytest.raises(SelectionError, match=re.escape(f"selection {expression!r}: ")):
        select(diamond, expression)


def test_unknown_group_lists_groups(diamond: AssetGraph) -> None:
    with pytest.raises(
        SelectionError,
        match=re.escape(
            "selection 'group:branch' matches no asset; groups are ['branches', 'default']"
        ),
    ):
        select(diamond, "group:branch")


@pytest.mark.parametrize("term", ["tag:tier=bronze", "tag:owner", "tag:team=gold"])
def test_tag_without_match(diamond: AssetGraph, term: str) -> None:
    with pytest.raises(SelectionError, match=re.escape(f"selection {term!r} matches no asset")):
        select(diamond, term)
