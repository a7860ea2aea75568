"""One test per process option (optional departments, the automatic screen, repeated touches,
send-backs, customer cancellations, conversion by value band and channel) on the micro company,
with exact times from the event log, and a property test over random combinations of them.

Clock: hour 0 is Monday 2026-01-05 00:00. Most tests run the company 24/7 so that times are plain
sums of the constant durations; leads are injected at exact hours.
"""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from model_invariants import check_run
from support import CERTAIN, FRIDAY, HOURS_PER_DAY, NEVER, SCENARIOS, first_time, history, micro_scenario, run_with_leads

import simcoord
from simcoord.kpis.process import process_by_stage
from simcoord.model.company import SimulationResult
from simcoord.model.steps import touch_count
from simcoord.scenario.loading import ScenarioError, load_scenario

ALWAYS_OPEN = {"calendar": {"always_open": True}}
NO_NURTURE = {"marketing": {"nurture": False}}
NO_PLANT = {"production": {"enabled": False}}
BPIC_LIKE = SCENARIOS / "examples" / "bpic-like.yaml"


def activities(run, lead: int) -> list[str]:
    return [activity for _, activity, _ in history(run.events, lead)]


def rows(run, activity: str):
    return run.events[run.events["activity"] == activity]


def stages(*specs: dict) -> dict:
    """A funnel of the given stages (each: constant 0 customer days, 0.5 h work, certain unless
    said); the first stage is the one whose dwell the SLA limits."""
    return {"funnel": {"stages": [{"customer_days": 0, "work_hours": 0.5, "conversion": CERTAIN, **spec}
                                  for spec in specs]},
            "policy": {"sla": {"stage_dwell_stage": specs[0]["name"]}}}


# ----------------------------------------------------------------- optional departments
def test_without_nurture_a_lead_enters_sales_at_creation_and_skips_the_hand_over_batch():
    """Default information mode batches MQLs every 4.5 working hours; a lead without nurture does not wait."""
    batched = {"policy": {"information": {"mode": "meetings"}}, "marketing": {"mql_threshold": 100}}
    run = run_with_leads(micro_scenario(batched, NO_NURTURE), [FRIDAY + 19.0], days=14)
    lead = run.leads[0]
    assert first_time(run.events, lead, "mql") == FRIDAY + 19.0
    assert first_time(run.events, lead, "first_touch") == 7 * HOURS_PER_DAY + 9.0  # Monday 09:00, no batch
    assert "nurtured" not in activities(run, lead)
    nurtured = run_with_leads(micro_scenario(batched), [FRIDAY + 19.0], days=14)
    assert "mql" not in activities(nurtured, nurtured.leads[0])  # threshold 100: nurture never hands over


def test_without_nurture_a_lost_lead_is_discarded_not_recycled():
    recycling = {"marketing": {"recycle_lost": True, "max_recycles": 3}}
    run = run_with_leads(micro_scenario(ALWAYS_OPEN, NO_NURTURE, recycling, stages(
        {"name": "quote", "conversion": NEVER})), [0.0], days=5)
    assert activities(run, run.leads[0])[-2:] == ["lost", "discarded"]
    assert run.kpis["recycled"] == 0 and run.kpis["discarded"] == 1


def test_without_production_a_won_deal_ends_at_won():
    run = run_with_leads(micro_scenario(ALWAYS_OPEN, NO_PLANT), [0.0], days=20)
    lead = run.leads[0]
    assert first_time(run.events, lead, "won") == 1.0  # first touch 0.5 h, one stage 0.5 h
    assert activities(run, lead)[-1] == "won"
    assert set(run.events["kind"].astype(str)) == {"lead"}  # no orders, batches, forecasts, customers, tickets
    assert run.kpis["orders"] == 0 and run.kpis["customers"] == 0 and run.kpis["revenue"] == 9000


def test_without_service_a_delivered_order_makes_no_customer():
    run = run_with_leads(micro_scenario(ALWAYS_OPEN, {"service": {"enabled": False}}), [0.0], days=20)
    assert run.kpis["orders"] == 1 and (run.events["activity"] == "delivered").sum() == 1
    assert run.kpis["customers"] == 0 and "customer" not in set(run.events["kind"].astype(str))


