"""The response decay fitted by maximum likelihood: a simulated company's half-life and floor lie
in their 95 % intervals, a company without decay is said to show none, too little data is
assumed with why; BPIC 2012 fits."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fitting_logs import bpic, simulated, truth_scenario
from simcoord import simulate
from simcoord.calibration.decay import FLOOR, HALF_LIFE, first_touch_outcomes, fit_response_decay


def by_path(estimates) -> dict:
    return {estimate.path: estimate for estimate in estimates}


def test_the_half_life_and_floor_are_recovered_within_their_intervals():
    truth = simulated()
    decay = truth.scenario.funnel.response_decay
    fit = by_path(fit_response_decay(truth.events))
    half_life, floor = fit[HALF_LIFE], fit[FLOOR]
    assert half_life.source == floor.source == "fitted" and half_life.n > 3000
    assert half_life.interval[0] < decay.half_life_hours < half_life.interval[1]
    assert floor.interval[0] < decay.floor < floor.interval[1]
    assert half_life.interval[1] / half_life.interval[0] < 10  # an estimate, not a shrug
    assert half_life.data.shape == (half_life.n, 2)


def test_the_exported_log_read_back_gives_the_same_fit():
    truth = simulated()
    own, read_back = fit_response_decay(truth.events), fit_response_decay(truth.imported.events)
    for mine, theirs in zip(own, read_back):
        assert theirs.n == mine.n and theirs.value == pytest.approx(mine.value, rel=1e-3)


def test_a_company_whose_response_time_does_not_matter_is_said_to_show_no_effect():
    scenario = truth_scenario({"funnel": {"response_decay": {"floor": 1.0}}})
    fit = by_path(fit_response_decay(simulate(scenario, days=28, seed=2).events))
    assert fit[FLOOR].assumed and fit[FLOOR].value == 1.0 and "no effect" in fit[FLOOR].basis


def test_too_few_leads_or_no_qualification_step_are_assumed_with_why():
    events = simulated().events
    few = events[events["id"] < 100]
    assert "only" in by_path(fit_response_decay(few))[HALF_LIFE].basis
    no_outcome = events[~events["activity"].isin(["sql", "invalid"])]
    assert all(estimate.assumed for estimate in fit_response_decay(no_outcome))


def test_hours_to_first_touch_count_from_the_latest_hand_over_and_the_outcome_after_the_touch():
    events = pd.DataFrame({
        "id": [1, 1, 1, 1, 1, 2, 2, 3],
        "kind": "lead",
        "time": [0.0, 5.0, 8.0, 9.0, 20.0, 1.0, 4.0, 2.0],
        "activity": ["mql", "mql", "first_touch", "sql", "first_touch", "mql", "first_touch", "mql"]})
    table = first_touch_outcomes(events)
    assert table.to_dict("index") == {1: {"hours": 3.0, "qualified": 1.0}}  # lead 2: no outcome; 3: no touch


def test_bpic_fits_a_decay_with_sane_bounds():
    log = bpic()
    table = first_touch_outcomes(log.events)
    assert 1.0 < np.median(table["hours"]) < 2.0  # the log's median first touch
    fit = by_path(fit_response_decay(log.events))
    half_life, floor = fit[HALF_LIFE], fit[FLOOR]
    assert half_life.n == len(table) > 7000
    assert 0 < floor.interval[0] <= floor.value <= floor.interval[1] < 1
    assert 0 < half_life.interval[0] <= half_life.value <= half_life.interval[1]


def test_the_fitted_curve_is_the_models_own_rule():
    from simcoord.calibration.decay import qualification_chance
    from simcoord.model.sales import response_multiplier
    hours = np.array([-1.0, 0.0, 0.5, 3.0, 40.0])
    expected = [0.9 * response_multiplier(t, 2.5, 0.3) for t in hours]
    assert qualification_chance(hours, 0.9, 0.3, 2.5) == pytest.approx(expected, rel=1e-12)
