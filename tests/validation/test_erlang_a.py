"""Theory tells us the M/M/c+M queue (Erlang A): customers of exponential patience abandon.

The M/M/c validation scenario with the auto-release timer enforced as an exponential patience
(``policy.sla.auto_release.patience``), pool claims and wake-up off, is Palm's M/M/c+M queue:
a lead not touched within its patience leaves for the public pool and stays there. At three
loads, under, at and over the reps' capacity (Erlang A needs no load below 1), the package's own
per-stage queue KPIs of the first touch (``simcoord.kpis.queues``) must lie within their 95 %
intervals over the replications (taken together over the KPIs compared) of the Erlang A values
the package derives from the scenario (``simcoord.kpis.textbook``, checked against a birth-death
chain in tests/kpis).
"""

from __future__ import annotations

from functools import cache

import pandas as pd
import pytest
from validation_support import all_within, mmc_scenario, relative_half_width

from simcoord.kpis.queues import queue_kpis
from simcoord.kpis.textbook import entry_queue_theory
from simcoord.model.company import simulate
from simcoord.scenario.calendar import WorkCalendar
from simcoord.scenario.schema import Scenario

SERVERS = 3
SERVICE_HOURS = 1.0
PATIENCE_HOURS = 2.0
LOADS = (0.8, 1.0, 1.2)  # lambda / (c mu)
REPLICATIONS, DAYS, WARMUP_DAYS = 8, 40, 1.0

#: The auto-release timer as exponential patience; released leads stay released. ``hours`` is
#: only the SLA target here.
PATIENCE = {"policy": {"sla": {
    "auto_release": {"hours": 48.0, "enforced": True, "patience": {"dist": "exponential", "mean": PATIENCE_HOURS}},
    "pool_claim_probability": 0.0,
    "wake_up": {"enabled": False},
}}}
#: The package's queue KPI and the theory's value it estimates.
COMPARED = {"mean_wait_hours": "mean_wait_served_hours", "waited_pct": "waited_served_pct",
            "released_pct": "released_pct", "utilisation": "utilisation"}


def scenario(load: float) -> Scenario:
    return mmc_scenario(load * SERVERS / SERVICE_HOURS, SERVERS, SERVICE_HOURS, **PATIENCE)


@cache
def first_touch_queues(load: float) -> pd.DataFrame:
    """The package's first-touch queue KPIs, one row per replication."""
    calendar = WorkCalendar(scenario(load).calendar, horizon_days=DAYS + 1)
    rows = [queue_kpis(simulate(scenario(load), seed=seed, days=DAYS).events, scenario(load), DAYS, calendar,
                       WARMUP_DAYS).loc["first_touch"] for seed in range(REPLICATIONS)]
    return pd.DataFrame(rows)


@pytest.mark.parametrize("load", LOADS)
def test_first_touch_matches_erlang_a(load: float) -> None:
    name, theory = entry_queue_theory(scenario(load))
    assert name == "Erlang A"
    queues = first_touch_queues(load)
    ok, message = all_within(queues, {column: getattr(theory, field) for column, field in COMPARED.items()})
    assert ok, f"at load {load}: {message}"
    # the check has teeth: a real share abandons, and the estimates are tight
    assert theory.released_pct > 0.05
    assert relative_half_width(queues["released_pct"], 0.95) < 0.1
    assert relative_half_width(queues["mean_wait_hours"], 0.95) < 0.1


def test_served_leads_waited_less_than_their_patience_on_average() -> None:
    queues = first_touch_queues(LOADS[-1])
    assert (queues["mean_wait_hours"] < PATIENCE_HOURS).all()
    assert (queues["releases"] > 0).all()
