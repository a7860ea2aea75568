"""Week-to-week demand variation (``demand.weekly_variation``): a gamma factor of mean 1 per week
and channel on the arrival rate keeps the mean, gives weekly counts the variance
``mean + cv^2 mean^2``, and at 0 leaves the Poisson model's logs unchanged to the bit. Its
persistence (``demand.weekly_persistence``) correlates neighbouring weeks without changing a
week's distribution; a channel's ``level_uncertainty`` draws one level factor per run."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from support import micro_scenario

import simcoord
from simcoord.model.demand_variation import gamma_factors, persistent_gamma_factors

WEEKS, PER_WEEK = 52, 150.0
CHANNELS = ("web", "social", "partner")


def screened_out(cv: float | None = None, rho: float | None = None, level: float | None = None) -> simcoord.Scenario:
    """Three channels of 150 leads a week, no season, that the screen declines at once (cheap for a year)."""
    channel = {"leads_per_week": PER_WEEK} if level is None else {"leads_per_week": PER_WEEK, "level_uncertainty": level}
    demand: dict = {"channels": {name: dict(channel) for name in CHANNELS}, "seasonal_profile": [1] * 12}
    if cv is not None:
        demand["weekly_variation"] = cv
    if rho is not None:
        demand["weekly_persistence"] = rho
    return micro_scenario({"demand": demand, "funnel": {"screen": {"pass_probability": 0.0}}})


def weekly_counts(events: pd.DataFrame) -> pd.DataFrame:
    created = events[(events["kind"] == "lead") & (events["activity"].astype(str) == "created")]
    weeks = (created["time"] // (7 * 24)).astype(int)
    return created.groupby([weeks, created["channel"].astype(str)]).size().unstack(fill_value=0).iloc[:WEEKS]


def test_the_factors_have_mean_one_and_the_given_coefficient_of_variation():
    factors = gamma_factors(np.random.default_rng(0), 0.3, 200_000)
    assert factors.mean() == pytest.approx(1.0, abs=0.005)
    assert factors.std() == pytest.approx(0.3, abs=0.005)


def test_weekly_counts_keep_their_mean_and_vary_as_the_cv_says():
    counts = weekly_counts(simcoord.simulate(screened_out(0.3), seed=1, days=7 * WEEKS).events)
    mean, variance = counts.to_numpy().mean(), counts.var(ddof=1).mean()
    assert mean == pytest.approx(PER_WEEK, rel=0.08)  # 3 standard errors of 156 channel-weeks
    cv = np.sqrt((variance - mean) / mean**2)
    assert 0.22 < cv < 0.38
    poisson = weekly_counts(simcoord.simulate(screened_out(), seed=1, days=7 * WEEKS).events)
    assert poisson.var(ddof=1).mean() / poisson.to_numpy().mean() < 1.5  # without variation: Poisson


def test_no_variation_is_the_poisson_model_to_the_bit():
    default, zero = screened_out(), screened_out(0.0)
    assert "weekly_variation" not in default.model_dump()["demand"]  # scenarios keep their content hash
    assert zero.model_dump() == default.model_dump()
    assert simcoord.simulate(zero, seed=4, days=21).events.equals(simcoord.simulate(default, seed=4, days=21).events)


def test_persistent_factors_keep_the_gamma_of_each_week_and_correlate_neighbours():
    factors = persistent_gamma_factors(np.random.default_rng(0), 0.3, 0.6, 200_000)
    assert factors.mean() == pytest.approx(1.0, abs=0.01)
    assert factors.std() == pytest.approx(0.3, abs=0.01)
    lag_one = np.corrcoef(factors[1:], factors[:-1])[0, 1]
    assert 0.55 < lag_one < 0.61  # the normal scores' 0.6, a little less through the gamma's skew
    independent = gamma_factors(np.random.default_rng(0), 0.3, 200_000)
    assert abs(np.corrcoef(independent[1:], independent[:-1])[0, 1]) < 0.01


def test_persistent_weeks_make_longer_runs_of_busy_weeks_in_the_model():
    def lag_one(rho: float | None) -> float:
        counts = weekly_counts(simcoord.simulate(screened_out(0.3, rho), seed=3, days=7 * WEEKS).events)
        return float(np.mean([np.corrcoef(counts[c].to_numpy()[1:], counts[c].to_numpy()[:-1])[0, 1] for c in counts]))

    assert lag_one(0.8) > 0.45  # three channels of 51 pairs: about 0.1 each side
    assert abs(lag_one(None)) < 0.3


def test_persistence_needs_a_weekly_variation():
    with pytest.raises(ValueError, match="weekly_persistence.*needs weekly_variation"):
        screened_out(None, 0.5)


def test_a_level_uncertainty_moves_whole_runs_and_at_zero_changes_nothing():
    def totals(level: float | None) -> np.ndarray:
        return np.array([weekly_counts(simcoord.simulate(screened_out(level=level), seed=seed, days=28).events)
                         .to_numpy().sum() for seed in range(12)])

    known, doubtful = totals(None), totals(0.2)
    assert known.std() / known.mean() < 0.03  # Poisson: 1,800 leads a run vary by about 2 %
    assert 0.1 < doubtful.std() / doubtful.mean() < 0.35  # the level's 20 %, from 12 runs
    assert "level_uncertainty" not in screened_out().model_dump()["demand"]["channels"]["web"]
    zero = screened_out(level=0.0)
    assert simcoord.simulate(zero, seed=4, days=21).events.equals(simcoord.simulate(screened_out(), seed=4, days=21).events)
