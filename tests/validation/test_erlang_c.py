"""Theory tells us the M/M/c queue: Erlang C for the probability of waiting and the mean wait,
and a utilisation of rho.

The validation scenario (one channel, one stage, c pooled reps, 24/7, timers off) is run
at utilisations 0.5, 0.8 and 0.95; waits are read from the event log (work start minus
queued time of every first touch) after a warm-up, one mean per replication, and the
analytic values must lie inside the 99 % CI of the replications. The package's own per-stage
queue KPIs (``simcoord.kpis.queues``) of the same runs must lie within their 95 % intervals
(taken together over the KPIs compared) of Erlang C, and the theory the package derives from
the scenario (``simcoord.kpis.textbook``) must be it.
"""

from __future__ import annotations

from functools import cache
from typing import NamedTuple

import pandas as pd
import pytest
from support import MMC
from validation_support import (all_within, ci_contains, erlang_c, mmc_mean_wait, mmc_scenario, relative_half_width,
                                work_waits)

from simcoord.kpis.queues import queue_kpis
from simcoord.kpis.textbook import entry_queue_theory
from simcoord.model.company import simulate
from simcoord.scenario.calendar import WorkCalendar
from simcoord.scenario.loading import load_scenario
from simcoord.vocabulary import HOURS_PER_DAY, HOURS_PER_WEEK

SERVERS = 3
SERVICE_RATE = 1.0  # per hour
# utilisation -> (replications, days per replication, warm-up hours): heavier load relaxes slower
PLANS = {0.5: (8, 150, 24.0), 0.8: (10, 100, 48.0), 0.95: (10, 200, 240.0)}
# largest 95 % CI half-width of the mean wait, relative to the mean, at each load
PRECISION = {0.5: 0.15, 0.8: 0.15, 0.95: 0.4}


class Replications(NamedTuple):
    """One value per replication, measured after the warm-up."""

    mean_wait: list[float]  # hours from queueing to work start
    waited: list[float]  # share of first touches that waited at all
    utilisation: list[float]  # reps' busy hours over their available hours
    queues: list[pd.Series]  # the package's queue KPIs of the first touch (simcoord.kpis.queues)


@cache
def replications(rho: float) -> Replications:
    """The M/M/c queue at utilisation ``rho``, run as ``PLANS[rho]`` says (once, shared by the tests)."""
    reps, days, warmup = PLANS[rho]
    scenario = mmc_scenario(rho * SERVERS * SERVICE_RATE, SERVERS, 1 / SERVICE_RATE)
    measured = Replications([], [], [], [])
    calendar = WorkCalendar(scenario.calendar, horizon_days=days + 1)
    for seed in range(reps):
        events = simulate(scenario, seed=seed, days=days).events
        waits = work_waits(events, ["first_touch"], warmup)
        touches = events[(events["activity"] == "first_touch") & (events["time"] >= warmup)]
        measured.mean_wait.append(float(waits.mean()))
        measured.waited.append(float((waits > 0).mean()))
        measured.utilisation.append(touches["work_hours"].sum() / (SERVERS * (days * HOURS_PER_DAY - warmup)))
        measured.queues.append(queue_kpis(events, scenario, days, calendar, warmup / HOURS_PER_DAY).loc["first_touch"])
    return measured


def test_mmc_scenario_is_the_queue_it_claims_to_be():
    scenario = load_scenario(MMC)
    assert scenario.calendar.always_open and scenario.policy.routing.mode == "pooled"
    assert scenario.organisation.sales.staff == SERVERS and scenario.funnel.first_touch_hours.dist == "exponential"
    arrivals_per_hour = sum(c.leads_per_week for c in scenario.demand.channels.values()) / HOURS_PER_WEEK
    assert arrivals_per_hour == pytest.approx(0.8 * SERVERS * SERVICE_RATE)


@pytest.mark.parametrize("rho", sorted(PLANS))
def test_single_stage_matches_erlang_c(rho: float) -> None:
    lam = rho * SERVERS * SERVICE_RATE
    measured = replications(rho)

    ok, message = ci_contains(measured.waited, erlang_c(SERVERS, lam / SERVICE_RATE))
    assert ok, f"P(wait) at rho {rho}: {message}"
    ok, message = ci_contains(measured.mean_wait, mmc_mean_wait(SERVERS, lam, SERVICE_RATE))
    assert ok, f"mean wait at rho {rho}: {message}"
    # the check has teeth: the CIs are narrow enough to tell a modest error apart
    assert relative_half_width(measured.mean_wait, 0.95) < PRECISION[rho]
    assert relative_half_width(measured.waited, 0.95) < 0.05


@pytest.mark.parametrize("rho", sorted(PLANS))
def test_single_stage_utilisation_is_rho(rho: float) -> None:
    ok, message = ci_contains(replications(rho).utilisation, rho)
    assert ok, f"utilisation at rho {rho}: {message}"


@pytest.mark.parametrize("rho", sorted(PLANS))
def test_package_queue_kpis_match_erlang_c(rho: float) -> None:
    lam = rho * SERVERS * SERVICE_RATE
    queues = pd.DataFrame(replications(rho).queues)
    expected = {"waited_pct": erlang_c(SERVERS, lam / SERVICE_RATE),
                "mean_wait_hours": mmc_mean_wait(SERVERS, lam, SERVICE_RATE), "utilisation": rho,
                "mean_waiting_tasks": lam * mmc_mean_wait(SERVERS, lam, SERVICE_RATE),  # Lq = lambda Wq
                "arrival_rate_per_hour": lam, "mean_service_hours": 1 / SERVICE_RATE}
    ok, message = all_within(queues, expected)
    assert ok, f"at rho {rho}: {message}"
    assert (queues["releases"] == 0).all()


@pytest.mark.parametrize("rho", sorted(PLANS))
def test_package_theory_of_the_scenario_is_erlang_c(rho: float) -> None:
    lam = rho * SERVERS * SERVICE_RATE
    name, theory = entry_queue_theory(mmc_scenario(lam, SERVERS, 1 / SERVICE_RATE))
    assert name == "Erlang C"
    assert theory.waited_pct == pytest.approx(erlang_c(SERVERS, lam / SERVICE_RATE), rel=1e-12)
    assert theory.mean_wait_hours == pytest.approx(mmc_mean_wait(SERVERS, lam, SERVICE_RATE), rel=1e-12)
    assert theory.utilisation == pytest.approx(rho, rel=1e-12)