# ----------------------------------------------------------------- the automatic screen
@pytest.mark.parametrize("screen", [
    {"max_value": 5000},  # by rule: the micro company's deals are worth 15,000 x 0.6 (small tier) = 9,000
    {"pass_probability": 0.0},
    {"by_channel": {"web": 0.0}, "pass_probability": 1.0},
    {"by_grade": {"L1": 1, "L2": 1, "L3": 0, "L4": 1, "L5": 1}},
    {"by_value": {"upper_bounds": [5000], "probabilities": [1.0, 0.0]}, "by_channel": {"web": 1.0}},
], ids=["rule", "probability", "channel", "grade", "value band before channel"])
def test_the_screen_declines_at_creation_without_staff_time(screen):
    run = run_with_leads(micro_scenario(ALWAYS_OPEN, NO_NURTURE, {"funnel": {"screen": screen}}), [5.0], days=3)
    lead = run.leads[0]
    assert [(time, activity) for time, activity, _ in history(run.events, lead)] == \
        [(5.0, "created"), (5.0, "screened"), (5.0, "discarded")]
    assert (rows(run, "screened")["outcome"].tolist(), rows(run, "discarded")["reason"].tolist()) == \
        (["declined"], ["declined"])
    assert (run.kpis["screened"], run.kpis["screen_declined"], run.kpis["screen_decline_pct"]) == (1, 1, 1.0)
    assert run.kpis["discarded"] == 1 and run.kpis["mql"] == 0


def test_a_passed_lead_goes_on_to_sales_at_once():
    screen = {"funnel": {"screen": {"by_value": {"upper_bounds": [10000], "probabilities": [1.0, 0.0]}}}}
    run = run_with_leads(micro_scenario(ALWAYS_OPEN, NO_NURTURE, screen), [5.0], days=3)
    lead = run.leads[0]
    assert activities(run, lead)[:4] == ["created", "screened", "mql", "assigned"]
    assert rows(run, "screened")["outcome"].tolist() == ["passed"]
    assert first_time(run.events, lead, "won") == 6.0
    assert run.kpis["screen_decline_pct"] == 0.0


def test_with_nurture_the_screen_sits_at_the_hand_over():
    run = run_with_leads(micro_scenario(ALWAYS_OPEN, {"funnel": {"screen": {"pass_probability": 0.0}}}), [5.0], days=3)
    assert activities(run, run.leads[0]) == ["created", "screened", "discarded"]


def test_screen_draws_come_from_their_own_stream():
    half = micro_scenario(ALWAYS_OPEN, NO_NURTURE, {"funnel": {"screen": {"pass_probability": 0.5}}})
    run = run_with_leads(half, [float(hour) for hour in range(40)], days=3)
    assert "screen" in run.model.streams and 0 < run.kpis["screen_declined"] < 40


def test_a_lead_left_to_the_reviewers_is_decided_when_they_are_next_at_work():
    """The micro company opens at 9:00; its screen's reviewers start at 10:00."""
    review = {"funnel": {"screen": {"review_share": 1.0, "review_calendar": {"day_start_hour": 10}}}}
    monday = 7 * HOURS_PER_DAY
    run = run_with_leads(micro_scenario(NO_NURTURE, review), [FRIDAY + 19.0, monday + 11.0], days=14)
    night, day = run.leads
    assert first_time(run.events, night, "screened") == first_time(run.events, night, "mql") == monday + 10.0
    assert first_time(run.events, day, "screened") == monday + 11.0  # the reviewers are at work: at once
    assert "screen.review" in run.model.streams


def test_a_screen_without_reviewers_logs_as_before_and_draws_nothing_for_them():
    half = {"funnel": {"screen": {"pass_probability": 0.5}}}
    arrivals = [float(hour) for hour in range(0, 200, 5)]
    plain = run_with_leads(micro_scenario(NO_NURTURE, half), arrivals, days=10)
    unreviewed = run_with_leads(micro_scenario(NO_NURTURE, half, {"funnel": {"screen": {"review_share": 0.0}}}),
                                arrivals, days=10)
    pd.testing.assert_frame_equal(plain.events, unreviewed.events)
    assert "screen.review" not in unreviewed.model.streams


def test_only_the_review_share_waits_for_the_reviewers():
    review = {"funnel": {"screen": {"review_share": 0.5}}}
    nights = [day * HOURS_PER_DAY + 2.0 for day in range(1, 5)] * 10  # 40 leads at 02:00, Tuesday to Friday
    run = run_with_leads(micro_scenario(NO_NURTURE, review), sorted(nights), days=6)
    screened = rows(run, "screened")["time"] % HOURS_PER_DAY
    assert set(screened) == {2.0, 9.0} and 5 < (screened == 9.0).sum() < 35


