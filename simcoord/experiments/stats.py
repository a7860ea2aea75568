"""Output analysis for simulation experiments with independent replications
and common random numbers (CRN): confidence intervals, paired comparisons,
Holm correction, replication planning, P(best), and warm-up detection."""

import warnings
from typing import NamedTuple

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import stats as sps

__all__ = ["CI", "PairedDiff", "mean_ci", "paired_difference", "holm_adjust",
           "required_replications", "prob_best", "mser5", "welch_moving_average"]


class CI(NamedTuple):
    """t-based confidence interval for a mean."""
    mean: float
    sd: float
    half_width: float
    lo: float
    hi: float
    n: int


class PairedDiff(NamedTuple):
    """Paired (CRN) comparison of treatment against control."""
    mean_diff: float
    lo: float
    hi: float
    rel_diff: float
    rel_lo: float
    rel_hi: float
    p_value: float
    n: int


def _check_confidence(confidence: float) -> None:
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be in (0, 1), got {confidence}")


def _as_1d(values: ArrayLike, name: str) -> np.ndarray:
    arr = np.asarray(values, dtype=float).ravel()
    if arr.size == 0:
        raise ValueError(f"{name} must contain at least one value")
    return arr


def _t_quantile(confidence: float, df: int | np.ndarray) -> float | np.ndarray:
    """The two-sided ``confidence`` quantile of Student's t with ``df`` degrees of freedom."""
    return sps.t.ppf(0.5 + confidence / 2.0, df=df)


def mean_ci(values: ArrayLike, confidence: float = 0.95) -> CI:
    """Student-t interval (two-sided ``confidence``) for the mean of i.i.d. replications, one
    value each (NaNs are not removed): ``mean``, ``sd`` (ddof=1), ``half_width =
    t_{n-1,1-a/2} sd / sqrt(n)``, ``lo``, ``hi``, ``n``; NaN sd, half-width and bounds if n = 1."""
    _check_confidence(confidence)
    x = _as_1d(values, "values")
    n, mean = int(x.size), float(np.mean(x))
    if n < 2:
        return CI(mean, float("nan"), float("nan"), float("nan"), float("nan"), n)
    sd = float(np.std(x, ddof=1))
    half = float(_t_quantile(confidence, n - 1)) * sd / np.sqrt(n)
    return CI(mean, sd, float(half), mean - half, mean + half, n)


def paired_difference(treatment: ArrayLike, control: ArrayLike, confidence: float = 0.95) -> PairedDiff:
    """Paired-t comparison of two systems run with common random numbers (element ``r`` of
    both per-replication outputs shares random numbers).

    The mean of ``d_r = treatment_r - control_r`` with its two-sided t interval, the same
    divided by ``|mean(control)|`` (NaN if 0), the paired t-test p-value and ``n``.
    All-zero differences give p = 1 and [0, 0]."""
    t_arr, c_arr = _as_1d(treatment, "treatment"), _as_1d(control, "control")
    if t_arr.shape != c_arr.shape or t_arr.size < 2:
        raise ValueError("need equal-length arrays with at least 2 replications")
    ci = mean_ci(t_arr - c_arr, confidence)
    base = abs(float(np.mean(c_arr)))
    rel = (ci.mean / base, ci.lo / base, ci.hi / base) if base else (float("nan"),) * 3
    return PairedDiff(ci.mean, ci.lo, ci.hi, *rel, _paired_p_value(t_arr, c_arr, ci, base), ci.n)


def _paired_p_value(t_arr: np.ndarray, c_arr: np.ndarray, ci: CI, base: float) -> float:
    """Two-sided paired t-test p-value of the differences summarised by ``ci``."""
    # differences equal up to float rounding (e.g. a fixed staff cost) are constant: t is 0 or
    # infinite, and scipy would only warn about precision loss
    if ci.sd <= 1e-9 * max(abs(ci.mean), base, 1.0):
        return 1.0 if abs(ci.mean) <= 1e-9 * max(base, 1.0) else 0.0
    return float(sps.ttest_rel(t_arr, c_arr).pvalue)


def holm_adjust(p_values: ArrayLike) -> np.ndarray:
    """Holm step-down adjusted p-values, in the input order and shape (NaNs are left out of
    the family and stay NaN)."""
    # Computed here rather than with statsmodels' multipletests, which calls gc.collect() on
    # every call: one call per KPI costs seconds per comparison in a notebook with a large heap.
    # tests/test_stats.py checks this against multipletests.
    p = np.asarray(p_values, dtype=float)
    out, mask = np.full(p.shape, np.nan), ~np.isnan(p)
    family = p[mask]
    if family.size:
        order = np.argsort(family, kind="stable")
        m = family.size
        stepped = np.maximum.accumulate((m - np.arange(m)) * family[order])
        adjusted = np.empty(m)
        adjusted[order] = np.minimum(stepped, 1.0)
        out[mask] = adjusted
    return out


