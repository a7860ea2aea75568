"""Week-to-week demand variation (``demand.weekly_variation``): a gamma factor of mean 1 per week
and channel on the arrival rate keeps the mean, gives weekly counts the variance
``mean + cv^2 mean^2``, and at 0 leaves the Poisson model's logs unchanged to the bit."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from support import micro_scenario

import simcoord
from simcoord.model.demand_variation import gamma_factors

WEEKS, PER_WEEK = 52, 150.0
CHANNELS = ("web", "social", "partner")


def screened_out(cv: float | None = None) -> simcoord.Scenario:
    """Three channels of 150 leads a week, no season, that the screen declines at once (cheap for a year)."""
    demand: dict = {"channels": {channel: {"leads_per_week": PER_WEEK} for channel in CHANNELS},
                    "seasonal_profile": [1] * 12}
    if cv is not None:
        demand["weekly_variation"] = cv
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
