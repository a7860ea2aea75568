"""Arrivals by thinning draw their candidates ahead in clock time and wait only for accepted ones:
a run still ends at its horizon, whatever the rate, and arrivals keep their weekday profile."""

from __future__ import annotations

from simcoord.model.company import simulate

from support import baseline_with

SILENT = {"demand": {"channels": {"web": {"leads_per_week": 0.0}, "social": {"leads_per_week": 0.0},
                                  "trade_show": {"leads_per_week": 0.0}, "partner": {"leads_per_week": 1e-313}},
                     "campaigns": []}}


def test_a_rate_too_small_for_a_finite_gap_ends_the_arrivals() -> None:
    result = simulate(baseline_with(SILENT), seed=0, days=2)
    assert (result.events["activity"] == "created").sum() == 0


def test_no_arrival_on_a_day_the_weekly_profile_closes() -> None:
    closed_sundays = {"demand": {"weekly_profile": [1, 1, 1, 1, 1, 1, 0]}}
    events = simulate(baseline_with(closed_sundays), seed=1, days=28).events
    created = events.loc[events["activity"] == "created", "time"]
    weekday = (created // 24).astype(int) % 7  # the baseline starts on a Monday
    assert len(created) > 1000 and not (weekday == 6).any()
