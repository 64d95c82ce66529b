"""The shop pipeline in a unit test: in-process, no Airflow, no scheduler."""

from __future__ import annotations

from pathlib import Path

from bridge import InMemoryIOManager, InMemoryStore, materialize

ASSETS = str(Path(__file__).resolve().parent / "shop_assets.py")


def test_one_day_of_sales(run_assets) -> None:
    result = run_assets(ASSETS, select="shop_orders,daily_sales", partition="2026-11-01")
    day = result.output_for("daily_sales")
    assert day["day"] == "2026-11-01"
    assert day["orders"] == len(result.output_for("shop_orders"))


def test_the_report_compares_revenue_with_targets() -> None:
    import shop_assets

    assets = [shop_assets.shop_orders, shop_assets.daily_sales, shop_assets.region_targets,
              shop_assets.sales_report]
    store, resources = InMemoryStore(), {"io_manager": InMemoryIOManager()}
    runs = [("shop_orders,daily_sales", "2026-11-01"), ("region_targets", "eu"),
            ("region_targets", "us"), ("sales_report", None)]
    for selection, partition in runs:
        result = materialize(assets, selection=selection, partition=partition, store=store,
                             resources=resources,
                             config={"sales_report": {"title": "T"}} if partition is None else None)
    report = result.raise_on_failure().output_for("sales_report")
    assert report["title"] == "T"
    assert set(report["regions"]) == {"eu", "us"}
    assert report["regions"]["eu"]["target"] == 200.0
