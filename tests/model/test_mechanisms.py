"""One test per coordination mechanism (SLA timers, pool, routing, meetings, disputes...), on the
micro company with exact times from the event log.

Clock: hour 0 is Monday 2026-01-05 00:00; staff work Mon-Fri 09:00-18:00 unless a test
switches the calendar to 24/7. Leads are injected at exact hours; durations are constants
and probabilities 0 or 1, so every time asserted below follows from the rules alone.
"""

from __future__ import annotations

import pytest
from support import (CERTAIN, FRIDAY, HOURS_PER_DAY, NEVER, baseline_with, first_time, history, micro_scenario,
                      run_with_leads)

import simcoord

ALWAYS_OPEN = {"calendar": {"always_open": True}}
AUTO_RELEASE = {"policy": {"sla": {"auto_release": {"hours": 48, "enforced": True}}}}
FRIDAY_19H = FRIDAY + 19.0
MONDAY_9H_NEXT_WEEK = 7 * HOURS_PER_DAY + 9.0


def busy_rep(first_touch_hours: float) -> dict:
    """Overrides where each first touch occupies its rep for ``first_touch_hours`` and disqualifies."""
    return {"funnel": {"first_touch_hours": first_touch_hours, "qualification": NEVER}}


def activities(run, lead: int) -> list[str]:
    return [activity for _, activity, _ in history(run.events, lead)]


# ----------------------------------------------------------------- auto-release (48 h)
def test_untouched_lead_is_released_to_the_pool_48_hours_after_hand_over():
    # one 24/7 rep is busy with lead A (100 h first touch) when lead B arrives at hour 10
    run = run_with_leads(micro_scenario(ALWAYS_OPEN, busy_rep(100), AUTO_RELEASE), [0.0, 10.0], days=10)
    a, b = run.leads
    assert first_time(run.events, a, "first_touch") == 0.0
    assert first_time(run.events, b, "mql") == 10.0
    assert first_time(run.events, b, "released_to_pool") == 58.0
    release = run.events[run.events["activity"] == "released_to_pool"].iloc[0]
    assert (release["reason"], release["staff"]) == ("auto_release", "sales-1")
    assert "first_touch" not in activities(run, b)
    assert run.kpis["released_to_pool"] == 1
    assert run.kpis["sla_follow_up_pct"] == pytest.approx(0.5)  # A touched at once, B never
    assert run.kpis["open_at_end"] == 1  # B waits in the pool (claiming and wake-up are off)


def test_without_enforcement_the_untouched_lead_waits_for_its_rep():
    run = run_with_leads(micro_scenario(ALWAYS_OPEN, busy_rep(100)), [0.0, 10.0], days=10)
    b = run.leads[1]
    assert first_time(run.events, b, "first_touch") == 100.0
    assert run.kpis["released_to_pool"] == 0
    assert run.kpis["sla_follow_up_pct"] == pytest.approx(0.5)  # measured even when not enforced


def test_auto_release_of_an_evening_lead_happens_at_its_deadline_not_at_arrival():
    """Friday 19:00 + 48 clock hours = Sunday 19:00; no rep can touch it before Monday."""
    run = run_with_leads(micro_scenario(AUTO_RELEASE), [FRIDAY_19H], days=14)
    lead = run.leads[0]
    assert first_time(run.events, lead, "released_to_pool") == FRIDAY_19H + 48.0
    assert "sla_escalated" not in activities(run, lead)  # the first-touch SLA is not enforced


# ----------------------------------------------------------------- calendar: after-hours arrivals
def test_lead_arriving_friday_evening_is_first_touched_monday_morning():
    run = run_with_leads(micro_scenario(), [FRIDAY_19H], days=14)
    lead = run.leads[0]
    assert first_time(run.events, lead, "mql") == FRIDAY_19H
    assert first_time(run.events, lead, "first_touch") == MONDAY_9H_NEXT_WEEK
    # the weekend counts: 62 clock hours to first touch, a breach of the 24 h SLA
    assert run.kpis["first_touch_median_hours"] == pytest.approx(62.0)
    assert run.kpis["sla_first_touch_pct"] == 0.0
    assert run.kpis["won"] == 1  # then the funnel runs on (0.5 h + 0.5 h of work)
    assert first_time(run.events, lead, "won") == MONDAY_9H_NEXT_WEEK + 1.0


