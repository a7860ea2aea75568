"""Working-time arithmetic: opening hours, nights, weekends, holidays and 24/7 calendars.

Time 0 is midnight of Monday 2026-01-05; the default day is 09:00-18:00, Monday to Friday.
"""

from __future__ import annotations

import datetime as dt
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simcoord.scenario.calendar import WorkCalendar
from simcoord.scenario.schema import CalendarSpec

DAY = 24.0
MON, TUE, WED, FRI, SAT = 0.0, DAY, 2 * DAY, 4 * DAY, 5 * DAY
NEXT_MON = 7 * DAY


def office(**fields) -> WorkCalendar:
    return WorkCalendar(CalendarSpec(**fields), horizon_days=60)


@pytest.mark.parametrize(("t", "expected"), [
    (MON + 8, MON + 9),           # before opening: today 09:00
    (MON + 9, MON + 9),           # opening instant is open
    (MON + 10.5, MON + 10.5),     # inside the day: now
    (MON + 18, TUE + 9),          # closing instant is closed
    (MON + 23, TUE + 9),          # night: next morning
    (FRI + 19, NEXT_MON + 9),     # Friday evening: Monday morning
    (SAT + 12, NEXT_MON + 9),     # weekend: Monday morning
])
def test_next_open(t, expected):
    assert office().next_open(t) == expected


@pytest.mark.parametrize(("t", "hours", "expected"), [
    (MON + 9, 3, MON + 12),           # within a day
    (MON + 17, 1, MON + 18),          # ends exactly at closing
    (MON + 17, 2, TUE + 10),          # across a night
    (TUE + 2, 3, TUE + 12),           # started in the night: counts from opening
    (FRI + 17, 2, NEXT_MON + 10),     # across a weekend: the brief's Friday 17:00 example
    (FRI + 20, 9, NEXT_MON + 18),     # a full working day queued on Friday evening
    (MON + 9, 45, FRI + 18),          # a whole working week: ends Friday 18:00
    (MON + 12, 0, MON + 12),          # no work: now
])
def test_add_work_hours(t, hours, expected):
    assert office().add_work_hours(t, hours) == pytest.approx(expected)


def test_holidays_are_skipped():
    calendar = office(holidays=[dt.date(2026, 1, 6)])  # Tuesday
    assert not calendar.is_open(TUE + 10)
    assert calendar.next_open(MON + 18.5) == WED + 9
    assert calendar.add_work_hours(MON + 17, 2) == WED + 10
    assert calendar.work_hours_between(MON + 9, WED + 18) == 18


def test_work_hours_between_counts_only_opening_hours():
    calendar = office()
    assert calendar.work_hours_between(FRI + 17, NEXT_MON + 10) == 2
    assert calendar.work_hours_between(MON, NEXT_MON) == 45
    assert calendar.work_hours_until(TUE + 3) == 9


def test_is_open():
    calendar = office()
    assert calendar.is_open(MON + 9) and calendar.is_open(MON + 17.99)
    assert not calendar.is_open(MON + 18) and not calendar.is_open(SAT + 12) and not calendar.is_open(MON + 8.99)


def test_start_date_on_a_saturday_opens_on_monday():
    calendar = office(start_date=dt.date(2026, 1, 10))
    assert calendar.next_open(0.0) == 2 * DAY + 9


def test_weekend_shift_calendar():
    calendar = office(working_days=["sat", "sun"], day_start_hour=8, day_end_hour=20)
    assert calendar.next_open(MON + 10) == SAT + 8
    assert calendar.add_work_hours(SAT + 19, 2) == SAT + DAY + 9
    assert CalendarSpec(working_days=["sat", "sun"], day_start_hour=8, day_end_hour=20).hours_per_week == 24


def test_always_open_is_plain_clock_time():
    calendar = WorkCalendar(CalendarSpec(always_open=True), horizon_days=10)
    assert calendar.next_open(FRI + 19) == FRI + 19
    assert calendar.add_work_hours(FRI + 19, 10) == FRI + 29
    assert calendar.work_hours_until(50.5) == 50.5
    assert calendar.is_open(SAT + 3)
    assert CalendarSpec(always_open=True).hours_per_week == 168
    assert CalendarSpec().hours_per_week == 45


def test_past_the_calendar_end_nothing_opens():
    calendar = WorkCalendar(CalendarSpec(), horizon_days=7, margin_days=0)
    assert calendar.next_open(8 * DAY) == math.inf
    assert calendar.add_work_hours(FRI + 9, 100) == math.inf


@settings(max_examples=200, deadline=None)
@given(start=st.floats(0, 30 * DAY), hours=st.floats(0.01, 200))
def test_add_work_hours_adds_exactly_that_much_working_time(start, hours):
    calendar = office(holidays=[dt.date(2026, 1, 14)])
    end = calendar.add_work_hours(start, hours)
    assert end > start
    assert calendar.work_hours_between(start, end) == pytest.approx(hours, abs=1e-6)
    # it ends inside opening hours or exactly at a closing time, never later than needed
    assert calendar.is_open(end) or calendar.is_open(end - 1e-6)
