"""AssetGraph: wiring by parameter names, validation errors, and graph queries."""

from __future__ import annotations

import itertools
import re

import networkx as nx
import pytest

from bridge import AssetGraph, AssetKey, SourceAsset, asset, multi_asset
from bridge.errors import CycleError, DefinitionError
from tests.bridge._fixture_modules import FIXTURES, load_fixture


def keys(*texts: str) -> list[AssetKey]:
    return [AssetKey.parse(text) for text in texts]


def names(found: object) -> list[str]:
    return sorted(str(key) for key in found)  # type: ignore[attr-defined]


@pytest.fixture
def chain() -> AssetGraph:
    return AssetGraph.from_assets(load_fixture("simple_chain").ASSETS)


@pytest.fixture
def diamond() -> AssetGraph:
    return AssetGraph.from_assets(load_fixture("diamond").ASSETS)


# --- wiring ------------------------------------------------------------------------------


def test_chain_is_wired_by_parameter_names(chain: AssetGraph) -> None:
    assert chain.keys == keys("clean_orders", "order_count", "raw_orders")
    assert chain.upstream("clean_orders") == keys("raw_orders")
    assert chain.downstream("clean_orders") == keys("order_count")
    assert chain.upstream("raw_orders") == []
    assert chain.downstream("order_count") == []
    assert chain.toposort() == keys("raw_orders", "clean_orders", "order_count")


def test_resolved_specs_include_inferred_deps(chain: AssetGraph) -> None:
    definition = chain.definition("order_count")
    assert definition.specs[0].deps == (), "the decorator only knows explicit deps"
    assert chain.spec("order_count").deps == (AssetKey(("clean_orders",)),)
    assert chain.spec("raw_orders").deps == ()
    assert chain.spec("order_count").tags == {"tier": "gold", "pii": "no"}


def test_inputs_map_parameters_to_upstream_keys(chain: AssetGraph) -> None:
    inputs = chain.inputs(chain.definition("clean_orders"))
    assert inputs.assets == {"raw_orders": AssetKey(("raw_orders",))}
    assert inputs.resources == ()


def test_parameters_that_match_no_asset_are_resources(diamond: AssetGraph) -> None:
    inputs = diamond.inputs(diamond.definition("joined"))
    assert inputs.assets == {"left": AssetKey(("left",)), "right": AssetKey(("right",))}
    assert [param.name for param in inputs.resources] == ["warehouse"]
    assert inputs.resources[0].has_default is False
    assert diamond.upstream("joined") == keys("left", "right")
    assert "warehouse" not in diamond


def test_deps_order_without_passing_a_value(diamond: AssetGraph) -> None:
    audit = diamond.definition("audit")
    assert diamond.inputs(audit).assets == {}
    assert diamond.upstream("audit") == keys("joined")
    assert diamond.spec("audit").deps == (AssetKey(("joined",)),)
    assert diamond.toposort()[-1] == AssetKey(("audit",))


def test_data_deps_come_before_explicit_deps_without_duplicates() -> None:
    @asset
    def a() -> int:
        return 1

    @asset
    def b() -> int:
        return 2

    @asset(deps=["b", "a"])
    def c(a: int) -> int:
        return a

    graph = AssetGraph.from_assets([a, b, c])
    assert graph.spec("c").deps == tuple(keys("a", "b"))


def test_ancestors_and_descendants(diamond: AssetGraph) -> None:
    assert names(diamond.ancestors("joined")) == ["left", "right", "source"]
    assert names(diamond.ancestors("audit")) == ["joined", "left", "right", "source"]
    assert diamond.ancestors("source") == set()
    assert names(diamond.descendants("left")) == ["audit", "joined"]
    assert names(diamond.descendants("source")) == ["audit", "joined", "left", "right"]
    assert diamond.descendants(AssetKey(("audit",))) == set()


def test_toposort_is_generation_by_generation_and_sorted(diamond: AssetGraph) -> None:
    assert diamond.toposort() == keys("source", "left", "right", "joined", "audit")


def test_toposort_does_not_depend_on_definition_order() -> None:
    assets = load_fixture("diamond").ASSETS
    orders = {
        tuple(AssetGraph.from_assets(list(perm)).toposort())
        for perm in itertools.permutations(assets)
    }
    assert orders == {tuple(keys("source", "left", "right", "joined", "audit"))}


