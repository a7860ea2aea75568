"""Cost KPIs: what the company pays for its staff, bonuses, meetings, platform and escalations (currency)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from simcoord.kpis.context import KpiContext
from simcoord.kpis.kpi import KPI
from simcoord.kpis.summary import hourly_rates
from simcoord.vocabulary import DAYS_PER_MONTH

if TYPE_CHECKING:
    from simcoord.scenario.schema import IncentiveSpec

GROUP = "cost"

COST: dict[str, KPI] = {
    "meeting_cost": KPI("cost of meeting attendee-hours", "currency", False, GROUP),
    "staff_cost": KPI("paid hours x hourly cost, all departments and coordination managers", "currency", False, GROUP),
    "bonus_cost": KPI("sales bonus, event commission and joint bonus pool", "currency", False, GROUP),
    "platform_cost": KPI("shared platform subscription over the horizon", "currency", False, GROUP),
    "escalation_cost": KPI("executive time spent deciding disputes", "currency", False, GROUP),
    "total_cost": KPI("staff + bonus + platform + escalation cost", "currency", False, GROUP),
}


def cost_kpis(ctx: KpiContext) -> dict[str, float]:
    """The :data:`COST` KPIs' values, for the window after the warm-up."""
    policy, totals = ctx.scenario.policy, ctx.totals
    staff = staff_cost(ctx)
    bonus = bonus_cost(float(totals["revenue"]), float(totals["event_revenue"]), policy.incentives)
    platform = policy.information.platform_cost_per_month * (ctx.days - ctx.warmup_days) / DAYS_PER_MONTH \
        if policy.information.mode == "platform" else 0.0
    escalation = int(totals["executive_decisions"]) * policy.disputes.executive_hours_per_decision \
        * policy.disputes.executive_hourly_cost
    return {
        "meeting_cost": float(totals["meeting_cost"]),
        "staff_cost": staff,
        "bonus_cost": bonus,
        "platform_cost": platform,
        "escalation_cost": escalation,
        "total_cost": staff + bonus + platform + escalation,
    }


def staff_cost(ctx: KpiContext) -> float:
    """Paid hours in the window x hourly cost, for every department's staff (on its own calendar)
    and the coordination managers (on the company's)."""
    org, rates = ctx.scenario.organisation, hourly_rates(ctx.scenario)
    cost_per_hour: dict[float, float] = {}  # paid hours -> summed hourly cost of the staff paid them
    for department in rates:
        hours = ctx.department_paid_hours[department]
        cost_per_hour[hours] = cost_per_hour.get(hours, 0) + org.department(department).staff * rates[department]
    departments = sum(cost * hours for hours, cost in cost_per_hour.items())
    return float(departments + org.coordination_managers * org.coordination_manager_hourly_cost * ctx.paid_hours)


def bonus_cost(revenue: float, event_revenue: float, incentives: "IncentiveSpec") -> float:
    """Bonus paid for a period (currency): sales bonus on ``revenue``, commission on the
    ``event_revenue`` won through campaigns, and the joint pool, which grows with the weight put
    on other departments' results."""
    return (incentives.bonus_rate * revenue + incentives.event_commission * event_revenue
            + incentives.joint_pool_rate * incentives.cross_department_weight * revenue)
