"""Demand that varies from week to week: a gamma factor per week and channel on the arrival rate.

With ``demand.weekly_variation`` = cv > 0, each channel's arrival rate in week ``w`` of the run
(days ``7w`` to ``7w + 6`` from its start) is multiplied by a factor drawn from a gamma
distribution of mean 1 and coefficient of variation cv (shape ``1/cv^2``). A week's leads are
then a mixed Poisson count, negative binomial, with variance ``mean + cv^2 mean^2``: the
overdispersion a real log's weekly counts show (``calibration.arrivals`` fits cv from them).
The factors come from the channel's own ``demand.variation.<channel>`` stream, drawn once at the
start, so the arrival stream draws as before; at cv = 0 nothing is drawn or changed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from simcoord.model.world import World

DAYS_PER_WEEK = 7


def gamma_factors(rng: np.random.Generator, cv: float, weeks: int) -> np.ndarray:
    """``weeks`` factors of mean 1 and coefficient of variation ``cv`` (gamma, shape 1/cv^2)."""
    shape = 1.0 / cv**2
    return rng.gamma(shape, 1.0 / shape, size=weeks)


def vary_by_week(model: "World", channel: str, by_day: list[float],
                 peak_rate: float) -> tuple[list[float], float]:
    """``channel``'s day factors times its week's demand factor, and the thinning bound
    ``peak_rate`` (leads per hour) times the largest factor; unchanged without weekly variation."""
    cv = model.scenario.demand.weekly_variation
    if cv <= 0:
        return by_day, peak_rate
    weeks = len(by_day) // DAYS_PER_WEEK + 1
    factors = gamma_factors(model.streams[f"demand.variation.{channel}"], cv, weeks)
    varied = [level * float(factors[day // DAYS_PER_WEEK]) for day, level in enumerate(by_day)]
    return varied, peak_rate * float(factors.max())