def test_batched_hand_over_reaches_sales_at_the_next_batch_after_the_weekend():
    """Default information mode: MQLs reach sales every 4.5 working hours (Mon 13:30 here)."""
    run = run_with_leads(micro_scenario({"policy": {"information": {"mode": "meetings"}}}), [FRIDAY_19H], days=14)
    lead = run.leads[0]
    assert first_time(run.events, lead, "first_touch") == MONDAY_9H_NEXT_WEEK + 4.5
    assert run.kpis["first_touch_median_hours"] == pytest.approx(66.5)


# ----------------------------------------------------------------- stage dwell limit (72 h)
def test_stage_dwell_limit_sends_a_slow_lead_to_the_pool_after_72_hours():
    slow_customer = {"funnel": {"stages": [
        {"name": "need_confirmation", "customer_days": 5, "work_hours": 0.5, "conversion": CERTAIN}]}}
    enforced = {"policy": {"sla": {"stage_dwell": {"hours": 72, "enforced": True}}}}
    run = run_with_leads(micro_scenario(ALWAYS_OPEN, slow_customer, enforced), [0.0], days=10)
    lead = run.leads[0]
    sql_at = first_time(run.events, lead, "sql")
    assert sql_at == 0.5
    assert first_time(run.events, lead, "released_to_pool") == sql_at + 72.0
    release = run.events[run.events["activity"] == "released_to_pool"].iloc[0]
    assert (release["reason"], release["stage"]) == ("stage_dwell", "need_confirmation")
    assert run.kpis["sla_stage_dwell_pct"] == 0.0
    assert run.kpis["won"] == 0

    relaxed = run_with_leads(micro_scenario(ALWAYS_OPEN, slow_customer), [0.0], days=10)
    assert first_time(relaxed.events, relaxed.leads[0], "won") == 0.5 + 120.0 + 0.5
    assert relaxed.kpis["sla_stage_dwell_pct"] == 0.0  # 120.5 h in the stage: measured breach


# ----------------------------------------------------------------- wake-up sequence -> dormant
def test_three_failed_wake_ups_make_a_pooled_lead_dormant():
    wake_up = {"policy": {"sla": {"wake_up": {"enabled": True, "no_interaction_days": 30, "attempts": 3,
                                              "attempt_interval_days": 5, "success_probability": 0.0}}}}
    run = run_with_leads(micro_scenario(ALWAYS_OPEN, busy_rep(100), AUTO_RELEASE, wake_up), [0.0, 10.0], days=50)
    b = run.leads[1]
    # last interaction at creation (hour 10); sequence starts 30 days later; attempts every 5 days
    start = 10.0 + 30 * HOURS_PER_DAY
    attempts = run.events[(run.events["id"] == b) & (run.events["activity"] == "wake_up_attempt")]
    assert list(attempts["time"]) == [start + 5 * HOURS_PER_DAY * k for k in (1, 2, 3)]
    assert list(attempts["channel"]) == ["email", "sms", "call"]
    assert not attempts["success"].astype(bool).any()
    assert first_time(run.events, b, "dormant") == start + 15 * HOURS_PER_DAY
    assert activities(run, b)[-1] == "dormant"
    assert run.kpis["dormant"] == 1


def test_a_successful_wake_up_returns_the_lead_to_nurture():
    wake_up = {"policy": {"sla": {"wake_up": {"enabled": True, "success_probability": 1.0}}}}
    run = run_with_leads(micro_scenario(ALWAYS_OPEN, busy_rep(100), AUTO_RELEASE, wake_up), [0.0, 10.0], days=40)
    b = run.leads[1]
    assert activities(run, b)[3:6] == ["released_to_pool", "wake_up_attempt", "recycled"]
    assert first_time(run.events, b, "recycled") == 10.0 + 35 * HOURS_PER_DAY
    assert run.kpis["dormant"] == 0


