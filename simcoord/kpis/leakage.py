"""Leakage KPIs: leads that slip out of sales' hands (to the public pool, back to nurture, or for good)."""

from __future__ import annotations

from simcoord.kpis.context import KpiContext
from simcoord.kpis.kpi import KPI

GROUP = "leakage"

LEAKAGE: dict[str, KPI] = {
    "released_to_pool": KPI("leads released to the public pool (timer breaches)", "leads", False, GROUP),
    "claimed_from_pool": KPI("pool leads picked up again by another rep", "leads", None, GROUP),
    "recycled": KPI("leads sent back to nurture", "leads", None, GROUP),
    "dormant": KPI("leads marked dormant after failed wake-ups", "leads", False, GROUP),
    "discarded": KPI("leads discarded (invalid confirmed or recycled too often)", "leads", False, GROUP),
}


def leakage_kpis(ctx: KpiContext) -> dict[str, float]:
    """The :data:`LEAKAGE` KPIs' values: each counts the lead events of the same name."""
    return {name: ctx.count(name) for name in LEAKAGE}
