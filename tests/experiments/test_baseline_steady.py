"""The shipped baseline is a company in steady state, not one whose queue is still filling: after
two months of start-up (nurture and open deals fill; see docs/domain.md) sales is loaded within the
planned range, and the monthly first-touch median neither trends upwards nor leaves the working day.

One seed, one simulated year (seconds). The same checks on the baseline with four reps fewer,
whose reps cannot keep up, must fail: the check can tell a filling queue from a steady one."""

from __future__ import annotations

import pandas as pd
import pytest

from simcoord.experiments.warmup import period_kpis, period_trend
from simcoord.model.company import simulate
from simcoord.scenario.loading import load_scenario
from support import BASELINE, baseline_with

#: Months of start-up left out: the nurture stream and the open deals fill over about 8 weeks.
START_UP_MONTHS = 2
MONTH_DAYS = 30.0


def steady_state_problems(monthly: pd.DataFrame) -> list[str]:
    """What makes a run's monthly KPIs (from :func:`period_kpis`) not a steady, planned company."""
    settled = monthly.iloc[START_UP_MONTHS:]
    problems = []
    if not settled["utilisation_sales"].max() < 0.85:
        problems.append(f"sales over 85 % busy in a month ({settled['utilisation_sales'].max():.2f})")
    if not 0.5 <= settled["utilisation_sales"].mean() <= 0.75:
        problems.append(f"sales' mean load {settled['utilisation_sales'].mean():.2f} outside 0.50-0.75")
    median_of_months = settled["first_touch_median_hours"].median()
    if not median_of_months < 24:
        problems.append(f"the typical month's first-touch median is {median_of_months:.0f} h (not within a day)")
    slope, p_value = period_trend(settled, "first_touch_median_hours")
    if slope > 0 and p_value < 0.01:
        problems.append(f"first-touch median rises {slope:.1f} h a month (p = {p_value:.3f})")
    return problems


def monthly_kpis(scenario, days: float) -> pd.DataFrame:
    return period_kpis(simulate(scenario, seed=0, days=days).events, scenario, days, MONTH_DAYS)


@pytest.fixture(scope="module")
def baseline():
    return load_scenario(BASELINE)


def test_the_baseline_is_steady_after_its_start_up(baseline):
    monthly = monthly_kpis(baseline, 365)
    assert steady_state_problems(monthly) == []
    # and its first touch is the believable one of docs/domain.md: hours, not days
    assert monthly["first_touch_median_hours"].iloc[START_UP_MONTHS:].between(1, 24).mean() >= 0.9


def test_an_understaffed_sales_team_is_caught(baseline):
    understaffed = baseline_with({"organisation": {"sales": {"staff": baseline.organisation.sales.staff - 4}}})
    problems = steady_state_problems(monthly_kpis(understaffed, 180))
    assert any("busy" in problem for problem in problems)
    assert any("first-touch" in problem for problem in problems)
