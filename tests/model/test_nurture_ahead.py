"""A lead's stay in nurture worked out at once (rows logged ahead of their time) only where
nothing can change what it reads; otherwise touch by touch. Either way the log is in time order,
ends before the horizon, and tells each lead's story in order."""

from __future__ import annotations

import numpy as np

from simcoord.log.store import ParquetEventLog
from simcoord.model.company import Model, simulate
from simcoord.vocabulary import HOURS_PER_DAY

from support import baseline_with

DAYS = 60
LEARNING = {"policy": {"incentives": {"sales": {"own_revenue": 0.5, "collaboration": 0.5}},
                       "meetings": [{"name": "feedback", "attendees": {"sales": 1, "marketing": 1},
                                     "every_days": 7, "duration_hours": 1, "syncs": ["lead_feedback"]}]}}
RECYCLING = {"policy": {"meetings": [{"name": "recycling", "attendees": {"marketing": 1}, "every_days": 14,
                                      "duration_hours": 1, "syncs": ["recycling"]}]}}


def test_nurture_is_worked_out_at_once_only_when_nothing_can_change_it() -> None:
    plain = Model(baseline_with(), days=DAYS)
    assert plain.coordination.nurture_info_fixed(object.__new__(type("Lead", (), {"id": 1})))
    assert not Model(baseline_with(LEARNING), days=DAYS).coordination.nurture_info_fixed(None)
    recycling = Model(baseline_with(RECYCLING), days=DAYS).coordination
    waiting, other = type("Lead", (), {"id": 7})(), type("Lead", (), {"id": 8})()
    recycling.recycled_waiting.add(7)
    assert not recycling.nurture_info_fixed(waiting) and recycling.nurture_info_fixed(other)


def check_story(events) -> None:
    """Time order, nothing at or past the horizon, and no lead acts after it went dormant."""
    times = events["time"].to_numpy()
    assert np.all(np.diff(times) >= 0) and times.max() < DAYS * HOURS_PER_DAY
    lead_rows = events[events["kind"] == "lead"]
    dormant_at = lead_rows[lead_rows["activity"] == "dormant"].groupby("id")["time"].max()
    last_at = lead_rows.groupby("id")["time"].max()
    assert (last_at.loc[dormant_at.index] == dormant_at).all()


def test_logs_are_in_time_order_whether_nurture_is_planned_or_live() -> None:
    for overrides in ((), (LEARNING,)):
        result = simulate(baseline_with(*overrides), seed=3, days=DAYS)
        assert (result.events["activity"] == "nurtured").sum() > 1000
        check_story(result.events)


def test_a_streamed_run_logs_the_same_rows_as_one_in_memory(tmp_path) -> None:
    scenario = baseline_with()
    kept = simulate(scenario, seed=2, days=DAYS).events
    streamed = ParquetEventLog(tmp_path / "log", chunk_rows=1000)
    simulate(scenario, seed=2, days=DAYS, log=streamed)
    back = streamed.read()
    assert len(streamed.parts) > 10
    for column in ("id", "time", "activity", "grade"):
        assert back[column].astype(str).tolist() == kept[column].astype(str).tolist(), column