def required_replications(values: ArrayLike, rel_precision: float = 0.05, confidence: float = 0.95,
                          max_n: int = 10_000) -> int:
    """Total replications for a relative error ``gamma = rel_precision`` (Law & Kelton; may be
    below the pilot size): the smallest ``i >= 2`` with ``t_{i-1,1-a/2} sqrt(S^2/i) / |X| <=
    gamma/(1+gamma)`` from the pilot's (at least 2 values) mean ``X`` and variance ``S^2``.
    ``max_n`` bounds the search and is returned, with a warning, if the target is not met."""
    _check_confidence(confidence)
    if rel_precision <= 0:
        raise ValueError("rel_precision must be positive")
    x = _as_1d(values, "values")
    mean = float(np.mean(x))
    if x.size < 2 or mean == 0.0 or max_n < 2:
        raise ValueError("need >= 2 pilot values, a non-zero mean and max_n >= 2")
    i = np.arange(2, max_n + 1)
    rel_hw = _t_quantile(confidence, i - 1) * np.sqrt(float(np.var(x, ddof=1)) / i) / abs(mean)
    ok = np.flatnonzero(rel_hw <= rel_precision / (1.0 + rel_precision))
    if ok.size == 0:
        warnings.warn(f"relative precision not reached within max_n={max_n}", stacklevel=2)
        return int(max_n)
    return int(i[ok[0]])


def prob_best(samples: pd.DataFrame, higher_is_better: bool = True, n_boot: int = 2000,
              rng: np.random.Generator | None = None) -> pd.Series:
    """Bootstrap probability that each policy (column) has the best mean, summing to 1 with
    ties split equally. Rows are CRN-paired replications, resampled ``n_boot`` times with
    ``rng`` (default ``np.random.default_rng(0)``)."""
    x = samples.to_numpy(dtype=float)
    if x.shape[0] == 0 or x.shape[1] == 0 or n_boot < 1 or np.isnan(x).any():
        raise ValueError("need a non-empty NaN-free frame and n_boot >= 1")
    means = _bootstrap_means(x if higher_is_better else -x, n_boot, np.random.default_rng(0) if rng is None else rng)
    best = means.max(axis=1, keepdims=True)
    is_best = np.isclose(means, best, rtol=1e-12, atol=0.0)
    share = is_best / is_best.sum(axis=1, keepdims=True)
    return pd.Series(share.mean(axis=0), index=samples.columns, name="prob_best")


def _bootstrap_means(x: np.ndarray, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """Column means of ``n_boot`` resamples of the rows of ``x``, shape ``(n_boot, columns)``."""
    n_rows = x.shape[0]
    # Resampling rows with replacement == multinomial row multiplicities;
    # the same rows are used for every column, which keeps the pairing.
    weights = rng.multinomial(n_rows, np.full(n_rows, 1.0 / n_rows), size=n_boot)
    return weights @ x / n_rows


def mser5(series: ArrayLike) -> int:
    """MSER-5 warm-up: how many observations (``5 d*``) to delete from the start of one output
    series (at least 10 observations). Over the first half of the ``k`` batch means ``Z`` of 5
    (a trailing partial batch dropped), ``d*`` minimises ``sum_{j>=d} (Z_j - Zbar_d)^2 / (k - d)^2``."""
    x = _as_1d(series, "series")
    k = x.size // 5
    if k < 2:
        raise ValueError("mser5 needs at least 10 observations")
    z = x[: 5 * k].reshape(k, 5).mean(axis=1)
    z = z - z.mean()  # centring reduces cancellation in the sums below
    tail_sum = np.cumsum(z[::-1])[::-1]
    tail_sq = np.cumsum((z * z)[::-1])[::-1]
    d = np.arange(k // 2)  # truncation points over the first half of the batches
    m = k - d
    ss = np.maximum(tail_sq[d] - tail_sum[d] ** 2 / m, 0.0)
    return int(5 * d[np.argmin(ss / m**2)])


def welch_moving_average(replications: np.ndarray, window: int) -> np.ndarray:
    """Welch's moving average (Law & Kelton) of the across-replication mean of ``replications``
    (shape ``(n_replications, m)``, columns periods), length ``m - w`` for ``window`` w with
    ``0 <= w < m``: period ``i <= w`` (1-based) averages ``2i - 1`` centred values, later ``2w + 1``."""
    y = np.atleast_2d(np.asarray(replications, dtype=float)).mean(axis=0)
    m = y.size
    if not 0 <= window < m:
        raise ValueError(f"window must satisfy 0 <= window < {m}")
    csum = np.concatenate(([0.0], np.cumsum(y)))
    j = np.arange(m - window)  # 0-based period index
    half = np.minimum(j, window)
    return (csum[j + half + 1] - csum[j - half]) / (2 * half + 1)
