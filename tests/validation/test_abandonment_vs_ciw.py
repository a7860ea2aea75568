"""Abandonment: a single stage whose enforced auto-release timer acts as patience.

An MQL not touched within ``auto_release.hours`` leaves the queue for the public pool
(nobody claims it back here), which is an M/M/c+D queue with deterministic patience.
Ciw, an independent queueing library, simulates the same queue with reneging; the share
released and the mean wait of the served must agree within the replications' CIs.
"""

from __future__ import annotations

import ciw
import numpy as np
from validation_support import mmc_scenario, relative_half_width, same_mean, work_waits

from simcoord.model.company import simulate

SERVERS = 2
ARRIVALS_PER_HOUR = 2.2  # offered load 1.1 per server: without abandonment it would never settle
SERVICE_HOURS = 1.0
PATIENCE_HOURS = 2.0
DAYS = 40
WARMUP_HOURS = 24.0
REPLICATIONS = 10

TIMER_AS_PATIENCE = {"policy": {"sla": {
    "auto_release": {"hours": PATIENCE_HOURS, "enforced": True},
    "pool_claim_probability": 0.0,  # released leads stay released
    "wake_up": {"enabled": False},
}}}


def simcoord_replication(seed: int) -> tuple[float, float]:
    """(share released, mean wait of the served) for arrivals after the warm-up."""
    scenario = mmc_scenario(ARRIVALS_PER_HOUR, SERVERS, SERVICE_HOURS, **TIMER_AS_PATIENCE)
    events = simulate(scenario, seed=seed, days=DAYS).events
    horizon = DAYS * 24.0
    served = work_waits(events, ["first_touch"], WARMUP_HOURS)
    handed = events[(events["activity"] == "mql") & events["time"].between(WARMUP_HOURS, horizon - PATIENCE_HOURS)]
    released = events[(events["activity"] == "released_to_pool")
                      & (events["time"] - PATIENCE_HOURS).between(WARMUP_HOURS, horizon - PATIENCE_HOURS)]
    return len(released) / len(handed), float(served.mean())


def ciw_replication(seed: int) -> tuple[float, float]:
    """The same queue in Ciw: M/M/c with deterministic reneging after the patience."""
    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=ARRIVALS_PER_HOUR)],
        service_distributions=[ciw.dists.Exponential(rate=1 / SERVICE_HOURS)],
        number_of_servers=[SERVERS],
        reneging_time_distributions=[ciw.dists.Deterministic(value=PATIENCE_HOURS)],
    )
    ciw.seed(seed)
    simulation = ciw.Simulation(network)
    horizon = DAYS * 24.0
    simulation.simulate_until_max_time(horizon)
    records = [r for r in simulation.get_all_records() if WARMUP_HOURS <= r.arrival_date <= horizon - PATIENCE_HOURS]
    served = [r.waiting_time for r in simulation.get_all_records()
              if r.record_type == "service" and r.arrival_date >= WARMUP_HOURS]
    reneged = sum(r.record_type == "renege" for r in records)
    # arrivals still queued at the end have no record yet: count them as not released
    waiting = sum(1 for ind in simulation.nodes[1].all_individuals
                  if WARMUP_HOURS <= ind.arrival_date <= horizon - PATIENCE_HOURS)
    return reneged / (len(records) + waiting), float(np.mean(served))


def test_auto_release_matches_ciw_reneging() -> None:
    ours = [simcoord_replication(seed) for seed in range(REPLICATIONS)]
    theirs = [ciw_replication(seed) for seed in range(REPLICATIONS)]
    released, waits = zip(*ours)
    reneged, ciw_waits = zip(*theirs)

    ok, message = same_mean(released, reneged)
    assert ok, f"share released: {message}"
    ok, message = same_mean(waits, ciw_waits)
    assert ok, f"mean wait of the served: {message}"
    # overloaded without patience, so a real share leaves; and the estimates are tight
    assert 0.15 < np.mean(released) < 0.5
    assert relative_half_width(released, 0.95) < 0.1
    assert relative_half_width(waits, 0.95) < 0.1
    # nobody served waited longer than their patience
    scenario = mmc_scenario(ARRIVALS_PER_HOUR, SERVERS, SERVICE_HOURS, **TIMER_AS_PATIENCE)
    assert work_waits(simulate(scenario, seed=0, days=5).events, ["first_touch"]).max() <= PATIENCE_HOURS + 1e-9
