"""Weekday hours per team and arrivals by hour of day, on the micro company with exact times.

Clock: hour 0 is Monday 2026-01-05 00:00; the company works Mon-Fri 09:00-18:00. A test gives
one department its own week (``organisation.<department>.calendar``) or shapes arrivals by hour
of day (``demand.hourly_profile``); durations are constants and probabilities 0 or 1.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from model_invariants import check_run
from support import HOURS_PER_DAY, baseline_with, first_time, micro_scenario, run_with_leads

from simcoord.model.company import simulate
from simcoord.vocabulary import DEPARTMENTS, WEEKDAYS

SATURDAY = 5 * HOURS_PER_DAY
NEXT_MONDAY = 7 * HOURS_PER_DAY


def team_week(department: str, **calendar: object) -> dict:
    """Overrides giving ``department`` its own working week."""
    staff = micro_scenario().organisation.department(department)
    return {"organisation": {department: {"staff": staff.staff, "hourly_cost": staff.hourly_cost, "calendar": calendar}}}


SATURDAY_MORNINGS = team_week("sales", working_days=["sat"], hours={"sat": [8, 12]})


# ----------------------------------------------------------------- a team's own week
def test_a_saturday_only_sales_team_touches_a_monday_lead_on_saturday_morning():
    run = run_with_leads(micro_scenario(SATURDAY_MORNINGS), [10.0], days=14)
    lead = run.leads[0]
    assert first_time(run.events, lead, "first_touch") == SATURDAY + 8
    assert first_time(run.events, lead, "won") == SATURDAY + 9  # 0.5 h first touch + 0.5 h stage work
    # production keeps the company's week: the order is built on Monday morning
    assert first_time(run.events, first_order(run.events), "production_run") == NEXT_MONDAY + 9


def test_work_that_overruns_saturday_closing_continues_next_saturday():
    run = run_with_leads(micro_scenario(SATURDAY_MORNINGS), [SATURDAY + 11.75], days=21)
    lead = run.leads[0]
    assert first_time(run.events, lead, "first_touch") == SATURDAY + 11.75
    # 0.25 h before 12:00, 0.25 h from 08:00 a week later; then the stage's 0.5 h
    assert first_time(run.events, lead, "need_confirmation") == SATURDAY + 7 * HOURS_PER_DAY + 8.25
    assert first_time(run.events, lead, "won") == SATURDAY + 7 * HOURS_PER_DAY + 8.75


def test_a_team_with_longer_monday_hours_works_when_the_company_is_closed():
    run = run_with_leads(micro_scenario(team_week("sales", hours={"mon": [7, 21]})), [19.0, 24 + 19.0], days=7)
    monday_evening, tuesday_evening = run.leads
    assert first_time(run.events, monday_evening, "first_touch") == 19.0
    assert first_time(run.events, monday_evening, "won") == 20.0
    assert first_time(run.events, tuesday_evening, "first_touch") == 2 * HOURS_PER_DAY + 9  # Tuesday: 09-18
    # production keeps the company's week: Monday evening's order is built on Tuesday at 09:00
    assert first_time(run.events, first_order(run.events), "production_run") == HOURS_PER_DAY + 9


def test_sla_timers_in_working_hours_count_the_sales_teams_hours():
    timers = {"policy": {"sla": {"timers_in_working_hours": True,
                                 "auto_release": {"hours": 2, "enforced": True}}}}
    busy = {"funnel": {"first_touch_hours": 100, "qualification": {g: 0.0 for g in ("L1", "L2", "L3", "L4", "L5")}}}
    run = run_with_leads(micro_scenario(SATURDAY_MORNINGS, timers, busy), [0.0, 1.0], days=14)
    # lead B's 2 working hours run on the sales team's Saturday 08:00-12:00, not the company's Monday
    assert first_time(run.events, run.leads[1], "released_to_pool") == SATURDAY + 10


def test_a_meeting_waits_until_every_attending_team_is_at_work():
    meeting = {"policy": {"meetings": [{"name": "sync", "attendees": {"sales": 1, "production": 1},
                                        "every_days": 7, "duration_hours": 1, "first_day": 0}]}}
    tuesday_afternoons = team_week("sales", working_days=["tue"], hours={"tue": [13, 17]})
    run = run_with_leads(micro_scenario(meeting, tuesday_afternoons), [], days=7)
    meetings = run.events[run.events["activity"] == "meeting"]
    assert meetings["time"].tolist() == [HOURS_PER_DAY + 13] * 2


# ----------------------------------------------------------------- KPIs on each department's week
def test_utilisation_and_staff_cost_use_each_departments_paid_hours():
    run = run_with_leads(micro_scenario(SATURDAY_MORNINGS), [10.0], days=7)
    assert run.kpis["utilisation_sales"] == pytest.approx(1.0 / 4.0)  # 1 h of work in one 4 h Saturday
    org = run.model.scenario.organisation
    company_week = 45.0
    expected = (org.sales.staff * org.sales.hourly_cost * 4.0
                + (org.production.staff * org.production.hourly_cost + org.service.staff * org.service.hourly_cost)
                * company_week)
    assert run.kpis["staff_cost"] == pytest.approx(expected)


def test_busy_hours_of_a_team_count_on_its_own_calendar():
    # a 2 h first touch started Saturday 11:00 has 1 h done before the horizon (Saturday 12:00 closes
    # sales; the next Saturday is past the 7-day horizon): busy 1 h of 4 paid
    long_touch = {"funnel": {"first_touch_hours": 2.0}}
    run = run_with_leads(micro_scenario(SATURDAY_MORNINGS, long_touch), [SATURDAY + 11], days=7)
    assert run.kpis["utilisation_sales"] == pytest.approx(1.0 / 4.0)


def first_order(events: pd.DataFrame) -> int:
    return int(events.loc[events["activity"] == "order_created", "id"].iloc[0])


# ----------------------------------------------------------------- arrivals by hour of day
NIGHT_AND_DAY = (0,) * 6 + (1,) * 6 + (3,) * 6 + (2,) * 6  # none 00-06, most in the afternoon


def test_the_hourly_profile_shapes_arrivals_by_hour_of_day():
    flat_week = {"demand": {"channels": {"web": {"leads_per_week": 3000}}, "weekly_profile": [1] * 7,
                            "seasonal_profile": [1] * 12, "hourly_profile": list(NIGHT_AND_DAY)},
                 "organisation": {"sales": {"staff": 0, "hourly_cost": 55}}}
    days = 28
    run = run_with_leads(micro_scenario(flat_week), [], days=days)
    created = run.events.loc[run.events["activity"] == "created", "time"]
    counts = np.bincount((created % HOURS_PER_DAY).astype(int), minlength=24)
    expected = 3000 / 168 * days * np.array(NIGHT_AND_DAY) * 24 / sum(NIGHT_AND_DAY)
    assert counts[:6].sum() == 0
    assert np.all(np.abs(counts - expected) <= 4 * np.sqrt(np.maximum(expected, 1)))
    assert abs(counts.sum() - expected.sum()) <= 4 * math.sqrt(expected.sum())


def test_a_flat_hourly_profile_gives_the_same_log_as_none():
    plain = simulate(baseline_with({}), seed=3, days=21).events
    flat = simulate(baseline_with({"demand": {"hourly_profile": [2.5] * 24}}), seed=3, days=21).events
    pd.testing.assert_frame_equal(plain, flat)


def test_night_leads_wait_for_the_next_working_hour():
    nights = {"demand": {"channels": {"web": {"leads_per_week": 200}}, "hourly_profile": [1] * 6 + [0] * 18}}
    run = run_with_leads(micro_scenario(nights), [], days=14)
    created = run.events[run.events["activity"] == "created"]
    touched = run.events[run.events["activity"] == "first_touch"]
    assert len(created) and (created["time"] % HOURS_PER_DAY < 6).all()
    assert (touched["time"] % HOURS_PER_DAY >= 9).all()


# ----------------------------------------------------------------- property: nothing lost
@st.composite
def week(draw) -> dict:
    """A random working week with hours per weekday (always a whole calendar, so it is valid alone)."""
    days = draw(st.lists(st.sampled_from(WEEKDAYS), min_size=1, max_size=7, unique=True))
    windows = {}
    for day in days:
        start = draw(st.integers(0, 22))
        windows[day] = [start, draw(st.integers(start + 1, 24))]
    return {"working_days": days, "hours": windows}


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(company=week(), teams=st.dictionaries(st.sampled_from(DEPARTMENTS), week(), max_size=4),
       profile=st.none() | st.lists(st.integers(0, 5), min_size=24, max_size=24).filter(any),
       days=st.floats(1, 12), seed=st.integers(0, 2**32 - 1))
def test_random_weekday_hours_conserve_every_entity(company, teams, profile, days, seed):
    base = baseline_with({})
    organisation = {department: {"staff": base.organisation.department(department).staff,
                                 "hourly_cost": base.organisation.department(department).hourly_cost,
                                 "calendar": calendar} for department, calendar in teams.items()}
    demand = {} if profile is None else {"hourly_profile": profile}
    scenario = baseline_with({"calendar": company, "organisation": organisation, "demand": demand})
    check_run(simulate(scenario, seed=seed, days=days))


# ----------------------------------------------------------------- what reads the log follows each week
def test_queue_utilisation_and_exported_completions_follow_the_teams_week():
    from simcoord.kpis.queues import queue_kpis
    from simcoord.log.export import activity_instances

    run = run_with_leads(micro_scenario(SATURDAY_MORNINGS), [SATURDAY + 11.75], days=7)
    table = queue_kpis(run.events, run.model.scenario, 7, run.model.calendar)
    # 0.25 h of the first touch done in the one 4 h Saturday morning before the horizon
    assert table.loc["first_touch", "utilisation"] == pytest.approx(0.25 / 4) == run.kpis["utilisation_sales"]
    instances = activity_instances(run.events, run.model.scenario)
    touch = instances[instances["activity"] == "first_touch"].iloc[0]
    assert touch["completed"] == SATURDAY + 7 * HOURS_PER_DAY + 8.25  # 0.25 h before 12:00, 0.25 h a week later
