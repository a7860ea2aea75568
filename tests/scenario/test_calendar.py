"""Working-time arithmetic: opening hours, nights, weekends, holidays and 24/7 calendars.

Time 0 is midnight of Monday 2026-01-05; the default day is 09:00-18:00, Monday to Friday.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from simcoord.scenario.calendar import WorkCalendar, next_open_together
from simcoord.scenario.loading import ScenarioError, scenario_from_dict
from simcoord.scenario.schema import CalendarSpec
from simcoord.vocabulary import WEEKDAYS

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


# ----------------------------------------------------------------- hours per weekday
def bank_week(**fields) -> CalendarSpec:
    """Monday to Saturday, 07:00-21:00, but Saturday 08:00-17:00 (a BPIC-2012-like bank)."""
    week = {"working_days": ["mon", "tue", "wed", "thu", "fri", "sat"], "day_start_hour": 7, "day_end_hour": 21,
            "hours": {"sat": [8, 17]}}
    return CalendarSpec(**{**week, **fields})


def test_each_weekday_opens_at_its_own_hours():
    calendar = WorkCalendar(bank_week(), horizon_days=60)
    assert calendar.next_open(MON + 6) == MON + 7
    assert calendar.next_open(FRI + 21) == SAT + 8          # Friday night: Saturday's later opening
    assert calendar.next_open(SAT + 17) == NEXT_MON + 7     # Saturday closes at 17:00, Sunday is off
    assert calendar.add_work_hours(SAT + 16, 2) == NEXT_MON + 8
    assert calendar.work_hours_between(MON, NEXT_MON) == 5 * 14 + 9
    assert bank_week().hours_per_week == 79


def test_hours_of_a_weekday_override_the_common_day():
    calendar = WorkCalendar(CalendarSpec(hours={"wed": [13, 15]}), horizon_days=14)
    assert not calendar.is_open(WED + 10)
    assert calendar.next_open(TUE + 18) == WED + 13
    assert calendar.work_hours_between(MON, NEXT_MON) == 4 * 9 + 2
    assert CalendarSpec(hours={"wed": [13, 15]}).hours_per_week == 38


def test_hours_per_week_counts_a_day_listed_twice_once():
    assert CalendarSpec(working_days=["sat", "sat"], hours={"sat": [8, 17]}).hours_per_week == 9


@settings(max_examples=100, deadline=None)
@given(windows=st.lists(st.tuples(st.integers(0, 23), st.integers(1, 24)).filter(lambda w: w[0] < w[1]),
                        min_size=7, max_size=7),
       open_days=st.lists(st.booleans(), min_size=7, max_size=7).filter(any),
       start=st.floats(0, 30 * DAY), hours=st.floats(0.01, 150))
def test_weekday_hours_arithmetic_is_consistent(windows, open_days, start, hours):
    days = [day for day, is_open in zip(WEEKDAYS, open_days) if is_open]
    spec = CalendarSpec(working_days=days, hours={day: windows[WEEKDAYS.index(day)] for day in days})
    calendar = WorkCalendar(spec, horizon_days=60)
    end = calendar.add_work_hours(start, hours)
    assume(end < math.inf)  # past the calendar's span work ends never (an hour a week covers 112 weeks, not 150 hours)
    assert calendar.work_hours_between(start, end) == pytest.approx(hours, abs=1e-6)
    assert calendar.is_open(end) or calendar.is_open(end - 1e-6)
    opened = calendar.next_open(start)
    assert calendar.is_open(opened) and calendar.work_hours_between(start, opened) == pytest.approx(0.0, abs=1e-9)
    times = np.array([start, end, opened])
    assert calendar.work_hours_until_many(times).tolist() == [calendar.work_hours_until(t) for t in times]
    assert calendar.work_hours_between(0, 7 * DAY) == pytest.approx(spec.hours_per_week)


@pytest.mark.parametrize(("calendar", "field", "problem"), [
    ({"hours": {"sat": [8, 17]}}, "calendar.hours.sat", "sat is not in working_days"),
    ({"hours": {"mon": [17, 8]}}, "calendar.hours.mon", "ends before it starts"),
    ({"hours": {"mon": [8, 25]}}, "calendar.hours.mon.1", "less than or equal to 24"),
    ({"hours": {"monday": [8, 17]}}, "calendar.hours.monday.[key]", "'mon'"),
    ({"hours": {"mon": [8]}}, "calendar.hours.mon", "needs [start, end]"),
    ({"hours": {"mon": 8}}, "calendar.hours.mon", "needs [start, end]"),
])
def test_bad_weekday_hours_are_one_line_naming_the_field(calendar, field, problem):
    with pytest.raises(ScenarioError) as error:
        scenario_from_dict({"calendar": calendar}, source="s.yaml")
    message = str(error.value)
    assert f": {field}: " in message and problem in message and "\n" not in message


@pytest.mark.parametrize(("team", "field", "problem"), [
    ({"hours": {"sun": [8, 9]}}, "organisation.sales.calendar.hours.sun", "sun is not in working_days"),
    ({"working_days": []}, "organisation.sales.calendar", "no working time"),
    ({"day_start_hour": 20}, "organisation.sales.calendar", "no working time"),
    ({"start_date": "2026-01-01"}, "organisation.sales.calendar.start_date", "unknown key"),
])
def test_bad_team_calendars_are_one_line_naming_the_field(team, field, problem):
    sales = {"staff": 3, "hourly_cost": 55, "calendar": team}
    with pytest.raises(ScenarioError) as error:
        scenario_from_dict({"organisation": {"sales": sales, "key_account_staff": 0}}, source="s.yaml")
    assert f": {field}: " in str(error.value) and problem in str(error.value)


def test_a_team_calendar_replaces_only_the_fields_it_gives():
    company = {"working_days": ["mon", "tue"], "holidays": ["2026-01-06"], "time_zone": "Europe/Amsterdam"}
    sales = {"staff": 3, "hourly_cost": 55, "calendar": {"hours": {"mon": [7, 21]}}}
    scenario = scenario_from_dict({"calendar": company, "organisation": {"sales": sales, "key_account_staff": 0}})
    own = scenario.department_calendar("sales")
    assert own.working_days == ("mon", "tue") and own.holidays == (dt.date(2026, 1, 6),)
    assert own.time_zone == "Europe/Amsterdam" and own.window("mon") == (7, 21) and own.window("tue") == (9, 18)
    assert scenario.department_calendar("service") is scenario.calendar


def test_calendars_without_the_new_fields_keep_their_content_hash():
    plain = scenario_from_dict({})
    assert "hours" not in plain.model_dump()["calendar"]
    assert "calendar" not in plain.model_dump()["organisation"]["sales"]
    assert "hourly_profile" not in plain.model_dump()["demand"]


def test_meetings_wait_until_every_calendar_is_open():
    weekdays = WorkCalendar(CalendarSpec(), horizon_days=14)
    tuesday_afternoons = weekdays.like(CalendarSpec(working_days=["tue"], hours={"tue": [13, 17]}))
    assert next_open_together([weekdays, tuesday_afternoons], MON + 9) == TUE + 13
    assert next_open_together([weekdays], SAT) == NEXT_MON + 9
    saturdays = weekdays.like(CalendarSpec(working_days=["sat"]))
    assert next_open_together([weekdays, saturdays], MON) == math.inf  # they never meet
