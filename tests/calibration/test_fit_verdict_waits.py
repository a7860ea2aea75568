"""Fitting the waits before a verdict: from the end of the first touch to an invalid verdict
(``funnel.invalid_after_days``, with the leads still waiting at the cut-off as censored waits) and
from the first touch of a lost visit to its lost verdict (``stages[].lost_after_days``, with the
visits still open at the cut-off as censored, some of which will not be lost)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from simcoord import load_scenario, simulate
from simcoord.calibration.distributions import cause_empirical, censored_empirical
from simcoord.calibration.steps import fit_invalid_wait, fit_qualified_wait, fit_stages, lead_rows
from simcoord.calibration.values import lead_attributes
from simcoord.scenario.distributions import Distribution
from simcoord.vocabulary import HOURS_PER_DAY
from support import SCENARIOS


def test_kaplan_meier_quantiles_keep_the_long_waits_that_leaving_out_the_unfinished_ones_cuts():
    rng = np.random.default_rng(3)
    waits, looked = rng.exponential(5.0, 4000), rng.uniform(0.0, 15.0, 4000)
    done = waits <= looked
    spec = censored_empirical(waits[done], looked[~done])
    assert np.median(spec["values"]) == pytest.approx(5.0 * np.log(2), rel=0.08)
    assert np.median(waits[done]) < 0.8 * 5.0 * np.log(2)  # the finished waits alone are too short


def touch_and_verdict_rows(waits_days: np.ndarray, undecided_days: np.ndarray,
                           verdicts: np.ndarray | None = None) -> pd.DataFrame:
    """Leads first touched (half an hour of work) at hour 10 each, found invalid (or given
    ``verdicts``) ``waits_days`` after the touch's end; further leads touched ``undecided_days``
    before the end of the log, no verdict."""
    rows = []
    verdicts = np.full(len(waits_days), "invalid") if verdicts is None else verdicts
    for lead, (wait, verdict) in enumerate(zip(waits_days, verdicts)):
        rows += [(lead, 10.0, "first_touch", 0.5), (lead, 10.5 + wait * HOURS_PER_DAY, verdict, np.nan)]
    for offset, days in enumerate(undecided_days):
        rows.append((len(waits_days) + offset, 1000.0 - days * HOURS_PER_DAY, "first_touch", 0.0))
    return pd.DataFrame(rows, columns=["id", "time", "activity", "work_hours"]).assign(kind="lead")


def test_the_invalid_wait_is_counted_from_the_end_of_the_touch_with_the_undecided_as_censored():
    """Waits of 3 days on average, observed only up to 4 days (the log's end); the 300 cut off by
    then are still waiting: treating them as finished, or leaving them out, would miss the mean."""
    rng = np.random.default_rng(4)
    waits = rng.exponential(3.0, 1000)
    seen = waits <= 4.0
    rows = touch_and_verdict_rows(waits[seen], np.full((~seen).sum(), 4.0))
    found = fit_invalid_wait(lead_rows(rows), 1000.0)
    assert not found.assumed and f"Kaplan-Meier ({seen.sum()} verdicts, {(~seen).sum()} leads still waiting" in found.basis
    median = float(np.median(found.value["values"]))
    assert median == pytest.approx(3.0 * np.log(2), rel=0.1)  # the true median, 2.08 days
    assert np.median(waits[seen]) < 0.8 * median  # the finished waits alone are too short


def test_the_invalid_wait_starts_when_the_touch_ends():
    rows = touch_and_verdict_rows(np.full(50, 0.25), np.empty(0))  # a quarter-day after a half-hour touch
    found = fit_invalid_wait(lead_rows(rows), 1000.0)
    assert found.value == {"dist": "constant", "value": 0.25}


def test_verdicts_that_come_with_the_touch_fit_no_wait():
    found = fit_invalid_wait(lead_rows(touch_and_verdict_rows(np.zeros(50), np.empty(0))), 1000.0)
    assert found.assumed and found.value is None and "the verdict comes with the touch" in found.basis


def test_the_acceptance_wait_keeps_the_undecided_that_some_of_them_will_be_accepted_later():
    """40 % of the touched leads are accepted after 1 day on average, the rest found invalid after 10;
    the log ends 6 days after the touch, so many invalid verdicts, and a few acceptances, are unseen."""
    rng = np.random.default_rng(5)
    accepted = rng.random(3000) < 0.4
    waits = np.where(accepted, rng.exponential(1.0, 3000), rng.exponential(10.0, 3000))
    seen = waits <= 6.0
    rows = touch_and_verdict_rows(waits[seen], np.full((~seen).sum(), 6.0), np.where(accepted[seen], "sql", "invalid"))
    found = fit_qualified_wait(lead_rows(rows), 1000.0)
    assert not found.assumed and "Aalen-Johansen" in found.basis
    assert float(np.median(found.value["values"])) == pytest.approx(np.log(2), rel=0.12)  # the true median
    every_undecided_accepted = censored_empirical(waits[seen & accepted], np.full((~seen).sum(), 6.0))
    assert np.median(every_undecided_accepted["values"]) > 1.5 * np.log(2)  # counting them all as acceptances


def test_acceptances_that_come_with_the_touch_fit_no_wait():
    rows = touch_and_verdict_rows(np.zeros(50), np.empty(0), np.full(50, "sql"))
    found = fit_qualified_wait(lead_rows(rows), 1000.0)
    assert found.assumed and found.value is None and "the SQL comes with the touch" in found.basis
    some_wait = touch_and_verdict_rows(np.r_[np.zeros(40), np.full(10, 2.0)], np.empty(0), np.full(50, "sql"))
    assert not fit_qualified_wait(lead_rows(some_wait), 1000.0).assumed  # a fifth wait two days: fitted


@pytest.mark.parametrize("seed", [0, 1])
def test_the_time_to_a_loss_keeps_the_long_ones_still_open_without_counting_every_open_visit_as_lost(seed):
    rng = np.random.default_rng(seed)
    lose = rng.random(6000) < 0.35
    stay = np.where(lose, rng.exponential(20.0, 6000), rng.exponential(8.0, 6000))  # losses take longer
    looked = rng.uniform(0.0, 80.0, 6000)  # how long each visit had run at the cut-off
    ended = stay <= looked
    spec = cause_empirical(stay[ended & lose], stay[ended & ~lose], looked[~ended])
    assert np.median(spec["values"]) == pytest.approx(20.0 * np.log(2), rel=0.1)
    assert np.median(stay[ended & lose]) < 0.8 * 20.0 * np.log(2)  # the losses seen by the cut-off alone
    every_open_lost = censored_empirical(stay[ended & lose], looked[~ended])
    assert np.median(every_open_lost["values"]) > 1.08 * 20.0 * np.log(2)  # counting all the open ones as losses


def test_a_lost_deals_silence_is_recovered_from_a_simulated_log():
    truth = load_scenario(SCENARIOS / "examples" / "bpic-like.yaml")
    silence = Distribution(dist="exponential", mean=2.0)
    stages = tuple(stage.model_copy(update={"lost_after_days": silence}) for stage in truth.funnel.stages)
    truth = truth.model_copy(update={"funnel": truth.funnel.model_copy(update={"stages": stages})})
    events = simulate(truth, seed=5, days=60).events
    found = {e.path: e for e in fit_stages(lead_rows(events), lead_attributes(events),
                                           [stage.name for stage in stages], until_hours=60 * HOURS_PER_DAY)}
    fitted = [found[path] for path in found if path.endswith("lost_after_days")]
    assert fitted and all(e.n >= 10 for e in fitted)
    for estimate in fitted:
        assert Distribution.model_validate(estimate.value).expected == pytest.approx(2.0, rel=0.35)


def test_the_effective_head_count_is_the_one_whose_wait_is_nearest_as_a_ratio():
    from simcoord.calibration.capacity import nearest_count
    assert nearest_count({3: 2.7, 4: 0.1}, 1.13) == 3  # 2.4x too long is nearer than 11x too short
    assert nearest_count({3: 4.0, 4: 0.25}, 1.0) == 3  # as near both ways: the fewer people
    assert nearest_count({2: 0.0, 3: 0.0}, 0.5) == 2


def test_the_share_that_moves_on_counts_the_visits_still_open_where_losses_take_longer():
    from simcoord.calibration.steps import open_visits_factor
    rng = np.random.default_rng(4)
    lose = rng.random(8000) < 0.35
    stay = np.where(lose, rng.exponential(20.0, 8000), rng.exponential(6.0, 8000)) * HOURS_PER_DAY
    entered = rng.uniform(0.0, 90.0, 8000) * HOURS_PER_DAY
    until = 90.0 * HOURS_PER_DAY
    ended = entered + stay <= until
    visits = pd.DataFrame({"entered": entered, "left": np.where(ended, entered + stay, np.nan),
                           "outcome": np.where(~ended, "open", np.where(lose, "lost", "forward"))})
    seen = (visits["outcome"] == "forward").sum() / visits["outcome"].isin(["forward", "lost"]).sum()
    assert seen > 0.68  # the losses still open at the cut-off are missing: too many move on
    assert seen * open_visits_factor(visits, until) == pytest.approx(0.65, abs=0.015)
    assert open_visits_factor(visits[visits["outcome"] != "open"], until) is None