# ----------------------------------------------------------------- production: backorders
def test_make_to_order_backorders_an_order_that_capacity_cannot_ship_by_its_promise():
    # 15,000 x 0.6 (small tier) / 1,500 = 6 units at 0.05 units per working hour: 120 h of work > 14 days
    slow_line = {"production": {"units_per_hour": 0.05}}
    run = run_with_leads(micro_scenario(slow_line), [0.0], days=40)
    orders = run.events[run.events["kind"] == "order"]
    order = int(orders["id"].iloc[0])
    created = first_time(run.events, order, "order_created")
    assert created == 10.0  # Monday: first touch 09:00-09:30, stage work 09:30-10:00, won
    assert first_time(run.events, order, "backordered") == created + 14 * HOURS_PER_DAY
    assert first_time(run.events, order, "shipped") > created + 14 * HOURS_PER_DAY
    assert run.kpis["backorders"] == 1 and run.kpis["backorder_rate"] == 1.0

    fast = run_with_leads(micro_scenario(), [0.0], days=40)
    assert fast.kpis["orders"] == 1 and fast.kpis["backorders"] == 0
    fast_order = int(fast.events.loc[fast.events["kind"] == "order", "id"].iloc[0])
    assert first_time(fast.events, fast_order, "shipped") == pytest.approx(10.0 + 0.6)  # 6 units at 10 per hour


def test_make_to_stock_backorders_an_order_larger_than_the_stock():
    short = {"production": {"mode": "make_to_stock", "initial_stock_units": 4,
                            "initial_forecast_units_per_week": 0, "batch_units": 20}}
    run = run_with_leads(micro_scenario(short), [0.0], days=30)
    order = int(run.events.loc[run.events["kind"] == "order", "id"].iloc[0])
    assert first_time(run.events, order, "backordered") == first_time(run.events, order, "order_created")
    stocked = run.events.loc[run.events["activity"] == "stocked", "time"]
    assert len(stocked) >= 1
    assert first_time(run.events, order, "shipped") == float(stocked.iloc[0])
    assert run.kpis["backorders"] == 1


# ----------------------------------------------------------------- the public pool is real
def test_released_lead_is_claimed_by_a_different_rep():
    two_reps = {"organisation": {"sales": {"staff": 2, "hourly_cost": 55}}}
    claim = {"policy": {"sla": {"pool_claim_probability": 1.0, "pool_claim_days": 1.0}}}
    scenario = micro_scenario(ALWAYS_OPEN, two_reps, busy_rep(60), AUTO_RELEASE, claim)
    # round robin: A -> rep 1, B -> rep 2, C -> rep 1 (busy until hour 60), released at 50
    run = run_with_leads(scenario, [0.0, 1.0, 2.0], days=10)
    c = run.leads[2]
    events = run.events[run.events["id"] == c]
    assigned = events[events["activity"] == "assigned"]
    assert list(assigned["staff"]) == ["sales-1", "sales-2"]
    assert first_time(run.events, c, "released_to_pool") == 50.0
    assert first_time(run.events, c, "claimed_from_pool") == 74.0
    touch = events[events["activity"] == "first_touch"]
    assert list(touch["staff"]) == ["sales-2"] and float(touch["time"].iloc[0]) == 74.0
    assert run.kpis["claimed_from_pool"] == 1


# ----------------------------------------------------------------- invalid-lead rule
def test_invalid_lead_without_interaction_for_30_days_is_discarded():
    # B waits 33+ days untouched (no interaction at all), then the rep finds it invalid:
    # the objective data (30 days without interaction) confirm the verdict
    recycling = {"marketing": {"recycle_lost": True, "max_recycles": 1}}
    run = run_with_leads(micro_scenario(ALWAYS_OPEN, busy_rep(800), recycling), [0.0, 10.0], days=70)
    b = run.leads[1]
    assert first_time(run.events, b, "invalid") == 1600.0
    discarded = run.events[(run.events["id"] == b) & (run.events["activity"] == "discarded")]
    assert list(discarded["reason"]) == ["invalid_confirmed"]


