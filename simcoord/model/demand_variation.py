"""Demand that varies from week to week: a gamma factor per week and channel on the arrival rate.

With ``demand.weekly_variation`` = cv > 0, each channel's arrival rate in week ``w`` of the run
(days ``7w`` to ``7w + 6`` from its start) is multiplied by a factor drawn from a gamma
distribution of mean 1 and coefficient of variation cv (shape ``1/cv^2``). A week's leads are
then a mixed Poisson count, negative binomial, with variance ``mean + cv^2 mean^2``: the
overdispersion a real log's weekly counts show (``calibration.arrivals`` fits cv from them).
The factors come from the channel's own ``demand.variation.<channel>`` stream, drawn once at the
start, so the arrival stream draws as before; at cv = 0 nothing is drawn or changed.

With ``demand.weekly_persistence`` = rho > 0 the weeks are not independent: the factors' normal
scores ``z`` follow an AR(1) series, ``z[w] = rho z[w-1] + sqrt(1 - rho^2) e[w]`` (stationary from
the first week), and each factor is the gamma quantile of ``Phi(z[w])``: the same gamma of mean 1
and cv in every week, but a busy week tends to be followed by another, so demand drifts for weeks
at a time and a forecast's cumulative counts (its open cases) vary as much as real ones do.

A channel's ``level_uncertainty`` = u > 0 says how well its ``leads_per_week`` is known (a rate
fitted from a few months of a log is known to a few per cent): each run multiplies that channel's
rate by one gamma factor of mean 1 and cv u, from its ``demand.level.<channel>`` stream, so the
spread of a forecast's replications includes the doubt about the level, not only the noise
around it. At u = 0 nothing is drawn.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from scipy import stats

if TYPE_CHECKING:
    from simcoord.model.world import World

DAYS_PER_WEEK = 7


def gamma_factors(rng: np.random.Generator, cv: float, weeks: int) -> np.ndarray:
    """``weeks`` factors of mean 1 and coefficient of variation ``cv`` (gamma, shape 1/cv^2)."""
    shape = 1.0 / cv**2
    return rng.gamma(shape, 1.0 / shape, size=weeks)


def persistent_gamma_factors(rng: np.random.Generator, cv: float, rho: float, weeks: int) -> np.ndarray:
    """``weeks`` factors, each gamma of mean 1 and coefficient of variation ``cv``, whose normal
    scores form a stationary AR(1) series with coefficient ``rho`` (a Gaussian copula)."""
    shocks = rng.standard_normal(weeks)
    scores = np.empty(weeks)
    scores[0] = shocks[0]
    for week in range(1, weeks):
        scores[week] = rho * scores[week - 1] + np.sqrt(1.0 - rho**2) * shocks[week]
    shape = 1.0 / cv**2
    # from the upper tail: a score far out gives a large factor, not the infinity 1 - tiny rounds to
    return stats.gamma.isf(stats.norm.sf(scores), shape, scale=1.0 / shape)


def level_factor(model: "World", channel: str) -> float:
    """The run's factor on ``channel``'s demand level: gamma of mean 1 and coefficient of variation
    the channel's ``level_uncertainty`` (how well its rate is known), drawn once from the
    ``demand.level.<channel>`` stream; 1 (nothing drawn) when the level is taken as known."""
    spec = model.scenario.demand.channels.get(channel)
    cv = spec.level_uncertainty if spec is not None else 0.0
    return float(gamma_factors(model.streams[f"demand.level.{channel}"], cv, 1)[0]) if cv > 0 else 1.0


def vary_by_week(model: "World", channel: str, by_day: list[float],
                 peak_rate: float) -> tuple[list[float], float]:
    """``channel``'s day factors times the run's level factor and its week's demand factor, and
    the thinning bound ``peak_rate`` (leads per hour) times the largest product; unchanged
    without level uncertainty and weekly variation."""
    level, cv = level_factor(model, channel), model.scenario.demand.weekly_variation
    if cv <= 0:
        if level == 1.0:
            return by_day, peak_rate
        return [day * level for day in by_day], peak_rate * level
    weeks = len(by_day) // DAYS_PER_WEEK + 1
    rng, rho = model.streams[f"demand.variation.{channel}"], model.scenario.demand.weekly_persistence
    factors = level * (persistent_gamma_factors(rng, cv, rho, weeks) if rho > 0 else gamma_factors(rng, cv, weeks))
    varied = [day * float(factors[index // DAYS_PER_WEEK]) for index, day in enumerate(by_day)]
    return varied, peak_rate * float(factors.max())
