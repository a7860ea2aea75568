"""Working week and head counts fitted from work starts: a simulated company's calendar (a
Saturday of its own, two holidays) and sales team come back, the same from its exported log; a
real log (BPIC 2012) gives office hours and no factory; a sales step that keeps shorter hours than
the company (the call centre's first touches) gets hours of its own."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from fitting_logs import DAYS, bpic, simulated, truth_scenario
from simcoord.calibration.staffing import fit_calendar, fit_staff, fit_step_calendars
from simcoord.calibration.fit import training_events
from simcoord.calibration.instances import with_repeated_work
from simcoord.model.company import simulate
from simcoord.vocabulary import DEPARTMENTS

ZONE = "Europe/Amsterdam"


def by_path(estimates) -> dict:
    return {estimate.path: estimate for estimate in estimates}


@pytest.fixture(scope="module")
def truth():
    return simulated()


@pytest.fixture(scope="module")
def calendar(truth):
    return by_path(fit_calendar(truth.events, truth.scenario.calendar.start_date, ZONE))


def values(fit: dict) -> dict:
    return {path: estimate.value for path, estimate in fit.items()}


def test_the_working_week_is_recovered_with_its_own_saturday(truth, calendar):
    spec = truth.scenario.calendar
    assert calendar["calendar.working_days"].value == list(spec.working_days)
    assert (calendar["calendar.day_start_hour"].value, calendar["calendar.day_end_hour"].value) == (
        spec.day_start_hour, spec.day_end_hour)
    assert calendar["calendar.hours"].value == {"sat": [8.0, 17.0]}
    assert calendar["calendar.time_zone"].value == ZONE
    assert all(estimate.source == "fitted" for estimate in calendar.values())


def test_holidays_are_the_working_days_without_any_work(truth, calendar):
    holidays = calendar["calendar.holidays"]
    assert holidays.value == [day.isoformat() for day in truth.scenario.calendar.holidays]


def test_the_sales_team_is_recovered_and_unseen_departments_get_no_staff(truth):
    fit = by_path(fit_staff(truth.events, DAYS))
    sales = fit["organisation.sales.staff"]
    assert sales.value == truth.scenario.organisation.sales.staff and sales.n == DAYS // 7
    assert sales.interval[0] <= sales.value <= sales.interval[1]
    for department in ("marketing", "production", "service"):
        unseen = fit[f"organisation.{department}.staff"]
        assert unseen.assumed and unseen.value == 0 and "no work" in unseen.basis
    costs = [fit[f"organisation.{department}.hourly_cost"] for department in DEPARTMENTS]
    assert all(cost.assumed and "no costs" in cost.basis for cost in costs)


def test_the_exported_log_read_back_gives_the_same_calendar_and_staff(truth, calendar):
    imported = truth.imported
    read_back = by_path(fit_calendar(imported.events, imported.start_date, ZONE))
    assert values(read_back) == values(calendar)
    assert values(by_path(fit_staff(imported.events, DAYS))) == values(by_path(fit_staff(truth.events, DAYS)))


def test_part_timers_count_for_the_weeks_they_work():
    weeks = [0, 0, 1, 1, 2, 3]  # ann works every week, bob in weeks 0 and 1 of four
    events = pd.DataFrame({"kind": "lead", "activity": "first_touch", "department": "sales",
                           "time": [168.0 * week + 10 for week in weeks], "work_hours": 0.5,
                           "staff": ["ann", "bob", "ann", "bob", "ann", "ann"]})
    sales = by_path(fit_staff(events, 28))["organisation.sales.staff"]
    assert list(sales.data) == [2, 2, 1, 1] and sales.value == 2 and "1.50" in sales.basis


def test_work_nobody_is_named_for_is_flagged_and_a_log_without_work_assumes_the_week():
    events = pd.DataFrame({"kind": "order", "activity": "production_run", "department": "production",
                           "time": [10.0, 30.0], "work_hours": 2.0, "staff": [None, None]})
    production = by_path(fit_staff(events, 7))["organisation.production.staff"]
    assert production.assumed and production.value > 0 and "not who did them" in production.basis
    calendar = by_path(fit_calendar(events, dt.date(2024, 1, 1), "UTC"))
    assert calendar["calendar.working_days"].assumed and "cannot be seen" in calendar["calendar.day_start_hour"].basis


def test_bpic_works_office_hours_mostly_on_weekdays_with_one_team():
    log = bpic()
    calendar = by_path(fit_calendar(log.events, log.start_date, log.mapping.time_zone))
    assert calendar["calendar.working_days"].value[:5] == ["mon", "tue", "wed", "thu", "fri"]
    assert "sun" not in calendar["calendar.working_days"].value
    assert 7 <= calendar["calendar.day_start_hour"].value <= 9 and 20 <= calendar["calendar.day_end_hour"].value <= 22
    staff = by_path(fit_staff(log.events, log.days))
    assert 20 <= staff["organisation.sales.staff"].value <= 50  # 33 a week of the 52 people who start work items
    assert all(staff[f"organisation.{d}.staff"].value == 0 for d in ("marketing", "production", "service"))


def test_a_step_with_shorter_hours_than_the_company_gets_them_and_the_others_none():
    """The truth company opens 7-21; its first touches start at 10 only."""
    scenario = truth_scenario({"funnel": {"first_touch_calendar": {"day_start_hour": 10}}})
    events = simulate(scenario, days=35, seed=1).events
    start = scenario.calendar.start_date
    found = by_path(fit_step_calendars(events, start, [s.name for s in scenario.funnel.stages],
                                       fit_calendar(events, start, ZONE)))
    assert list(found) == ["funnel.first_touch_calendar"]
    assert found["funnel.first_touch_calendar"].value == {"day_start_hour": 10.0, "day_end_hour": 21.0}


def test_bpic_calls_its_customers_from_nine_while_its_back_office_starts_at_eight():
    log = bpic()
    events = training_events(with_repeated_work(log), 61 * 24)  # October and November 2011, every work item
    found = by_path(fit_step_calendars(events, log.start_date, [s.name for s in log.mapping.stages],
                                       fit_calendar(events, log.start_date, log.mapping.time_zone)))
    nine_to_nine = {"day_start_hour": 9.0, "day_end_hour": 21.0}
    assert {path: estimate.value for path, estimate in found.items()} == {
        "funnel.first_touch_calendar": nine_to_nine, "funnel.stages.1.calendar": nine_to_nine}
