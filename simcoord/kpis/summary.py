"""What the KPIs need from an event log, read slice by slice: a :class:`LogSummary`.

A long log is read part by part (a streamed log's parts) and never held in memory at once: each
slice is summarised, and the summaries are combined. Times are in clock hours since the start date.
"""

from __future__ import annotations

from functools import reduce
from typing import TYPE_CHECKING, Iterable, NamedTuple

import numpy as np
import pandas as pd

from simcoord.scenario.calendar import department_calendars
from simcoord.vocabulary import CANCELLED, CLOSING, DECLINED, DEPARTMENTS, GRADES, HOURS_PER_DAY, TERMINAL

if TYPE_CHECKING:
    from simcoord.scenario.calendar import WorkCalendar
    from simcoord.scenario.schema import Scenario

LEAD_COLUMNS = ("id", "time", "activity", "grade", "stage")
#: Lead activities some KPI joins per lead (besides the funnel's stage names): episodes, terminal
#: states, stage moves. Nurture touches and wake-up attempts are only counted, never joined.
JOINED_LEAD_ACTIVITIES = ("created", *TERMINAL, "mql", "first_touch", "sql", "advanced", "lost", "released_to_pool",
                          "resumed")
CHUNK_ROWS = 262_144  # rows per slice of vectorised work-time arithmetic


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
    """The :class:`LogSummary` of ``events``: the whole log, or one time-ordered slice of it.
    ``days`` is the horizon; only events after ``warmup_days`` count."""
    horizon, window_start = days * HOURS_PER_DAY, warmup_days * HOURS_PER_DAY
    calendars = _calendars_of_rows(scenario, calendar)
    busy = _busy_hours(events, calendars, horizon)
    if window_start > 0:  # work done in the window, tasks started before it included
        busy = busy.sub(_busy_hours(events, calendars, window_start), fill_value=0.0)
        events = events[events["time"] >= window_start]
    activity = events["activity"] if len(events) else pd.Series(dtype=str)
    orders = _as_text(events.loc[events["kind"] == "order", ["id", "activity", "time"]])
    tickets = _as_text(events.loc[activity.isin(["ticket_opened", "ticket_response"]), ["id", "activity", "time"]])
    return LogSummary(activity.value_counts(), busy, _totals(events, activity, scenario),
                      _joined_lead_rows(events, activity, scenario), orders, tickets)


def stage_names(scenario: "Scenario") -> list[str]:
    """The funnel's stage names, in funnel order."""
    return [stage.name for stage in scenario.funnel.stages]


def hourly_rates(scenario: "Scenario") -> dict[str, float]:
    """Hourly cost per department (currency per person-hour), in :data:`DEPARTMENTS` order."""
    return {d: scenario.organisation.department(d).hourly_cost for d in DEPARTMENTS}


def _joined_lead_rows(events: pd.DataFrame, activity: pd.Series, scenario: "Scenario") -> pd.DataFrame:
    """Only the rows and columns the lead KPIs join (no nurture touches): a 10-year log is millions of rows."""
    stages = stage_names(scenario)
    lead_activities = [*JOINED_LEAD_ACTIVITIES, *stages]  # unique: stages may not be named like activities
    read = (events["kind"] == "lead") & activity.isin(lead_activities)
    return _with_categories(events.loc[read, [c for c in LEAD_COLUMNS if c in events]],
                            {"activity": lead_activities, "grade": list(GRADES), "stage": [*stages, CLOSING]})


def _column_sum(rows: pd.DataFrame, column: str) -> float:
    return float(rows[column].sum()) if len(rows) and column in rows else 0.0


def _rows_where(events: pd.DataFrame, rows: pd.Series, column: str, value: str) -> float:
    """How many of the ``rows`` (a mask of ``events``) have ``value`` in ``column`` (0 when it is absent)."""
    return float((rows & (events[column] == value)).sum()) if len(events) and column in events else 0.0


def _meeting_cost(meetings: pd.DataFrame, rates: dict[str, float]) -> float:
    """Cost of the meeting rows' attendee-hours (currency)."""
    if not len(meetings):
        return 0.0
    return float((meetings["work_hours"] * meetings["department"].astype(str).map(rates)).sum())


