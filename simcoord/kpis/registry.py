"""KPIs, computed from the event log only.

Every KPI is declared in :data:`KPIS` with its unit and whether higher is better, so
comparisons can say "better" or "worse". ``compute_kpis`` returns a Series in that order.
Times are in hours unless the name says ``_days``; ``_pct`` values are fractions in [0, 1].
"""

from __future__ import annotations

from functools import reduce
from typing import TYPE_CHECKING, Callable, Iterable, NamedTuple

import numpy as np
import pandas as pd

from simcoord.model import incentives
from simcoord.model.entities import GRADE_ORDER
from simcoord.log.store import empty_frame
from simcoord.scenario.schema import DEPARTMENTS

if TYPE_CHECKING:
    from simcoord.scenario.calendar import WorkCalendar
    from simcoord.scenario.schema import Scenario

HOURS_PER_DAY = 24.0
TERMINAL = ("won", "dormant", "discarded")
LEAD_COLUMNS = ("id", "time", "activity", "grade", "stage")
#: Lead activities some KPI reads (besides the funnel's stage names): episodes, terminal states,
#: stage moves. Nurture touches and wake-up attempts are only counted, never joined.
LEAD_ACTIVITIES = ("created", *TERMINAL, "mql", "first_touch", "sql", "advanced", "lost", "released_to_pool")
CHUNK_ROWS = 262_144  # rows per slice of vectorised work-time arithmetic


class KPI(NamedTuple):
    description: str
    unit: str
    higher_is_better: bool | None  # None: neither (a volume or a context figure)
    group: str = "other"


GROUPS = ("funnel", "speed and SLAs", "leakage", "revenue and delivery", "service", "workload", "cost")


