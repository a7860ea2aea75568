"""Theory tells us the M/M/c waits: Erlang C for the probability of waiting and the mean wait.

The validation scenario (one channel, one stage, c pooled reps, 24/7, timers off) is run
at utilisations 0.5, 0.8 and 0.95; waits are read from the event log (work start minus
queued time of every first touch) after a warm-up, one mean per replication, and the
analytic values must lie inside the 99 % CI of the replications.
"""

from __future__ import annotations

import pytest
from validation_support import ci_contains, erlang_c, mmc_mean_wait, mmc_scenario, relative_half_width, work_waits

from simcoord.model.company import simulate

SERVERS = 3
SERVICE_RATE = 1.0  # per hour
# utilisation -> (replications, days per replication, warm-up hours): heavier load relaxes slower
PLANS = {0.5: (8, 150, 24.0), 0.8: (10, 100, 48.0), 0.95: (10, 200, 240.0)}
# largest 95 % CI half-width of the mean wait, relative to the mean, at each load
PRECISION = {0.5: 0.15, 0.8: 0.15, 0.95: 0.4}


def _replications(rho: float) -> tuple[list[float], list[float]]:
    reps, days, warmup = PLANS[rho]
    scenario = mmc_scenario(rho * SERVERS * SERVICE_RATE, SERVERS, 1 / SERVICE_RATE)
    mean_waits, p_waits = [], []
    for seed in range(reps):
        waits = work_waits(simulate(scenario, seed=seed, days=days).events, ["first_touch"], warmup)
        mean_waits.append(float(waits.mean()))
        p_waits.append(float((waits > 0).mean()))
    return mean_waits, p_waits


@pytest.mark.parametrize("rho", sorted(PLANS))
def test_single_stage_matches_erlang_c(rho: float) -> None:
    lam = rho * SERVERS * SERVICE_RATE
    mean_waits, p_waits = _replications(rho)

    ok, message = ci_contains(p_waits, erlang_c(SERVERS, lam / SERVICE_RATE))
    assert ok, f"P(wait) at rho {rho}: {message}"
    ok, message = ci_contains(mean_waits, mmc_mean_wait(SERVERS, lam, SERVICE_RATE))
    assert ok, f"mean wait at rho {rho}: {message}"
    # the check has teeth: the CIs are narrow enough to tell a modest error apart
    assert relative_half_width(mean_waits, 0.95) < PRECISION[rho]
    assert relative_half_width(p_waits, 0.95) < 0.05


def test_erlang_c_formula_matches_textbook_values() -> None:
    # M/M/1: P(wait) = rho; M/M/2 at a = 1: C = 1/3; M/M/3 at a = 2.4: C = 0.6472 (tables)
    assert erlang_c(1, 0.7) == pytest.approx(0.7)
    assert erlang_c(2, 1.0) == pytest.approx(1 / 3)
    assert erlang_c(3, 2.4) == pytest.approx(0.6472, abs=1e-4)
    assert mmc_mean_wait(1, 0.5, 1.0) == pytest.approx(1.0)  # rho / (mu - lambda)
