"""The prepared context every KPI group reads: built once per run from its :class:`LogSummary`.

It holds what several groups share (hand-over episodes, first-touch waits, ticket waits, paid
hours), so each group's function is the formulas of its KPIs and nothing else.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, NamedTuple

import numpy as np
import pandas as pd

from simcoord.kpis.summary import LogSummary, stage_names
from simcoord.scenario.calendar import department_calendars
from simcoord.vocabulary import HOURS_PER_DAY

if TYPE_CHECKING:
    from simcoord.scenario.calendar import WorkCalendar
    from simcoord.scenario.schema import Scenario

EPISODE_COLUMNS = ["handed_at", "touched_at", "grade", "won_at"]


class KpiContext(NamedTuple):
    """One run's log summary, prepared for the KPI groups. Times are clock hours since the start date."""

    scenario: "Scenario"
    days: float  # the horizon, in days
    warmup_days: float  # events before it do not count
    horizon: float  # the horizon, in hours
    counts: pd.Series  # activity -> events in the window
    totals: pd.Series  # additive sums, by name (see ``summarise``)
    busy: pd.Series  # department -> person-hours of paid working time used in the window
    leads: pd.DataFrame  # the lead rows some KPI joins
    orders: pd.DataFrame  # id, activity, time of order rows
    episodes: pd.DataFrame  # one row per hand-over (MQL): EPISODE_COLUMNS
    waits: pd.Series  # per episode, hours from hand-over to first touch (NaN: never touched)
    tickets_opened: pd.Series  # ticket id -> time opened
    ticket_waits: pd.Series  # ticket id -> hours from opening to first response (NaN: none yet)
    paid_hours: float  # paid working hours of one person on the company calendar in the window
    department_paid_hours: dict[str, float]  # the same, of one person of each department on its calendar
    timer_clock: Callable[[object], np.ndarray] | None  # the sales SLA timers' clock (None: clock hours)
    stage_names: list[str]  # the funnel's stages, in order

    def count(self, activity: str) -> int:
        """How many ``activity`` events fall in the window."""
        return int(self.counts.get(activity, 0))


def build_context(summary: LogSummary, scenario: "Scenario", days: float, calendar: "WorkCalendar",
                  warmup_days: float = 0.0) -> KpiContext:
    """The :class:`KpiContext` of a (combined) summary of a run ``days`` long with ``warmup_days`` of warm-up."""
    horizon, window_start = days * HOURS_PER_DAY, warmup_days * HOURS_PER_DAY
    episodes = _episodes(summary.leads) if summary.counts.get("mql", 0) else pd.DataFrame(columns=EPISODE_COLUMNS)
    tickets_opened, ticket_waits = _ticket_waits(summary.tickets)
    calendars = department_calendars(scenario, calendar)
    department_paid = {department: paid_hours(own, horizon, window_start) for department, own in calendars.items()}
    # SLA timers count working hours of the sales team when the policy says so (sales timers only;
    # service is clock time)
    timer_clock = calendars["sales"].work_hours_until_many if scenario.policy.sla.timers_in_working_hours else None
    return KpiContext(scenario, days, warmup_days, horizon, summary.counts, summary.totals, summary.busy,
                      summary.leads, summary.orders, episodes, episodes["touched_at"] - episodes["handed_at"],
                      tickets_opened, ticket_waits, paid_hours(calendar, horizon, window_start), department_paid,
                      timer_clock, stage_names(scenario))


def paid_hours(calendar: "WorkCalendar", horizon: float, window_start: float) -> float:
    """Paid working hours of one person on ``calendar`` between ``window_start`` and ``horizon`` (hours)."""
    paid = calendar.work_hours_until(horizon)
    if window_start > 0:
        paid -= calendar.work_hours_until(window_start)
    return paid


def ratio(numerator: float, denominator: float) -> float:
    """``numerator / denominator``, NaN when the denominator is 0 (nothing to compare with)."""
    return numerator / denominator if denominator else float("nan")


def _episodes(leads: pd.DataFrame) -> pd.DataFrame:
    """One row per hand-over (MQL) with the time of its first touch and its grade."""
    leads = leads[leads["activity"].isin(["mql", "first_touch", "won"])]  # numbering episodes needs no other row
    leads = leads.assign(episode=(leads["activity"] == "mql").groupby(leads["id"]).cumsum())
    leads = leads[leads["episode"] > 0]
    handed = leads[leads["activity"] == "mql"].set_index(["id", "episode"])
    touched = leads[leads["activity"] == "first_touch"].groupby(["id", "episode"])["time"].min()
    out = pd.DataFrame({"handed_at": handed["time"], "grade": handed["grade"]})
    out["touched_at"] = touched.reindex(out.index)
    out["won_at"] = leads[leads["activity"] == "won"].groupby(["id", "episode"])["time"].min().reindex(out.index)
    return out


def _ticket_waits(tickets: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Each ticket's opening time and its hours to the first response (NaN: not answered yet)."""
    opened = tickets[tickets["activity"] == "ticket_opened"].set_index("id")["time"]
    responded = tickets[tickets["activity"] == "ticket_response"].set_index("id")["time"]
    return opened, responded.reindex(opened.index) - opened