KPIS: dict[str, KPI] = {
    "leads_created": KPI("leads born in marketing (all channels, repurchase and referral included)", "leads", None, "funnel"),
    "mql": KPI("hand-overs of marketing-qualified leads to sales", "leads", None, "funnel"),
    "sql": KPI("leads qualified by sales at first touch", "leads", True, "funnel"),
    "won": KPI("deals won", "deals", True, "funnel"),
    "lost": KPI("deals lost in a sales stage", "deals", False, "funnel"),
    "open_at_end": KPI("leads neither won, dormant nor discarded at the horizon", "leads", None, "funnel"),
    "mql_quality_pct": KPI("share of MQLs of grade L3 or better (meets sales follow-up standard; target 70 %)", "fraction", True, "funnel"),
    "conversion_mql_to_sql": KPI("first touches that qualify the lead", "fraction", True, "funnel"),
    "conversion_sql_to_won": KPI("SQLs that end won", "fraction", True, "funnel"),
    "conversion_lead_to_won": KPI("won deals per lead created", "fraction", True, "funnel"),
    "first_touch_median_hours": KPI("median clock hours from hand-over to first touch", "hours", False, "speed and SLAs"),
    "first_touch_p90_hours": KPI("90th percentile of hours from hand-over to first touch", "hours", False, "speed and SLAs"),
    "sla_first_touch_pct": KPI("hand-overs first touched within the first-touch SLA", "fraction", True, "speed and SLAs"),
    "sla_hot_lead_pct": KPI("L4+ hand-overs first touched within the hot-lead SLA", "fraction", True, "speed and SLAs"),
    "sla_follow_up_pct": KPI("hand-overs followed up (touched) before the auto-release limit", "fraction", True, "speed and SLAs"),
    "sla_follow_up_cycle_pct": KPI("gaps between a rep's touches on an open deal within the follow-up cycle", "fraction", True, "speed and SLAs"),
    "sla_stage_dwell_pct": KPI("entries into the dwell-limited stage that leave it within the limit", "fraction", True, "speed and SLAs"),
    "sla_service_response_pct": KPI("tickets answered within the service response SLA", "fraction", True, "speed and SLAs"),
    "sla_escalations": KPI("untouched leads escalated to another rep at the first-touch deadline", "leads", False, "speed and SLAs"),
    "released_to_pool": KPI("leads released to the public pool (timer breaches)", "leads", False, "leakage"),
    "claimed_from_pool": KPI("pool leads picked up again by another rep", "leads", None, "leakage"),
    "recycled": KPI("leads sent back to nurture", "leads", None, "leakage"),
    "dormant": KPI("leads marked dormant after failed wake-ups", "leads", False, "leakage"),
    "discarded": KPI("leads discarded (invalid confirmed or recycled too often)", "leads", False, "leakage"),
    "revenue": KPI("value of deals won", "currency", True, "revenue and delivery"),
    "sales_cycle_days": KPI("mean days from hand-over to won", "days", False, "revenue and delivery"),
    "orders": KPI("orders created", "orders", None, "revenue and delivery"),
    "order_lead_time_days": KPI("mean days from order to delivery", "days", False, "revenue and delivery"),
    "backorders": KPI("orders that could not be served from stock or on time", "orders", False, "revenue and delivery"),
    "backorder_rate": KPI("backorders per order", "fraction", False, "revenue and delivery"),
    "service_response_hours": KPI("mean clock hours from ticket to first response", "hours", False, "service"),
    "customers": KPI("customers onboarded", "customers", None, "service"),
    "churned": KPI("customers lost", "customers", False, "service"),
    "churn_rate": KPI("churned customers per customer onboarded", "fraction", False, "service"),
    "utilisation_marketing": KPI("busy share of marketing's paid hours", "fraction", None, "workload"),
    "utilisation_sales": KPI("busy share of sales' paid hours", "fraction", None, "workload"),
    "utilisation_production": KPI("busy share of production's paid hours", "fraction", None, "workload"),
    "utilisation_service": KPI("busy share of service's paid hours", "fraction", None, "workload"),
    "meeting_hours": KPI("attendee-hours spent in meetings", "hours", False, "workload"),
    "meeting_cost": KPI("cost of meeting attendee-hours", "currency", False, "cost"),
    "staff_cost": KPI("paid hours x hourly cost, all departments and coordination managers", "currency", False, "cost"),
    "collaboration_hours": KPI("rep hours spent on feedback notes for marketing", "hours", None, "workload"),
    "liaison_hours": KPI("hours liaisons spent passing information on", "hours", False, "workload"),
    "changeover_hours": KPI("production line hours lost to changeovers", "hours", False, "workload"),
    "disputes": KPI("cross-department disputes opened", "disputes", False, "workload"),
    "dispute_hours_mean": KPI("mean clock hours an entity waited in a dispute", "hours", False, "workload"),
    "executive_decisions": KPI("disputes that went up to the executives", "disputes", False, "workload"),
    "bonus_cost": KPI("sales bonus, event commission and joint bonus pool", "currency", False, "cost"),
    "platform_cost": KPI("shared platform subscription over the horizon", "currency", False, "cost"),
    "escalation_cost": KPI("executive time spent deciding disputes", "currency", False, "cost"),
    "total_cost": KPI("staff + bonus + platform + escalation cost", "currency", False, "cost"),
}


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