def test_toposort_returns_a_fresh_list(chain: AssetGraph) -> None:
    chain.toposort().clear()
    assert len(chain.toposort()) == 3


# --- inference with prefixes -------------------------------------------------------------


@pytest.fixture
def prefixed() -> AssetGraph:
    return AssetGraph.from_assets(load_fixture("prefixed").ASSETS)


def test_parameter_matches_the_last_key_part(prefixed: AssetGraph) -> None:
    inputs = prefixed.inputs(prefixed.definition("marts/daily/summary"))
    assert inputs.assets == {"enriched": AssetKey(("clean", "enriched"))}


def test_parameter_matches_the_identifier_form(prefixed: AssetGraph) -> None:
    inputs = prefixed.inputs(prefixed.definition("clean/orders"))
    assert inputs.assets == {"raw__orders": AssetKey(("raw", "orders"))}
    assert prefixed.upstream("clean/orders") == keys("raw/orders")


def test_same_prefix_breaks_a_tie(prefixed: AssetGraph) -> None:
    inputs = prefixed.inputs(prefixed.definition("clean/enriched"))
    assert inputs.assets == {
        "orders": AssetKey(("clean", "orders")), "customers": AssetKey(("raw", "customers")),
    }
    assert inputs.resources == ()


def test_an_asset_never_feeds_itself() -> None:
    @asset(key_prefix="raw")
    def orders() -> list[int]:
        return [1]

    @asset(key_prefix="clean", name="orders")
    def patched(orders: list[int]) -> list[int]:
        return orders

    graph = AssetGraph.from_assets([orders, patched])
    assert graph.inputs(patched).assets == {"orders": AssetKey(("raw", "orders"))}
    alone = AssetGraph.from_assets([patched])
    assert [p.name for p in alone.inputs(patched).resources] == ["orders"]


def test_ambiguous_parameter_is_an_error() -> None:
    with pytest.raises(
        DefinitionError,
        match=re.escape(
            "asset 'report': parameter 'orders' could mean ['clean/orders', 'raw/orders']; "
            "pick one with ins={...}"
        ),
    ):
        AssetGraph.from_assets(load_fixture("ambiguous").ASSETS)


def test_ins_resolves_an_ambiguity() -> None:
    module = load_fixture("ambiguous")
    report = asset(name="report", ins={"orders": "clean/orders"})(module.report.fn)
    graph = AssetGraph.from_assets([module.orders, module.clean_orders, report])
    assert graph.inputs(report).assets == {"orders": AssetKey(("clean", "orders"))}
    assert graph.upstream("report") == keys("clean/orders")


def test_ins_can_name_any_asset_under_any_parameter(chain: AssetGraph) -> None:
    @asset(ins={"rows": "raw_orders"})
    def total(rows: list[dict[str, int]], raw_orders: int = 0) -> int:
        return len(rows) + raw_orders

    graph = AssetGraph.from_assets([chain, total])
    assert graph.inputs(total).assets == {
        "rows": AssetKey(("raw_orders",)), "raw_orders": AssetKey(("raw_orders",)),
    }
    assert graph.upstream("total") == keys("raw_orders")


def test_context_and_config_are_never_upstreams() -> None:
    @asset
    def context() -> int:
        return 1

    @asset
    def consumer(context: object) -> int:
        return 1

    graph = AssetGraph.from_assets([context, consumer])
    assert graph.inputs(consumer).assets == {}
    assert graph.inputs(consumer).resources == ()
    assert graph.upstream("consumer") == []


# --- optional dependencies ---------------------------------------------------------------


def test_optional_dep_without_a_producer_is_a_resource_with_a_default() -> None:
    module = load_fixture("optional_dep")
    graph = AssetGraph.from_assets(module.WITHOUT_DISCOUNTS)
    inputs = graph.inputs(module.report)
    assert inputs.assets == {"orders": AssetKey(("orders",))}
    (resource,) = inputs.resources
    assert (resource.name, resource.has_default, resource.default) == ("discounts", True, 0.0)


def test_optional_dep_with_a_producer_is_an_upstream() -> None:
    module = load_fixture("optional_dep")
    graph = AssetGraph.from_assets(module.WITH_DISCOUNTS)
    assert graph.inputs(module.report).assets == {
        "orders": AssetKey(("orders",)), "discounts": AssetKey(("discounts",)),
    }
    assert graph.inputs(module.report).resources == ()
    assert graph.upstream("report") == keys("discounts", "orders")


