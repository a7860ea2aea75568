"""Little's law on every stage of the baseline, from the event log alone.

For each stage, entries and exits are paired per entity from the log. The time-average
work in progress L is read from the counting process (entries minus exits up to each
hour); the throughput lambda and mean time in stage W from the entities.

- Over the whole horizon (the company starts empty; time in stage counted up to the end
  for entities still inside) L = lambda W holds up to the hourly grid: a check that the
  log's counts and per-entity times agree and every exit follows its entry.
- In steady state (after a warm-up, W from the entries in the window) L = lambda W within
  5 % for stages whose time in stage is short against the window; long stages such as
  nurture (weeks) are left to the first form, where window edges cannot bias them.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd
import pytest
from support import BASELINE

from simcoord.scenario.loading import load_scenario
from simcoord.model.company import simulate

DAYS = 300
WINDOW_START_HOURS = 60 * 24.0
TOLERANCE = 0.05
SHORT_STAGE = 0.05  # steady-state check only where W < this share of the window


class Stage(NamedTuple):
    kind: str
    entries: tuple[str, ...]
    exits: tuple[str, ...]
    stage: str | None = None  # entries must carry this ``stage`` attribute


FUNNEL_MOVES = ("advanced", "lost", "released_to_pool")
STAGES = {
    "marketing nurture": Stage("lead", ("created", "recycled"), ("mql", "dormant")),
    "waiting for first touch": Stage("lead", ("mql",), ("first_touch", "released_to_pool")),
    "need_confirmation": Stage("lead", ("sql", "advanced"), FUNNEL_MOVES, "need_confirmation"),
    "quote": Stage("lead", ("sql", "advanced"), FUNNEL_MOVES, "quote"),
    "negotiation": Stage("lead", ("sql", "advanced"), FUNNEL_MOVES, "negotiation"),
    "order fulfilment": Stage("order", ("order_created",), ("delivered",)),
    "ticket first response": Stage("ticket", ("ticket_opened",), ("ticket_response",)),
}


@pytest.fixture(scope="module")
def events() -> pd.DataFrame:
    return simulate(load_scenario(BASELINE), seed=11, days=DAYS).events


def stage_intervals(events: pd.DataFrame, stage: Stage) -> pd.DataFrame:
    """One row per entry into ``stage``: ``entered`` and ``left`` (NaN: still in it at the end)."""
    rows = events[(events["kind"] == stage.kind) & events["activity"].isin(stage.entries + stage.exits)]
    rows = rows.sort_values(["id", "time"], kind="stable")
    is_entry = rows["activity"].isin(stage.entries)
    if stage.stage is not None:
        is_entry &= rows["stage"] == stage.stage
    following = rows.groupby("id")["activity"].shift(-1)
    left = rows.groupby("id")["time"].shift(-1)
    entries = rows[is_entry]
    # what follows an entry, if anything, is an exit (never a second entry)
    assert following[is_entry].dropna().isin(stage.exits).all(), "an entry followed by another entry"
    return pd.DataFrame({"entered": entries["time"].to_numpy(), "left": left[is_entry].to_numpy(dtype=float)})


def little(intervals: pd.DataFrame, start: float, end: float) -> tuple[float, float, float]:
    """(L from the counting process on an hourly grid, lambda per hour, W hours) in [start, end]."""
    entered = np.sort(intervals["entered"].to_numpy())
    left = np.sort(intervals["left"].dropna().to_numpy())
    grid = np.arange(start, end, 1.0) + 0.5
    in_stage = np.searchsorted(entered, grid, side="right") - np.searchsorted(left, grid, side="right")
    inside = intervals[(intervals["entered"] >= start) & (intervals["entered"] < end)]
    time_in_stage = np.minimum(inside["left"].fillna(end), end) - inside["entered"]
    return float(in_stage.mean()), len(inside) / (end - start), float(time_in_stage.mean())


@pytest.mark.parametrize("name", list(STAGES))
def test_littles_law_holds_in_every_stage(events: pd.DataFrame, name: str) -> None:
    intervals = stage_intervals(events, STAGES[name])
    assert len(intervals) > 100, f"{name}: too few entries to test"
    assert (intervals["left"].dropna() >= intervals["entered"][intervals["left"].notna()]).all()
    wip, rate, time_in_stage = little(intervals, 0.0, DAYS * 24.0)
    assert wip > 0
    assert wip == pytest.approx(rate * time_in_stage, rel=0.01), \
        f"{name}: L = {wip:.2f} but lambda W = {rate:.4f}/h x {time_in_stage:.2f} h = {rate * time_in_stage:.2f}"

    wip, rate, time_in_stage = little(intervals, WINDOW_START_HOURS, DAYS * 24.0)
    if time_in_stage < SHORT_STAGE * (DAYS * 24.0 - WINDOW_START_HOURS):
        assert wip == pytest.approx(rate * time_in_stage, rel=TOLERANCE), \
            f"{name} in steady state: L = {wip:.2f} but lambda W = {rate * time_in_stage:.2f}"


def test_work_queues_obey_littles_law(events: pd.DataFrame) -> None:
    """Each department's queue for staff: queued_at -> work start, per department."""
    work = events[events["queued_at"].notna()]
    for department, rows in work.groupby(work["department"].astype(str)):
        intervals = pd.DataFrame({"entered": rows["queued_at"].to_numpy(float), "left": rows["time"].to_numpy(float)})
        wip, rate, wait = little(intervals, WINDOW_START_HOURS, DAYS * 24.0)
        if wip > 0.5:  # queues that are almost always empty have no edge-free estimate
            assert wip == pytest.approx(rate * wait, rel=TOLERANCE), department
