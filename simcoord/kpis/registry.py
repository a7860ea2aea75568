"""The KPI registry: every KPI of every group in :data:`KPIS`, and :func:`compute_kpis`, which
computes them all from an event log.

Each group's module declares its KPIs right beside the one function that computes them. Times are
in hours unless the name says ``_days``; ``_pct`` values are fractions in [0, 1].
"""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING, Callable, Iterable

import pandas as pd

from simcoord.kpis.context import KpiContext, build_context
from simcoord.kpis.cost import COST, cost_kpis
from simcoord.kpis.funnel import FUNNEL, funnel_kpis
from simcoord.kpis.kpi import KPI
from simcoord.kpis.leakage import LEAKAGE, leakage_kpis
from simcoord.kpis.process import PROCESS, process_kpis
from simcoord.kpis.revenue import REVENUE, revenue_kpis
from simcoord.kpis.service import SERVICE, service_kpis
from simcoord.kpis.speed import SPEED, speed_kpis
from simcoord.kpis.summary import combine, summarise
from simcoord.kpis.workload import WORKLOAD, workload_kpis
from simcoord.log.store import empty_frame

if TYPE_CHECKING:
    from simcoord.scenario.calendar import WorkCalendar
    from simcoord.scenario.schema import Scenario

#: Each group's registry entries and the function that computes their values, in :data:`GROUPS` order.
GROUP_KPIS: tuple[tuple[dict[str, KPI], Callable[[KpiContext], dict[str, float]]], ...] = (
    (FUNNEL, funnel_kpis), (SPEED, speed_kpis), (LEAKAGE, leakage_kpis), (REVENUE, revenue_kpis),
    (SERVICE, service_kpis), (WORKLOAD, workload_kpis), (COST, cost_kpis), (PROCESS, process_kpis),
)

#: The order of the KPI Series. It is part of the API (stored results and notebooks rely on it),
#: so it is written out rather than derived: the workload and cost KPIs interleave.
ORDER = (
    "leads_created", "mql", "sql", "won", "lost", "open_at_end", "mql_quality_pct",
    "conversion_mql_to_sql", "conversion_sql_to_won", "conversion_lead_to_won",
    "first_touch_median_hours", "first_touch_p90_hours", "sla_first_touch_pct", "sla_hot_lead_pct",
    "sla_follow_up_pct", "sla_follow_up_cycle_pct", "sla_stage_dwell_pct", "sla_service_response_pct",
    "sla_escalations",
    "released_to_pool", "claimed_from_pool", "recycled", "dormant", "discarded",
    "revenue", "sales_cycle_days", "orders", "order_lead_time_days", "backorders", "backorder_rate",
    "service_response_hours", "customers", "churned", "churn_rate",
    "utilisation_marketing", "utilisation_sales", "utilisation_production", "utilisation_service",
    "meeting_hours", "meeting_cost", "staff_cost",
    "collaboration_hours", "liaison_hours", "changeover_hours", "disputes", "dispute_hours_mean",
    "executive_decisions",
    "bonus_cost", "platform_cost", "escalation_cost", "total_cost",
    # added later, at the end, so the Series of earlier results keeps its order
    "screened", "screen_declined", "screen_decline_pct", "stage_touches", "touches_per_sql", "sent_back",
    "cancelled", "cancelled_pct",
)


def _assemble(groups: Iterable[dict[str, KPI]], order: Iterable[str]) -> dict[str, KPI]:
    """The groups' entries as one registry in ``order``, which must name each KPI exactly once."""
    entries = [item for group in groups for item in group.items()]
    registry, order = dict(entries), list(order)
    if len(registry) != len(entries) or sorted(registry) != sorted(order):
        raise ValueError("the KPI groups must not share a name, and ORDER must list every KPI exactly once")
    return {name: registry[name] for name in order}


#: Every KPI, by name, with its meaning, unit, direction and group, in the order of the KPI Series.
KPIS: dict[str, KPI] = _assemble((entries for entries, _ in GROUP_KPIS), ORDER)


def unknown_kpi(name: str) -> str:
    """The problem of a KPI name that is not in :data:`KPIS`, with the closest one if any."""
    close = difflib.get_close_matches(name, list(KPIS), n=1, cutoff=0.6)
    return f"unknown KPI {name!r}" + (f"; did you mean {close[0]!r}?" if close else "")


def compute_kpis(events: pd.DataFrame | Iterable[pd.DataFrame], scenario: "Scenario", days: float,
                 calendar: "WorkCalendar", warmup_days: float = 0.0) -> pd.Series:
    """All KPIs of :data:`KPIS` from one run's event log: a DataFrame, or its consecutive slices
    (e.g. the parts of a streamed log, read one at a time). ``days`` is the run's horizon.

    With ``warmup_days`` > 0 only events after the warm-up count, and paid hours, staff and
    platform cost cover the window after it (steady-state estimates without the start-up transient)."""
    slices = [events] if isinstance(events, pd.DataFrame) else events
    summaries = [summarise(frame, scenario, days, calendar, warmup_days) for frame in slices]
    if not summaries:  # a log with no events at all
        summaries = [summarise(empty_frame(), scenario, days, calendar, warmup_days)]
    context = build_context(combine(summaries), scenario, days, calendar, warmup_days)
    values = {name: value for _, group_kpis in GROUP_KPIS for name, value in group_kpis(context).items()}
    return pd.Series({name: values[name] for name in KPIS}, dtype=float, name="value")