# ----------------------------------------------------------------- response-time decay
@pytest.mark.parametrize("information", ["platform", "meetings"])
def test_response_decay_counts_the_whole_wait_since_hand_over(information):
    """Friday 19:00 MQL, first touched on Monday (09:00 pushed, 13:30 batched): 62-66.5 h after
    hand-over. With a 1 h half-life and no floor its chance to qualify is ~0, whatever the
    hand-over mode; the KPI measures the same wait from the ``mql`` event."""
    steep = {"funnel": {"response_decay": {"half_life_hours": 1.0, "floor": 0.0}},
             "policy": {"information": {"mode": information}}}
    run = run_with_leads(micro_scenario(steep), [FRIDAY_19H], days=14)
    lead = run.leads[0]
    assert run.kpis["first_touch_median_hours"] >= 62.0
    assert "invalid" in activities(run, lead) and "sql" not in activities(run, lead)


# ----------------------------------------------------------------- timers in working hours
def test_working_hour_timers_are_measured_in_working_hours():
    """Friday 19:00 MQL touched Monday 09:00: 62 clock hours but 0 working hours. With
    ``timers_in_working_hours`` it meets the 24 h SLA, is not auto-released, and the
    compliance KPIs agree with the timers."""
    working = {"policy": {"sla": {"timers_in_working_hours": True,
                                  "auto_release": {"hours": 48, "enforced": True}}}}
    run = run_with_leads(micro_scenario(working), [FRIDAY_19H], days=30)
    lead = run.leads[0]
    assert first_time(run.events, lead, "first_touch") == MONDAY_9H_NEXT_WEEK
    assert run.kpis["released_to_pool"] == 0
    assert run.kpis["first_touch_median_hours"] == pytest.approx(62.0)  # clock hours, as documented
    assert run.kpis["sla_first_touch_pct"] == 1.0
    assert run.kpis["sla_follow_up_pct"] == 1.0

    clock = run_with_leads(micro_scenario({"policy": {"sla": {"auto_release": {"hours": 48, "enforced": True}}}}),
                           [FRIDAY_19H], days=30)
    assert clock.kpis["released_to_pool"] == 1
    assert clock.kpis["sla_first_touch_pct"] == 0.0 and clock.kpis["sla_follow_up_pct"] == 0.0


# ----------------------------------------------------------------- routing, escalation, recycling
def test_enforced_first_touch_sla_escalates_to_the_least_loaded_other_rep_at_24_hours():
    two_reps = {"organisation": {"sales": {"staff": 2, "hourly_cost": 55}}}
    escalation = {"policy": {"sla": {"first_touch": {"hours": 24, "enforced": True}}}}
    # round robin: A -> rep 1 (busy 0-100), B -> rep 2 (busy 1-101), C -> rep 1, escalated at 26
    run = run_with_leads(micro_scenario(ALWAYS_OPEN, two_reps, busy_rep(100), escalation), [0.0, 1.0, 2.0], days=20)
    c = run.leads[2]
    escalated = run.events[(run.events["id"] == c) & (run.events["activity"] == "sla_escalated")]
    assert list(escalated["time"]) == [26.0]
    assert (escalated["staff"].iloc[0], escalated["previous"].iloc[0]) == ("sales-2", "sales-1")
    touch = run.events[(run.events["id"] == c) & (run.events["activity"] == "first_touch")]
    assert list(touch["staff"]) == ["sales-2"] and list(touch["time"]) == [101.0]
    assert run.kpis["sla_escalations"] == 1
    # every pursuit is over: no rep still counts an open item
    assert [w.open_items for w in run.model.teams["sales"].members] == [0, 0]


def test_enterprise_leads_go_to_the_key_account_team():
    key_accounts = {"organisation": {"sales": {"staff": 3, "hourly_cost": 55}, "key_account_staff": 1},
                    "policy": {"routing": {"key_account_routing": True}}}
    run = run_with_leads(micro_scenario(key_accounts), [(0.0, {"tier": "enterprise"}), (1.0, {})], days=5)
    enterprise, small = run.leads
    assigned = run.events[run.events["activity"] == "assigned"].set_index("id")
    assert assigned.loc[enterprise, "staff"] == "key_accounts-1" and assigned.loc[enterprise, "team"] == "key_accounts"
    assert assigned.loc[small, "team"] == "sales"


