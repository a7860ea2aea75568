"""The screen's reviewers read back from simulated logs of the BPIC-like example: the share of leads
left to them and the hour they start come back where the model had them, and a screen that decides
every lead itself gets no reviewers."""

from __future__ import annotations

import numpy as np

from simcoord import simulate
from simcoord.calibration.screen_review import fit_screen_review
from simcoord.calibration.steps import lead_rows
from simcoord.scenario.calendar import WorkCalendar
from simcoord.scenario.loading import deep_merge, resolve_file, scenario_from_dict
from support import SCENARIOS

DAYS = 60
SHARE, OPENING = 0.4, 10.0  # the example's company opens at 7:00


def fitted_review(review: dict) -> dict:
    data = deep_merge(resolve_file(SCENARIOS / "examples" / "bpic-like.yaml"), {"funnel": {"screen": review}})
    truth = scenario_from_dict(data, source="bpic-like with reviewers")
    events = simulate(truth, seed=5, days=DAYS).events
    calendar = WorkCalendar(truth.calendar, horizon_days=DAYS + 1)
    estimates = fit_screen_review(lead_rows(events), calendar, truth.calendar.day_start_hour)
    return {estimate.path: estimate for estimate in estimates}


def test_the_share_left_to_reviewers_and_their_start_come_back():
    found = fitted_review({"review_share": SHARE, "review_calendar": {"day_start_hour": OPENING}})
    share = found["funnel.screen.review_share"]
    assert abs(share.value - SHARE) <= 4 * np.sqrt(SHARE * (1 - SHARE) / share.n)
    assert found["funnel.screen.review_calendar"].value == {"day_start_hour": OPENING}


def test_a_screen_that_decides_every_lead_itself_gets_no_reviewers():
    found = fitted_review({})
    assert found["funnel.screen.review_share"].value == 0.0
    assert "decides by itself" in found["funnel.screen.review_share"].basis
    assert "funnel.screen.review_calendar" not in found


def test_reviewers_who_start_with_the_company_get_no_week_of_their_own():
    found = fitted_review({"review_share": SHARE})
    assert found["funnel.screen.review_share"].value > 0.25
    assert "funnel.screen.review_calendar" not in found