def _within(waits: pd.Series, started: pd.Series, limit_hours: float, horizon: float,
            timer_clock: Callable[[object], np.ndarray] | None = None) -> float:
    """Share of timers (started at ``started``) met within ``limit_hours``; ones still
    running at the horizon are left out, ones that never ended count as breaches.
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


def _stage_dwell(leads: pd.DataFrame, stage: str, limit: float, horizon: float,
                 timer_clock: Callable[[object], np.ndarray] | None = None) -> float:
    moves = leads[leads["activity"].isin(["sql", "advanced", "lost", "released_to_pool"])]
    exit_time = moves.groupby("id")["time"].shift(-1)
    # a lead downgraded into the pool left the stage by breaching its limit, however soon
    released = moves.groupby("id")["activity"].shift(-1).astype(object) == "released_to_pool"
    exit_time = exit_time.mask(released, np.inf)
    entries = moves["activity"].isin(["sql", "advanced"]) & (moves["stage"] == stage)
    return _within(exit_time[entries] - moves["time"][entries], moves["time"][entries], limit, horizon, timer_clock)


def _follow_up_cycle(leads: pd.DataFrame, stage_names: list[str], limit: float) -> float:
    """Share of consecutive sales touches on the same deal that are at most ``limit`` hours apart.
    A deal is one hand-over (``mql``) of a lead: time back in nurture is no follow-up gap."""
    moves = leads[leads["activity"].isin(["mql", "first_touch", *stage_names])]
    deal = (moves["activity"] == "mql").groupby(moves["id"]).cumsum()
    touches = moves["activity"] != "mql"
    gaps = moves.loc[touches, "time"].groupby([moves.loc[touches, "id"], deal[touches]]).diff().dropna()
    return float((gaps <= limit).mean()) if len(gaps) else float("nan")


def _busy_hours(events: pd.DataFrame, calendar: "WorkCalendar", horizon: float) -> pd.Series:
    """Person-hours of paid working time used before the horizon, per department. A task still
    running at the end counts only its working hours up to the end; a meeting counts the working
    hours it overlaps (one that runs past closing time is overtime, not paid time)."""
    if "work_hours" not in events:
        return pd.Series(dtype=float)
    columns = [c for c in ("time", "activity", "department", "work_hours", "crew") if c in events]
    work = events.loc[events["work_hours"].notna(), columns]
    done = np.empty(len(work))
    paid_until_end = calendar.work_hours_until_many(np.array([horizon]))[0]
    for lo in range(0, len(work), CHUNK_ROWS):  # in slices: a 10-year log has millions of tasks
        part = work.iloc[lo:lo + CHUNK_ROWS]
        start = part["time"].to_numpy(dtype=float)
        persons = part["crew"].fillna(1.0).to_numpy(dtype=float) if "crew" in part else np.ones(len(part))
        hours = part["work_hours"].to_numpy(dtype=float)
        started = calendar.work_hours_until_many(start)
        meeting_overlap = calendar.work_hours_until_many(np.minimum(start + hours, horizon)) - started
        left = np.where(part["activity"].to_numpy(dtype=object) == "meeting", meeting_overlap, paid_until_end - started)
        done[lo:lo + CHUNK_ROWS] = np.minimum(hours, persons * np.maximum(left, 0.0))
    return pd.Series(done, index=work.index).groupby(work["department"].astype(str)).sum()


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else float("nan")


class LogSummary(NamedTuple):
    """What the KPIs need from (a slice of) an event log: additive figures, summed over slices,
    and the few narrow rows the KPIs join per lead, order and ticket, concatenated in time order.
    A log read part by part never has to be in memory at once."""

    counts: pd.Series  # activity -> events in the window
    busy: pd.Series  # department -> person-hours of paid working time used
    totals: pd.Series  # additive sums, by name (see ``summarise``)
    leads: pd.DataFrame  # LEAD_COLUMNS of the lead rows some KPI joins
    orders: pd.DataFrame  # id, activity, time of order rows
    tickets: pd.DataFrame  # id, activity, time of ticket openings and first responses


def summarise(events: pd.DataFrame, scenario: "Scenario", days: float, calendar: "WorkCalendar",
              warmup_days: float = 0.0) -> LogSummary:
    """The :class:`LogSummary` of ``events``: the whole log, or one time-ordered slice of it."""
    horizon, window_start = days * HOURS_PER_DAY, warmup_days * HOURS_PER_DAY
    whole_log = events
    if window_start > 0:
        events = events[events["time"] >= window_start]
    busy = _busy_hours(whole_log, calendar, horizon)
    if window_start > 0:  # work done in the window, tasks started before it included
        busy = busy.sub(_busy_hours(whole_log, calendar, window_start), fill_value=0.0)
    act = events["activity"] if len(events) else pd.Series(dtype=str)
    counts = act.value_counts()
    # only the rows and columns the lead KPIs read (no nurture touches): a 10-year log is millions of rows
    stage_names = _stage_names(scenario)
    lead_activities = [*LEAD_ACTIVITIES, *stage_names]  # unique: stages may not be named like activities
    read = (events["kind"] == "lead") & act.isin(lead_activities)
    leads = _with_categories(events.loc[read, [c for c in LEAD_COLUMNS if c in events]],
                             {"activity": lead_activities, "grade": list(GRADE_ORDER),
                              "stage": [*stage_names, "closing"]})
    orders = _as_text(events.loc[events["kind"] == "order", ["id", "activity", "time"]])
    tickets = _as_text(events.loc[act.isin(["ticket_opened", "ticket_response"]), ["id", "activity", "time"]])

    rate = _hourly_rates(scenario)
    meetings = events[act == "meeting"]
    won_rows = events[act == "won"]
    resolved = events[act == "dispute_resolved"]
    column_sum = lambda rows, column: float(rows[column].sum()) if len(rows) and column in rows else 0.0  # noqa: E731
    totals = {
        "meeting_hours": column_sum(meetings, "work_hours"),
        "meeting_cost": float((meetings["work_hours"] * meetings["department"].astype(str).map(rate)).sum())
        if len(meetings) else 0.0,
        "revenue": column_sum(won_rows, "value"),
        "event_revenue": column_sum(won_rows[won_rows["campaign"].notna()], "value") if "campaign" in won_rows else 0.0,
        "executive_decisions": float((resolved["level"] == "executive").sum()) if len(resolved) else 0.0,
        "dispute_hours": column_sum(resolved, "hours"),
        "disputes_timed": float(resolved["hours"].notna().sum()) if len(resolved) else 0.0,
        "collaboration_hours": column_sum(events[act == "feedback_note"], "work_hours"),
        "liaison_hours": column_sum(events[act == "liaison"], "work_hours"),
        "changeover_hours": column_sum(events[act == "production_run"], "changeover_hours"),
    }
    return LogSummary(counts, busy, pd.Series(totals, dtype=float), leads, orders, tickets)


def _stage_names(scenario: "Scenario") -> list[str]:
    return [stage.name for stage in scenario.funnel.stages]


def _hourly_rates(scenario: "Scenario") -> dict[str, float]:
    """Hourly cost per department (currency per person-hour)."""
    return {d: scenario.organisation.department(d).hourly_cost for d in DEPARTMENTS}


def _as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Categorical columns as plain text, so slices with different categories concatenate."""
    for column in frame.columns:
        if isinstance(frame[column].dtype, pd.CategoricalDtype):
            frame[column] = frame[column].astype(str).where(frame[column].notna())
    return frame


