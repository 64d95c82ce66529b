"""Quickstart: a small sales pipeline defined as assets.

Run it:      assetbridge run examples/quickstart/assets.py
Ask status:  assetbridge status examples/quickstart/assets.py
"""

from __future__ import annotations

from collections import defaultdict

from pydantic import BaseModel
from warehouse import Warehouse

from bridge import AssetContext, asset

ORDERS = [
    {"id": 1, "customer": "acme", "day": "2026-11-01", "amount": 120.0, "status": "paid"},
    {"id": 2, "customer": "globex", "day": "2026-11-01", "amount": 80.0, "status": "paid"},
    {"id": 3, "customer": "acme", "day": "2026-11-02", "amount": 45.5, "status": "cancelled"},
    {"id": 4, "customer": "initech", "day": "2026-11-02", "amount": 300.0, "status": "paid"},
    {"id": 5, "customer": "globex", "day": "2026-11-03", "amount": 99.9, "status": "paid"},
]
CUSTOMERS = [
    {"name": "acme", "country": "DE"},
    {"name": "globex", "country": "US"},
    {"name": "initech", "country": "US"},
]


@asset(group="raw")
def raw_orders() -> list[dict[str, object]]:
    """Orders as exported by the shop (embedded sample data)."""
    return [dict(order) for order in ORDERS]


@asset(group="raw")
def raw_customers() -> list[dict[str, object]]:
    """The customer master data."""
    return [dict(customer) for customer in CUSTOMERS]


@asset(group="sales", code_version="1")
def paid_orders(raw_orders: list[dict[str, object]]) -> list[dict[str, object]]:
    """Orders that were paid (cancelled ones dropped)."""
    return [order for order in raw_orders if order["status"] == "paid"]


class RevenueConfig(BaseModel):
    """Run config of daily_revenue."""

    currency: str = "EUR"
    #: orders below this amount are ignored
    min_amount: float = 0.0


@asset(group="sales", code_version="2", owners=["sales-analytics@example.com"])
def daily_revenue(
    context: AssetContext,
    paid_orders: list[dict[str, object]],
    config: RevenueConfig,
    warehouse: Warehouse,
) -> dict[str, float]:
    """Revenue per day, also written to the warehouse table ``daily_revenue``."""
    totals: dict[str, float] = defaultdict(float)
    for order in paid_orders:
        amount = float(order["amount"])  # type: ignore[arg-type]
        if amount >= config.min_amount:
            totals[str(order["day"])] += amount
    rows = [{"day": day, "revenue": total, "currency": config.currency}
            for day, total in sorted(totals.items())]
    context.log.info("writing %d days to the warehouse", warehouse.write("daily_revenue", rows))
    return dict(totals)


@asset(group="sales")
def revenue_by_country(
    paid_orders: list[dict[str, object]], raw_customers: list[dict[str, object]]
) -> dict[str, float]:
    """Revenue per customer country."""
    country = {c["name"]: c["country"] for c in raw_customers}
    totals: dict[str, float] = defaultdict(float)
    for order in paid_orders:
        totals[str(country[order["customer"]])] += float(order["amount"])  # type: ignore[arg-type]
    return dict(totals)