# --- multi-assets and sources ------------------------------------------------------------


def test_multi_asset_graph() -> None:
    multi = load_fixture("multi")
    graph = AssetGraph.from_assets(multi.ASSETS)
    assert graph.keys == keys(
        "accounts", "audit_log", "audit_summary", "raw/events", "user_count", "users"
    )
    assert graph.spec("users").deps == (AssetKey(("raw", "events")),)
    assert graph.spec("accounts").deps == (AssetKey(("raw", "events")),)
    assert graph.spec("accounts").group == "crm"
    assert graph.spec("users").group == "identity"
    assert graph.definition("users") is graph.definition("accounts") is multi.split
    assert graph.upstream("user_count") == keys("users")
    assert graph.upstream("audit_summary") == keys("accounts")
    assert graph.downstream("raw/events") == keys("accounts", "users")
    assert graph.definition("raw/events").is_source


def test_definitions_lists_each_definition_once_in_key_order() -> None:
    multi = load_fixture("multi")
    graph = AssetGraph.from_assets(multi.ASSETS)
    assert graph.definitions() == [multi.split, multi.audit, multi.events, multi.user_count]


# --- validation errors -------------------------------------------------------------------


def test_unknown_dep_suggests_close_keys() -> None:
    chain = load_fixture("simple_chain")

    @asset(deps=["raw_order"])
    def report() -> int:
        return 1

    with pytest.raises(
        DefinitionError,
        match=re.escape(
            "asset 'report' depends on unknown asset 'raw_order' through deps=; "
            "did you mean 'raw_orders', 'clean_orders'?"
        ),
    ):
        AssetGraph.from_assets([*chain.ASSETS, report])


def test_unknown_dep_without_close_keys_has_no_suggestion() -> None:
    @asset(deps=["zzz/qqq"])
    def report() -> int:
        return 1

    with pytest.raises(DefinitionError, match=r"unknown asset 'zzz/qqq' through deps=$"):
        AssetGraph.from_assets([report])


def test_unknown_ins_key_suggests_close_keys() -> None:
    prefixed = load_fixture("prefixed")

    @asset(ins={"rows": "raw/order"})
    def report(rows: list[int]) -> int:
        return len(rows)

    with pytest.raises(
        DefinitionError,
        match=re.escape(
            "asset 'report' depends on unknown asset 'raw/order' through ins={'rows': ...}; "
            "did you mean 'raw/orders'"
        ),
    ):
        AssetGraph.from_assets([*prefixed.ASSETS, report])


def test_unknown_multi_asset_dep() -> None:
    multi = load_fixture("multi")
    with pytest.raises(
        DefinitionError, match="asset 'audit_log' depends on unknown asset 'accounts'"
    ):
        AssetGraph.from_assets([multi.audit])


def test_duplicate_keys_in_one_file_name_both_places() -> None:
    module = load_fixture("duplicate_keys")
    path = FIXTURES / "duplicate_keys.py"
    lines = path.read_text().splitlines()
    decorators = [
        number for number, line in enumerate(lines, start=1)
        if line.startswith("def orders") and lines[number - 2].startswith("@asset")
    ]
    assert len(decorators) == 2
    first, second = (number - 1 for number in decorators)
    with pytest.raises(
        DefinitionError,
        match=re.escape(
            f"duplicate asset key 'orders': defined by {path}:{first} and by {path}:{second}; "
            "rename one (name= or key_prefix=)"
        ),
    ):
        AssetGraph.from_assets([module.FIRST, module.SECOND])


def test_duplicate_keys_across_files_name_both_files() -> None:
    chain = load_fixture("simple_chain")
    duplicates = load_fixture("duplicate_keys")
    with pytest.raises(
        DefinitionError,
        match=r"duplicate asset key 'raw_orders': defined by .*simple_chain\.py:\d+ "
        r"and by .*duplicate_keys\.py:\d+",
    ):
        AssetGraph.from_assets([*chain.ASSETS, duplicates.raw_orders])


def test_duplicate_source_asset_is_named_by_repr() -> None:
    with pytest.raises(
        DefinitionError,
        match=re.escape("defined by SourceAsset(raw/events) and by SourceAsset(raw/events)"),
    ):
        AssetGraph.from_assets([SourceAsset("raw/events"), SourceAsset("raw/events")])