def _with_categories(frame: pd.DataFrame, known: dict[str, list[str]]) -> pd.DataFrame:
    """Text columns as categoricals over fixed ``known`` categories, so the slices of a long log
    concatenate as one-byte codes (a value outside them is kept: that slice then has more
    categories, and the concatenation falls back to plain text)."""
    for column, categories in known.items():
        if column in frame:
            present = frame[column].dropna().astype(str).unique()
            extra = sorted(set(present) - set(categories))
            frame[column] = pd.Categorical(frame[column].astype(object), categories=[*categories, *extra])
    return frame


def combine(summaries: Iterable[LogSummary]) -> LogSummary:
    """One :class:`LogSummary` from those of consecutive slices of a log (at least one).

    Sums are added slice by slice, so KPIs from a sliced log equal those of the whole log up to
    floating-point rounding (well below 1e-9 relative), not to the bit."""
    parts = list(summaries)
    if len(parts) == 1:
        return parts[0]
    add = lambda series: reduce(lambda a, b: a.add(b, fill_value=0), series)  # noqa: E731
    return LogSummary(add(p.counts for p in parts), add(p.busy for p in parts), add(p.totals for p in parts),
                      _in_time_order([p.leads for p in parts]), _in_time_order([p.orders for p in parts]),
                      _in_time_order([p.tickets for p in parts]))


