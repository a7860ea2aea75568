"""Service KPIs: customers won and lost, and how fast their tickets are answered."""

from __future__ import annotations

from simcoord.kpis.context import KpiContext, ratio
from simcoord.kpis.kpi import KPI

GROUP = "service"

SERVICE: dict[str, KPI] = {
    "service_response_hours": KPI("mean clock hours from ticket to first response", "hours", False, GROUP),
    "customers": KPI("customers onboarded", "customers", None, GROUP),
    "churned": KPI("customers lost", "customers", False, GROUP),
    "churn_rate": KPI("churned customers per customer onboarded", "fraction", False, GROUP),
}


def service_kpis(ctx: KpiContext) -> dict[str, float]:
    """The :data:`SERVICE` KPIs' values."""
    waits = ctx.ticket_waits
    return {
        "service_response_hours": float(waits.mean()) if waits.notna().any() else float("nan"),
        "customers": ctx.count("onboarded"),
        "churned": ctx.count("churned"),
        "churn_rate": ratio(ctx.count("churned"), ctx.count("onboarded")),
    }
