"""The model against queueing theory.

- ``scenarios/validation/mmc.yaml`` (Poisson arrivals, c = 3 reps, exponential first touch,
  24/7, timers off) against Erlang C: mean wait and probability of waiting within the 95 %
  confidence interval of 20 replications; utilisation at rho.
- Little's law L = lambda W on the sales desks of the baseline: L sampled from the simulator's
  own resources and L integrated from the event log both match lambda W from the log.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from support import MMC, baseline_with
from scipy import stats

import simcoord
from simcoord.scenario.calendar import WorkCalendar
from simcoord.model.company import Model
from simcoord.model.staff import URGENT

REPLICATIONS = 20
MMC_DAYS = 30
WARM_UP_HOURS = 48.0


def erlang_c(servers: int, offered_load: float) -> float:
    """Probability an arrival waits in M/M/c with offered load a = lambda / mu (< c)."""
    top = offered_load**servers / math.factorial(servers) / (1 - offered_load / servers)
    return top / (sum(offered_load**k / math.factorial(k) for k in range(servers)) + top)


def ci95(values: np.ndarray) -> tuple[float, float]:
    half = stats.t.ppf(0.975, len(values) - 1) * values.std(ddof=1) / math.sqrt(len(values))
    return values.mean() - half, values.mean() + half


def test_erlang_c_reference_values():
    assert erlang_c(1, 0.5) == pytest.approx(0.5)  # M/M/1: P(wait) = rho
    assert erlang_c(3, 2.4) == pytest.approx(0.6472, abs=1e-4)


@pytest.fixture(scope="module")
def mmc_replications() -> dict[str, np.ndarray]:
    scenario = simcoord.load_scenario(MMC)
    waits, waited, utilisation = [], [], []
    for seed in range(REPLICATIONS):
        events = simcoord.simulate(scenario, seed=seed, days=MMC_DAYS).events
        leads = events[events["kind"] == "lead"]
        handed = leads[leads["activity"] == "mql"].set_index("id")["time"]
        touched = leads[leads["activity"] == "first_touch"].set_index("id")["time"]
        wait = (touched - handed.reindex(touched.index))[handed.reindex(touched.index) >= WARM_UP_HOURS]
        waits.append(wait.mean())
        waited.append((wait > 1e-9).mean())
        after = leads[(leads["activity"] == "first_touch") & (leads["time"] >= WARM_UP_HOURS)]
        utilisation.append(after["work_hours"].sum() / (3 * (MMC_DAYS * 24 - WARM_UP_HOURS)))
    return {"wait": np.array(waits), "waited": np.array(waited), "utilisation": np.array(utilisation)}


def test_mmc_scenario_is_the_queue_it_claims_to_be():
    scenario = simcoord.load_scenario(MMC)
    assert scenario.calendar.always_open and scenario.policy.routing.mode == "pooled"
    assert scenario.organisation.sales.staff == 3 and scenario.funnel.first_touch_hours.dist == "exponential"
    assert sum(c.leads_per_week for c in scenario.demand.channels.values()) / 168 == pytest.approx(2.4)


def test_single_stage_matches_erlang_c_mean_wait(mmc_replications):
    servers, arrival_rate, service_rate = 3, 2.4, 1.0
    expected = erlang_c(servers, arrival_rate / service_rate) / (servers * service_rate - arrival_rate)
    assert expected == pytest.approx(1.0787, abs=1e-4)
    lo, hi = ci95(mmc_replications["wait"])
    assert lo <= expected <= hi, f"95 % CI [{lo:.3f}, {hi:.3f}] misses Erlang C {expected:.3f} h"
    assert hi - lo < 0.5 * expected  # and the interval is tight enough to mean something


def test_single_stage_matches_erlang_c_probability_of_waiting(mmc_replications):
    lo, hi = ci95(mmc_replications["waited"])
    assert lo <= erlang_c(3, 2.4) <= hi, f"95 % CI [{lo:.3f}, {hi:.3f}] vs {erlang_c(3, 2.4):.3f}"


def test_single_stage_utilisation_is_rho(mmc_replications):
    lo, hi = ci95(mmc_replications["utilisation"])
    assert lo <= 0.8 <= hi, (lo, hi)


# ----------------------------------------------------------------- Little's law
LITTLE_DAYS = 120
WINDOW = (20 * 24.0, 100 * 24.0)  # measured well after the start and well before the horizon
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
    model.env.run(until=LITTLE_DAYS * 24.0)
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
    hours = np.arange(0.5, 90 * 24, 1.0)
    weight = np.array([intensity(scenario.demand, start, t) for t in hours]).sum()
    for name, channel in scenario.demand.channels.items():
        observed = int(((created["channel"] == name) & created["campaign"].isna()).sum())
        expected = channel.leads_per_week / 168 * weight
        assert abs(observed - expected) <= 4 * math.sqrt(expected), (name, observed, expected)
    fair = scenario.demand.campaigns[0]
    fair_leads = created[created["campaign"] == fair.name]
    assert abs(len(fair_leads) - fair.extra_leads) <= 4 * math.sqrt(fair.extra_leads)
    assert fair_leads["time"].between(fair.start_day * 24, (fair.start_day + fair.duration_days) * 24).all()


def test_weekly_profile_shapes_arrivals(baseline_90_days):
    events = baseline_90_days.events
    created = events[(events["activity"] == "created") & events["campaign"].isna()
                     & events["channel"].isin(list(baseline_90_days.scenario.demand.channels))]
    weekday = (created["time"] // 24).astype(int) % 7  # day 0 is a Monday
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
    mid_february = (dt.date(2026, 2, 15) - start).days * 24 + 12.0
    normalised_february = 3 * 12 / 14
    assert intensity(demand, start, mid_february) == pytest.approx(normalised_february)
