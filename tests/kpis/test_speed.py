"""The SLA timer formulas on hand-made lead rows (times in hours)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from simcoord.kpis.speed import follow_up_cycle, within


def test_follow_up_cycle_counts_gaps_within_one_open_deal_only() -> None:
    """A lead lost, recycled and handed over again months later: the months in nurture are not a
    follow-up gap of an open deal (two gaps of 49 h, both within the 7-day cycle)."""
    rows = [(0, "mql"), (1, "first_touch"), (50, "need_confirmation"), (50.5, "lost"), (50.5, "recycled"),
            (2000, "mql"), (2001, "first_touch"), (2050, "need_confirmation")]
    leads = pd.DataFrame({"id": 7, "time": [t for t, _ in rows], "activity": [a for _, a in rows]})
    assert follow_up_cycle(leads, ["need_confirmation"], limit=168) == 1.0


def test_timers_still_running_at_the_horizon_are_left_out_and_unended_ones_are_breaches() -> None:
    started = pd.Series([0.0, 10.0, 20.0, 95.0])
    waits = pd.Series([5.0, 30.0, np.nan, 1.0])  # met, breached, never ended, undecided at the horizon
    assert within(waits, started, limit_hours=24, horizon=100) == 1 / 3


def test_no_decided_timer_gives_no_share() -> None:
    assert np.isnan(within(pd.Series([1.0]), pd.Series([90.0]), limit_hours=24, horizon=100))
