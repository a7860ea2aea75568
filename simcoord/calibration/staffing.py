"""Working hours and head counts from when, and by whom, work is started in a log.

A *work start* is a row with ``work_hours`` (a person's work item: a first touch, a stage's work,
a ticket response...) and a ``staff`` member: the only rows whose time says that someone was at
work then. Arrivals and automatic steps happen around the clock and say nothing of the hours.

Input: the lab-schema events (an imported log or a simulated run), already cut to the fitting
window; times are wall-clock hours since ``start_date`` 00:00.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from scipy import stats

from simcoord.calibration.estimates import Estimate, assumed, fitted
from simcoord.scenario.schema import CalendarSpec, OrganisationSpec
from simcoord.vocabulary import DEPARTMENTS, HOURS_PER_DAY, WEEKDAYS

#: The central share of a weekday's work starts its working window must hold (1.5 % cut each side).
CENTRAL_SHARE = 0.97
#: A weekday is a working day when it has at least this share of the busiest weekday's starts per day.
WORKING_DAY_SHARE = 0.05
#: A working weekday without a single work start is a holiday when at least this many were due.
MIN_STARTS_FOR_HOLIDAY = 10
DAYS_PER_WEEK = 7
#: A sales step gets working hours of its own only from at least this many work starts.
MIN_STEP_STARTS = 200
#: An hour of the company's day with under this share of a step's work starts is outside the step's hours.
STEP_CLOSED_SHARE = 0.005


def work_starts(events: pd.DataFrame, start_date: dt.date) -> pd.DataFrame:
    """The work starts by a named person: ``time``, ``day`` (since the start), ``weekday`` (0 =
    Monday), ``hour`` (of the local day, fractional), ``department`` and ``staff``."""
    rows = events[events["work_hours"].notna() & events["staff"].notna()] if "work_hours" in events else events[:0]
    day = (rows["time"] // HOURS_PER_DAY).astype(int)
    return pd.DataFrame({"time": rows["time"], "day": day, "weekday": (day + start_date.weekday()) % DAYS_PER_WEEK,
                         "hour": rows["time"] % HOURS_PER_DAY, "department": rows["department"].astype(str),
                         "staff": rows["staff"].astype(str)})


# --------------------------------------------------------------------------- calendar
def fit_calendar(events: pd.DataFrame, start_date: dt.date, time_zone: str) -> list[Estimate]:
    """Estimates of ``calendar``: ``working_days``, ``day_start_hour``/``day_end_hour`` (the
    window most working days share), ``hours`` for weekdays with a window of their own (only when
    some differ), ``holidays`` (working weekdays without any work where much was due) and
    ``time_zone`` (the log's, passed through). A weekday's window is the whole hours holding the
    central 97 % of its work starts."""
    starts = work_starts(events, start_date)
    if starts.empty:
        return assumed_calendar(time_zone, "the log has no work started by a named person (rows with "
                                           "work_hours and a resource), so its working hours cannot be seen")
    per_day = starts_per_weekday(starts, start_date)
    worked = [day for day in range(DAYS_PER_WEEK) if per_day[day] >= WORKING_DAY_SHARE * per_day.max()]
    windows = {day: central_window(starts.loc[starts["weekday"] == day, "hour"]) for day in worked}
    usual = pd.Series(list(windows.values())).mode().iloc[0]
    names, n = [WEEKDAYS[day] for day in worked], len(starts)
    found = (f"{n} work starts over {starts['day'].nunique()} days, by weekday per day: "
             + ", ".join(f"{WEEKDAYS[d]} {per_day[d]:.1f}" for d in range(DAYS_PER_WEEK)))
    estimates = [
        fitted("calendar.working_days", names, f"{found}; a working day has at least "
                                               f"{WORKING_DAY_SHARE:.0%} of the busiest weekday's", n),
        fitted("calendar.day_start_hour", float(usual[0]), window_basis(windows, usual), n, data=starts["hour"]),
        fitted("calendar.day_end_hour", float(usual[1]), window_basis(windows, usual), n, data=starts["hour"]),
        fitted("calendar.time_zone", time_zone, "the zone the log's wall-clock hours are read in (its mapping's)", n),
        holidays(starts, start_date, worked, per_day)]
    own = {WEEKDAYS[day]: [float(h) for h in window] for day, window in windows.items() if window != usual}
    if own:
        estimates.append(fitted("calendar.hours", own, "weekdays whose central 97 % of work starts fall in "
                                                       "other hours than the usual day's", n))
    return estimates


def fit_step_calendars(events: pd.DataFrame, start_date: dt.date, stages: list[str],
                       calendar: list[Estimate]) -> list[Estimate]:
    """Estimates of ``funnel.first_touch_calendar`` and ``funnel.stages.<i>.calendar``: a sales
    step's own hours where it keeps shorter ones than the company (``calendar``, its fitted week):
    the company's usual window less the whole hours at either end in which the step has almost no
    work starts (:data:`STEP_CLOSED_SHARE`), on the weekdays with that window. A call centre that
    phones customers from 9 h beside a back office that starts at 8 h makes the company open at
    8 h, but no customer is called before 9 h."""
    values = {estimate.path: estimate.value for estimate in calendar if not estimate.assumed}
    if "calendar.day_start_hour" not in values:
        return []
    usual = (int(values["calendar.day_start_hour"]), int(values["calendar.day_end_hour"]))
    own = values.get("calendar.hours") or {}
    days = [WEEKDAYS.index(day) for day in values["calendar.working_days"] if day not in own]
    starts = work_starts(events, start_date)
    starts = starts[starts["weekday"].isin(days)]
    activity = events.loc[starts.index, "activity"].astype(str).to_numpy()
    paths = {"first_touch": "funnel.first_touch_calendar",
             **{stage: f"funnel.stages.{i}.calendar" for i, stage in enumerate(stages)}}
    estimates = []
    for step, path in paths.items():
        hours = starts.loc[activity == step, "hour"]
        if len(hours) < MIN_STEP_STARTS or (window := step_window(hours, usual)) == usual:
            continue
        weekdays = ", ".join(WEEKDAYS[day] for day in days)
        estimates.append(fitted(path, {"day_start_hour": float(window[0]), "day_end_hour": float(window[1])},
                                f"of the {len(hours)} {step} work starts on {weekdays}, under {STEP_CLOSED_SHARE:.1%} "
                                f"fall in each whole hour of the company's {usual[0]}-{usual[1]} h outside "
                                f"{window[0]}-{window[1]} h", len(hours), data=hours))
    return estimates


def step_window(hours: pd.Series, usual: tuple[int, int]) -> tuple[int, int]:
    """The company's ``usual`` window ``[start, end)`` (whole hours) narrowed from either end past
    the hours holding under :data:`STEP_CLOSED_SHARE` of these starts (hours of the local day)."""
    share = np.bincount(hours.to_numpy(dtype=float).astype(int), minlength=24) / len(hours)
    start, end = usual
    while start < end - 1 and share[start] < STEP_CLOSED_SHARE:
        start += 1
    while end - 1 > start and share[end - 1] < STEP_CLOSED_SHARE:
        end -= 1
    return start, end


def assumed_calendar(time_zone: str, why: str) -> list[Estimate]:
    """The schema's default working week, each field assumed for ``why``."""
    default = CalendarSpec()
    return [assumed("calendar.working_days", list(default.working_days), why),
            assumed("calendar.day_start_hour", default.day_start_hour, why),
            assumed("calendar.day_end_hour", default.day_end_hour, why),
            fitted("calendar.time_zone", time_zone, "the zone the log's wall-clock hours are read in", 0),
            assumed("calendar.holidays", [], why)]


def starts_per_weekday(starts: pd.DataFrame, start_date: dt.date) -> np.ndarray:
    """Mean work starts per calendar day of each weekday (Mon..Sun) over the days the log spans."""
    days = np.arange(int(starts["day"].min()), int(starts["day"].max()) + 1)
    occurrences = np.bincount((days + start_date.weekday()) % DAYS_PER_WEEK, minlength=DAYS_PER_WEEK)
    return np.bincount(starts["weekday"], minlength=DAYS_PER_WEEK) / np.maximum(occurrences, 1)


def central_window(hours: pd.Series) -> tuple[int, int]:
    """The whole hours ``[start, end)`` of the local day holding the central 97 % of these starts."""
    cut = (1 - CENTRAL_SHARE) / 2
    low, high = np.quantile(hours.to_numpy(dtype=float), [cut, 1 - cut])
    return int(np.floor(low)), min(int(np.floor(high)) + 1, 24)


def window_basis(windows: dict[int, tuple[int, int]], usual: tuple[int, int]) -> str:
    """How the usual window was found, naming the weekdays that share it."""
    sharing = [WEEKDAYS[day] for day, window in windows.items() if window == usual]
    return (f"whole hours holding the central {CENTRAL_SHARE:.0%} of each weekday's work starts; "
            f"{usual[0]}-{usual[1]} h is the window of {', '.join(sharing)}")


def holidays(starts: pd.DataFrame, start_date: dt.date, worked: list[int], per_day: np.ndarray) -> Estimate:
    """Working weekdays inside the log's span without a single work start, where at least
    ``MIN_STARTS_FOR_HOLIDAY`` were due on that weekday (so that an empty day is no chance)."""
    counts = starts.groupby("day").size()
    days = np.arange(int(starts["day"].min()), int(starts["day"].max()) + 1)
    weekday = (days + start_date.weekday()) % DAYS_PER_WEEK
    empty = [day for day, wd in zip(days, weekday)
             if wd in worked and day not in counts.index and per_day[wd] >= MIN_STARTS_FOR_HOLIDAY]
    if not empty:
        return assumed("calendar.holidays", [], "no working weekday in the log is without work where much was "
                                                "due: no holidays detected, none assumed")
    dates = [(start_date + dt.timedelta(days=int(day))).isoformat() for day in empty]
    return fitted("calendar.holidays", dates, f"working weekdays without any of the {len(starts)} work starts "
                                              f"while at least {MIN_STARTS_FOR_HOLIDAY} were due", len(starts))


# --------------------------------------------------------------------------- staff
def fit_staff(events: pd.DataFrame, days: float) -> list[Estimate]:
    """Estimates of ``organisation``: each department's ``staff`` and (assumed) ``hourly_cost``,
    and ``key_account_staff`` (assumed 0).

    Head count is weighted by availability: the mean over the window's full weeks of the people
    who started work in the department that week (a part-timer or someone on leave counts for the
    weeks they worked). Its 95 % interval is the t interval of that weekly mean. A department with
    no work in the log gets no staff (assumed, saying so), never a default team."""
    starts = work_starts(events, dt.date(2000, 1, 3))  # a Monday: weekdays are not used here
    with_work = events.loc[events["work_hours"].notna(), "department"].astype(str) if "work_hours" in events \
        else pd.Series(dtype=str)
    defaults = OrganisationSpec()
    estimates = [department_staff(department, starts[starts["department"] == department],
                                  int((with_work == department).sum()), days) for department in DEPARTMENTS]
    estimates += [assumed(f"organisation.{department}.hourly_cost", defaults.department(department).hourly_cost,
                          "the log has no costs: the lab's default rate, to be replaced by the company's own")
                  for department in DEPARTMENTS]
    estimates.append(assumed("organisation.key_account_staff", 0, "the log does not say which people serve "
                                                                  "key accounts: no key-account team"))
    return estimates


def department_staff(department: str, starts: pd.DataFrame, work_rows: int, days: float) -> Estimate:
    """One department's head count from its people's weekly activity."""
    path = f"organisation.{department}.staff"
    if work_rows == 0:
        return assumed(path, 0, f"the log shows no work of {department}: the department is left out (no staff)")
    if starts.empty:
        default = OrganisationSpec().department(department).staff
        return assumed(path, default, f"the log shows {work_rows} work items of {department} but not who did "
                                      f"them: the lab's default head count, to be checked")
    weekly = weekly_active(starts, days)
    mean = float(weekly.mean())
    interval = None
    if len(weekly) > 1:
        half = stats.t.ppf(0.975, len(weekly) - 1) * weekly.std(ddof=1) / np.sqrt(len(weekly))
        interval = (round(float(mean - half), 2), round(float(mean + half), 2))
    basis = (f"mean over {len(weekly)} weeks of the people starting {department} work that week ({mean:.2f}; "
             f"{weekly.min()}-{weekly.max()} a week; {starts['staff'].nunique()} different people in all)")
    return fitted(path, max(1, int(round(mean))), basis, len(weekly), interval, weekly)


def weekly_active(starts: pd.DataFrame, days: float) -> np.ndarray:
    """People with a work start in each full week of the window (the whole window if shorter)."""
    full_weeks = int(days // DAYS_PER_WEEK)
    week = (starts["time"] // (DAYS_PER_WEEK * HOURS_PER_DAY)).astype(int)
    if full_weeks == 0:
        return np.array([starts["staff"].nunique()])
    active = starts[week < full_weeks].groupby(week[week < full_weeks])["staff"].nunique()
    return active.reindex(range(full_weeks), fill_value=0).to_numpy()
