"""Ratios of means (Fieller), Bonferroni intervals, range clipping and selecting the best (Kim-Nelson)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from simcoord.experiments.stats import (
    bonferroni_adjust,
    clip_interval,
    fieller_ratio,
    kn_eta,
    mean_ci,
    paired_difference,
    select_best,
)


def test_fieller_contains_the_ratio_and_excludes_one_exactly_when_the_difference_excludes_zero() -> None:
    rng = np.random.default_rng(7)
    for trial in range(200):
        control = rng.normal(100.0, 10.0, size=5)
        treatment = control * rng.normal(1.0 + 0.05 * (trial % 3), 0.05, size=5)
        for confidence in (0.95, 1 - 0.05 / 7):
            ratio = fieller_ratio(treatment, control, confidence)
            diff = mean_ci(treatment - control, confidence)
            assert ratio.lo <= ratio.ratio <= ratio.hi
            assert (ratio.lo > 1 or ratio.hi < 1) == (diff.lo > 0 or diff.hi < 0)


def test_fieller_hand_example_and_unbounded_case() -> None:
    # constant ratio 1.2 in every replication: the interval shrinks to the ratio itself
    exact = fieller_ratio([12.0, 13.2, 14.4], [10.0, 11.0, 12.0])
    assert (exact.ratio, exact.lo, exact.hi) == pytest.approx((1.2, 1.2, 1.2))
    # a control mean not clearly away from 0: no bounded interval exists
    unbounded = fieller_ratio([1.0, 2.0, 3.0], [-1.0, 0.5, 1.0])
    assert math.isnan(unbounded.lo) and math.isnan(unbounded.hi)
    with pytest.raises(ValueError):
        fieller_ratio([1.0], [1.0])


def test_fieller_covers_the_true_ratio() -> None:
    rng = np.random.default_rng(11)
    cov = np.array([[4.0, 3.6], [3.6, 4.0]])
    covered = 0
    for _ in range(1000):
        pair = rng.multivariate_normal([20.0, 22.0], cov, size=8)
        r = fieller_ratio(pair[:, 1], pair[:, 0])
        covered += r.lo <= 1.1 <= r.hi
    assert 0.92 <= covered / 1000 <= 0.98


def test_the_old_relative_interval_can_pass_minus_100_percent_the_ratio_cannot() -> None:
    control, treatment = np.array([10.0, 11.0, 12.0]), np.array([0.0, 3.0, 0.3])
    assert paired_difference(treatment, control).rel_lo < -1.0
    ratio = fieller_ratio(treatment, control)
    assert ratio.lo < 0.0  # Fieller's set reaches below 0 here; a ratio of counts cannot
    assert clip_interval(ratio.lo, ratio.hi, 0.0, math.inf) == (0.0, ratio.hi)


def test_bonferroni_and_clipping() -> None:
    adjusted = bonferroni_adjust([0.01, 0.02, math.nan, 0.5])
    assert adjusted[:2] == pytest.approx([0.03, 0.06]) and math.isnan(adjusted[2]) and adjusted[3] == 1.0
    assert clip_interval(-0.2, 1.3, 0.0, 1.0) == (0.0, 1.0)
    lo, hi = clip_interval(math.nan, 5.0, 0.0, 1.0)
    assert math.isnan(lo) and hi == 1.0


def test_kn_eta_hand_value() -> None:
    # k = 2, n0 = 3, alpha = 0.05: ((0.1)^(-1) - 1) / 2 = 4.5
    assert kn_eta(2, 3, 0.05) == pytest.approx(4.5)
    with pytest.raises(ValueError):
        kn_eta(1, 3, 0.05)


def _systems(means: dict[str, float], n: int, sd: float = 1.0, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    common = rng.normal(0.0, 5.0, size=n)  # common random numbers: a shared component
    return pd.DataFrame({name: m + common + rng.normal(0.0, sd, size=n) for name, m in means.items()})


def test_a_clear_winner_is_selected_in_either_direction() -> None:
    samples = _systems({"a": 10.0, "b": 20.0, "c": 11.0}, n=10)
    chosen = select_best(samples, delta=1.0)
    assert chosen.best == "b" and chosen.contenders == ("b",) and chosen.more_replications == 0
    assert select_best(samples, delta=1.0, higher_is_better=False).best == "a"


def test_close_systems_at_three_replications_cannot_be_separated_and_say_how_many_more() -> None:
    samples = _systems({"a": 10.0, "b": 10.3, "c": -100.0}, n=3, sd=0.5, seed=4)
    chosen = select_best(samples, delta=0.2)
    assert chosen.best is None and set(chosen.contenders) == {"a", "b"} and chosen.contenders[0] == "b"
    assert chosen.more_replications > 3
    # a wider indifference zone needs fewer replications
    assert 0 < select_best(samples, delta=1.0).more_replications < chosen.more_replications


def test_identical_systems_cannot_be_separated_by_more_replications() -> None:
    col = np.array([1.0, 2.0, 3.0])
    chosen = select_best(pd.DataFrame({"x": col, "y": col}), delta=0.1)
    assert chosen.best is None and chosen.more_replications == 0


def test_selection_needs_two_replications_and_a_positive_zone() -> None:
    with pytest.raises(ValueError, match="at least 2 replications"):
        select_best(pd.DataFrame({"x": [1.0], "y": [2.0]}), delta=1.0)
    with pytest.raises(ValueError):
        select_best(pd.DataFrame({"x": [1.0, 2.0], "y": [2.0, 3.0]}), delta=0.0)
    assert select_best(pd.DataFrame({"only": [1.0]}), delta=1.0).best == "only"


def test_kim_nelson_selects_correctly_at_least_one_minus_alpha_of_the_time() -> None:
    # slippage configuration: the best exactly delta above the others, normal outputs with CRN;
    # a run that cannot separate yet counts as a wrong selection, so this is conservative
    rng = np.random.default_rng(2026)
    delta, correct, trials = 1.0, 0, 400
    for _ in range(trials):
        common = rng.normal(0.0, 3.0, size=(10, 1))
        samples = pd.DataFrame(common + rng.normal([1.0, 0.0, 0.0, 0.0], 0.3, size=(10, 4)), columns=list("abcd"))
        correct += select_best(samples, delta).best == "a"
    assert correct / trials >= 0.95
