"""Speed and SLA KPIs: how fast sales first touches a hand-over, and how often each SLA timer is met.

A timer is met if it ends within its limit; timers still running at the horizon are left out. The
sales timers count working hours when the policy says so (``sla.timers_in_working_hours``); the
service response timer always counts clock hours.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import pandas as pd

from simcoord.kpis.context import KpiContext
from simcoord.kpis.kpi import KPI
from simcoord.vocabulary import HOT_GRADES, HOURS_PER_DAY

GROUP = "speed and SLAs"

SPEED: dict[str, KPI] = {
    "first_touch_median_hours": KPI("median clock hours from hand-over to first touch", "hours", False, GROUP),
    "first_touch_p90_hours": KPI("90th percentile of hours from hand-over to first touch", "hours", False, GROUP),
    "sla_first_touch_pct": KPI("hand-overs first touched within the first-touch SLA", "fraction", True, GROUP),
    "sla_hot_lead_pct": KPI("L4+ hand-overs first touched within the hot-lead SLA", "fraction", True, GROUP),
    "sla_follow_up_pct": KPI("hand-overs followed up (touched) before the auto-release limit", "fraction", True, GROUP),
    "sla_follow_up_cycle_pct": KPI("gaps between a rep's touches on an open deal within the follow-up cycle",
                                   "fraction", True, GROUP),
    "sla_stage_dwell_pct": KPI("entries into the dwell-limited stage that leave it within the limit",
                               "fraction", True, GROUP),
    "sla_service_response_pct": KPI("tickets answered within the service response SLA", "fraction", True, GROUP),
    "sla_escalations": KPI("untouched leads escalated to another rep at the first-touch deadline", "leads", False,
                           GROUP),
}


def speed_kpis(ctx: KpiContext) -> dict[str, float]:
    """The :data:`SPEED` KPIs' values."""
    sla, touched, handed_at = ctx.scenario.policy.sla, ctx.waits.dropna(), ctx.episodes["handed_at"]
    hot = ctx.episodes["grade"].isin(HOT_GRADES)

    def sales_timer(waits: pd.Series, started: pd.Series, limit_hours: float) -> float:
        return within(waits, started, limit_hours, ctx.horizon, ctx.timer_clock)

    return {
        "first_touch_median_hours": float(touched.median()) if len(touched) else float("nan"),
        "first_touch_p90_hours": float(touched.quantile(0.9)) if len(touched) else float("nan"),
        "sla_first_touch_pct": sales_timer(ctx.waits, handed_at, sla.first_touch.hours),
        "sla_hot_lead_pct": sales_timer(ctx.waits[hot], handed_at[hot], sla.hot_lead_first_touch.hours),
        "sla_follow_up_pct": sales_timer(ctx.waits, handed_at, sla.auto_release.hours),
        "sla_follow_up_cycle_pct": follow_up_cycle(ctx.leads, ctx.stage_names, sla.follow_up_days * HOURS_PER_DAY),
        "sla_stage_dwell_pct": stage_dwell(ctx.leads, sla.stage_dwell_stage, sla.stage_dwell.hours, ctx.horizon,
                                           ctx.timer_clock) if ctx.count("sql") else float("nan"),
        "sla_service_response_pct": within(ctx.ticket_waits, ctx.tickets_opened,
                                           ctx.scenario.service.response_sla_hours, ctx.horizon),
        "sla_escalations": ctx.count("sla_escalated"),
    }


def within(waits: pd.Series, started: pd.Series, limit_hours: float, horizon: float,
           timer_clock: Callable[[object], np.ndarray] | None = None) -> float:
    """Share of timers (started at ``started``, clock hours) met within ``limit_hours``; ones still
    running at the horizon are left out, ones that never ended (NaN wait) count as breaches.
    ``timer_clock`` (clock time -> timer hours since 0, e.g. working hours) makes the
    timers count in that clock instead of clock hours."""
    if timer_clock is not None:
        ended = (started + waits).to_numpy(dtype=float)
        finite = np.isfinite(ended)
        elapsed = timer_clock(np.where(finite, ended, 0.0)) - timer_clock(started.to_numpy(dtype=float))
        waits = pd.Series(np.where(finite, elapsed, ended), index=waits.index)
        decided = timer_clock(horizon) - timer_clock(started.to_numpy(dtype=float)) >= limit_hours
    else:
        decided = started <= horizon - limit_hours
    if not decided.any():
        return float("nan")
    return float((waits[decided].fillna(np.inf) <= limit_hours).mean())


def stage_dwell(leads: pd.DataFrame, stage: str, limit: float, horizon: float,
                timer_clock: Callable[[object], np.ndarray] | None = None) -> float:
    """Share of entries into ``stage`` that leave it within ``limit`` hours (see :func:`within`)."""
    moves = leads[leads["activity"].isin(["sql", "advanced", "lost", "released_to_pool"])]
    exit_time = moves.groupby("id")["time"].shift(-1)
    # a lead downgraded into the pool left the stage by breaching its limit, however soon
    released = moves.groupby("id")["activity"].shift(-1).astype(object) == "released_to_pool"
    exit_time = exit_time.mask(released, np.inf)
    entries = moves["activity"].isin(["sql", "advanced"]) & (moves["stage"] == stage)
    return within(exit_time[entries] - moves["time"][entries], moves["time"][entries], limit, horizon, timer_clock)


def follow_up_cycle(leads: pd.DataFrame, stage_names: list[str], limit: float) -> float:
    """Share of consecutive sales touches on the same deal that are at most ``limit`` hours apart.
    A deal is one hand-over (``mql``) of a lead: time back in nurture is no follow-up gap."""
    moves = leads[leads["activity"].isin(["mql", "first_touch", *stage_names])]
    deal = (moves["activity"] == "mql").groupby(moves["id"]).cumsum()
    touches = moves["activity"] != "mql"
    gaps = moves.loc[touches, "time"].groupby([moves.loc[touches, "id"], deal[touches]]).diff().dropna()
    return float((gaps <= limit).mean()) if len(gaps) else float("nan")
