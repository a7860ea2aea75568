"""Revenue and delivery KPIs: what the won deals are worth, how long they take, and how orders are served."""

from __future__ import annotations

import pandas as pd

from simcoord.kpis.context import KpiContext, ratio
from simcoord.kpis.kpi import KPI
from simcoord.vocabulary import HOURS_PER_DAY

GROUP = "revenue and delivery"

REVENUE: dict[str, KPI] = {
    "revenue": KPI("value of deals won", "currency", True, GROUP),
    "sales_cycle_days": KPI("mean days from hand-over to won", "days", False, GROUP),
    "orders": KPI("orders created", "orders", None, GROUP),
    "order_lead_time_days": KPI("mean days from order to delivery", "days", False, GROUP),
    "backorders": KPI("orders that could not be served from stock or on time", "orders", False, GROUP),
    "backorder_rate": KPI("backorders per order", "fraction", False, GROUP),
}


def revenue_kpis(ctx: KpiContext) -> dict[str, float]:
    """The :data:`REVENUE` KPIs' values."""
    n, episodes, lead_time = ctx.count, ctx.episodes, _order_lead_times(ctx.orders)
    return {
        "revenue": float(ctx.totals["revenue"]),
        "sales_cycle_days": float((episodes["won_at"] - episodes["handed_at"]).mean() / HOURS_PER_DAY)
        if n("won") else float("nan"),
        "orders": n("order_created"),
        "order_lead_time_days": float(lead_time.mean()) if len(lead_time) else float("nan"),
        "backorders": n("backordered"),
        "backorder_rate": ratio(n("backordered"), n("order_created")),
    }


def _order_lead_times(orders: pd.DataFrame) -> pd.Series:
    """Days from each delivered order's creation to its delivery."""
    if not len(orders):
        return pd.Series(dtype=float)
    times = orders.pivot_table(index="id", columns="activity", values="time", aggfunc="min", observed=True)
    if not {"delivered", "order_created"} <= set(times.columns):
        return pd.Series(dtype=float)
    return (times["delivered"] - times["order_created"]).dropna() / HOURS_PER_DAY
