"""The sales process read back from a simulated log of known parameters (the BPIC-like example:
screen, repeated touches, loops, cancellations): each estimate lands within its sampling error of
the value the model ran with, and a case still open at the cut-off is not counted as lost."""

from __future__ import annotations

import numpy as np
import pytest

from simcoord import load_scenario, simulate
from simcoord.calibration.estimates import Estimate
from simcoord.calibration.fit import training_events
from simcoord.calibration.steps import fit_first_touch, fit_screen, fit_stages, lead_rows, stage_visits
from simcoord.calibration.values import fit_lead_mix, lead_attributes
from simcoord.model.steps import probability_for
from simcoord.vocabulary import HOURS_PER_DAY
from support import SCENARIOS

DAYS = 60


@pytest.fixture(scope="module")
def truth():
    return load_scenario(SCENARIOS / "examples" / "bpic-like.yaml")


@pytest.fixture(scope="module")
def events(truth):
    return simulate(truth, seed=11, days=DAYS).events


@pytest.fixture(scope="module")
def estimates(truth, events) -> dict[str, Estimate]:
    rows, leads = lead_rows(events), lead_attributes(events)
    names = [stage.name for stage in truth.funnel.stages]
    found = [*fit_screen(rows, leads, nurture=False), *fit_first_touch(rows, leads, None),
             *fit_stages(rows, leads, names), *fit_lead_mix(leads)]
    return {estimate.path: estimate for estimate in found}


def within(estimate: float, truth: float, standard_error: float, sigmas: float = 4.0) -> bool:
    return abs(estimate - truth) <= sigmas * standard_error


def share_within(estimate: Estimate, truth: float) -> bool:
    """A share estimated from ``estimate.n`` decisions lies within 4 binomial standard errors."""
    value = estimate.value if isinstance(estimate.value, float) else estimate.value["L3"]
    return within(value, truth, np.sqrt(truth * (1 - truth) / estimate.n))


def mean_of(estimate: Estimate) -> float:
    spec = estimate.value
    return spec["mean"] if "mean" in spec else float(np.mean(spec["values"]))


def test_work_times_come_back_within_their_sampling_error(truth, estimates):
    for path, spec in [("funnel.first_touch_hours", truth.funnel.first_touch_hours),
                       *((f"funnel.stages.{i}.work_hours", stage.work_hours)
                         for i, stage in enumerate(truth.funnel.stages))]:
        estimate = estimates[path]
        assert not estimate.assumed and estimate.n > 1000
        assert within(mean_of(estimate), spec.expected, np.std(estimate.data) / np.sqrt(estimate.n)), path


def test_conversion_loops_and_touches_come_back(estimates):
    assert share_within(estimates["funnel.stages.0.conversion"], 0.9)
    assert share_within(estimates["funnel.stages.2.conversion"], 0.97)
    loops = estimates["funnel.stages.3.next_steps"]
    for target, probability in {"documents": 0.25, "offer": 0.3}.items():
        assert within(loops.value[target], probability, np.sqrt(probability * (1 - probability) / loops.n)), target
    assert estimates["funnel.max_stage_visits"].value == 4
    assert "funnel.stages.1.next_steps" not in estimates
    gap = estimates["funnel.stages.0.touch_gap_days"]
    assert within(gap.value["mean"], 0.7, 0.7 / np.sqrt(gap.n))
    # touches per visit: 3 on average, fewer where customers cancel before the last one
    assert 2.7 < mean_of(estimates["funnel.stages.0.touches"]) <= 3.0
    assert estimates["funnel.stages.1.touches"].value is None


def test_customer_patience_is_the_censored_maximum_likelihood(estimates):
    patience = estimates["funnel.stages.2.patience_days"]
    assert patience.value["dist"] == "exponential" and patience.n > 300
    assert within(patience.value["mean"], 30.0, 30.0 / np.sqrt(patience.n))


def test_the_screen_passes_the_share_its_rules_let_through(truth, events, estimates):
    created = events[events["activity"] == "created"]
    screen = truth.funnel.screen
    expected = np.mean([0.0 if value < screen.min_value else probability_for(
        type("Lead", (), {"value": value, "channel": "online", "grade": "L3"}), screen.by_value, None, None)
        for value in created["value"]])
    assert share_within(estimates["funnel.screen.pass_probability"], float(expected))


def test_deal_value_and_qualification_come_back(truth, estimates):
    deal = estimates["lead_mix.deal_value"]
    assert within(deal.value["mean"], truth.lead_mix.deal_value.expected, np.std(deal.data) / np.sqrt(deal.n))
    assert share_within(estimates["funnel.qualification"], 0.85)
    assert "no significant difference between grades" in estimates["funnel.qualification"].basis


def test_cases_open_at_the_cut_off_are_not_counted_as_lost(truth, events):
    cut = training_events(events, 30 * HOURS_PER_DAY)
    rows, names = lead_rows(cut), [stage.name for stage in truth.funnel.stages]
    visits, _ = stage_visits(rows, names)
    assert (visits["outcome"] == "open").sum() > 100  # the cut leaves many cases in a stage
    found = {e.path: e for e in fit_stages(rows, lead_attributes(cut), names)}
    assert share_within(found["funnel.stages.2.conversion"], 0.97)


def test_a_stage_no_case_reaches_is_named(truth, events):
    rows = lead_rows(events)
    names = [stage.name for stage in truth.funnel.stages] + ["signature"]
    with pytest.raises(ValueError, match="no case in the training window reaches stage 'signature': the mapping "
                                         "leaves it without data"):
        fit_stages(rows, lead_attributes(events), names)


def test_channels_that_convert_differently_get_a_table_of_their_own(baseline_90_days):
    """The baseline's social leads convert worse (quality 0.6) and trade-show leads better (1.8)."""
    events = baseline_90_days.events
    names = [stage.name for stage in baseline_90_days.scenario.funnel.stages]
    found = {e.path: e for e in fit_stages(lead_rows(events), lead_attributes(events), names)}
    tables = [found[path].value for path in found if path.endswith("conversion_by_channel")]
    assert tables, "no stage's visits told the channels apart"
    table = tables[0]  # the earliest stage that does: the most visits
    assert set(table) == {"web", "social", "trade_show", "partner"}
    assert table["social"] == min(table.values()) and table["trade_show"] > table["social"]
