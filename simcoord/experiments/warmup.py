"""Choosing a warm-up: daily output series from a pilot run, MSER-5 and Welch's curve.

The company starts empty (no open deals, no customers, no stock), so early days under-count
wins, orders and service work. ``suggest_warmup`` runs a short pilot and returns the number
of days to pass as ``warmup_days``.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from simcoord.experiments import stats
from simcoord.experiments.experiment import replication_seed
from simcoord.model.company import simulate
from simcoord.scenario.schema import Scenario
from simcoord.vocabulary import HOURS_PER_DAY


def daily_counts(events: pd.DataFrame, activity: str, days: float) -> np.ndarray:
    """How many ``activity`` events happened on each simulated day (length ``ceil(days)``)."""
    n_days = math.ceil(days)
    times = events.loc[events["activity"].astype(str) == activity, "time"].to_numpy(dtype=float)
    day = np.minimum((times // HOURS_PER_DAY).astype(int), n_days - 1)
    return np.bincount(day, minlength=n_days).astype(float)


def pilot_series(scenario: Scenario, activity: str = "won", days: float = 365, replications: int = 5,
                 seed: int = 2026) -> np.ndarray:
    """Daily ``activity`` counts of a pilot, shape ``(replications, ceil(days))``, on the same
    seeds an experiment with root ``seed`` uses."""
    return np.vstack([daily_counts(simulate(scenario, seed=replication_seed(seed, r), days=days).events, activity, days)
                      for r in range(replications)])


def suggest_warmup(scenario: Scenario, activity: str = "won", days: float = 365, replications: int = 5,
                   seed: int = 2026, method: str = "mser5", window: int = 7) -> int:
    """Warm-up days for ``scenario`` from a pilot run.

    ``mser5``: MSER-5 truncation point of the across-replication mean of the daily series.
    ``welch``: first day at which Welch's moving average (``window`` days) reaches the mean
    of its second half (a fixed rule standing in for reading the plot)."""
    mean_curve = pilot_series(scenario, activity, days, replications, seed).mean(axis=0)
    if method == "mser5":
        return stats.mser5(mean_curve)
    if method == "welch":
        curve = stats.welch_moving_average(mean_curve[np.newaxis, :], window)
        level = curve[len(curve) // 2:].mean()
        reached = np.flatnonzero(curve >= level) if curve[0] < level else np.flatnonzero(curve <= level)
        return int(reached[0]) if reached.size else 0
    raise ValueError(f"method must be 'mser5' or 'welch', got {method!r}")