def _totals(events: pd.DataFrame, activity: pd.Series, scenario: "Scenario") -> pd.Series:
    """The additive sums some KPI reads: hours, costs and revenue, by name."""
    meetings, won = events[activity == "meeting"], events[activity == "won"]
    resolved = events[activity == "dispute_resolved"]
    totals = {
        "meeting_hours": _column_sum(meetings, "work_hours"),
        "meeting_cost": _meeting_cost(meetings, hourly_rates(scenario)),
        "revenue": _column_sum(won, "value"),
        "event_revenue": _column_sum(won[won["campaign"].notna()], "value") if "campaign" in won else 0.0,
        "executive_decisions": float((resolved["level"] == "executive").sum()) if len(resolved) else 0.0,
        "dispute_hours": _column_sum(resolved, "hours"),
        "disputes_timed": float(resolved["hours"].notna().sum()) if len(resolved) else 0.0,
        "collaboration_hours": _column_sum(events[activity == "feedback_note"], "work_hours"),
        "liaison_hours": _column_sum(events[activity == "liaison"], "work_hours"),
        "changeover_hours": _column_sum(events[activity == "production_run"], "changeover_hours"),
        "cancelled": _rows_where(events, activity == "lost", "reason", CANCELLED),
        "screen_declined": _rows_where(events, activity == "screened", "outcome", DECLINED),
    }
    return pd.Series(totals, dtype=float)


def _calendars_of_rows(scenario: "Scenario", company: "WorkCalendar") -> dict[str | None, "WorkCalendar"]:
    """Department -> the calendar its staff are paid by; the key None (any other row) -> ``company``."""
    own = {department: calendar for department, calendar in department_calendars(scenario, company).items()
           if calendar is not company}
    return {None: company, **own}


def _busy_hours(events: pd.DataFrame, calendars: dict[str | None, "WorkCalendar"], horizon: float) -> pd.Series:
    """Person-hours of paid working time used before the horizon, per department, each on its
    department's calendar (``_calendars_of_rows``). A task still running at the end counts only its
    working hours up to the end; a meeting counts the working hours it overlaps (one that runs past
    closing time is overtime, not paid time)."""
    if "work_hours" not in events:
        return pd.Series(dtype=float)
    columns = [c for c in ("time", "activity", "department", "work_hours", "crew") if c in events]
    work = events.loc[events["work_hours"].notna(), columns]
    department = work["department"].astype(str)
    done = np.zeros(len(work))
    for calendar, rows in _rows_by_calendar(department.to_numpy(dtype=object), calendars):
        done[rows] = _paid_hours_on(work if rows.all() else work.iloc[rows], calendar, horizon)
    return pd.Series(done, index=work.index).groupby(department).sum()


def _rows_by_calendar(departments: np.ndarray, calendars: dict[str | None, "WorkCalendar"]
                      ) -> list[tuple["WorkCalendar", np.ndarray]]:
    """(calendar, mask of the rows it pays) for the company's calendar and each department's own."""
    own = [department for department in calendars if department is not None]
    pairs = [(calendars[None], ~np.isin(departments, own))]
    return pairs + [(calendars[department], departments == department) for department in own]


def _paid_hours_on(work: pd.DataFrame, calendar: "WorkCalendar", horizon: float) -> np.ndarray:
    """Person-hours of each task's work done in ``calendar``'s paid time before the horizon."""
    paid_until_end = calendar.work_hours_until_many(np.array([horizon]))[0]
    return np.concatenate([np.empty(0)] + [  # in slices: a 10-year log has millions of tasks
        _paid_hours_done(work.iloc[lo:lo + CHUNK_ROWS], calendar, horizon, paid_until_end)
        for lo in range(0, len(work), CHUNK_ROWS)])


def _paid_hours_done(tasks: pd.DataFrame, calendar: "WorkCalendar", horizon: float,
                     paid_until_end: float) -> np.ndarray:
    """Person-hours of each task's work done in paid time before the horizon."""
    start = tasks["time"].to_numpy(dtype=float)
    persons = tasks["crew"].fillna(1.0).to_numpy(dtype=float) if "crew" in tasks else np.ones(len(tasks))
    hours = tasks["work_hours"].to_numpy(dtype=float)
    started = calendar.work_hours_until_many(start)
    meeting_overlap = calendar.work_hours_until_many(np.minimum(start + hours, horizon)) - started
    left = np.where(tasks["activity"].to_numpy(dtype=object) == "meeting", meeting_overlap, paid_until_end - started)
    return np.minimum(hours, persons * np.maximum(left, 0.0))


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
    return LogSummary(*(_add(p.counts for p in parts), _add(p.busy for p in parts), _add(p.totals for p in parts)),
                      *(_in_time_order([getattr(p, rows) for p in parts]) for rows in ("leads", "orders", "tickets")))


def _add(series: Iterable[pd.Series]) -> pd.Series:
    """The sum of the slices' Series, label by label (a label missing from a slice counts 0)."""
    return reduce(lambda a, b: a.add(b, fill_value=0), series)


def _in_time_order(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """The slices' rows as one frame; sorted (stably) only if the slices were not in time order."""
    frame = pd.concat(frames, ignore_index=True)
    if not frame["time"].is_monotonic_increasing:
        frame = frame.sort_values("time", kind="stable", ignore_index=True)
    return frame
