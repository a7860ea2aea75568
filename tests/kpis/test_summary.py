"""Summarising a log for the KPIs: the lead rows kept, and a log with no events at all."""

from __future__ import annotations

import numpy as np

from simcoord.kpis import KPIS, compute_kpis
from simcoord.kpis.summary import JOINED_LEAD_ACTIVITIES
from simcoord.scenario.calendar import WorkCalendar
from simcoord.scenario.loading import load_scenario
from simcoord.vocabulary import LEAD_ACTIVITIES

from support import BASELINE


def test_the_joined_lead_rows_are_lead_activities_of_the_vocabulary() -> None:
    assert set(JOINED_LEAD_ACTIVITIES) <= set(LEAD_ACTIVITIES)
    assert len(set(JOINED_LEAD_ACTIVITIES)) == len(JOINED_LEAD_ACTIVITIES)


def test_a_log_without_slices_gives_every_kpi_with_nothing_counted() -> None:
    scenario = load_scenario(BASELINE)
    kpis = compute_kpis([], scenario, 10, WorkCalendar(scenario.calendar, horizon_days=11))
    assert list(kpis.index) == list(KPIS)
    assert kpis[["leads_created", "won", "revenue", "meeting_hours", "bonus_cost"]].eq(0).all()
    assert np.isnan(kpis["conversion_sql_to_won"]) and np.isnan(kpis["first_touch_median_hours"])
    assert kpis["staff_cost"] > 0  # paid whether or not anything happens
