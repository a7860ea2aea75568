"""Reproducibility and common random numbers.

One root seed spawns a named stream per source of randomness: the same seed gives the same
event log, and a policy change leaves the arrival streams (times and lead attributes) alone.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from support import BASELINE, SCENARIOS, baseline_with

import simcoord
from simcoord.model.streams import Streams

DAYS = 45
ARRIVAL_COLUMNS = ["time", "channel", "tier", "grade", "industry", "value", "campaign"]


def arrivals(result: simcoord.SimulationResult) -> pd.DataFrame:
    """Leads born from the demand channels (not the service feedback loop), without ids."""
    events = result.events
    created = events[(events["activity"] == "created") & ~events["channel"].isin(["repurchase", "referral"])]
    return created[ARRIVAL_COLUMNS].reset_index(drop=True)


@pytest.fixture(scope="module")
def baseline_run() -> simcoord.SimulationResult:
    return simcoord.simulate(simcoord.load_scenario(BASELINE), seed=11, days=DAYS)


def test_same_seed_gives_an_identical_event_log(baseline_run):
    again = simcoord.simulate(simcoord.load_scenario(BASELINE), seed=11, days=DAYS)
    assert again.events.equals(baseline_run.events)
    assert again.kpis.equals(baseline_run.kpis)
    assert (again.seed, again.days) == (11, DAYS)


def test_different_seed_gives_a_different_event_log(baseline_run):
    other = simcoord.simulate(simcoord.load_scenario(BASELINE), seed=12, days=DAYS)
    assert not other.events.equals(baseline_run.events)
    assert not arrivals(other).equals(arrivals(baseline_run))


POLICY_CHANGES = {
    "sla-enforced file": None,
    "mql threshold": {"marketing": {"mql_threshold": 70}},
    "least-loaded routing": {"policy": {"routing": {"mode": "least_loaded"}}},
    "pooled routing, no key accounts": {"policy": {"routing": {"mode": "pooled", "key_account_routing": False}}},
    "weekly meeting and platform": {"policy": {"information": {"mode": "platform"}, "meetings": [
        {"name": "weekly", "attendees": {"sales": 3, "marketing": 2}, "every_days": 7, "duration_hours": 1,
         "syncs": ["forecast", "lead_feedback"]}]}},
    "more sales staff": {"organisation": {"sales": {"staff": 16, "hourly_cost": 55}}},
}


@pytest.mark.parametrize("change", POLICY_CHANGES)
def test_a_policy_change_leaves_arrivals_identical(baseline_run, change):
    override = POLICY_CHANGES[change]
    scenario = simcoord.load_scenario(SCENARIOS / "policies" / "sla-enforced.yaml") if override is None \
        else baseline_with(override)
    changed = simcoord.simulate(scenario, seed=11, days=DAYS)
    pd.testing.assert_frame_equal(arrivals(changed), arrivals(baseline_run))
    assert len(arrivals(changed)) > 1000
    # ... while the policy really changed what happened afterwards
    assert not changed.events.equals(baseline_run.events)


def test_streams_do_not_depend_on_the_order_they_are_used_in():
    a, b = Streams(5), Streams(5)
    b["duration.quote"].random(1000)  # draw heavily from another stream first
    assert np.array_equal(a["arrivals.web"].random(10), b["arrivals.web"].random(10))
    assert not np.array_equal(Streams(5)["arrivals.web"].random(10), Streams(5)["arrivals.social"].random(10))
    assert not np.array_equal(Streams(5)["arrivals.web"].random(10), Streams(6)["arrivals.web"].random(10))


def test_the_log_does_not_depend_on_python_hash_randomisation():
    """A fresh interpreter with another PYTHONHASHSEED (set and dict orders of strings) gives the same KPIs."""
    import json
    import os
    import subprocess
    import sys

    code = ("import json, simcoord; r = simcoord.simulate(simcoord.load_scenario(%r), seed=11, days=20); "
            "print(json.dumps({'n': len(r.events), 'kpis': r.kpis.to_dict()}))" % str(BASELINE))
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120, check=True)
    theirs = json.loads(out.stdout)
    ours = simcoord.simulate(simcoord.load_scenario(BASELINE), seed=11, days=20)
    assert theirs["n"] == len(ours.events)
    pd.testing.assert_series_equal(pd.Series(theirs["kpis"], dtype=float), ours.kpis, check_names=False)
