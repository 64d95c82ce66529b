"""Browser tests: Debian's headless Chromium against a live ``assetbridge ui``."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from bridge._graph import AssetGraph
from bridge._loading import load_target
from bridge._status import refresh_plan
from bridge.storage import SqlStore
from tests.ui._server import AWKWARD, QUICKSTART, REPO

SCRIPT_KEY = "<script>alert(1)</script>"


def _graph(target: Path) -> AssetGraph:
    return AssetGraph.from_assets(load_target(str(target)).assets)


def _node(page: Any, key: str) -> Any:
    return page.locator(f'a.node[data-key="{key}"]')


def test_graph_shows_every_node_of_the_example_project(page: Any) -> None:
    quickstart = {str(k) for k in _graph(QUICKSTART).keys}
    everything = quickstart | {str(k) for k in _graph(AWKWARD).keys}
    page.goto("/")
    page.wait_for_selector('svg#graph[data-ready="true"]')
    shown = page.locator("a.node").evaluate_all("nodes => nodes.map(n => n.dataset.key)")
    assert sorted(shown) == sorted(everything)
    svg_box = page.locator("svg#graph").bounding_box()
    for key in quickstart:  # drawn, labelled and inside the visible drawing after "fit"
        node = _node(page, key)
        box = node.bounding_box()
        assert box is not None and box["width"] > 20
        right = svg_box["x"] + svg_box["width"]
        assert svg_box["x"] <= box["x"] and box["x"] + box["width"] <= right
        assert node.locator("text").text_content() == key
    bands = page.locator("text.band-label").all_text_contents()
    assert {"raw", "sales", "hostile", "flaky"} <= set(bands)


def test_search_highlights_and_focuses_matches(page: Any) -> None:
    page.goto("/")
    page.fill("#graph-search", "revenue")
    page.wait_for_function("document.getElementById('search-count').textContent !== ''")
    assert page.locator("#search-count").text_content() == "2 matches"
    matched = page.locator("a.node.match").evaluate_all("ns => ns.map(n => n.dataset.key)")
    assert sorted(matched) == ["daily_revenue", "revenue_by_country"]
    assert page.locator("#search-results a").all_text_contents() == matched
    before = page.locator("svg#graph").get_attribute("viewBox")
    page.press("#graph-search", "Enter")
    assert page.locator("a.node.focus").get_attribute("data-key") == matched[0]
    assert page.locator("svg#graph").get_attribute("viewBox") != before


def test_zoom_and_pan_change_the_view(page: Any) -> None:
    page.goto("/")
    svg = page.locator("svg#graph")
    start = svg.get_attribute("viewBox")
    box = svg.bounding_box()
    page.mouse.move(box["x"] + 300, box["y"] + 200)
    page.mouse.wheel(0, -400)
    zoomed = svg.get_attribute("viewBox")
    assert float(zoomed.split()[2]) < float(start.split()[2])  # narrower view: zoomed in
    page.mouse.move(box["x"] + 600, box["y"] + 500)
    page.mouse.down()
    page.mouse.move(box["x"] + 450, box["y"] + 420, steps=5)
    page.mouse.up()
    panned = svg.get_attribute("viewBox")
    assert panned.split()[2:] == zoomed.split()[2:] and panned.split()[:2] != zoomed.split()[:2]
    assert page.url.endswith("/")  # a drag is not a click on a node


def test_asset_page_says_what_to_run_to_refresh_it(page: Any, ui_home: Path) -> None:
    graph = _graph(QUICKSTART)
    store = SqlStore(f"sqlite:///{ui_home / 'runs.db'}")
    try:
        plan = [str(k) for k in refresh_plan(graph, store, [graph.find("daily_revenue")])]
    finally:
        store.close()
    page.goto("/assets/daily_revenue")
    shown = page.locator("p.plan a.asset-link").all_text_contents()
    assert shown == plan
    if not plan:
        assert page.locator("p.plan").text_content().strip() == "Up to date: nothing to run."
        return
    page.locator("#refresh-plan").click()
    page.wait_for_url(re.compile(r"/launchpad\?select="))
    checked = page.locator('form[data-source="0"] input[name="key"]:checked')
    assert sorted(checked.evaluate_all("boxes => boxes.map(b => b.value)")) == sorted(plan)


def test_clicking_a_node_opens_its_asset_page(page: Any) -> None:
    definition = _graph(QUICKSTART).definition("paid_orders")
    page.goto("/")
    _node(page, "paid_orders").click()
    page.wait_for_url(re.compile(r"/assets/paid_orders$"))
    assert page.locator("h1").text_content() == "paid_orders"
    assert "Orders that were paid" in page.locator("dd.description").text_content()
    shown = Path(definition.source[0]).resolve().relative_to(REPO)  # the server runs in REPO
    assert page.locator("code.location").text_content() == f"{shown}:{definition.source[1]}"
    assert page.locator("section", has_text="Upstream").locator("a").all_text_contents() \
        == ["raw_orders"]
    downstream = page.locator("section", has_text="Downstream").locator("a")
    assert downstream.all_text_contents() == ["daily_revenue", "revenue_by_country"]
    downstream.first.click()
    page.wait_for_url(re.compile(r"/assets/daily_revenue$"))
    page.locator("text=sales-analytics@example.com").wait_for()
    assert page.locator("table", has_text="min_amount").count() == 1  # the config model


def test_launchpad_runs_a_selection_with_config_and_statuses_turn_fresh(
    page: Any, browser: Any, ui_url: str, ui_home: Path
) -> None:
    wanted = ["raw_orders", "paid_orders", "daily_revenue"]
    graph_page = page.context.new_page()
    graph_page.goto("/")
    assert _node(graph_page, "daily_revenue").get_attribute("data-status") != "fresh"

    page.goto("/launchpad")
    form = page.locator('form.launch-form[data-source="0"]')
    for key in wanted:
        form.locator(f'input[name="key"][value="{key}"]').check()
    form.locator('input[name="cfg|daily_revenue|min_amount"]').fill("100")
    form.locator('input[name="cfg|daily_revenue|currency"]').fill("USD")
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/runs/[0-9a-f]{12}$"))
    page.wait_for_selector('#run-status[data-status="success"]')
    run_id = page.url.rsplit("/", 1)[1]
    outcomes = page.locator("tr[data-key]").evaluate_all(
        "rows => rows.map(r => [r.dataset.key, r.className])")
    assert sorted(outcomes) == sorted([k, "outcome-success"] for k in wanted)
    # the config reached the asset: two days reach 100, three would without min_amount
    assert "writing 2 days to the warehouse" in page.locator("pre.logs").text_content()

    for key in wanted:  # the open graph page polls and recolours without a reload
        graph_page.wait_for_selector(f'a.node[data-key="{key}"][data-status="fresh"]')
    assert _node(graph_page, "revenue_by_country").get_attribute("data-status") == "never"

    store = SqlStore(f"sqlite:///{ui_home / 'runs.db'}")  # a normal run, in the CLI's store
    try:
        run = store.get_run(run_id)
        assert run is not None and run.status.value == "success"
        assert sorted(run.selection) == sorted(wanted)
        assert run.target == str(QUICKSTART)
    finally:
        store.close()


def test_a_failing_asset_shows_its_error_and_logs(page: Any) -> None:
    page.goto("/launchpad?select=broken")
    form = page.locator('form.launch-form[data-source="1"]')
    assert form.locator('input[name="key"][value="broken"]').is_checked()
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/runs/[0-9a-f]{12}$"))
    page.wait_for_selector('#run-status[data-status="failed"]')
    assert "RuntimeError: the orders API returned 503 <html>" in \
        page.locator("pre.error-text").text_content()
    logs = page.locator("pre.logs").text_content()
    assert "INFO fetching rows from the orders API" in logs
    assert "printed before failing" in logs

    page.locator("a.asset-link", has_text="broken").click()
    page.wait_for_url(re.compile(r"/assets/broken$"))
    assert page.locator(".page-head .badge").text_content() == "failed"
    assert "the orders API returned 503 <html>" in page.locator("ul.reasons").text_content()
    assert "fetching rows from the orders API" in page.locator("table.history pre.logs") \
        .first.text_content()

    page.goto("/")  # the legend filters the graph by status
    page.locator('button[data-filter="status:failed"]').click()
    failed = page.locator("a.node.match").evaluate_all("ns => ns.map(n => n.dataset.key)")
    assert "broken" in failed
    assert all(status == "failed" for status in page.locator("a.node.match").evaluate_all(
        "ns => ns.map(n => n.dataset.status)"))
    assert "broken" in page.locator("#search-results a").all_text_contents()


def test_html_in_keys_and_descriptions_renders_as_text(page: Any) -> None:
    page.goto("/")
    node = _node(page, SCRIPT_KEY)
    assert node.locator("text").text_content() == SCRIPT_KEY
    page.fill("#graph-search", "script")
    page.locator("#search-results a", has_text=SCRIPT_KEY).wait_for()
    node.click()
    page.wait_for_url(re.compile(r"/assets/%3Cscript%3Ealert%281%29%3C/script%3E$"))
    assert page.locator("h1").text_content() == SCRIPT_KEY
    assert page.locator("h1").is_visible()
    description = page.locator("dd.description")
    assert description.text_content() == \
        '<b>bold</b> <img src=x onerror="alert(2)"> & <i>not italic</i>'
    assert description.locator("b, img, i").count() == 0
    assert page.locator("script:not([src])").count() == 0
    page.goto("/launchpad")
    assert page.locator(".asset-choice", has_text=SCRIPT_KEY).is_visible()
    # the page fixture fails the test if any alert() dialog fired


def test_backfill_shows_partitions_and_resumes(page: Any, ui_home: Path) -> None:
    page.goto("/launchpad?select=regional_sales")
    form = page.locator('form.launch-form[data-source="1"]')
    form.locator('input[name="mode"][value="backfill"]').check()
    form.locator('input[name="start"]').fill("eu")
    form.locator('input[name="end"]').fill("apac")
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/backfills/bf-[0-9a-f]{12}$"))
    page.wait_for_selector('#backfill-status .badge:text("failed")')

    def states() -> dict[str, str]:
        rows = page.locator("tr[data-partition]")
        return dict(zip(rows.evaluate_all("rs => rs.map(r => r.dataset.partition)"),
                        rows.locator(".badge").all_text_contents(), strict=True))

    assert states() == {"eu": "success", "us": "success", "apac": "failed"}
    (ui_home / "apac-ready").touch()
    page.locator("button", has_text="Resume").click()
    page.wait_for_selector('#backfill-status .badge:text("success")')
    assert states() == {"eu": "success", "us": "success", "apac": "success"}
    apac_runs = page.locator('tr[data-partition="apac"] a').all_text_contents()
    assert len(apac_runs) == 2  # the failed try and the resumed one; eu/us were not re-run
    assert len(page.locator('tr[data-partition="eu"] a').all_text_contents()) == 1
