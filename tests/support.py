"""Shared helpers of the tests: paths, scenario overlays and a tiny controllable company.

``micro_scenario`` is a company reduced to what a mechanism test needs: no random arrivals
(leads are injected at exact times with :func:`run_with_leads`), constant durations, certain
conversions, one sales rep, every timer and every dispute off, MQLs pushed to sales at once.
A test switches on only the mechanism it checks, through overrides.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable, NamedTuple

import pandas as pd

from simcoord.model import marketing
from simcoord.kpis import compute_kpis
from simcoord.scenario.loading import deep_merge, resolve_file, scenario_from_dict
from simcoord.model.company import Model
from simcoord.scenario.schema import Scenario
from simcoord.vocabulary import GRADES

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
BASELINE = SCENARIOS / "baseline.yaml"
MMC = SCENARIOS / "validation" / "mmc.yaml"
HOURS_PER_DAY = 24.0

#: Time 0 of the micro company is Monday 2026-01-05, 00:00; staff work Mon-Fri 09:00-18:00.
MONDAY = 0.0
FRIDAY = 4 * HOURS_PER_DAY

CERTAIN = {grade: 1.0 for grade in GRADES}
NEVER = {grade: 0.0 for grade in GRADES}

MICRO: dict[str, Any] = {
    "name": "micro",
    "calendar": {"start_date": "2026-01-05", "working_days": ["mon", "tue", "wed", "thu", "fri"],
                 "day_start_hour": 9, "day_end_hour": 18, "holidays": []},
    "organisation": {
        "marketing": {"staff": 0, "hourly_cost": 45},
        "sales": {"staff": 1, "hourly_cost": 55},
        "production": {"staff": 3, "hourly_cost": 40},
        "service": {"staff": 1, "hourly_cost": 38},
        "key_account_staff": 0,
    },
    "demand": {"channels": {"web": {"leads_per_week": 0}}, "campaigns": []},
    "lead_mix": {
        "tier_shares": {"small": 1.0},
        "grade_shares": {"L3": 1.0},
        "deal_value": {"dist": "constant", "value": 15000},
        "industries": {"manufacturing": {"share": 1.0, "score_validity_days": 90}},
    },
    "marketing": {"mql_threshold": 0, "scoring_noise_sd": 0, "qualification_hours": 0, "recycle_lost": False},
    "funnel": {
        "first_touch_hours": 0.5,
        "qualification": CERTAIN,
        "stages": [{"name": "need_confirmation", "customer_days": 0, "work_hours": 0.5, "conversion": CERTAIN}],
        "response_decay": {"floor": 1.0},
    },
    "production": {"mode": "make_to_order", "promise_days": 14, "changeover_hours": 0,
                   "shipping_days": 1, "units_per_hour": 10, "lines": 1},
    "service": {"tickets_per_customer_month": 0, "onboarding_hours": 1,
                "churn_probability": 0, "churn_dissatisfaction_factor": 0,
                "repurchase_probability": 0, "referral_probability": 0},
    "policy": {
        "sla": {
            "first_touch": {"hours": 24, "enforced": False},
            "hot_lead_first_touch": {"hours": 24, "enforced": False},
            "auto_release": {"hours": 48, "enforced": False},
            "stage_dwell": {"hours": 72, "enforced": False},
            "stage_dwell_stage": "need_confirmation",
            "wake_up": {"enabled": False},
            "pool_claim_probability": 0.0,
        },
        "routing": {"mode": "round_robin", "key_account_routing": False},
        "meetings": [],
        "information": {"mode": "platform", "platform_cost_per_month": 0},
        "disputes": {"key_account_probability": 0, "rush_order_probability": 0, "complaint_probability": 0},
    },
}


def overlay(base: dict[str, Any], *overrides: dict[str, Any]) -> dict[str, Any]:
    """``base`` with each override deep-merged over it, like an ``extends:`` chain."""
    for override in overrides:
        base = deep_merge(base, override)
    return base


def micro_scenario(*overrides: dict[str, Any]) -> Scenario:
    """The micro company with ``overrides`` laid over it, validated."""
    return scenario_from_dict(overlay(MICRO, *overrides), source="micro")


def baseline_with(*overrides: dict[str, Any]) -> Scenario:
    """``scenarios/baseline.yaml`` with ``overrides`` laid over it, validated."""
    return scenario_from_dict(overlay(resolve_file(BASELINE), *overrides), source=BASELINE)


class Run(NamedTuple):
    """A finished run of a controlled model: its log, KPIs, lead ids in creation order, the model."""

    events: pd.DataFrame
    kpis: pd.Series
    leads: list[int]
    model: Model


def run_with_leads(scenario: Scenario, arrivals: Iterable[float | tuple[float, dict[str, Any]]],
                   days: float = 30, seed: int = 0, channel: str = "web") -> Run:
    """Run ``scenario`` with a lead created at each clock hour in ``arrivals`` (on top of its own
    arrival processes). An arrival may be ``(hour, create_lead keyword arguments)``."""
    model = Model(scenario, seed=seed, days=days)
    created: list[int] = []
    planned = sorted((a if isinstance(a, tuple) else (a, {})) for a in arrivals)

    def inject():
        for hour, kwargs in planned:
            yield model.env.timeout(hour - model.env.now)
            created.append(marketing.create_lead(model, channel, **kwargs).id)

    model.start()
    model.env.process(inject())
    model.env.run(until=days * HOURS_PER_DAY)
    events = model.log.to_frame()
    return Run(events, compute_kpis(events, scenario, days, model.calendar), created, model)


def history(events: pd.DataFrame, entity: int) -> list[tuple[float, str, str | None]]:
    """``(time, activity, staff)`` of one entity's events, in log order."""
    rows = events[events["id"] == entity]
    return list(zip(rows["time"].astype(float), rows["activity"].astype(str), rows["staff"]))


def first_time(events: pd.DataFrame, entity: int, activity: str) -> float:
    """Clock hour of ``entity``'s first ``activity`` (fails the test if there is none)."""
    rows = events[(events["id"] == entity) & (events["activity"] == activity)]
    assert len(rows), f"entity {entity} has no {activity!r} event: {history(events, entity)}"
    return float(rows["time"].iloc[0])
