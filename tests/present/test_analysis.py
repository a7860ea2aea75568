"""The notebook helpers of simcoord.present.analysis on a hand-written event log with known answers."""

from __future__ import annotations

import pandas as pd
import pytest

from simcoord.present import analysis

DAY = 24.0


def log(rows: list[tuple]) -> pd.DataFrame:
    """Rows ``(id, time, activity, department, extras)`` of lead events, in time order."""
    records = [{"id": i, "kind": "lead", "time": t, "activity": a, "department": d, "staff": None, **x}
               for i, t, a, d, x in rows]
    frame = pd.DataFrame(records)
    for column in ("kind", "activity", "department"):
        frame[column] = frame[column].astype("category")
    return frame


@pytest.fixture
def events() -> pd.DataFrame:
    """Lead 1 is won in 3 days; lead 2 qualifies, is lost and recycled, then goes dormant;
    lead 3 is handed over, released to the pool on day 2 and claimed back on day 3; lead 4 only nurtures."""
    return log([
        (1, 1.0, "created", "marketing", {}), (2, 2.0, "created", "marketing", {}),
        (3, 3.0, "created", "marketing", {}), (4, 4.0, "created", "marketing", {}),
        (1, 10.0, "mql", "marketing", {"grade": "L4"}), (2, 11.0, "mql", "marketing", {"grade": "L2"}),
        (3, 12.0, "mql", "marketing", {"grade": "L3"}),
        (1, 14.0, "first_touch", "sales", {"work_hours": 0.5, "queued_at": 12.0}),
        (1, 14.5, "sql", "sales", {"stage": "need_confirmation"}),
        (2, 15.0, "first_touch", "sales", {"work_hours": 0.5, "queued_at": 11.0}),
        (2, 15.5, "sql", "sales", {"stage": "need_confirmation"}),
        (1, 30.0, "need_confirmation", "sales", {"work_hours": 1.0, "queued_at": 20.0}),
        (1, 31.0, "advanced", "sales", {"stage": "quote"}),
        (2, 40.0, "lost", "sales", {"stage": "need_confirmation"}),
        (2, 40.0, "recycled", "marketing", {"reason": "lost"}),
        (3, 2 * DAY + 1, "released_to_pool", "sales", {}),
        (1, 3 * DAY, "won", "sales", {"value": 20000.0}),
        (3, 3 * DAY + 5, "claimed_from_pool", "sales", {}),
        (2, 4 * DAY, "dormant", "marketing", {"reason": "no response"}),
    ])


def test_funnel_counts_distinct_leads_per_step(events):
    counts = analysis.funnel_counts(events, ["need_confirmation", "quote"])
    assert counts["leads"].tolist() == [4, 3, 2, 2, 2, 1, 1]
    assert counts["conversion"].iloc[1] == pytest.approx(0.75)
    assert counts["conversion"].iloc[-1] == pytest.approx(1.0)


def test_lead_outcomes_at_the_end(events):
    outcomes = analysis.lead_outcomes(events)
    assert outcomes["leads"].to_dict() == {"nurture": 1, "sales": 1, "public pool": 0, "won": 1,
                                           "dormant": 1, "discarded": 0, "ever in the public pool": 1}
    assert outcomes.loc["won", "share"] == pytest.approx(0.25)


def test_lead_states_follow_each_lead_day_by_day(events):
    states = analysis.lead_states(events, days=5)
    assert states.loc[1.0].to_dict() == {"nurture": 1, "sales": 3, "public pool": 0, "won": 0, "dormant": 0, "discarded": 0}
    assert states.loc[3.0, "public pool"] == 1 and states.loc[3.0, "won"] == 1
    assert states.loc[4.0].to_dict() == {"nurture": 1, "sales": 1, "public pool": 0, "won": 1, "dormant": 1, "discarded": 0}
    assert (states.sum(axis=1) == 4).all()


def test_work_backlog_counts_tasks_queued_but_not_started(events):
    backlog = analysis.work_backlog(events, days=2, step_days=0.5)
    # at 12 h: lead 2 queued at 11 h and lead 1 at 12 h, both start later
    assert backlog.loc[0.5, "sales"] == 2
    assert backlog.loc[1.0, "sales"] == 1  # lead 1's need confirmation, queued at 20 h, starts at 30 h
    assert backlog.loc[1.5, "sales"] == 0


def test_workload_and_journey(events):
    table = analysis.workload(events)
    assert table.loc["sales", "first_touch"] == pytest.approx(1.0)
    assert table.loc["sales", "need_confirmation"] == pytest.approx(1.0)
    journey = analysis.lead_journey(events, 1)
    assert journey["activity"].tolist() == ["created", "mql", "first_touch", "sql", "need_confirmation", "advanced", "won"]
    assert journey["detail"].tolist()[-1] == "value 20,000"
    assert journey["day"].iloc[-1] == 3.0
    assert analysis.example_lead(events, "dormant", passed=("recycled",)) == 2