def test_duplicate_between_a_multi_asset_and_an_asset() -> None:
    @multi_asset(specs=["a", "b"])
    def both() -> dict[str, int]:
        return {}

    @asset
    def b() -> int:
        return 1

    with pytest.raises(DefinitionError, match="duplicate asset key 'b'"):
        AssetGraph.from_assets([both, b])


def test_the_same_definition_twice_is_not_a_duplicate() -> None:
    module = load_fixture("simple_chain")
    graph = AssetGraph.from_assets([*module.ASSETS, module.raw_orders])
    assert len(graph) == 3


def test_cycle_error_carries_the_cycle() -> None:
    with pytest.raises(CycleError, match="asset graph has a cycle: ") as caught:
        AssetGraph.from_assets(load_fixture("cyclic").ASSETS)
    cycle = caught.value.cycle
    assert sorted(cycle) == ["a", "b", "c"]
    # the list is the cycle in dependency order, starting anywhere on it
    start = cycle.index("a")
    assert cycle[start:] + cycle[:start] == ["a", "b", "c"]
    path = " -> ".join([*cycle, cycle[0]])
    assert f"cycle: {path}; remove one of these dependencies" in str(caught.value)
    assert isinstance(caught.value, DefinitionError)


def test_self_dependency_is_a_cycle() -> None:
    @asset(deps=["loop"])
    def loop() -> int:
        return 1

    with pytest.raises(CycleError, match=re.escape("cycle: loop -> loop")) as caught:
        AssetGraph.from_assets([loop])
    assert caught.value.cycle == ["loop"]


def test_cycle_through_deps_and_ins() -> None:
    @asset(deps=["second"])
    def first() -> int:
        return 1

    @asset(ins={"value": "first"})
    def second(value: int) -> int:
        return value

    with pytest.raises(CycleError) as caught:
        AssetGraph.from_assets([first, second])
    assert sorted(caught.value.cycle) == ["first", "second"]


# --- lookups -----------------------------------------------------------------------------


def test_lookups_accept_text_and_keys(prefixed: AssetGraph) -> None:
    assert prefixed.spec("raw/orders") is prefixed.spec(AssetKey(("raw", "orders")))
    assert "raw/orders" in prefixed
    assert AssetKey(("raw", "orders")) in prefixed
    assert "orders" not in prefixed
    assert "raw//orders" not in prefixed
    assert 42 not in prefixed
    assert len(prefixed) == 5
    assert list(prefixed) == prefixed.keys == sorted(prefixed.keys)


def test_find_suggests_close_keys(chain: AssetGraph) -> None:
    assert chain.find("clean_orders") == AssetKey(("clean_orders",))
    with pytest.raises(
        DefinitionError,
        match=re.escape(
            "no asset 'clean_order' in this project; did you mean 'clean_orders', 'raw_orders'?"
        ),
    ):
        chain.find("clean_order")
    with pytest.raises(DefinitionError, match=r"no asset 'zzzz' in this project$"):
        chain.find("zzzz")


@pytest.mark.parametrize("method", ["spec", "definition", "upstream", "downstream", "ancestors"])
def test_unknown_text_keys_raise_definition_error(chain: AssetGraph, method: str) -> None:
    with pytest.raises(DefinitionError, match=r"no asset 'raw_ordres'.*did you mean 'raw_orders'"):
        getattr(chain, method)("raw_ordres")


def test_digraph_is_a_read_only_view(diamond: AssetGraph) -> None:
    view = diamond.digraph
    assert set(view.edges) >= {(AssetKey(("source",)), AssetKey(("left",)))}
    assert view.number_of_edges() == 5
    with pytest.raises(nx.NetworkXError):
        view.add_edge(AssetKey(("audit",)), AssetKey(("source",)))
    assert diamond.upstream("source") == []


def test_from_assets_accepts_graphs() -> None:
    chain = load_fixture("simple_chain")
    graph = AssetGraph.from_assets(chain.ASSETS)
    assert AssetGraph.from_assets(graph) is graph

    @asset
    def report(order_count: int) -> int:
        return order_count

    extended = AssetGraph.from_assets([graph, report])
    assert extended.upstream("report") == keys("order_count")
    assert "report" not in graph
    assert len(extended) == 4
