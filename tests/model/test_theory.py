"""The model against theory (the M/M/c queue against Erlang C is in tests/validation).

- Little's law L = lambda W on the sales desks of the baseline: L sampled from the simulator's
  own resources and L integrated from the event log both match lambda W from the log.
- Arrivals: lead counts per channel follow the integrated weekly and seasonal intensity.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from support import baseline_with

from simcoord.model.company import Model
from simcoord.model.work import URGENT
from simcoord.scenario.calendar import WorkCalendar
from simcoord.vocabulary import HOURS_PER_DAY, HOURS_PER_WEEK


# ----------------------------------------------------------------- Little's law
LITTLE_DAYS = 120
WINDOW = (20 * HOURS_PER_DAY, 100 * HOURS_PER_DAY)  # well after the start and well before the horizon
#: The baseline in steady state: Little's law over a finite window needs a stationary load, so
#: the trade fairs, the seasonal swing and the holidays are left out (the weekly rhythm stays).
STEADY = {"demand": {"campaigns": [], "seasonal_profile": [1.0] * 12}, "calendar": {"holidays": []}}


@pytest.fixture(scope="module")
def sales_desks():
    """The steady baseline with a probe counting sales work at the reps' desks (waiting + in progress)
    every hour at half past; meetings are left out (they are not sales work)."""
    scenario = baseline_with(STEADY)
    model = Model(scenario, seed=5, days=LITTLE_DAYS)
    reps = [w for name in ("sales", "key_accounts") for w in model.teams[name].members]
    samples: list[tuple[float, int]] = []

    def probe():
        yield model.env.timeout(0.5)
        while True:
            samples.append((model.env.now, sum(1 for w in reps for r in (*w.desk.queue, *w.desk.users)
                                               if r.priority != URGENT)))
            yield model.env.timeout(1.0)

    model.start()
    model.env.process(probe())
    model.env.run(until=LITTLE_DAYS * HOURS_PER_DAY)
    events = model.log.to_frame()
    work_names = ["first_touch", "feedback_note", *(s.name for s in scenario.funnel.stages)]
    rows = events[events["activity"].isin(work_names) & (events["department"] == "sales")]
    calendar = WorkCalendar(scenario.calendar, horizon_days=LITTLE_DAYS + 1)
    queued = rows["queued_at"].to_numpy(dtype=float)
    done = np.array([calendar.add_work_hours(t, h) for t, h in zip(rows["time"], rows["work_hours"])])
    return np.array(samples, dtype=float), queued, done


def test_littles_law_on_the_sales_desks(sales_desks):
    samples, queued, done = sales_desks
    start, end = WINDOW
    span = end - start
    arrived = (queued >= start) & (queued < end)
    arrival_rate = arrived.sum() / span                    # lambda, tasks per hour
    mean_sojourn = (done[arrived] - queued[arrived]).mean()  # W, hours from queueing to done
    # L from the event log: integral of the number of tasks in the system over the window
    overlap = np.clip(np.minimum(done, end) - np.maximum(queued, start), 0, None)
    l_log = overlap.sum() / span
    # L from the simulator's own resources
    in_window = (samples[:, 0] >= start) & (samples[:, 0] < end)
    l_probe = samples[in_window, 1].mean()

    assert arrived.sum() > 2000 and l_probe > 5  # a busy system, not a trivial one
    assert l_log == pytest.approx(arrival_rate * mean_sojourn, rel=0.05)
    assert l_probe == pytest.approx(arrival_rate * mean_sojourn, rel=0.05)
    assert l_probe == pytest.approx(l_log, rel=0.03)


# ----------------------------------------------------------------- arrivals: the Poisson process
def test_channel_arrivals_match_the_integrated_intensity(baseline_90_days):
    """Lead counts per channel are Poisson with mean = rate x integral of the weekly x seasonal
    intensity over the horizon (within 4 standard deviations); campaigns add their extra leads
    inside their days."""
    from simcoord.model.marketing import intensity

    scenario = baseline_90_days.scenario
    events = baseline_90_days.events
    created = events[events["activity"] == "created"]
    start = scenario.calendar.start_date
    hours = np.arange(0.5, 90 * HOURS_PER_DAY, 1.0)
    weight = np.array([intensity(scenario.demand, start, t) for t in hours]).sum()
    for name, channel in scenario.demand.channels.items():
        observed = int(((created["channel"] == name) & created["campaign"].isna()).sum())
        expected = channel.leads_per_week / HOURS_PER_WEEK * weight
        assert abs(observed - expected) <= 4 * math.sqrt(expected), (name, observed, expected)
    fair = scenario.demand.campaigns[0]
    fair_leads = created[created["campaign"] == fair.name]
    assert abs(len(fair_leads) - fair.extra_leads) <= 4 * math.sqrt(fair.extra_leads)
    fair_days = (fair.start_day, fair.start_day + fair.duration_days)
    assert fair_leads["time"].between(fair_days[0] * HOURS_PER_DAY, fair_days[1] * HOURS_PER_DAY).all()


def test_weekly_profile_shapes_arrivals(baseline_90_days):
    events = baseline_90_days.events
    created = events[(events["activity"] == "created") & events["campaign"].isna()
                     & events["channel"].isin(list(baseline_90_days.scenario.demand.channels))]
    weekday = (created["time"] // HOURS_PER_DAY).astype(int) % 7  # day 0 is a Monday
    days_of_each = np.bincount(np.arange(90) % 7, minlength=7)  # 90 days: one Sunday fewer
    per_day = weekday.value_counts().sort_index().to_numpy(dtype=float) / days_of_each
    profile = np.array(baseline_90_days.scenario.demand.weekly_profile)
    shares = per_day / per_day.sum()
    assert shares == pytest.approx(profile / profile.sum(), abs=0.012)


def test_seasonal_profile_follows_calendar_months():
    import datetime as dt

    from simcoord.model.marketing import intensity
    from simcoord.scenario.schema import DemandSpec

    demand = DemandSpec(weekly_profile=(1,) * 7, seasonal_profile=(1, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1), campaigns=())
    start = dt.date(2026, 1, 31)
    mid_february = (dt.date(2026, 2, 15) - start).days * HOURS_PER_DAY + 12.0
    normalised_february = 3 * 12 / 14
    assert intensity(demand, start, mid_february) == pytest.approx(normalised_february)
