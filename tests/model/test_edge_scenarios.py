"""Edge scenarios that must run and give sensible, in-range results.

Each is the baseline with one extreme change: no leads at all, a company of one, a
calendar with one working hour a week, a one-day horizon, every SLA off, every SLA at
zero hours. Besides the invariants every run obeys (``model_invariants``), each asserts
what that extreme must do to the numbers.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from model_invariants import check_run

from simcoord.scenario.loading import deep_merge, resolve_file, scenario_from_dict
from simcoord.model.company import SimulationResult, simulate

from support import BASELINE
DAYS = 60
DEPARTMENTS = ("marketing", "sales", "production", "service")
SLA_RULES = ("first_touch", "hot_lead_first_touch", "auto_release", "stage_dwell")


def run(override: dict, days: float = DAYS, seed: int = 1) -> SimulationResult:
    scenario = scenario_from_dict(deep_merge(resolve_file(BASELINE), override), source="edge")
    result = simulate(scenario, seed=seed, days=days)
    check_run(result)
    return result


@pytest.fixture(scope="module")
def baseline() -> SimulationResult:
    return run({})


def test_zero_leads_runs_and_wins_nothing() -> None:
    silent = {name: {"leads_per_week": 0} for name in ("web", "social", "trade_show", "partner")}
    kpis = run({"demand": {"channels": silent, "campaigns": []}}).kpis
    assert kpis["leads_created"] == kpis["mql"] == kpis["won"] == kpis["revenue"] == 0
    assert math.isnan(kpis["conversion_lead_to_won"]) and math.isnan(kpis["sla_first_touch_pct"])
    assert kpis["staff_cost"] > 0  # staff are still paid


def test_one_staff_member_per_department(baseline: SimulationResult) -> None:
    one = {d: {"staff": 1, "hourly_cost": 50} for d in DEPARTMENTS}
    production = {"lines": 1, "staff_per_line": 1}
    kpis = run({"organisation": {**one, "key_account_staff": 0}, "production": production}).kpis
    assert kpis["utilisation_sales"] > 0.9  # one rep for hundreds of leads a week is always busy
    assert kpis["sla_first_touch_pct"] < baseline.kpis["sla_first_touch_pct"]
    assert kpis["won"] < baseline.kpis["won"]


def test_a_company_of_one_sales_rep() -> None:
    """Nobody in marketing, production or service: their work waits for ever, nothing crashes."""
    alone = {d: {"staff": 0, "hourly_cost": 50} for d in DEPARTMENTS} | {"sales": {"staff": 1, "hourly_cost": 50}}
    result = run({"organisation": {**alone, "key_account_staff": 0}})
    kpis = result.kpis
    assert kpis["mql"] > 0 and kpis["utilisation_sales"] > 0.9
    assert kpis["customers"] == 0  # no one to onboard them
    assert math.isnan(kpis["utilisation_service"])


def test_one_working_hour_a_week() -> None:
    calendar = {"working_days": ["wed"], "day_start_hour": 10, "day_end_hour": 11, "holidays": []}
    result = run({"calendar": calendar})
    work = result.events[result.events["work_hours"].notna() & (result.events["kind"] != "batch")]
    start_of_day = (work["time"] % 24.0)
    # every task starts inside the one open hour (on a Wednesday: day 2 of a week starting Monday)
    assert ((work["time"] // 24.0) % 7 == 2).all()
    assert start_of_day.between(10.0, 11.0).all()
    assert result.kpis["utilisation_sales"] <= 1.0
    assert result.kpis["sla_first_touch_pct"] < 0.5  # a week's leads wait for one hour


def test_a_team_busy_in_every_open_hour_is_utilised_exactly_1() -> None:
    """Marketing's backlog fills its one hour a week for a whole year: summed work hours equal
    the paid hours up to float rounding, and the KPI says 1, not 1.0000000000000377."""
    calendar = {"working_days": ["wed"], "day_start_hour": 9, "day_end_hour": 10, "holidays": []}
    kpis = run({"calendar": calendar}, days=365, seed=0).kpis
    assert kpis["utilisation_marketing"] == 1.0
    assert all(0 <= kpis[f"utilisation_{d}"] <= 1 for d in DEPARTMENTS)


def test_one_day_horizon() -> None:
    result = run({}, days=1)
    assert result.events["time"].max() <= 24.0
    assert 0 < result.kpis["leads_created"] < 200
    assert result.kpis["won"] == 0  # the funnel takes weeks


def test_every_sla_off() -> None:
    off = {rule: {"hours": 24, "enforced": False} for rule in SLA_RULES}
    kpis = run({"policy": {"sla": {**off, "wake_up": {"enabled": False}}}}).kpis
    assert kpis["released_to_pool"] == kpis["sla_escalations"] == kpis["dormant"] == 0
    assert 0 <= kpis["sla_first_touch_pct"] <= 1  # still measured


def test_every_sla_at_zero_hours(baseline: SimulationResult) -> None:
    """Enforced zero-hour timers: a lead not touched the instant it arrives is released, and
    the dwell-limited stage releases every lead that enters it, so nothing is won."""
    zero = {rule: {"hours": 0, "enforced": True} for rule in SLA_RULES}
    kpis = run({"policy": {"sla": zero}}).kpis
    assert kpis["released_to_pool"] > 0.5 * kpis["mql"]
    assert kpis["won"] == 0
    assert kpis["sla_first_touch_pct"] < 0.05
    assert kpis["sla_stage_dwell_pct"] == 0 or math.isnan(kpis["sla_stage_dwell_pct"])
