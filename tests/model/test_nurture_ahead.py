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


def test_nurture_is_worked_out_ahead_only_when_its_touches_cannot_change() -> None:
    plain = Model(baseline_with(), days=DAYS).coordination
    assert plain.grade_up_fixed(object.__new__(type("Lead", (), {"id": 1})))
    sd = plain.scoring_noise_sd()
    assert plain.scoring_noise_range() == (sd, sd)  # no feedback reaches scoring: one value, all at once
    recycling = Model(baseline_with(RECYCLING), days=DAYS).coordination
    waiting, other = type("Lead", (), {"id": 7})(), type("Lead", (), {"id": 8})()
    recycling.recycled_waiting.add(7)
    assert not recycling.grade_up_fixed(waiting) and recycling.grade_up_fixed(other)


def test_with_feedback_reaching_scoring_the_error_ranges_from_its_floor_to_now_and_never_grows() -> None:
    learning = Model(baseline_with(LEARNING), days=DAYS)
    coordination, spec = learning.coordination, learning.scenario.marketing
    floor = spec.scoring_noise_sd * spec.min_noise_factor
    assert coordination.scoring_noise_range() == (floor, spec.scoring_noise_sd)
    coordination.notes_written.extend([1.0, 2.0, 50.0])
    coordination.sync("lead_feedback", as_of=10.0)
    learnt = coordination.scoring_noise_sd()
    assert floor < learnt < spec.scoring_noise_sd and coordination.scoring_noise_range() == (floor, learnt)
    coordination.sync("lead_feedback", as_of=5.0)  # an older view teaches nothing and unlearns nothing
    assert coordination.notes_synced == 2 and coordination.scoring_noise_sd() == learnt


def steps_and_touches(model: Model) -> tuple[int, int]:
    """SimPy events processed in a run of ``model``, and its nurture touches."""
    steps, step = 0, model.env.step

    def counted_step() -> None:
        nonlocal steps
        steps += 1
        step()
    model.env.step = counted_step
    events = model.run().events
    return steps, int((events["activity"] == "nurtured").sum())


def test_a_learning_company_waits_only_for_the_readings_that_may_hand_a_lead_over() -> None:
    """With feedback reaching scoring, touches are still worked out ahead: far fewer SimPy events
    than going touch by touch (one event a touch and a wake-up attempt)."""
    ahead = steps_and_touches(Model(baseline_with(LEARNING), seed=3, days=DAYS))
    live_model = Model(baseline_with(LEARNING), seed=3, days=DAYS)
    live_model.coordination.grade_up_fixed = lambda lead: False  # as if a review could change every lead
    live = steps_and_touches(live_model)
    assert min(ahead[1], live[1]) > 1000
    assert ahead[0] + live[1] / 2 < live[0]


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
