"""Effective sales capacity: the head count at which the model keeps leads waiting for their first
touch as long as the log shows.

The people a log shows at work each week (``staffing.fit_staff``) also do work its mapping leaves
out (other activities, the second and later instances of a mapped one). Where the fitted company
then answers leads at once although the log's leads waited hours, the head count the model needs
is smaller: the one whose simulated median wait from hand-over to first touch comes nearest the
log's (as a ratio): head counts tried upwards from the fewest that would not be overloaded, each a
short simulation of the fitted scenario.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from simcoord.calibration.estimates import Estimate, fitted
from simcoord.model.company import simulate
from simcoord.scenario.schema import Scenario
from simcoord.vocabulary import HOURS_PER_DAY

STAFF_PATH = "organisation.sales.staff"
CALIBRATION_DAYS = 63  # nine weeks: thousands of first touches in a busy log, seconds to simulate
#: Left out of the measured wait: from an empty start the stages' work needs weeks to reach its load.
WARMUP_DAYS = 21
#: A head count that keeps its people busier than this has a queue that still grows at the run's end:
#: its wait depends on the horizon, so it is not taken. (The BPIC 2012 fit's 3 people at 85 % busy
#: keep weekly median waits of 0.3-16 h over 18 weeks with no trend: bursty, not growing.)
MAX_UTILISATION = 0.9
#: Waits shorter than this (hours) need no calibration: the model's own queue explains them.
MIN_TARGET_HOURS = 0.25
#: The fitted head count is kept while the model's median wait is at least this share of the log's.
CLOSE_ENOUGH = 0.5


def observed_wait_hours(events: pd.DataFrame) -> tuple[float, int]:
    """The median clock hours from a lead's first hand-over (``mql``) to its first touch, and how many
    leads it is taken over."""
    leads = events[events["kind"] == "lead"]
    handed = leads[leads["activity"] == "mql"].drop_duplicates("id").set_index("id")["time"]
    touched = leads[leads["activity"] == "first_touch"].drop_duplicates("id").set_index("id")["time"]
    waits = (touched - handed.reindex(touched.index)).dropna()
    waits = waits[waits >= 0]
    return (float(waits.median()) if len(waits) else 0.0), len(waits)


def with_staff(scenario: Scenario, staff: int) -> Scenario:
    """``scenario`` with ``staff`` sales people."""
    sales = scenario.organisation.sales.model_copy(update={"staff": staff})
    return scenario.model_copy(update={"organisation": scenario.organisation.model_copy(update={"sales": sales})})


def at_fitted_level(scenario: Scenario) -> Scenario:
    """``scenario`` with its demand at the fitted level: no level drawn per run, independent weeks.
    A calibration run measures the queue the fitted demand makes; a level drawn away from it, or
    weeks that drift together over its nine weeks, would measure another demand's."""
    demand = scenario.demand
    channels = {name: spec.model_copy(update={"level_uncertainty": 0.0}) for name, spec in demand.channels.items()}
    return scenario.model_copy(update={"demand": demand.model_copy(update={"channels": channels,
                                                                           "weekly_persistence": 0.0})})


def model_waits(scenario: Scenario, seed: int = 0) -> pd.Series:
    """The clock hours from hand-over to first touch of the leads the model hands over after the
    warm-up of a calibration run at the fitted demand level (the waits its response-time decay acts on)."""
    events = simulate(at_fitted_level(scenario), seed=seed, days=CALIBRATION_DAYS).events
    handed = events[(events["activity"] == "mql") & (events["time"] >= WARMUP_DAYS * HOURS_PER_DAY)]
    handed = handed.drop_duplicates("id").set_index("id")["time"]
    touched = events[events["activity"] == "first_touch"].drop_duplicates("id").set_index("id")["time"]
    return (touched.reindex(handed.index) - handed).dropna()


def simulated_wait(scenario: Scenario, staff: int, seed: int = 0) -> tuple[float, float]:
    """The model's median first-touch wait (hours) with ``staff`` sales people over a short run after
    a warm-up (infinite where they are busier than :data:`MAX_UTILISATION`: an unstable queue),
    and their utilisation."""
    kpis = simulate(with_staff(at_fitted_level(scenario), staff), seed=seed, days=CALIBRATION_DAYS,
                    warmup_days=WARMUP_DAYS).kpis
    busy = float(kpis["utilisation_sales"])
    return (float(kpis["first_touch_median_hours"]) if busy <= MAX_UTILISATION else np.inf), busy


def nearest_count(waits: dict[int, float], target: float) -> int:
    """The head count whose median wait (hours) is nearest ``target`` as a ratio: waits are
    skewed and span orders of magnitude (0.1 h is as far from 1 h as 10 h is), and the fewest
    people where two are as near. A zero wait is as far as the shortest wait a log records (a minute)."""
    floor = 1 / 60
    return min(waits, key=lambda count: (abs(np.log(max(waits[count], floor) / max(target, floor))), count))


def effective_staff(scenario: Scenario, events: pd.DataFrame, seen: int | None = None) -> Estimate | None:
    """The sales head count at which the model's median first-touch wait is nearest the log's, or
    None where the fitted head count already keeps leads waiting about as long (or the log's
    leads hardly wait). Head counts are tried upwards from the fewest that keep utilisation within
    :data:`MAX_UTILISATION` (the fitted team's hours of work over that share; one fewer, too) until
    leads wait less than in the log. ``seen``: the head count the log shows (default: the scenario's)."""
    target, n = observed_wait_hours(events)
    seen = scenario.organisation.sales.staff if seen is None else seen
    if target < MIN_TARGET_HOURS or seen <= 1:
        return None
    wait_seen, busy = simulated_wait(scenario, seen)
    if wait_seen >= CLOSE_ENOUGH * target:
        return None
    waits: dict[int, float] = {}
    # from one fewer than the team busy just under the limit: queueing does not scale linearly
    staff = max(1, math.ceil(busy * seen / MAX_UTILISATION) - 1)
    while staff < seen and (not waits or waits[staff - 1] >= target):
        waits[staff] = simulated_wait(scenario, staff)[0]
        staff += 1
    waits = {count: wait for count, wait in waits.items() if np.isfinite(wait)}  # overloaded: not taken
    if not waits:
        return None
    best = nearest_count(waits, target)
    return fitted(STAFF_PATH, best, f"effective head count: the {seen} people a week the log shows also do work "
                  f"its mapping leaves out; with {best} the model's median wait from hand-over to first touch "
                  f"({waits[best]:.2f} h over days {WARMUP_DAYS}-{CALIBRATION_DAYS} of a run; a head count busier "
                  f"than {MAX_UTILISATION:.0%} is not taken, its queue still grows) is nearest the log's (as a ratio) "
                  f"({target:.2f} h over {n} leads; with {seen}: {wait_seen:.2f} h)", n)
