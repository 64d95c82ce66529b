"""A small shop pipeline, developed and tested locally, deployed to Airflow unchanged.

    shop_orders (daily) ──▶ daily_sales (daily) ──▶ sales_report ◀── region_targets (eu, us)

Develop:  assetbridge run examples/deploy/shop_assets.py --select shop_orders,daily_sales \\
              --partition 2026-11-01
Test:     pytest examples/deploy/test_shop_assets.py
Deploy:   assetbridge export examples/deploy/shop_assets.py --out dags/ --env prod
          (or the three lines of examples/deploy/dags/assets.py)
"""

from __future__ import annotations

import random

from pydantic import BaseModel

from bridge import AssetContext, DailyPartitions, RetryPolicy, StaticPartitions, asset

DAYS = DailyPartitions(start="2026-11-01", end="2026-11-08")
REGIONS = StaticPartitions(["eu", "us"])


@asset(group="ingest", partitions=DAYS, owners=["data-eng@example.com"],
       retry=RetryPolicy(max_retries=2, delay=30), tags={"tier": "bronze"})
def shop_orders(context: AssetContext) -> list[dict[str, object]]:
    """The shop's orders of one day (generated: the same day gives the same orders)."""
    day = str(context.partition)
    rng = random.Random(day)
    return [{"id": f"{day}-{n}", "region": rng.choice(["eu", "us"]),
             "amount": round(rng.uniform(5, 120), 2)} for n in range(rng.randint(3, 8))]


@asset(group="ingest", partitions=DAYS, code_version="2", tags={"tier": "silver"})
def daily_sales(context: AssetContext, shop_orders: list[dict[str, object]]) -> dict[str, object]:
    """Orders and revenue of one day, per region."""
    revenue: dict[str, float] = {}
    for order in shop_orders:
        region = str(order["region"])
        revenue[region] = round(revenue.get(region, 0.0) + float(order["amount"]), 2)  # type: ignore[arg-type]
    return {"day": context.partition, "orders": len(shop_orders), "revenue": revenue}


@asset(group="planning", partitions=REGIONS)
def region_targets(context: AssetContext) -> float:
    """The revenue target of one region (a static partition per region)."""
    return {"eu": 200.0, "us": 250.0}[str(context.partition)]


class ReportConfig(BaseModel):
    """Run config of the report: Airflow's trigger form offers these as a DAG param."""

    title: str = "Sales vs targets"
    currency: str = "EUR"


@asset(group="reporting", code_version="1", owners=["analytics@example.com"])
def sales_report(daily_sales: dict[str, dict[str, object]],
                 region_targets: dict[str, float], config: ReportConfig) -> dict[str, object]:
    """Revenue of every materialized day against each region's target."""
    totals: dict[str, float] = {}
    for day in daily_sales.values():
        for region, amount in day["revenue"].items():  # type: ignore[attr-defined]
            totals[region] = round(totals.get(region, 0.0) + amount, 2)
    return {"title": config.title, "currency": config.currency,
            "regions": {region: {"revenue": totals.get(region, 0.0), "target": target}
                        for region, target in sorted(region_targets.items())}}
