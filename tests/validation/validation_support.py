"""Shared helpers for the validation tests: queueing theory, scenario variants, CIs.

Not a test module (no ``test_`` prefix); imported by the tests in this folder.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Iterable

import numpy as np
import pandas as pd
from scipy import stats as sps
from support import MMC

from simcoord.experiments.stats import mean_ci
from simcoord.scenario.loading import deep_merge, resolve_file, scenario_from_dict
from simcoord.scenario.schema import Scenario
from simcoord.vocabulary import HOURS_PER_WEEK

#: Overrides that make mmc.yaml a pure single-stage queue whatever its defaults: MQLs reach
#: sales the moment they are born (no hand-over batches), no production runs or disputes.
PURE_QUEUE = {
    "policy": {"information": {"mode": "platform", "platform_cost_per_month": 0},
               "incentives": {"value_priority_hours": 0},
               "disputes": {"key_account_probability": 0, "rush_order_probability": 0,
                            "complaint_probability": 0}},
    "production": {"mode": "make_to_order"},
}


def erlang_c(servers: int, offered_load: float) -> float:
    """Probability that an arrival waits in an M/M/c queue (Erlang C); load a = lambda / mu."""
    rho = offered_load / servers
    if not 0 <= rho < 1:
        raise ValueError("needs utilisation below 1")
    top = offered_load**servers / math.factorial(servers) / (1 - rho)
    bottom = sum(offered_load**k / math.factorial(k) for k in range(servers)) + top
    return top / bottom


def mmc_mean_wait(servers: int, arrival_rate: float, service_rate: float) -> float:
    """Mean time in queue (hours) of an M/M/c queue: C(c, a) / (c mu - lambda)."""
    return erlang_c(servers, arrival_rate / service_rate) / (servers * service_rate - arrival_rate)


def scenario_variant(base_file: Path, *overrides: dict[str, Any]) -> Scenario:
    """``base_file`` with ``overrides`` laid over it (like ``extends:``), validated."""
    data = resolve_file(base_file)
    for override in (PURE_QUEUE, *overrides) if base_file == MMC else overrides:
        data = deep_merge(data, override)
    return scenario_from_dict(data, source=base_file)


def mmc_scenario(arrivals_per_hour: float, servers: int, mean_service_hours: float = 1.0,
                 **extra: Any) -> Scenario:
    """The M/M/c validation scenario with its rate, head count and service mean changed."""
    override = {
        "organisation": {"sales": {"staff": servers, "hourly_cost": 0}},
        "demand": {"channels": {"arrivals": {"leads_per_week": arrivals_per_hour * HOURS_PER_WEEK}}},
        "funnel": {"first_touch_hours": {"dist": "exponential", "mean": mean_service_hours}},
    }
    return scenario_variant(MMC, override, extra)


def work_waits(events: pd.DataFrame, activities: Iterable[str], after_hours: float = 0.0) -> pd.Series:
    """Hours each task of ``activities`` waited for a worker, for tasks queued after ``after_hours``."""
    rows = events[events["activity"].isin(list(activities)) & (events["queued_at"] >= after_hours)]
    return (rows["time"] - rows["queued_at"]).astype(float)


def ci_contains(values: Iterable[float], target: float, confidence: float = 0.99) -> tuple[bool, str]:
    """Whether the t-based CI of the replication means contains ``target``, and a message."""
    ci = mean_ci(np.asarray(list(values), dtype=float), confidence)
    return ci.lo <= target <= ci.hi, f"{confidence:.0%} CI [{ci.lo:.4f}, {ci.hi:.4f}] vs {target:.4f}"


def all_within(replications: pd.DataFrame, expected: dict[str, float], confidence: float = 0.95) -> tuple[bool, str]:
    """Whether every column's t-based CI of the replication means contains its ``expected`` value,
    the CIs taken together at ``confidence`` (Bonferroni: each at 1 - (1 - confidence) / k for k
    columns), and a message naming the columns that miss."""
    each = 1 - (1 - confidence) / len(expected)
    checks = {column: ci_contains(replications[column], value, each) for column, value in expected.items()}
    misses = [f"{column}: {message}" for column, (ok, message) in checks.items() if not ok]
    return not misses, "; ".join(misses)


def same_mean(ours: Iterable[float], theirs: Iterable[float], confidence: float = 0.99) -> tuple[bool, str]:
    """Welch CI of the difference of two sets of replication means contains 0 (and a message)."""
    a, b = np.asarray(list(ours), dtype=float), np.asarray(list(theirs), dtype=float)
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    se = math.sqrt(va + vb)
    dof = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1)) if se > 0 else 1.0
    half = sps.t.ppf(0.5 + confidence / 2, dof) * se
    diff = a.mean() - b.mean()
    return abs(diff) <= half, f"simcoord {a.mean():.4f} vs Ciw {b.mean():.4f}: diff {diff:+.4f} +- {half:.4f}"


def relative_half_width(values: Iterable[float], confidence: float = 0.99) -> float:
    ci = mean_ci(np.asarray(list(values), dtype=float), confidence)
    return ci.half_width / abs(ci.mean)