def test_a_review_week_without_working_time_is_refused_naming_its_field():
    with pytest.raises(Exception, match="funnel.screen.review_calendar"):
        micro_scenario({"funnel": {"screen": {"review_share": 0.5, "review_calendar": {
            "day_start_hour": 18, "day_end_hour": 9}}}})


# ----------------------------------------------------------------- repeated touches
def test_a_stage_with_three_touches_a_day_apart_works_the_lead_three_times():
    repeated = stages({"name": "application", "touches": 3, "touch_gap_days": 1})
    run = run_with_leads(micro_scenario(ALWAYS_OPEN, repeated), [0.0], days=5)
    lead = run.leads[0]
    touches = rows(run, "application")
    # SQL at 0.5; touch 1 at 0.5 (done 1.0), a day's gap, touch 2 at 25.0, touch 3 at 49.5
    assert touches["time"].tolist() == [0.5, 25.0, 49.5]
    assert touches["touch"].tolist() == [1, 2, 3]
    assert set(touches["entered_at"]) == {0.5}
    assert first_time(run.events, lead, "won") == 50.0
    assert (run.kpis["stage_touches"], run.kpis["touches_per_sql"]) == (3, 3.0)
    table = process_by_stage(run.events, ["application"])
    assert table.loc["application", ["visits", "touches"]].tolist() == [1, 3]


def test_touches_round_to_the_nearest_whole_number_and_at_least_one():
    assert [touch_count(x) for x in (0.0, 0.4, 1.6, 2.5, 3.49)] == [1, 1, 2, 2, 3]


# ----------------------------------------------------------------- loops
def test_validation_sends_the_case_back_until_the_visit_limit_then_converts():
    looping = stages({"name": "application"}, {"name": "validation", "next_steps": {"application": 1.0}})
    limit = {"funnel": {"max_stage_visits": 3}}
    run = run_with_leads(micro_scenario(ALWAYS_OPEN, looping, limit), [0.0], days=3)
    lead = run.leads[0]
    # first touch 0-0.5, then application and validation 0.5 h each, three times round
    assert rows(run, "application")["time"].tolist() == [0.5, 1.5, 2.5]
    assert rows(run, "sent_back")["time"].tolist() == [1.5, 2.5]
    assert rows(run, "sent_back")[["stage", "from_stage"]].values.tolist() == [["application", "validation"]] * 2
    assert first_time(run.events, lead, "won") == 3.5  # the third validation may not loop again
    assert run.kpis["sent_back"] == 2
    table = process_by_stage(run.events, ["application", "validation"])
    assert table["sent_back_to"].tolist() == [2, 0] and table["sent_back_from"].tolist() == [0, 2]
    assert table["visits"].tolist() == [3, 3]


def test_a_next_step_to_lost_loses_the_case_without_the_conversion_draw():
    run = run_with_leads(micro_scenario(ALWAYS_OPEN, stages({"name": "offer", "next_steps": {"lost": 1.0}})),
                         [0.0], days=3)
    lost = rows(run, "lost")
    assert (lost["time"].tolist(), lost["stage"].tolist()) == ([1.0], ["offer"])
    assert "outcome.offer" not in run.model.streams


def test_several_offers_per_case_come_from_a_loop_to_the_offer_stage():
    looping = stages({"name": "offer"}, {"name": "decision", "next_steps": {"offer": 1.0}})
    run = run_with_leads(micro_scenario(ALWAYS_OPEN, looping), [0.0], days=3)
    assert len(rows(run, "offer")) == 10  # the default limit: 10 visits of one stage


def test_next_steps_must_name_a_stage_or_lost():
    with pytest.raises(ScenarioError, match="nowhere"):
        micro_scenario(stages({"name": "offer", "next_steps": {"nowhere": 0.5}}))
    with pytest.raises(ScenarioError, match="at most 1"):
        micro_scenario(stages({"name": "offer", "next_steps": {"offer": 0.7, "lost": 0.7}}))


# ----------------------------------------------------------------- customer cancellations
def slow_customer(**extra) -> dict:
    """A stage whose customer takes 2 days to respond and gives up after ``patience_days``."""
    return stages({"name": "need_confirmation", "customer_days": 2, "patience_days": 1, **extra})


