"""Sales steps with working hours of their own (``funnel.first_touch_calendar``,
``funnel.stages[].calendar``): a call centre that phones customers from 10:00 beside a back office
that opens at 9:00. The step's work starts only inside its hours, its verdicts are given there, and
a worker is never held for it while its hours are closed.

Clock: hour 0 is Monday 2026-01-05 00:00; the micro company works 9-18, Monday to Friday, with one
sales rep.
"""

from __future__ import annotations

import pytest
from support import CERTAIN, NEVER, first_time, micro_scenario, run_with_leads

NO_NURTURE = {"marketing": {"nurture": False}}
MONDAY, TUESDAY = 0.0, 24.0


def funnel(first_touch: dict | None = None, **stage) -> dict:
    """One stage, ``quote`` (no customer wait, 0.5 h of work, certain unless said), with ``stage``'s
    fields; the first touch's own hours where given."""
    spec = {"stages": [{"name": "quote", "customer_days": 0, "work_hours": 0.5, "conversion": CERTAIN, **stage}]}
    if first_touch is not None:
        spec["first_touch_calendar"] = first_touch
    return {"funnel": spec, "policy": {"sla": {"stage_dwell_stage": "quote"}}}


def test_a_first_touch_waits_for_its_own_hours():
    run = run_with_leads(micro_scenario(NO_NURTURE, funnel({"day_start_hour": 10})), [MONDAY + 9.0], days=3)
    assert first_time(run.events, run.leads[0], "first_touch") == MONDAY + 10.0  # not at the company's 9:00


def test_a_stage_works_only_in_its_hours_and_its_work_started_there_may_run_past_them():
    late = funnel(calendar={"day_start_hour": 9, "day_end_hour": 12}, work_hours=1.0)
    run = run_with_leads(micro_scenario(NO_NURTURE, late), [MONDAY + 10.0, MONDAY + 11.0], days=3)
    first, second = run.leads
    assert first_time(run.events, first, "quote") == MONDAY + 10.5  # after its first touch (10:00-10:30)
    assert first_time(run.events, first, "won") == MONDAY + 11.5
    # the second lead's first touch (11:30-12:00, after the first quote) leaves its quote due at 12:00
    assert first_time(run.events, second, "quote") == TUESDAY + 9.0
    late_start = funnel(calendar={"day_start_hour": 9, "day_end_hour": 11}, work_hours=1.0)
    run = run_with_leads(micro_scenario(NO_NURTURE, late_start), [MONDAY + 10.0], days=3)
    assert first_time(run.events, run.leads[0], "won") == MONDAY + 11.5  # begun at 10:30, done past 11:00


def test_a_worker_is_not_held_for_a_step_whose_hours_are_closed():
    """The quote is worked 9-10 only; a lead touched at 10:00 waits for Tuesday, while the one rep
    goes on to touch the leads that came after it."""
    early = funnel(calendar={"day_start_hour": 9, "day_end_hour": 10})
    run = run_with_leads(micro_scenario(NO_NURTURE, early), [MONDAY + 9.5, MONDAY + 11.0], days=3)
    first, second = run.leads
    assert first_time(run.events, first, "quote") == TUESDAY + 9.0
    assert first_time(run.events, second, "first_touch") == MONDAY + 11.0  # the rep was free, not held


@pytest.mark.parametrize("wait, verdict", [({"invalid_after_days": 0.05}, "invalid"),
                                           ({"qualified_after_days": 0.05}, "sql")])
def test_a_verdict_before_the_sql_is_given_in_the_first_touch_hours(wait, verdict):
    outcome = {"qualification": NEVER if verdict == "invalid" else CERTAIN, **wait}
    hours = funnel({"day_start_hour": 9, "day_end_hour": 10})
    hours["funnel"].update(outcome)
    run = run_with_leads(micro_scenario(NO_NURTURE, hours), [MONDAY + 9.0], days=3)
    assert first_time(run.events, run.leads[0], verdict) == TUESDAY + 9.0  # due at 10:42, past its 10:00


def test_a_lost_verdict_is_given_in_the_stage_hours():
    losing = funnel(calendar={"day_start_hour": 9, "day_end_hour": 12}, conversion=NEVER, lost_after_days=0.125)
    run = run_with_leads(micro_scenario(NO_NURTURE, losing), [MONDAY + 9.0], days=3)
    assert first_time(run.events, run.leads[0], "quote") == MONDAY + 9.5
    assert first_time(run.events, run.leads[0], "lost") == TUESDAY + 9.0  # due at 12:30


def test_step_hours_without_working_time_are_refused_naming_their_field():
    with pytest.raises(Exception, match=r"funnel\.stages\.0\.calendar"):
        micro_scenario(funnel(calendar={"day_start_hour": 18, "day_end_hour": 9}))
    with pytest.raises(Exception, match=r"funnel\.first_touch_calendar"):
        micro_scenario(funnel({"working_days": []}))
