"""Working-time calendar: when staff are at work.

Simulation time is in hours since midnight of the scenario's start date.
Staff work only inside opening intervals; a task of ``h`` work hours started
on Friday at 17:00 with a 09:00-18:00 day finishes on Monday at 10:00.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right

import numpy as np

from simcoord.scenario.schema import CalendarSpec
from simcoord.vocabulary import HOURS_PER_DAY, NEVER, WEEKDAYS


class WorkCalendar:
    """Opening intervals over a horizon, with work-time arithmetic.

    ``always_open`` calendars (24/7) reduce every operation to plain clock time.
    """

    def __init__(self, spec: CalendarSpec, horizon_days: int, margin_days: int = 730) -> None:
        self.always_open = spec.always_open
        self.start_date = spec.start_date
        self._opens: list[float] = []
        self._closes: list[float] = []
        self._cum_start: list[float] = []  # work hours before each interval
        self._cum_end: list[float] = []
        if not self.always_open:
            self._add_working_days(spec, horizon_days + margin_days)

    def _add_working_days(self, spec: CalendarSpec, days: int) -> None:
        """One opening interval for each working day, holidays excepted, of the first ``days`` days."""
        holidays = set(spec.holidays)
        open_weekdays = {WEEKDAYS.index(weekday) for weekday in spec.working_days}  # Monday is 0, as date.weekday()
        total = 0.0
        for day in range(days):
            date = spec.start_date + dt.timedelta(days=day)
            if date.weekday() not in open_weekdays or date in holidays:
                continue
            start, end = day * HOURS_PER_DAY + spec.day_start_hour, day * HOURS_PER_DAY + spec.day_end_hour
            self._opens.append(start)
            self._closes.append(end)
            self._cum_start.append(total)
            total += end - start
            self._cum_end.append(total)

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
