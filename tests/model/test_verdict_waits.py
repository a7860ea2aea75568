"""Verdicts that come after a wait: a lead that qualifies is accepted only after
``funnel.qualified_after_days`` (a customer who completes later), one that does not is found
invalid only after ``funnel.invalid_after_days`` (a customer who never completes), a lost deal is
closed only after ``lost_after_days`` of the stage (the customer goes silent); without them all
come at the touch."""

from __future__ import annotations

import pandas as pd
import pytest
from support import NEVER, first_time, micro_scenario, run_with_leads

from simcoord.log.snapshot import OpenCase, Snapshot
from simcoord.model.company import Model

ALWAYS_OPEN = {"calendar": {"always_open": True}}
NO_NURTURE = {"marketing": {"nurture": False}}
MONDAY = pd.Timestamp("2026-01-05", tz="UTC")  # the micro company's start


def one_losing_stage(**extra) -> dict:
    return {"funnel": {"stages": [{"name": "quote", "customer_days": 0, "work_hours": 0.5, "conversion": NEVER,
                                   **extra}]},
            "policy": {"sla": {"stage_dwell_stage": "quote"}}}


def unqualified(**funnel) -> dict:
    return {"funnel": {"qualification": NEVER, **funnel}}


def qualified(**funnel) -> dict:
    return {"funnel": {"qualification": dict.fromkeys(NEVER, 1.0), **funnel}}


@pytest.mark.parametrize("days, invalid_at", [(None, 0.5), (2, 0.5 + 48.0)])
def test_a_lead_that_does_not_qualify_is_found_invalid_after_its_wait(days, invalid_at):
    wait = {"invalid_after_days": days} if days is not None else {}
    run = run_with_leads(micro_scenario(ALWAYS_OPEN, NO_NURTURE, unqualified(**wait)), [0.0], days=5)
    lead = run.leads[0]
    assert first_time(run.events, lead, "first_touch") == 0.0  # its work ends at 0.5
    assert first_time(run.events, lead, "invalid") == invalid_at
    assert first_time(run.events, lead, "discarded") == invalid_at


@pytest.mark.parametrize("days, lost_at", [(None, 1.0), (1, 0.5 + 24.0)])
def test_a_lost_deal_is_closed_that_long_after_its_first_touch_began(days, lost_at):
    silence = {"lost_after_days": days} if days is not None else {}
    run = run_with_leads(micro_scenario(ALWAYS_OPEN, NO_NURTURE, one_losing_stage(**silence)), [0.0], days=5)
    assert first_time(run.events, run.leads[0], "lost") == lost_at  # SQL at 0.5; without: after the work, at 1.0


def test_a_lost_deal_is_called_first_however_long_the_customer_takes_to_answer():
    slow = {"customer_days": 2, "lost_after_days": 1}
    run = run_with_leads(micro_scenario(ALWAYS_OPEN, NO_NURTURE, one_losing_stage(**slow)), [0.0], days=5)
    lead = run.leads[0]
    assert first_time(run.events, lead, "quote") == 0.5 + 48.0  # the call after the customer's two days
    assert first_time(run.events, lead, "lost") == 0.5 + 48.0 + 24.0  # a day after the call began, not before it


def test_a_losing_visit_whose_touches_outlast_its_end_is_lost_at_its_end_with_touches_left_undone():
    calls = {"touches": 5, "touch_gap_days": 1, "lost_after_days": 2.5}
    run = run_with_leads(micro_scenario(ALWAYS_OPEN, NO_NURTURE, one_losing_stage(**calls)), [0.0], days=10)
    lead = run.leads[0]
    assert first_time(run.events, lead, "lost") == 0.5 + 60.0
    touches = run.events[(run.events["id"] == lead) & (run.events["activity"] == "quote")]
    assert touches["time"].tolist() == [0.5, 25.0, 49.5]  # a day after each touch ends; the 4th would be at 74


