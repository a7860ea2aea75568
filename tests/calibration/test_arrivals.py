"""Demand fitted from arrivals: a simulated company's rates and profiles come back within their
sampling error, a real log (BPIC 2012) gives its known weekly volume and office-hours shape."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from fitting_logs import bpic, simulated
from simcoord import simulate
from simcoord.calibration.arrivals import SINGLE_CHANNEL, fit_arrivals
from support import baseline_with, micro_scenario

HOURLY = [0.2, 0.2, 0.2, 0.2, 0.2, 0.4, 0.6, 1.0, 1.6, 2.0, 1.8, 1.4,
          1.2, 1.4, 1.6, 1.4, 1.2, 1.0, 1.2, 1.6, 1.6, 1.2, 0.8, 0.4]
DAYS = 91


def by_path(estimates) -> dict:
    return {estimate.path: estimate for estimate in estimates}


def mean_one(profile) -> np.ndarray:
    return np.asarray(profile) * len(profile) / np.sum(profile)


@pytest.fixture(scope="module")
def baseline_run():
    """The baseline's four channels over 13 weeks, no campaigns or season, with an hour-of-day profile."""
    scenario = baseline_with({"demand": {"campaigns": [], "seasonal_profile": [1] * 12, "hourly_profile": HOURLY}})
    events = simulate(scenario, days=DAYS, seed=11).events
    return scenario, by_path(fit_arrivals(events, scenario.calendar.start_date, DAYS))


def test_each_channels_rate_is_recovered_within_its_sampling_error(baseline_run):
    scenario, fit = baseline_run
    for channel, spec in scenario.demand.channels.items():
        estimate = fit[f"demand.channels.{channel}.leads_per_week"]
        standard_error = (estimate.interval[1] - estimate.interval[0]) / 3.92
        assert abs(estimate.value - spec.leads_per_week) < 3 * standard_error, channel
        assert estimate.n > 0 and len(estimate.data) == DAYS // 7


def test_leads_the_models_service_creates_are_no_channel_of_demand(baseline_run):
    _, fit = baseline_run
    assert not [path for path in fit if "repurchase" in path or "referral" in path]


def test_weekday_and_hour_profiles_are_recovered_on_the_models_mean_one_scale(baseline_run):
    scenario, fit = baseline_run
    for path, truth in (("demand.weekly_profile", scenario.demand.weekly_profile), ("demand.hourly_profile", HOURLY)):
        estimate = fit[path]
        assert estimate.source == "fitted" and np.mean(estimate.value) == pytest.approx(1.0, abs=1e-3)
        expected = mean_one(truth)
        arrivals_per_period = estimate.n * expected / len(expected)
        standard_error = expected / np.sqrt(arrivals_per_period)  # Poisson, relative to the mean
        assert np.all(np.abs(np.asarray(estimate.value) - expected) < 3.5 * standard_error), path


def test_a_quarter_of_a_year_says_why_it_has_no_season_and_no_campaigns(baseline_run):
    _, fit = baseline_run
    season, campaigns = fit["demand.seasonal_profile"], fit["demand.campaigns"]
    assert season.assumed and season.value == [1.0] * 12 and "a whole year" in season.basis
    assert campaigns.assumed and campaigns.value == []


def test_a_log_without_channels_is_one_channel_and_the_export_reads_back_the_same():
    log = simulated()
    start = log.scenario.calendar.start_date
    own = by_path(fit_arrivals(log.events, start, 105))
    read_back = by_path(fit_arrivals(log.imported.events, log.imported.start_date, 105))
    rate, single = own["demand.channels.online.leads_per_week"], read_back[f"demand.channels.{SINGLE_CHANNEL}.leads_per_week"]
    assert (single.value, single.n) == (rate.value, rate.n)
    assert read_back["demand.hourly_profile"].value == own["demand.hourly_profile"].value
    assert abs(rate.value - 600) < 3 * (rate.interval[1] - rate.interval[0]) / 3.92


def synthetic_arrivals(daily_rate: np.ndarray, seed: int = 0) -> pd.DataFrame:
    """Created rows at Poisson counts per day, at uniform hours of the day."""
    rng = np.random.default_rng(seed)
    counts = rng.poisson(daily_rate)
    times = np.repeat(np.arange(len(counts)) * 24.0, counts) + rng.uniform(0, 24, counts.sum())
    return pd.DataFrame({"id": np.arange(len(times)), "kind": "lead", "activity": "created", "time": np.sort(times)})


def test_two_years_give_a_season_and_a_rate_net_of_it():
    start = dt.date(2023, 1, 1)
    months = pd.date_range(start, periods=730, freq="D").month.to_numpy()
    season = np.array([0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2, 1.3, 1.4, 1.3, 0.9, 0.8])
    fit = by_path(fit_arrivals(synthetic_arrivals(10 * mean_one(season)[months - 1]), start, 730))
    fitted = fit["demand.seasonal_profile"]
    assert fitted.source == "fitted"
    expected = mean_one(season)
    standard_error = expected / np.sqrt(10 * expected * 730 / 12)  # Poisson, each month's two years
    assert np.all(np.abs(np.asarray(fitted.value) - expected) < 3.5 * standard_error)
    assert fit[f"demand.channels.{SINGLE_CHANNEL}.leads_per_week"].value == pytest.approx(70, rel=0.03)


