"""Working-time calendar: when staff are at work.

Simulation time is in hours since midnight of the scenario's start date.
Staff work only inside opening intervals; a task of ``h`` work hours started
on Friday at 17:00 with a 09:00-18:00 day finishes on Monday at 10:00.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from typing import Iterable

import numpy as np

from simcoord.scenario.schema import CalendarSpec, Scenario
from simcoord.vocabulary import DEPARTMENTS, HOURS_PER_DAY, NEVER, WEEKDAYS


class WorkCalendar:
    """Opening intervals over a horizon, with work-time arithmetic.

    ``always_open`` calendars (24/7) reduce every operation to plain clock time.
    """

    def __init__(self, spec: CalendarSpec, horizon_days: int, margin_days: int = 730) -> None:
        self.always_open = spec.always_open
        self.start_date = spec.start_date
        self.span_days = horizon_days + margin_days  # days the opening intervals cover
        self._others: dict[str, WorkCalendar] = {}
        self._opens: list[float] = []
        self._closes: list[float] = []
        self._cum_start: list[float] = []  # work hours before each interval
        self._cum_end: list[float] = []
        if not self.always_open:
            self._add_working_days(spec, horizon_days + margin_days)

    def _add_working_days(self, spec: CalendarSpec, days: int) -> None:
        """One opening interval for each working day, holidays excepted, of the first ``days`` days."""
        holidays = set(spec.holidays)
        # Monday is 0, as date.weekday(); each working weekday has its window in hours of the day
        windows = {WEEKDAYS.index(weekday): spec.window(weekday) for weekday in spec.working_days}
        total = 0.0
        for day in range(days):
            date = spec.start_date + dt.timedelta(days=day)
            if date.weekday() not in windows or date in holidays:
                continue
            day_start_hour, day_end_hour = windows[date.weekday()]
            start, end = day * HOURS_PER_DAY + day_start_hour, day * HOURS_PER_DAY + day_end_hour
            self._opens.append(start)
            self._closes.append(end)
            self._cum_start.append(total)
            total += end - start
            self._cum_end.append(total)

    def like(self, spec: CalendarSpec) -> "WorkCalendar":
        """A calendar of ``spec`` over the same days as this one (built once per spec)."""
        key = spec.model_dump_json()
        if key not in self._others:
            self._others[key] = WorkCalendar(spec, horizon_days=self.span_days, margin_days=0)
        return self._others[key]

    def is_open(self, t: float) -> bool:
        if self.always_open:
            return True
        k = bisect_right(self._opens, t) - 1
        return k >= 0 and t < self._closes[k]

    def next_open(self, t: float) -> float:
        """The earliest time >= t at which staff are at work (:data:`NEVER` past the calendar's end)."""
        if self.always_open:
            return t
        k = bisect_right(self._opens, t) - 1
        if k >= 0 and t < self._closes[k]:
            return t
        return self._opens[k + 1] if k + 1 < len(self._opens) else NEVER

    def work_hours_until(self, t: float) -> float:
        """Working hours elapsed from time 0 to time t."""
        if self.always_open:
            return t
        k = bisect_right(self._opens, t) - 1
        if k < 0:
            return 0.0
        return self._cum_start[k] + min(t, self._closes[k]) - self._opens[k]

    def work_hours_until_many(self, times: np.ndarray) -> np.ndarray:
        """:meth:`work_hours_until` for an array of times (hours), vectorised."""
        times = np.asarray(times, dtype=float)
        if self.always_open:
            return times.copy()
        if not self._opens:
            return np.zeros_like(times)
        opens, closes, before = np.asarray(self._opens), np.asarray(self._closes), np.asarray(self._cum_start)
        k = np.searchsorted(opens, times, side="right") - 1
        inside = np.clip(k, 0, None)
        done = before[inside] + np.minimum(times, closes[inside]) - opens[inside]
        return np.where(k >= 0, done, 0.0)

    def last_opening_many(self, times: np.ndarray) -> np.ndarray:
        """For each time (hours), when the latest opening at or before it was (-inf before the first;
        vectorised). Always-open calendars never open: -inf."""
        times = np.asarray(times, dtype=float)
        if self.always_open or not self._opens:
            return np.full_like(times, -np.inf)
        opens = np.asarray(self._opens)
        k = np.searchsorted(opens, times, side="right") - 1
        return np.where(k >= 0, opens[np.clip(k, 0, None)], -np.inf)

    def add_work_hours(self, t: float, hours: float) -> float:
        """The time at which ``hours`` of work started (or queued) at ``t`` is done."""
        if self.always_open:
            return t + hours
        if hours <= 0:
            return t
        target = self.work_hours_until(t) + hours
        k = bisect_left(self._cum_end, target)
        if k >= len(self._opens):
            return NEVER
        return self._opens[k] + (target - self._cum_start[k])

    def work_hours_between(self, start: float, end: float) -> float:
        """Working hours in the clock interval [start, end] (e.g. SLA clocks in working time)."""
        return self.work_hours_until(end) - self.work_hours_until(start)


def department_calendars(scenario: Scenario, company: WorkCalendar) -> dict[str, WorkCalendar]:
    """Each department's working calendar: ``company`` itself unless the scenario gives the
    department its own week (``organisation.<department>.calendar``)."""
    return {department: company if scenario.organisation.department(department).calendar is None
            else company.like(scenario.department_calendar(department)) for department in DEPARTMENTS}


def review_calendar(scenario: Scenario, company: WorkCalendar) -> WorkCalendar:
    """The calendar of the screen's reviewers: ``company`` itself unless the screen gives them
    their own week (``funnel.screen.review_calendar``)."""
    screen = scenario.funnel.screen
    return company if screen is None or screen.review_calendar is None else company.like(scenario.review_calendar())


def step_calendars(scenario: Scenario, company: WorkCalendar) -> dict[str, WorkCalendar]:
    """The calendars of the sales steps with working hours of their own (``first_touch``, stage
    names): e.g. a back office that validates files in office hours while the call centre that
    phones the customers works into the evening."""
    return {step: company.like(spec) for step, spec in scenario.step_calendars().items()}


def next_open_together(calendars: Iterable[WorkCalendar], t: float) -> float:
    """The earliest time >= t at which every calendar is open (:data:`NEVER` if they never are
    within their span): e.g. when the attendees of a meeting from several teams can meet."""
    calendars = list(calendars)
    while t < NEVER:
        latest = max((calendar.next_open(t) for calendar in calendars), default=t)
        if latest == t:
            return t
        t = latest
    return NEVER