def test_forecast_staleness_is_the_time_averaged_age():
    # syncs at day 2 (information as of day 1) and day 4 (as of day 4), horizon 5 days:
    # ages 0->2 over [0,2], 1->3 over [2,4], 0->1 over [4,5]: areas 2 + 4 + 0.5 = 6.5 day^2 over 5 days
    events = pd.DataFrame({"id": 0, "kind": "plan", "time": [2 * DAY, 4 * DAY], "activity": "forecast_updated",
                           "department": "production", "staff": None, "as_of": [1 * DAY, 4 * DAY]})
    assert analysis.forecast_staleness_days(events, days=5) == pytest.approx(6.5 / 5)


def test_conversion_by_channel(events):
    events = events.assign(channel=events["id"].map({1: "trade_show", 2: "social", 3: "social", 4: "web"}))
    table = analysis.conversion_by_channel(events)
    assert table.loc["trade_show"].tolist() == [1, 1, 1.0]
    assert table.loc["social", "created"] == 2 and table.loc["social", "won"] == 0


def test_claim_check_verdicts():
    diffs = pd.DataFrame([
        {"policy": "a", "kpi": "won", "rel_diff": 0.25, "rel_lo": 0.10, "rel_hi": 0.40, "p_adj": 0.01, "verdict": "better"},
        {"policy": "b", "kpi": "won", "rel_diff": 0.05, "rel_lo": 0.02, "rel_hi": 0.08, "p_adj": 0.02, "verdict": "better"},
        {"policy": "c", "kpi": "won", "rel_diff": 0.30, "rel_lo": -0.10, "rel_hi": 0.70, "p_adj": 0.40, "verdict": "no difference"},
        {"policy": "d", "kpi": "won", "rel_diff": 0.01, "rel_lo": -0.10, "rel_hi": 0.12, "p_adj": 0.80, "verdict": "no difference"},
        {"policy": "e", "kpi": "won", "rel_diff": -0.20, "rel_lo": -0.30, "rel_hi": -0.10, "p_adj": 0.01, "verdict": "worse"},
    ])
    claims = pd.DataFrame({"claim": list("vwxyz"), "policy": list("abcde"), "kpi": "won",
                           "claimed_low": 0.28, "claimed_high": 0.28})
    table = analysis.claim_check(diffs, claims)
    assert table["verdict"].tolist() == ["reproduced", "same direction, smaller", "inconclusive",
                                         "not reproduced", "not reproduced"]
    assert table.loc["v", "claimed"] == "+28.0%"


def test_recommendation_table():
    rows = []
    for policy, revenue, cost in (("up-cheap", "better", "no difference"), ("up-dear", "better", "worse"),
                                  ("down", "worse", "no difference"), ("flat", "no difference", "better")):
        rows += [{"policy": policy, "kpi": "revenue", "verdict": revenue, "scale": "relative", "change": 0.1, "change_lo": 0.0, "change_hi": 0.2},
                 {"policy": policy, "kpi": "total_cost", "verdict": cost, "scale": "relative", "change": 0.1, "change_lo": 0.0, "change_hi": 0.2},
                 {"policy": policy, "kpi": "won", "verdict": revenue, "scale": "relative", "change": 0.1, "change_lo": 0.0, "change_hi": 0.2}]
    table = analysis.recommendation_table(pd.DataFrame(rows))
    assert table["recommendation"].to_dict() == {"up-cheap": "adopt", "up-dear": "weigh the trade-off",
                                                 "flat": "no evidence yet", "down": "reject"}
    assert table.loc["up-cheap", "clearly better"] == "won" and table.loc["down", "clearly worse"] == "won"


def test_cadence_cost_samples_price_each_replication_like_the_means():
    runs = {"v0": {"meeting_cost": [900, 900], "backorders": [0, 0], "revenue": [10_000, 10_200]},
            "v1": {"meeting_cost": [300, 300], "backorders": [1, 3], "revenue": [9_000, 9_400]}}
    rows = [{"variant": v, "replication": r, "kpi": k, "value": value}
            for v, per_kpi in runs.items() for k, values in per_kpi.items() for r, value in enumerate(values)]
    samples = analysis.cadence_cost_samples(pd.DataFrame(rows), backorder_cost=100, margin=0.5)
    assert samples["v0"].tolist() == [900 + 0.5 * 100, 900 - 0.5 * 100]
    assert samples["v1"].tolist() == [300 + 100 + 0.5 * 1_100, 300 + 300 + 0.5 * 700]
    means = pd.DataFrame({"meeting_cost": [900.0, 300.0], "backorders": [0.0, 2.0], "revenue": [10_100.0, 9_200.0]})
    assert samples.mean().tolist() == analysis.cadence_costs(means, 100, 0.5)["total"].tolist()


def test_cadence_costs_add_meetings_backorders_and_margin_forgone():
    means = pd.DataFrame({"meeting_cost": [900.0, 300.0], "backorders": [0.0, 2.0], "revenue": [10_000.0, 9_000.0]},
                         index=pd.Index([7, 30], name="cadence"))
    costs = analysis.cadence_costs(means, backorder_cost=100, margin=0.3)
    assert costs["total"].tolist() == [900.0, 300.0 + 200.0 + 300.0]
