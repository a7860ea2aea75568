"""Choosing a warm-up and checking a steady state.

The company starts empty (no open deals, no customers, no stock), so early days under-count
wins, orders and service work. ``suggest_warmup`` runs a short pilot and returns the number
of days to pass as ``warmup_days``.

A scenario whose queues settle within weeks tells the same story over 90 days as over a year:
``period_kpis`` cuts one long run into periods (months, quarters) and gives each period's KPIs,
so a trend in the first-touch time or the load shows; ``horizon_agreement`` sets the KPIs of a
short and a long experiment side by side with their intervals.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import scipy.stats

from simcoord.experiments import stats
from simcoord.experiments.experiment import replication_seed, run_experiment
from simcoord.kpis.registry import compute_kpis
from simcoord.model.company import simulate
from simcoord.scenario.calendar import WorkCalendar
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


#: KPIs that describe a rate or a state, not a total, so runs of different horizons can be compared.
STEADY_STATE_KPIS = ("first_touch_median_hours", "first_touch_p90_hours", "sla_first_touch_pct",
                     "conversion_mql_to_sql", "conversion_sql_to_won", "conversion_lead_to_won",
                     "utilisation_marketing", "utilisation_sales", "utilisation_production",
                     "utilisation_service", "sales_cycle_days", "backorder_rate", "sla_service_response_pct")


def period_kpis(events: pd.DataFrame, scenario: Scenario, days: float, period_days: float = 30.0,
                kpis: tuple[str, ...] = STEADY_STATE_KPIS) -> pd.DataFrame:
    """``kpis`` of each consecutive period (``period_days`` long) of one run's event log, one row
    per period indexed by its first day. Each period is measured as a run ending at the period's
    end with the time before it as warm-up: a hand-over counts in the period it was handed over,
    a first touch after the period's end does not."""
    calendar = WorkCalendar(scenario.calendar, horizon_days=int(days) + 1)
    rows = {}
    for start in np.arange(0.0, days - period_days + 1e-9, period_days):  # whole periods only
        end = min(start + period_days, days)
        window = events[events["time"] < end * HOURS_PER_DAY]
        rows[float(start)] = compute_kpis(window, scenario, end, calendar, warmup_days=float(start))[list(kpis)]
    return pd.DataFrame(rows).T.rename_axis("period_start_day")


def period_trend(table: pd.DataFrame, kpi: str) -> tuple[float, float]:
    """Least-squares slope of ``kpi`` per period over the periods of ``table`` (from
    :func:`period_kpis`) and its two-sided p-value (SciPy's ``linregress``): a queue still filling
    shows as a significant positive slope of the first-touch time or the load."""
    values = table[kpi].to_numpy(dtype=float)
    fit = scipy.stats.linregress(np.arange(len(values), dtype=float), values)
    return float(fit.slope), float(fit.pvalue)


def horizon_agreement(scenario: Scenario, short_days: float = 90, long_days: float = 365, replications: int = 10,
                      seed: int = 2026, kpis: tuple[str, ...] = STEADY_STATE_KPIS, warmup_days: float = 0.0,
                      workers: int | None = None) -> pd.DataFrame:
    """Mean and 95 % interval over ``replications`` of each of ``kpis`` in a ``short_days`` and a
    ``long_days`` experiment of ``scenario`` (same seeds, both after ``warmup_days``), and whether
    the two intervals overlap."""
    sides = []
    for label, days in (("short", short_days), ("long", long_days)):
        experiment = run_experiment({"scenario": scenario}, replications, seed, warmup_days + days, warmup_days,
                                    workers=workers, progress=False)
        summary = experiment.summary().set_index("kpi").loc[list(kpis)]
        sides.append(summary[["mean", "ci_lo", "ci_hi"]].add_prefix(f"{label}_"))
    table = pd.concat(sides, axis=1)
    table["overlap"] = (table["short_ci_lo"] <= table["long_ci_hi"]) & (table["long_ci_lo"] <= table["short_ci_hi"])
    return table