def test_a_customer_whose_patience_runs_out_first_cancels_even_after_the_touches():
    both = {"patience_days": 1, "lost_after_days": 3}
    run = run_with_leads(micro_scenario(ALWAYS_OPEN, NO_NURTURE, one_losing_stage(**both)), [0.0], days=5)
    lost = run.events[run.events["activity"] == "lost"].iloc[0]
    assert (lost["time"], lost["reason"]) == (0.5 + 24.0, "cancelled")  # not lost at 1.0 when the work ends


def test_a_stage_without_the_option_draws_no_silence_and_decides_after_the_work():
    plain = run_with_leads(micro_scenario(ALWAYS_OPEN, NO_NURTURE, one_losing_stage()), [0.0], days=5)
    assert "silence.quote" not in plain.model.streams
    rows = plain.events[plain.events["id"] == plain.leads[0]]
    assert rows.loc[rows["activity"] == "lost", "time"].tolist() == [1.0]  # as the work ends


def test_a_case_touched_before_the_cut_off_waits_the_rest_of_its_verdict_then_is_invalid():
    scenario = micro_scenario(ALWAYS_OPEN, NO_NURTURE, unqualified(invalid_after_days=2))
    touched = OpenCase("A-1", "sales", None, age_hours=30.0, waiting_since_hours=30.0, handed_over_hours=30.0,
                       first_touch_hours=6.0, last_event_hours=24.0, value=9000.0)
    events = Model(scenario, seed=1, days=3, start_from=Snapshot(MONDAY, "UTC", (touched,))).run().events
    case = events.loc[events["source_case"] == "A-1", "id"].iloc[0]
    rows = events[events["id"] == case]
    assert "first_touch" not in set(rows["activity"])  # not touched again
    assert rows.loc[rows["activity"] == "invalid", "time"].tolist() == [pytest.approx(48.0 - 24.0)]


def test_a_losing_visit_touched_before_the_cut_off_is_lost_its_wait_after_that_touch():
    scenario = micro_scenario(ALWAYS_OPEN, NO_NURTURE, one_losing_stage(lost_after_days=2, touches=3,
                                                                        touch_gap_days=5))
    called = OpenCase("A-1", "quote", "quote", age_hours=40.0, waiting_since_hours=30.0, touches=1,
                      handed_over_hours=40.0, first_touch_hours=1.0, last_event_hours=30.0, value=9000.0)
    events = Model(scenario, seed=1, days=3, start_from=Snapshot(MONDAY, "UTC", (called,))).run().events
    case = events.loc[events["source_case"] == "A-1", "id"].iloc[0]
    rows = events[events["id"] == case]
    assert rows.loc[rows["activity"] == "lost", "time"].tolist() == [pytest.approx(48.0 - 30.0)]
    assert "quote" not in set(rows["activity"])  # the next call, 5 days on, is never made


@pytest.mark.parametrize("wait", [unqualified(invalid_after_days=0.5), one_losing_stage(lost_after_days=0.5)])
def test_a_verdict_due_in_closed_hours_is_given_when_the_team_is_next_at_work(wait):
    run = run_with_leads(micro_scenario(NO_NURTURE, wait), [9.0], days=5)  # the micro company works 9-18
    verdicts = run.events[(run.events["id"] == run.leads[0]) & run.events["activity"].isin(["invalid", "lost"])]
    assert verdicts["time"].tolist() == [24.0 + 9.0]  # due at 21:30 (half a day after the touch at 9:30)


@pytest.mark.parametrize("days, sql_at", [(None, 0.5), (1, 0.5 + 24.0)])
def test_a_lead_that_qualifies_is_accepted_after_its_wait(days, sql_at):
    wait = {"qualified_after_days": days} if days is not None else {}
    run = run_with_leads(micro_scenario(ALWAYS_OPEN, NO_NURTURE, qualified(**wait)), [0.0], days=5)
    assert first_time(run.events, run.leads[0], "sql") == sql_at  # the touch ends at 0.5


