"""Little's law, L = lambda W, for every stage's queue in the baseline, from the package's own
queue KPIs (``simcoord.kpis.queues``).

L is the time-average number of tasks waiting in the window after the warm-up (every wait that
overlaps it), lambda W the arrivals per hour times their mean wait. They differ only by the
tasks already waiting when the window opens, so over replications lambda W must lie within the
95 % interval of L, every stage must be busy enough to mean something, and the gap must be small.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
import pytest
from support import BASELINE
from validation_support import ci_contains

from simcoord.kpis.queues import queue_kpis
from simcoord.model.company import simulate
from simcoord.scenario.calendar import WorkCalendar
from simcoord.scenario.loading import load_scenario

REPLICATIONS, DAYS, WARMUP_DAYS = 4, 180, 30.0  # half a year: enough customers for a ticket queue
STAGES = ("qualification", "first_touch", "need_confirmation", "quote", "negotiation", "onboarding",
          "ticket_response")
GAP = 0.01  # largest relative gap between L and lambda W in any replication


@cache
def baseline_queues() -> tuple[pd.DataFrame, ...]:
    """The package's queue KPIs of the baseline, one table per replication."""
    scenario = load_scenario(BASELINE)
    calendar = WorkCalendar(scenario.calendar, horizon_days=DAYS + 1)
    return tuple(queue_kpis(simulate(scenario, seed=seed, days=DAYS).events, scenario, DAYS, calendar, WARMUP_DAYS)
                 for seed in range(REPLICATIONS))


def test_every_work_stage_of_the_baseline_is_a_queue() -> None:
    assert all(tuple(table.index) == STAGES for table in baseline_queues())


@pytest.mark.parametrize("stage", STAGES)
def test_littles_law_holds_in_every_stage(stage: str) -> None:
    wip = np.array([table.loc[stage, "mean_waiting_tasks"] for table in baseline_queues()])
    little = np.array([table.loc[stage, "lambda_w_tasks"] for table in baseline_queues()])
    assert (wip > 0.5).all(), f"{stage}: too few tasks waiting to test"
    ok, message = ci_contains(wip, float(little.mean()), 0.95)
    assert ok, f"{stage}: L against lambda W: {message}"
    assert np.abs(wip - little).max() <= GAP * wip.min(), f"{stage}: L {wip} but lambda W {little}"
