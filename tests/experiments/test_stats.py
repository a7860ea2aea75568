"""Tests for simcoord.experiments.stats (output analysis)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from simcoord.experiments.stats import (
    CI,
    PairedDiff,
    holm_adjust,
    mean_ci,
    mser5,
    paired_difference,
    prob_best,
    required_replications,
    welch_moving_average,
)

# t quantiles used in the hand computations (standard table values).
T_0975_DF3 = 3.182446305284263
T_0975_DF18 = 2.10092204024096
T_0975_DF19 = 2.093024054408263


def test_t_table_values() -> None:
    assert sps.t.ppf(0.975, 3) == pytest.approx(T_0975_DF3, abs=1e-12)
    assert sps.t.ppf(0.975, 18) == pytest.approx(T_0975_DF18, abs=1e-12)
    assert sps.t.ppf(0.975, 19) == pytest.approx(T_0975_DF19, abs=1e-12)


# ---------------------------------------------------------------- mean_ci
def test_mean_ci_hand_example() -> None:
    # x = 2, 4, 4, 6: mean 4, deviations -2, 0, 0, 2 -> S^2 = 8/3,
    # SE = sqrt(8/3 / 4) = sqrt(2/3), half-width = t_{3,.975} * sqrt(2/3).
    ci = mean_ci([2.0, 4.0, 4.0, 6.0])
    assert isinstance(ci, CI)
    half = T_0975_DF3 * math.sqrt(2.0 / 3.0)
    assert ci.mean == pytest.approx(4.0, abs=1e-9)
    assert ci.sd == pytest.approx(math.sqrt(8.0 / 3.0), abs=1e-9)
    assert ci.half_width == pytest.approx(half, abs=1e-9)
    assert ci.half_width == pytest.approx(2.5985, abs=1e-4)
    assert ci.lo == pytest.approx(4.0 - half, abs=1e-9)
    assert ci.hi == pytest.approx(4.0 + half, abs=1e-9)
    assert ci.n == 4


def test_mean_ci_edge_cases() -> None:
    one = mean_ci([3.5])
    assert one.mean == 3.5 and one.n == 1
    assert math.isnan(one.half_width) and math.isnan(one.lo)
    const = mean_ci([7.0] * 5)
    assert const.half_width == 0.0 and const.lo == 7.0 and const.hi == 7.0
    wider = mean_ci([2.0, 4.0, 4.0, 6.0], confidence=0.99)
    assert wider.half_width > mean_ci([2.0, 4.0, 4.0, 6.0]).half_width
    with pytest.raises(ValueError):
        mean_ci([1.0, 2.0], confidence=1.5)


# ------------------------------------------------------- paired_difference
def test_paired_difference_coverage_and_pvalue() -> None:
    rng = np.random.default_rng(12345)
    true_diff, n, trials = 0.5, 10, 1000
    cov = np.array([[4.0, 3.6], [3.6, 4.0]])  # correlation 0.9, as with CRN
    covered = 0
    for _ in range(trials):
        pair = rng.multivariate_normal([10.0, 10.0 + true_diff], cov, size=n)
        res = paired_difference(pair[:, 1], pair[:, 0])
        covered += res.lo <= true_diff <= res.hi
    assert 0.92 <= covered / trials <= 0.98

    control = rng.normal(10.0, 2.0, size=n)
    treatment = control + rng.normal(0.5, 1.0, size=n)
    res = paired_difference(treatment, control)
    assert isinstance(res, PairedDiff)
    ref = sps.ttest_rel(treatment, control)
    assert res.p_value == pytest.approx(ref.pvalue, rel=1e-12)
    ci = mean_ci(treatment - control)
    assert (res.mean_diff, res.lo, res.hi) == pytest.approx((ci.mean, ci.lo, ci.hi))
    base = control.mean()
    assert res.rel_diff == pytest.approx(res.mean_diff / base)
    assert res.rel_lo == pytest.approx(res.lo / base)
    assert res.rel_hi == pytest.approx(res.hi / base)
    assert res.n == n


def test_paired_difference_hand_example_and_degenerate() -> None:
    # d = 1, 2, 3: mean 2, S^2 = 1, half-width = t_{2,.975} / sqrt(3).
    res = paired_difference([11.0, 12.0, 13.0], [10.0, 10.0, 10.0])
    half = sps.t.ppf(0.975, 2) / math.sqrt(3.0)
    assert res.mean_diff == pytest.approx(2.0)
    assert (res.lo, res.hi) == pytest.approx((2.0 - half, 2.0 + half))
    assert res.rel_diff == pytest.approx(0.2)

    same = paired_difference([1.0, 2.0, 3.0], [1.0, 2.0, 3.0])
    assert same.p_value == 1.0 and same.lo == 0.0 and same.hi == 0.0
    zero_base = paired_difference([1.0, 2.0], [-1.0, 1.0])
    assert math.isnan(zero_base.rel_diff) and math.isnan(zero_base.rel_lo)
    with pytest.raises(ValueError):
        paired_difference([1.0, 2.0], [1.0, 2.0, 3.0])


# ------------------------------------------------------------- holm_adjust
def test_holm_adjust_hand_example() -> None:
    # Sorted: 0.005*4 = 0.02, 0.01*3 = 0.03, 0.03*2 = 0.06, 0.04*1 = 0.04 -> the
    # running maximum lifts the last one to 0.06.
    adj = holm_adjust([0.01, 0.04, 0.03, 0.005])
    np.testing.assert_allclose(adj, [0.03, 0.06, 0.06, 0.02], atol=1e-12)


def test_holm_adjust_with_nan() -> None:
    # Family of 3 after dropping the nan: 0.005*3 = 0.015, 0.01*2 = 0.02, 0.04.
    adj = holm_adjust([0.01, np.nan, 0.04, 0.005])
    assert math.isnan(adj[1])
    np.testing.assert_allclose(adj[[0, 2, 3]], [0.02, 0.04, 0.015], atol=1e-12)
    assert np.isnan(holm_adjust([np.nan, np.nan])).all()
    np.testing.assert_allclose(holm_adjust([0.6, 0.5]), [1.0, 1.0])


def test_holm_adjust_agrees_with_statsmodels() -> None:
    from statsmodels.stats.multitest import multipletests

    rng = np.random.default_rng(7)
    for size in (1, 2, 5, 13):
        for _ in range(10):  # few calls: each multipletests call runs gc.collect()
            p = rng.random(size) ** 3  # many small p-values, ties after rounding
            p = np.round(p, 3)
            np.testing.assert_allclose(holm_adjust(p), multipletests(p, method="holm")[1], atol=1e-12)


# --------------------------------------------------- required_replications
# Pilot of 10 replications: 100 + (-20, -5, -5, 0, 0, 0, 0, 5, 5, 20).
# Mean = 100, sum of squared deviations = 2 * (400 + 25 + 25) = 900,
# S^2 = 900 / 9 = 100. Target gamma = 0.05 -> gamma' = 0.05 / 1.05 = 0.047619.
# i = 19: t_{18,.975} * sqrt(100/19) / 100 = 2.10092 * 2.29416 / 100 = 0.04820 > gamma'
# i = 20: t_{19,.975} * sqrt(100/20) / 100 = 2.09302 * 2.23607 / 100 = 0.04680 <= gamma'
# => 20 replications.
PILOT = 100.0 + np.array([-20.0, -5.0, -5.0, 0.0, 0.0, 0.0, 0.0, 5.0, 5.0, 20.0])


def test_required_replications_hand_example() -> None:
    assert PILOT.mean() == 100.0 and PILOT.var(ddof=1) == pytest.approx(100.0)
    gamma_adj = 0.05 / 1.05
    assert T_0975_DF18 * math.sqrt(100.0 / 19) / 100.0 > gamma_adj
    assert T_0975_DF19 * math.sqrt(100.0 / 20) / 100.0 <= gamma_adj
    assert required_replications(PILOT, rel_precision=0.05) == 20


def test_required_replications_monotone_and_errors() -> None:
    ns = [required_replications(PILOT, rel_precision=g) for g in (0.02, 0.05, 0.1, 0.2)]
    assert ns == sorted(ns, reverse=True) and ns[0] > ns[-1]
    assert ns[-1] < len(PILOT)  # may be below the pilot size
    assert required_replications(PILOT, confidence=0.99) > 20
    with pytest.raises(ValueError):
        required_replications([5.0])
    with pytest.raises(ValueError):
        required_replications([-1.0, 1.0])
    with pytest.warns(UserWarning):
        assert required_replications([1.0, -0.9, 5.0], max_n=50) == 50


# --------------------------------------------------------------- prob_best
def test_prob_best_dominant_and_direction() -> None:
    rng = np.random.default_rng(7)
    base = rng.normal(10.0, 1.0, size=30)
    df = pd.DataFrame({"a": base, "b": base + 2.0 + rng.normal(0, 0.1, 30), "c": base - 1.0})
    pb = prob_best(df)
    assert list(pb.index) == ["a", "b", "c"]
    assert pb["b"] > 0.99
    assert pb.sum() == pytest.approx(1.0)
    low = prob_best(df, higher_is_better=False)
    assert low["c"] > 0.99 and low["b"] < 0.01
    assert low.sum() == pytest.approx(1.0)
    pd.testing.assert_series_equal(prob_best(df), pb)  # deterministic default rng


def test_prob_best_ties_and_close_policies() -> None:
    rng = np.random.default_rng(3)
    col = rng.normal(5.0, 1.0, size=20)
    tied = prob_best(pd.DataFrame({"x": col, "y": col, "z": col}))
    np.testing.assert_allclose(tied.to_numpy(), [1 / 3] * 3, atol=1e-12)
    noise = rng.normal(0.0, 1.0, size=(40, 2))
    close = prob_best(pd.DataFrame({"p": col.repeat(2) + noise[:, 0], "q": col.repeat(2) + noise[:, 1]}),
                      rng=np.random.default_rng(1))
    assert 0.0 < close["p"] < 1.0 and close.sum() == pytest.approx(1.0)


# ------------------------------------------------------------------- mser5
def test_mser5_detects_transient() -> None:
    rng = np.random.default_rng(2024)
    t = np.arange(1000)
    bias = np.where(t < 100, 5.0 * (1.0 - t / 100.0), 0.0)  # decays to 0 at t=100
    x = 20.0 + bias + rng.normal(0.0, 1.0, size=1000)
    d = mser5(x)
    assert d % 5 == 0
    assert 50 <= d <= 200


def test_mser5_stationary_and_errors() -> None:
    rng = np.random.default_rng(5)
    assert mser5(rng.normal(0.0, 1.0, size=2000)) < 1000
    # Huge initial batch: dropping exactly the first batch is optimal.
    assert mser5(np.r_[np.full(5, 1e3), np.zeros(95)] + np.tile([0.0, 1.0], 50)) == 5
    with pytest.raises(ValueError):
        mser5(np.ones(9))


# ---------------------------------------------------- welch_moving_average
def test_welch_moving_average_constant_and_shape() -> None:
    reps = np.full((4, 50), 3.0)
    out = welch_moving_average(reps, window=5)
    assert out.shape == (45,)
    np.testing.assert_allclose(out, 3.0)


def test_welch_moving_average_hand_example() -> None:
    # Two replications averaging to y = 1, 4, 9, 16, 25 with w = 1:
    # i=1 -> y1 = 1; i=2 -> (1+4+9)/3; i=3 -> (4+9+16)/3; i=4 -> (9+16+25)/3.
    y = np.array([1.0, 4.0, 9.0, 16.0, 25.0])
    reps = np.vstack([y - 1.0, y + 1.0])
    np.testing.assert_allclose(welch_moving_average(reps, 1), [1.0, 14 / 3, 29 / 3, 50 / 3])
    # w = 2 on a linear trend: shortened and full windows are both centred.
    lin = np.arange(1.0, 8.0)[None, :]
    np.testing.assert_allclose(welch_moving_average(lin, 2), [1.0, 2.0, 3.0, 4.0, 5.0])
    np.testing.assert_allclose(welch_moving_average(y, 0), y)
    with pytest.raises(ValueError):
        welch_moving_average(reps, 5)
