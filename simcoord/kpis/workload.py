"""Workload KPIs: how busy each department is, and the hours coordination itself takes."""

from __future__ import annotations

from simcoord.kpis.context import KpiContext, ratio
from simcoord.kpis.kpi import KPI
from simcoord.vocabulary import DEPARTMENTS

GROUP = "workload"

WORKLOAD: dict[str, KPI] = {
    "utilisation_marketing": KPI("busy share of marketing's paid hours", "fraction", None, GROUP),
    "utilisation_sales": KPI("busy share of sales' paid hours", "fraction", None, GROUP),
    "utilisation_production": KPI("busy share of production's paid hours", "fraction", None, GROUP),
    "utilisation_service": KPI("busy share of service's paid hours", "fraction", None, GROUP),
    "meeting_hours": KPI("attendee-hours spent in meetings", "hours", False, GROUP),
    "collaboration_hours": KPI("rep hours spent on feedback notes for marketing", "hours", None, GROUP),
    "liaison_hours": KPI("hours liaisons spent passing information on", "hours", False, GROUP),
    "changeover_hours": KPI("production line hours lost to changeovers", "hours", False, GROUP),
    "disputes": KPI("cross-department disputes opened", "disputes", False, GROUP),
    "dispute_hours_mean": KPI("mean clock hours an entity waited in a dispute", "hours", False, GROUP),
    "executive_decisions": KPI("disputes that went up to the executives", "disputes", False, GROUP),
}


def workload_kpis(ctx: KpiContext) -> dict[str, float]:
    """The :data:`WORKLOAD` KPIs' values."""
    totals = ctx.totals
    return {
        **{f"utilisation_{department}": utilisation(ctx, department) for department in DEPARTMENTS},
        "meeting_hours": float(totals["meeting_hours"]),
        "collaboration_hours": float(totals["collaboration_hours"]),
        "liaison_hours": float(totals["liaison_hours"]),
        "changeover_hours": float(totals["changeover_hours"]),
        "disputes": ctx.count("dispute_opened"),
        "dispute_hours_mean": ratio(float(totals["dispute_hours"]), float(totals["disputes_timed"])),
        "executive_decisions": int(totals["executive_decisions"]),
    }


def utilisation(ctx: KpiContext, department: str) -> float:
    """Busy share of ``department``'s paid hours in the window (on the department's calendar)."""
    staff = ctx.scenario.organisation.department(department).staff
    share = ratio(float(ctx.busy.get(department, 0.0)), staff * ctx.department_paid_hours[department])
    return 1.0 if 1.0 < share < 1.0 + 1e-9 else share  # a fully busy team, summed with float rounding