def test_a_customer_waiting_past_their_patience_cancels():
    run = run_with_leads(micro_scenario(ALWAYS_OPEN, slow_customer()), [0.0], days=5)
    lead = run.leads[0]
    lost = rows(run, "lost").iloc[0]
    assert lost["time"] == 0.5 + 24.0  # SQL at 0.5, patience one day
    assert (lost["reason"], lost["stage"]) == ("cancelled", "need_confirmation")
    assert activities(run, lead)[-1] == "discarded"
    assert (run.kpis["cancelled"], run.kpis["cancelled_pct"], run.kpis["lost"]) == (1, 1.0, 1)


def test_a_customer_waiting_in_the_reps_queue_cancels_too():
    """One 24/7 rep: lead A's stage takes 30 h of work; lead B's stage work waits behind it."""
    queue = stages({"name": "need_confirmation", "patience_days": 0.5, "work_hours": 30})
    run = run_with_leads(micro_scenario(ALWAYS_OPEN, queue), [0.0, 0.25], days=5)
    a, b = run.leads
    # B's first touch (queued at 0.25) comes before A's stage work (queued at 0.5): 0.5-1.0
    assert first_time(run.events, a, "won") == 1.0 + 30.0
    assert first_time(run.events, b, "lost") == 1.0 + 12.0  # B's SQL at 1.0, then half a day in the queue
    assert rows(run, "lost")["reason"].tolist() == ["cancelled"]


def test_the_company_side_dwell_timer_acts_first_when_it_is_shorter():
    dwell = {"policy": {"sla": {"stage_dwell": {"hours": 12, "enforced": True}}}}
    run = run_with_leads(micro_scenario(ALWAYS_OPEN, slow_customer(), dwell), [0.0], days=5)
    assert first_time(run.events, run.leads[0], "released_to_pool") == 12.5
    assert run.kpis["cancelled"] == 0


# ----------------------------------------------------------------- conversion by value band and channel
@pytest.mark.parametrize("conversion, won", [
    # the micro company's deals are worth 15,000 x 0.6 (small tier) = 9,000
    ({"conversion_by_value": {"upper_bounds": [10000], "probabilities": [1.0, 0.0]}}, 1),
    ({"conversion_by_value": {"upper_bounds": [5000], "probabilities": [1.0, 0.0]}}, 0),
    ({"conversion_by_value": {"upper_bounds": [9000], "probabilities": [1.0, 0.0]}}, 1),  # a bound is the lower band
    ({"conversion_by_channel": {"web": 0.0}}, 0),  # the channel comes before the grade
    ({"conversion_by_channel": {"referral": 0.0}}, 1),  # a channel the stage does not list falls back to the grade
    ({"conversion_by_value": {"upper_bounds": [20000], "probabilities": [0.0, 1.0]},
      "conversion_by_channel": {"web": 1.0}}, 0),  # the value band comes first
])
def test_stage_conversion_by_value_band_then_channel_then_grade(conversion, won):
    run = run_with_leads(micro_scenario(ALWAYS_OPEN, stages({"name": "offer", **conversion})), [0.0], days=3)
    assert run.kpis["won"] == won


def test_a_stage_without_grades_needs_a_probability_for_every_channel():
    by_channel = {"name": "offer", "conversion": None, "conversion_by_channel": {"web": 0.5}}
    micro_scenario(stages(by_channel), {"production": {"enabled": False}})  # web is the only channel
    with pytest.raises(ScenarioError, match="referral"):  # customers' referrals come on their own channel
        micro_scenario(stages(by_channel))