def test_lost_leads_are_recycled_once_then_discarded():
    losing = {"funnel": {"stages": [{"name": "need_confirmation", "customer_days": 0, "work_hours": 0.5,
                                     "conversion": NEVER}]},
              "marketing": {"recycle_lost": True, "max_recycles": 1}}
    run = run_with_leads(micro_scenario(ALWAYS_OPEN, losing), [0.0], days=5)
    lead = run.leads[0]
    assert activities(run, lead) == [
        "created", "mql", "assigned", "first_touch", "sql", "need_confirmation", "lost", "recycled",
        "mql", "assigned", "first_touch", "sql", "need_confirmation", "lost", "discarded"]
    assert (run.kpis["lost"], run.kpis["recycled"], run.kpis["discarded"], run.kpis["mql"]) == (2, 1, 1, 2)


def test_every_timer_can_be_switched_off():
    quiet = baseline_with({"policy": {"sla": {"wake_up": {"enabled": False}}}})
    result = simcoord.simulate(quiet, seed=2, days=60)
    counts = result.events["activity"].astype(str).value_counts()
    for activity in ("wake_up_attempt", "dormant", "released_to_pool", "sla_escalated"):
        assert counts.get(activity, 0) == 0, activity
    assert result.kpis["leads_created"] > 3000


# ----------------------------------------------------------------- scoring and decay rules (pure)
def test_combined_score_weights_behaviour_and_sales_6_to_4():
    from simcoord.model.marketing import behaviour_score, combined_score

    assert combined_score(80.0, 30.0, 0.6) == pytest.approx(60.0)
    assert behaviour_score("L5", days_since_interaction=30, validity_days=30) == 80.0
    assert behaviour_score("L5", days_since_interaction=31, validity_days=30) == 40.0  # stale: halved


def test_response_multiplier_halves_the_excess_over_the_floor_each_half_life():
    from simcoord.model.sales import response_multiplier

    assert response_multiplier(0.0, 72.0, 0.45) == 1.0
    assert response_multiplier(72.0, 72.0, 0.45) == pytest.approx(0.45 + 0.55 / 2)
    assert response_multiplier(144.0, 72.0, 0.45) == pytest.approx(0.45 + 0.55 / 4)
    assert response_multiplier(1e6, 72.0, 0.45) == pytest.approx(0.45)


def test_make_to_stock_order_waiting_behind_a_backorder_is_a_backorder():
    stock_10 = {"production": {"mode": "make_to_stock", "initial_stock_units": 10,
                               "initial_forecast_units_per_week": 0, "batch_units": 20}}
    # A: enterprise, 45,000 -> 30 units (backordered); B: small, 9,000 -> 6 units, one hour later
    run = run_with_leads(micro_scenario(stock_10), [(0.0, {"tier": "enterprise"}), (0.1, {})], days=30)
    orders = run.events[run.events["kind"] == "order"]
    b_order = int(orders.loc[(orders["activity"] == "order_created") & (orders["lead"] == run.leads[1]), "id"].iloc[0])
    created, shipped = first_time(run.events, b_order, "order_created"), first_time(run.events, b_order, "shipped")
    assert shipped > created + 24  # B really waited for production, not for stock on hand
    assert run.kpis["backorders"] == 2


def test_a_pool_claim_belongs_to_its_own_release():
    review = {"policy": {"meetings": [{"name": "pool review", "attendees": {"sales": 1}, "every_days": 100,
                                       "duration_hours": 1, "first_day": 3, "syncs": ["pool_review"]}],
                         "sla": {"pool_claim_probability": 1.0, "pool_claim_days": 10.0}}}
    # B: released at 58, reassigned at the review (101), released again at 149 (rep busy with C)
    run = run_with_leads(micro_scenario(ALWAYS_OPEN, busy_rep(100), AUTO_RELEASE, review), [0.0, 10.0, 60.0], days=20)
    b = run.leads[1]
    releases = run.events[(run.events["id"] == b) & (run.events["activity"] == "released_to_pool")]
    assert list(releases["time"]) == [58.0, 149.0]
    assert first_time(run.events, b, "reassigned_from_pool") == 101.0
    assert first_time(run.events, b, "claimed_from_pool") == 149.0 + 240.0