def test_an_acceptance_due_in_closed_hours_is_given_when_the_team_is_next_at_work():
    run = run_with_leads(micro_scenario(NO_NURTURE, qualified(qualified_after_days=0.5)), [9.0], days=5)
    assert first_time(run.events, run.leads[0], "sql") == 24.0 + 9.0  # due at 21:30


@pytest.mark.parametrize("funnel, verdict", [({"qualified_after_days": 2}, "sql"),
                                             ({"invalid_after_days": 2}, "invalid")])
def test_a_case_touched_before_the_cut_off_gets_the_verdict_that_waits(funnel, verdict):
    scenario = micro_scenario(ALWAYS_OPEN, NO_NURTURE, qualified(**funnel))
    touched = OpenCase("A-1", "sales", None, age_hours=30.0, waiting_since_hours=30.0, handed_over_hours=30.0,
                       first_touch_hours=6.0, last_event_hours=24.0, value=9000.0)
    events = Model(scenario, seed=1, days=3, start_from=Snapshot(MONDAY, "UTC", (touched,))).run().events
    case = events.loc[events["source_case"] == "A-1", "id"].iloc[0]
    rows = events[events["id"] == case]
    assert rows.loc[rows["activity"].isin(["sql", "invalid"]), "activity"].tolist() == [verdict]
    assert rows.loc[rows["activity"] == verdict, "time"].tolist() == [pytest.approx(48.0 - 24.0)]


def verdicts_of_touched_cases(count: int, qualification: float, qualified_days: float, invalid_days: float,
                              seed: int) -> pd.DataFrame:
    """The verdict rows of ``count`` cases open at the cut-off, first touched 6 hours before it and
    undecided since, in a company where both verdicts wait (``qualification``: the touch's chance)."""
    scenario = micro_scenario(ALWAYS_OPEN, NO_NURTURE,
                              {"funnel": {"qualification": dict.fromkeys(NEVER, qualification),
                                          "qualified_after_days": qualified_days, "invalid_after_days": invalid_days,
                                          "response_decay": {"floor": 1.0}}})
    cases = tuple(OpenCase(f"A-{i}", "sales", None, age_hours=30.0, waiting_since_hours=30.0, handed_over_hours=30.0,
                           first_touch_hours=24.0, last_event_hours=6.0, value=9000.0) for i in range(count))
    events = Model(scenario, seed=seed, days=3, start_from=Snapshot(MONDAY, "UTC", cases)).run().events
    resumed = events.loc[events["activity"] == "resumed", "id"]
    return events[events["id"].isin(resumed) & events["activity"].isin(["sql", "invalid"])]


def test_with_both_waits_a_touched_case_is_accepted_with_the_chance_its_touch_gave():
    verdicts = verdicts_of_touched_cases(400, qualification=0.3, qualified_days=1, invalid_days=1, seed=2)
    assert len(verdicts) == 400 and set(verdicts["time"].round(9)) == {18.0}  # a day after the touch, 6 h before
    assert (verdicts["activity"] == "sql").mean() == pytest.approx(0.3, abs=0.07)


def test_a_case_undecided_for_longer_than_acceptances_take_is_found_invalid():
    verdicts = verdicts_of_touched_cases(50, qualification=0.9, qualified_days=0.1, invalid_days=2, seed=3)
    assert verdicts["activity"].tolist() == ["invalid"] * 50  # an acceptance takes 2.4 h; they waited 6 h


def test_a_case_undecided_for_longer_than_either_verdict_takes_gets_the_slower_one():
    verdicts = verdicts_of_touched_cases(20, qualification=0.9, qualified_days=0.05, invalid_days=0.1, seed=4)
    assert verdicts["activity"].tolist() == ["invalid"] * 20  # 1.2 h and 2.4 h; they waited 6 h