def test_a_trend_is_said_and_a_log_that_stops_taking_cases_is_rated_over_its_arrivals():
    rate = np.concatenate([np.linspace(20, 40, 84), np.zeros(28)])  # rising, then the extract stops
    estimate = fit_arrivals(synthetic_arrivals(rate), dt.date(2024, 1, 1), 112)[0]
    assert "TREND" in estimate.basis and "arrivals stop after day 84 of 112" in estimate.basis
    assert estimate.value == pytest.approx(7 * 30, rel=0.05)


def test_a_log_without_arrivals_is_refused():
    empty = pd.DataFrame({"id": [], "kind": [], "activity": [], "time": []})
    with pytest.raises(ValueError, match="no lead arrivals"):
        fit_arrivals(empty, dt.date(2024, 1, 1), 30)


def test_bpic_gives_its_weekly_volume_and_office_hours():
    log = bpic()
    fit = by_path(fit_arrivals(log.events, log.start_date, log.days))
    rate = fit[f"demand.channels.{SINGLE_CHANNEL}.leads_per_week"]
    assert 580 < rate.value < 660 and rate.n == 13087  # 13,087 applications over their 152 days
    weekly, hourly = np.array(fit["demand.weekly_profile"].value), np.array(fit["demand.hourly_profile"].value)
    assert weekly[:5].min() > 1.5 * weekly[5:].max()  # Monday to Friday well above the weekend
    assert hourly[10:17].min() > 1.3 > 0.2 > hourly[2:6].max()  # office hours above the night


def test_the_weekly_variation_is_recovered_from_a_log_with_a_known_one():
    """A year of three channels whose weekly demand varies with cv 0.3 (and one without): the
    method of moments on the weekly counts, net of the weekday and month profiles, finds it."""
    def fitted_variation(cv: float) -> float:
        demand = {"channels": {channel: {"leads_per_week": 150} for channel in ("web", "social", "partner")},
                  "weekly_variation": cv}
        scenario = micro_scenario({"demand": demand, "funnel": {"screen": {"pass_probability": 0.0}}})
        events = simulate(scenario, days=364, seed=2).events
        return by_path(fit_arrivals(events, scenario.calendar.start_date, 364))["demand.weekly_variation"]

    varied = fitted_variation(0.3)
    assert varied.source == "fitted" and varied.n > 20_000 and "52 whole weeks" in varied.basis
    assert varied.value == pytest.approx(0.3, abs=0.07)  # about 3 standard errors of 156 channel-weeks
    assert fitted_variation(0.0).value < 0.08  # the micro company's season is removed, not counted


def test_the_weeks_persistence_is_recovered_and_widens_the_rate_s_doubt():
    """A year of three channels whose weekly factors persist (rho 0.7) and one whose weeks are
    independent: the moments of neighbouring weeks find each, and a persistent demand's level is
    known less well (fewer independent weeks), in the rate's interval and its level_uncertainty alike."""
    def fitted(rho: float, cv: float = 0.3) -> dict:
        demand = {"channels": {channel: {"leads_per_week": 150} for channel in ("web", "social", "partner")},
                  "weekly_variation": cv, "weekly_persistence": rho, "seasonal_profile": [1] * 12}  # no drift
        scenario = micro_scenario({"demand": demand, "funnel": {"screen": {"pass_probability": 0.0}}})
        return by_path(fit_arrivals(simulate(scenario, days=364, seed=5).events, scenario.calendar.start_date, 364))

    persistent, independent = fitted(0.7), fitted(0.0)
    assert persistent["demand.weekly_persistence"].value == pytest.approx(0.7, abs=0.2)
    assert "Ljung-Box" in persistent["demand.weekly_persistence"].basis
    assert independent["demand.weekly_persistence"].value < 0.3
    for fit in (persistent, independent):
        rate, level = fit["demand.channels.web.leads_per_week"], fit["demand.channels.web.level_uncertainty"]
        low, high = rate.interval
        assert level.value == pytest.approx((high - low) / 2 / 1.96 / rate.value, rel=0.05)  # one doubt, two forms
    assert persistent["demand.channels.web.level_uncertainty"].value > independent["demand.channels.web.level_uncertainty"].value
    poisson = fitted(0.0, cv=0.0)  # chance overdispersion says nothing about persistence
    assert poisson["demand.weekly_persistence"].assumed and poisson["demand.weekly_persistence"].value == 0.0
    assert poisson["demand.channels.web.level_uncertainty"].value < 0.02  # about Poisson's 1/sqrt(7,800)


def test_too_few_weeks_assume_poisson_arrivals(baseline_run):
    scenario, _ = baseline_run
    events = simulate(scenario, days=21, seed=1).events
    estimate = by_path(fit_arrivals(events, scenario.calendar.start_date, 21))["demand.weekly_variation"]
    assert estimate.assumed and estimate.value == 0.0 and "too few" in estimate.basis

    persistence = by_path(fit_arrivals(events, scenario.calendar.start_date, 21))["demand.weekly_persistence"]
    assert persistence.assumed and persistence.value == 0.0
