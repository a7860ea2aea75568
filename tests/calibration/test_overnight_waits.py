"""Which waits over closed hours hid when the customer was ready: a back office works its overnight
inbox first thing in the morning (the wait is known only to lie within the night), while a call
centre calls back at the hour it planned, through the day (the wait is as long as it looks).
``steps.waited_for_opening`` tells the two apart by how much more often work after a night starts in
the first hours than other work does; ``steps.censor_waited`` keeps the intervals of only that many."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from simcoord.calibration.steps import censor_waited, waited_for_opening, waits
from simcoord.scenario.calendar import WorkCalendar
from simcoord.scenario.schema import CalendarSpec

DAYS = 60
CALENDAR = WorkCalendar(CalendarSpec(start_date=dt.date(2026, 1, 5), working_days=("mon", "tue", "wed", "thu", "fri"),
                                     day_start_hour=9, day_end_hour=18), horizon_days=DAYS, margin_days=1)
WORKDAYS = [day for day in range(DAYS - 2) if day % 7 < 5]


def some_waits(rng: np.random.Generator, inbox_share: float, count: int = 4000):
    """Waits of work started at any open hour, half of them from earlier that day and half from a
    working moment the day before (over the night); ``inbox_share`` of the latter start within half
    an hour of the opening instead, as an inbox worked first thing does."""
    day = rng.choice(WORKDAYS[1:], count) * 24.0
    overnight = rng.random(count) < 0.5
    inbox = overnight & (rng.random(count) < inbox_share)
    starts = day + np.where(inbox, rng.uniform(9, 9.5, count), rng.uniform(9, 18, count))
    previous_day = day - np.where(day % (7 * 24) == 0, 3 * 24, 24)  # Monday's day before is Friday
    since = np.where(overnight, previous_day + rng.uniform(9, 18, count), day + rng.uniform(9, starts - day))
    return waits(since, starts, CALENDAR)


@pytest.mark.parametrize("share", [0.0, 0.4, 1.0])
def test_the_share_of_overnight_waits_that_waited_for_the_opening_is_recovered(share):
    table = some_waits(np.random.default_rng(1), share)
    assert waited_for_opening(table) == pytest.approx(share, abs=0.06)


def test_a_call_centres_overnight_waits_are_exact_and_an_inbox_keeps_its_intervals():
    rng = np.random.default_rng(2)
    (calls,), why = censor_waited(some_waits(rng, 0.0))
    assert calls["low"].notna().sum() < 0.06 * calls["overnight"].sum() and "exact" in why
    inbox = some_waits(rng, 1.0)
    (kept,), why = censor_waited(inbox)
    assert kept["low"].notna().sum() == inbox["low"].notna().sum() and why == ""


def test_those_kept_within_an_interval_are_the_ones_started_soonest_after_the_opening():
    (mixed,), _ = censor_waited(some_waits(np.random.default_rng(3), 0.4))
    interval = mixed.loc[mixed["low"].notna(), "after_opening"]
    exact = mixed.loc[mixed["overnight"] & mixed["low"].isna(), "after_opening"]
    assert interval.max() <= exact.min()
    assert len(interval) == pytest.approx(0.4 * mixed["overnight"].sum(), rel=0.15)


def test_too_few_waits_of_either_kind_keep_every_interval():
    few = some_waits(np.random.default_rng(4), 0.0, count=60)
    assert waited_for_opening(few) is None
    (kept,), why = censor_waited(few)
    assert kept["low"].equals(few["low"]) and why == ""