def _in_time_order(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """The slices' rows as one frame; sorted (stably) only if the slices were not in time order."""
    frame = pd.concat(frames, ignore_index=True)
    if not frame["time"].is_monotonic_increasing:
        frame = frame.sort_values("time", kind="stable", ignore_index=True)
    return frame


def compute_kpis(events: pd.DataFrame | Iterable[pd.DataFrame], scenario: "Scenario", days: float,
                 calendar: "WorkCalendar", warmup_days: float = 0.0) -> pd.Series:
    """All KPIs of :data:`KPIS` from one run's event log: a DataFrame, or its consecutive slices
    (e.g. the parts of a streamed log, read one at a time).

    With ``warmup_days`` > 0 only events after the warm-up count, and paid hours, staff and
    platform cost cover the window after it (steady-state estimates without the start-up transient)."""
    slices = [events] if isinstance(events, pd.DataFrame) else events
    summaries = [summarise(frame, scenario, days, calendar, warmup_days) for frame in slices]
    if not summaries:  # a log with no events at all
        summaries = [summarise(empty_frame(), scenario, days, calendar, warmup_days)]
    summary = combine(summaries)
    return kpis_from_summary(summary, scenario, days, calendar, warmup_days)


def kpis_from_summary(summary: LogSummary, scenario: "Scenario", days: float, calendar: "WorkCalendar",
                      warmup_days: float = 0.0) -> pd.Series:
    """The KPI Series from a (combined) :class:`LogSummary`."""
    horizon = days * HOURS_PER_DAY
    window_start = warmup_days * HOURS_PER_DAY
    sla = scenario.policy.sla
    # SLA timers count working hours when the policy says so (sales timers only; service is clock time)
    timer_clock = calendar.work_hours_until_many if sla.timers_in_working_hours else None
    counts, totals, leads, busy = summary.counts, summary.totals, summary.leads, summary.busy
    n = lambda name: int(counts.get(name, 0))  # noqa: E731
    stage_names = _stage_names(scenario)
    episodes = _episodes(leads) if n("mql") else pd.DataFrame(columns=["handed_at", "touched_at", "grade", "won_at"])
    waits = episodes["touched_at"] - episodes["handed_at"]
    touched = waits.dropna()
    hot = episodes["grade"].isin(["L4", "L5"])

    last_activity = leads[leads["activity"].isin(TERMINAL)].groupby("id")["activity"].last()
    created_ids = leads.loc[leads["activity"] == "created", "id"]
    terminal = last_activity.reindex(created_ids).dropna()

    orders = summary.orders
    order_times = orders.pivot_table(index="id", columns="activity", values="time", aggfunc="min", observed=True) \
        if len(orders) else pd.DataFrame()
    lead_time = (order_times["delivered"] - order_times["order_created"]).dropna() / HOURS_PER_DAY \
        if {"delivered", "order_created"} <= set(order_times.columns) else pd.Series(dtype=float)

    tickets = summary.tickets
    opened = tickets[tickets["activity"] == "ticket_opened"].set_index("id")["time"]
    responded = tickets[tickets["activity"] == "ticket_response"].set_index("id")["time"]
    response = responded.reindex(opened.index) - opened

    paid_hours = calendar.work_hours_until(horizon) - (calendar.work_hours_until(window_start) if window_start > 0 else 0.0)
    org = scenario.organisation
    rate = _hourly_rates(scenario)
    staff_cost = sum(org.department(d).staff * rate[d] for d in rate) * paid_hours + \
        org.coordination_managers * org.coordination_manager_hourly_cost * paid_hours

    def utilisation(department: str) -> float:
        share = _ratio(float(busy.get(department, 0.0)), org.department(department).staff * paid_hours)
        return 1.0 if 1.0 < share < 1.0 + 1e-9 else share  # a fully busy team, summed with float rounding

    revenue, event_revenue = float(totals["revenue"]), float(totals["event_revenue"])
    policy = scenario.policy
    bonus = incentives.bonus_cost(revenue, event_revenue, policy.incentives)
    platform = policy.information.platform_cost_per_month * (days - warmup_days) / 30.4375 if policy.information.mode == "platform" else 0.0
    executive = int(totals["executive_decisions"])
    escalation = executive * policy.disputes.executive_hours_per_decision * policy.disputes.executive_hourly_cost
    values = {
        "leads_created": n("created"),
        "mql": n("mql"),
        "sql": n("sql"),
        "won": n("won"),
        "lost": n("lost"),
        "open_at_end": int(len(created_ids) - len(terminal)),
        "mql_quality_pct": float(episodes["grade"].isin(["L3", "L4", "L5"]).mean()) if len(episodes) else float("nan"),
        "conversion_mql_to_sql": _ratio(n("sql"), n("sql") + n("invalid")),
        "conversion_sql_to_won": _ratio(n("won"), n("sql")),
        "conversion_lead_to_won": _ratio(n("won"), n("created")),
        "first_touch_median_hours": float(touched.median()) if len(touched) else float("nan"),
        "first_touch_p90_hours": float(touched.quantile(0.9)) if len(touched) else float("nan"),
        "sla_first_touch_pct": _within(waits, episodes["handed_at"], sla.first_touch.hours, horizon, timer_clock),
        "sla_hot_lead_pct": _within(waits[hot], episodes["handed_at"][hot], sla.hot_lead_first_touch.hours, horizon,
                                    timer_clock),
        "sla_follow_up_pct": _within(waits, episodes["handed_at"], sla.auto_release.hours, horizon, timer_clock),
        "sla_follow_up_cycle_pct": _follow_up_cycle(leads, stage_names, sla.follow_up_days * HOURS_PER_DAY),
        "sla_stage_dwell_pct": _stage_dwell(leads, sla.stage_dwell_stage, sla.stage_dwell.hours, horizon, timer_clock) if n("sql") else float("nan"),
        "sla_service_response_pct": _within(response, opened, scenario.service.response_sla_hours, horizon),
        "sla_escalations": n("sla_escalated"),
        "released_to_pool": n("released_to_pool"),
        "claimed_from_pool": n("claimed_from_pool"),
        "recycled": n("recycled"),
        "dormant": n("dormant"),
        "discarded": n("discarded"),
        "revenue": revenue,
        "sales_cycle_days": float((episodes["won_at"] - episodes["handed_at"]).mean() / HOURS_PER_DAY) if n("won") else float("nan"),
        "orders": n("order_created"),
        "order_lead_time_days": float(lead_time.mean()) if len(lead_time) else float("nan"),
        "backorders": n("backordered"),
        "backorder_rate": _ratio(n("backordered"), n("order_created")),
        "service_response_hours": float(response.mean()) if response.notna().any() else float("nan"),
        "customers": n("onboarded"),
        "churned": n("churned"),
        "churn_rate": _ratio(n("churned"), n("onboarded")),
        "utilisation_marketing": utilisation("marketing"),
        "utilisation_sales": utilisation("sales"),
        "utilisation_production": utilisation("production"),
        "utilisation_service": utilisation("service"),
        "meeting_hours": float(totals["meeting_hours"]),
        "meeting_cost": float(totals["meeting_cost"]),
        "staff_cost": float(staff_cost),
        "collaboration_hours": float(totals["collaboration_hours"]),
        "liaison_hours": float(totals["liaison_hours"]),
        "changeover_hours": float(totals["changeover_hours"]),
        "disputes": n("dispute_opened"),
        "dispute_hours_mean": _ratio(float(totals["dispute_hours"]), float(totals["disputes_timed"])),
        "executive_decisions": executive,
        "bonus_cost": bonus,
        "platform_cost": platform,
        "escalation_cost": escalation,
        "total_cost": float(staff_cost) + bonus + platform + escalation,
    }
    return pd.Series({name: values[name] for name in KPIS}, dtype=float, name="value")


def format_value(name: str, value: float) -> str:
    """A KPI value as a person reads it: fractions as %, money with separators."""
    if value != value:  # nan
        return "n/a"
    unit = KPIS[name].unit if name in KPIS else ""
    if unit == "fraction":
        return f"{value:.1%}"
    if unit == "currency":
        return f"{value:,.0f}"
    if unit in ("hours", "days"):
        return f"{value:,.1f}"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def kpi_table(kpis: pd.Series) -> pd.DataFrame:
    """KPIs with formatted values, units, groups and descriptions, ready to print."""
    rows = [(name, format_value(name, value), KPIS[name].unit if name in KPIS else "",
             KPIS[name].group if name in KPIS else "other",
             KPIS[name].description if name in KPIS else "") for name, value in kpis.items()]
    return pd.DataFrame(rows, columns=["kpi", "value", "unit", "group", "meaning"]).set_index("kpi")


def format_kpis(kpis: pd.Series) -> str:
    """A readable report: one section per KPI group, values formatted by unit."""
    table = kpi_table(kpis)
    width = max(len(name) for name in table.index) + 2
    lines = []
    for group in (*GROUPS, "other"):
        section = table[table["group"] == group]
        if section.empty:
            continue
        lines.append(f"\n{group.upper()}")
        lines += [f"  {name:<{width}}{row.value:>14}  {row.unit}" for name, row in section.iterrows()]
    return "\n".join(lines).lstrip("\n")