# ----------------------------------------------------------------- every option at once, at random
@st.composite
def process_options(draw) -> dict:
    stage_names = ["application", "offer", "validation"]
    specs = [{"name": name, "customer_days": {"dist": "exponential", "mean": draw(st.floats(0, 2))},
              "work_hours": draw(st.floats(0.1, 3)), "conversion": None,
              "conversion_by_value": {"upper_bounds": [15000], "probabilities": [draw(st.floats(0, 1)), 1.0]},
              "touches": {"dist": "uniform", "low": 0, "high": draw(st.floats(0, 4))},
              "touch_gap_days": draw(st.floats(0, 2)),
              "next_steps": {draw(st.sampled_from([*stage_names, "lost"])): draw(st.floats(0, 0.5))},
              **({"patience_days": {"dist": "exponential", "mean": draw(st.floats(0.1, 5))}}
                 if draw(st.booleans()) else {})} for name in stage_names]
    return {
        "demand": {"channels": {"web": {"leads_per_week": draw(st.floats(5, 80))}}},
        "lead_mix": {"deal_value": {"dist": "uniform", "low": 1000, "high": 30000}},
        "marketing": {"nurture": draw(st.booleans()), "recycle_lost": draw(st.booleans()), "max_recycles": 2},
        "production": {"enabled": draw(st.booleans())},
        "service": {"enabled": draw(st.booleans()), "tickets_per_customer_month": 1},
        "organisation": {"sales": {"staff": draw(st.integers(1, 3)), "hourly_cost": 55}},
        "funnel": {"stages": specs, "max_stage_visits": draw(st.integers(1, 5)),
                   "screen": {"pass_probability": draw(st.floats(0.2, 1))} if draw(st.booleans()) else None},
        "policy": {"sla": {"stage_dwell_stage": "application",
                           "stage_dwell": {"hours": draw(st.floats(1, 100)), "enforced": draw(st.booleans())}}},
    }


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(options=process_options(), seed=st.integers(0, 3))
def test_random_process_options_lose_no_case(options, seed):
    """Nothing lost: every lead created ends once (won, dormant, discarded) or is open at the horizon."""
    scenario = micro_scenario(options)
    result = simcoord.simulate(scenario, seed=seed, days=30)
    check_run(result)
    open_leads = result.kpis["leads_created"] - result.kpis["won"] - result.kpis["dormant"] - result.kpis["discarded"]
    assert result.kpis["open_at_end"] == open_leads
    assert result.kpis["cancelled"] <= result.kpis["lost"]
    if not scenario.production.enabled:
        assert result.kpis["orders"] == 0


# ----------------------------------------------------------------- the BPIC-2012-like example
def test_the_bpic_like_example_runs_with_its_screen_loops_and_cancellations():
    scenario = load_scenario(BPIC_LIKE)
    result: SimulationResult = simcoord.simulate(scenario, seed=0, days=45)
    check_run(result)
    kpis = result.kpis
    assert 0.3 < kpis["screen_decline_pct"] < 0.6
    assert kpis["sent_back"] > 0 and kpis["cancelled"] > 0 and kpis["touches_per_sql"] > 1
    assert kpis["orders"] == 0 and kpis["customers"] == 0 and kpis["recycled"] == 0
    # the KPIs-only path (the log summarised part by part) counts the same screens and cancellations
    streamed = simcoord.simulate(scenario, seed=0, days=45, keep_events=False).kpis
    pd.testing.assert_series_equal(streamed, kpis, rtol=1e-9)


def test_options_left_at_their_defaults_stay_out_of_the_scenario_dump():
    """Scenarios that do not use the process options keep their content hash (run-store keys)."""
    dump = load_scenario(SCENARIOS / "baseline.yaml").model_dump(mode="json")
    assert "nurture" not in dump["marketing"] and "enabled" not in dump["production"]
    assert "enabled" not in dump["service"]
    assert not {"screen", "max_stage_visits"} & set(dump["funnel"])
    process_fields = {"conversion_by_value", "conversion_by_channel", "touches", "touch_gap_days", "next_steps",
                      "patience_days"}
    assert all(not process_fields & set(stage) for stage in dump["funnel"]["stages"])


@pytest.mark.parametrize("qualification, sql", [
    # the micro company's deals are worth 9,000; its grades' qualification is certain
    ({"qualification_by_value": {"upper_bounds": [10000], "probabilities": [0.0, 1.0]}}, 0),
    ({"qualification_by_value": {"upper_bounds": [5000], "probabilities": [0.0, 1.0]}}, 1),
    ({"qualification_by_channel": {"web": 0.0}}, 0),  # the channel comes before the grade
    ({"qualification_by_channel": {"referral": 0.0}}, 1),  # an unlisted channel falls back to the grade
    ({"qualification_by_value": {"upper_bounds": [20000], "probabilities": [1.0, 0.0]},
      "qualification_by_channel": {"web": 0.0}}, 1),  # the value band comes first
])
def test_qualification_by_value_band_then_channel_then_grade(qualification, sql):
    run = run_with_leads(micro_scenario(ALWAYS_OPEN, {"funnel": qualification}), [0.0], days=3)
    assert run.kpis["sql"] == sql
