"""The KPI registry: each group computes exactly its registered KPIs, the Series keeps its order,
and the values of a baseline run are those recorded before the KPIs were split into groups."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

import simcoord
from simcoord.kpis import GROUPS, KPIS
from simcoord.kpis.context import build_context
from simcoord.kpis.registry import GROUP_KPIS
from simcoord.kpis.summary import summarise
from simcoord.scenario.calendar import WorkCalendar

from support import BASELINE

#: The KPI Series' order, as stored results and notebooks know it.
SERIES_ORDER = [
    "leads_created", "mql", "sql", "won", "lost", "open_at_end", "mql_quality_pct", "conversion_mql_to_sql",
    "conversion_sql_to_won", "conversion_lead_to_won", "first_touch_median_hours", "first_touch_p90_hours",
    "sla_first_touch_pct", "sla_hot_lead_pct", "sla_follow_up_pct", "sla_follow_up_cycle_pct",
    "sla_stage_dwell_pct", "sla_service_response_pct", "sla_escalations", "released_to_pool",
    "claimed_from_pool", "recycled", "dormant", "discarded", "revenue", "sales_cycle_days", "orders",
    "order_lead_time_days", "backorders", "backorder_rate", "service_response_hours", "customers", "churned",
    "churn_rate", "utilisation_marketing", "utilisation_sales", "utilisation_production", "utilisation_service",
    "meeting_hours", "meeting_cost", "staff_cost", "collaboration_hours", "liaison_hours", "changeover_hours",
    "disputes", "dispute_hours_mean", "executive_decisions", "bonus_cost", "platform_cost", "escalation_cost",
    "total_cost",
    # the process group, appended so earlier results keep their order
    "screened", "screen_declined", "screen_decline_pct", "stage_touches", "touches_per_sql", "sent_back",
    "cancelled", "cancelled_pct",
]
RECORDED = Path(__file__).with_name("baseline_60_days_seed_0_kpis.json")
DAYS = 60


@pytest.fixture(scope="module")
def baseline_run() -> simcoord.SimulationResult:
    return simcoord.simulate(simcoord.load_scenario(BASELINE), seed=0, days=DAYS)


def test_the_registry_keeps_the_series_order_and_names_each_kpi_once() -> None:
    assert list(KPIS) == SERIES_ORDER
    assert sum(len(entries) for entries, _ in GROUP_KPIS) == len(SERIES_ORDER)


def test_each_group_is_one_of_the_reported_groups_in_report_order() -> None:
    groups = [{kpi.group for kpi in entries.values()} for entries, _ in GROUP_KPIS]
    assert groups == [{group} for group in GROUPS]


def test_each_group_function_computes_exactly_its_registered_kpis(baseline_run) -> None:
    scenario = baseline_run.scenario
    calendar = WorkCalendar(scenario.calendar, horizon_days=DAYS + 1)
    context = build_context(summarise(baseline_run.events, scenario, DAYS, calendar), scenario, DAYS, calendar)
    for entries, compute in GROUP_KPIS:
        assert sorted(compute(context)) == sorted(entries), compute.__name__


def test_a_baseline_run_gives_the_kpis_recorded_before_the_split_exactly(baseline_run) -> None:
    recorded = json.loads(RECORDED.read_text())
    expected = pd.Series({name: float("nan") if v is None else v for name, v in recorded.items()},
                         dtype=float, name="value")
    pd.testing.assert_series_equal(baseline_run.kpis, expected, check_exact=True)


def test_a_kpi_missing_from_the_series_order_or_in_two_groups_is_refused() -> None:
    from simcoord.kpis.registry import _assemble

    one, two = {"a": KPIS["won"]}, {"b": KPIS["lost"]}
    assert list(_assemble([one, two], ["b", "a"])) == ["b", "a"]
    with pytest.raises(ValueError):
        _assemble([one, two], ["a"])
    with pytest.raises(ValueError):
        _assemble([one, one], ["a"])
