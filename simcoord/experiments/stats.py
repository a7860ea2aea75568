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


def mean_ci(values: ArrayLike, confidence: float = 0.95) -> CI:
    """Student-t confidence interval for the mean of i.i.d. replications.

    Parameters
    ----------
    values : array_like
        One summary value per independent replication. NaNs are not removed.
    confidence : float, default 0.95
        Two-sided confidence level.

    Returns
    -------
    CI
        ``mean``, ``sd`` (ddof=1), ``half_width = t_{n-1,1-a/2} sd / sqrt(n)``,
        ``lo``, ``hi``, ``n``; NaN sd/half-width/bounds when ``n == 1``.
    """
    _check_confidence(confidence)
    x = _as_1d(values, "values")
    n, mean = int(x.size), float(np.mean(x))
    if n < 2:
        return CI(mean, float("nan"), float("nan"), float("nan"), float("nan"), n)
    sd = float(np.std(x, ddof=1))
    half = float(sps.t.ppf(0.5 + confidence / 2.0, df=n - 1)) * sd / np.sqrt(n)
    return CI(mean, sd, float(half), mean - half, mean + half, n)


def paired_difference(
    treatment: ArrayLike, control: ArrayLike, confidence: float = 0.95
) -> PairedDiff:
    """Paired-t comparison of two systems run with common random numbers.

    Parameters
    ----------
    treatment, control : array_like
        Per-replication outputs; element ``r`` of both shares random numbers.
    confidence : float, default 0.95
        Two-sided confidence level.

    Returns
    -------
    PairedDiff
        Mean of ``d_r = treatment_r - control_r`` with its t interval, those
        divided by ``|mean(control)|`` (NaN if 0), the two-sided paired t-test
        p-value and ``n``. All-zero differences give p = 1 and [0, 0].
    """
    t_arr, c_arr = _as_1d(treatment, "treatment"), _as_1d(control, "control")
    if t_arr.shape != c_arr.shape or t_arr.size < 2:
        raise ValueError("need equal-length arrays with at least 2 replications")
    diff = t_arr - c_arr
    ci = mean_ci(diff, confidence)
    base = abs(float(np.mean(c_arr)))
    # differences equal up to float rounding (e.g. a fixed staff cost) are constant: t is 0 or
    # infinite, and scipy would only warn about precision loss
    constant = ci.sd <= 1e-9 * max(abs(ci.mean), base, 1.0)
    if constant:
        p_value = 1.0 if abs(ci.mean) <= 1e-9 * max(base, 1.0) else 0.0
    else:
        p_value = float(sps.ttest_rel(t_arr, c_arr).pvalue)
    rel = (ci.mean / base, ci.lo / base, ci.hi / base) if base else (float("nan"),) * 3
    return PairedDiff(ci.mean, ci.lo, ci.hi, *rel, p_value, ci.n)


def holm_adjust(p_values: ArrayLike) -> np.ndarray:
    """Holm step-down adjusted p-values.

    Parameters
    ----------
    p_values : array_like
        Raw p-values. NaNs are excluded from the family and stay NaN.

    Returns
    -------
    numpy.ndarray
        Adjusted p-values in the input order and shape.
    """
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


def required_replications(
    values: ArrayLike, rel_precision: float = 0.05, confidence: float = 0.95, max_n: int = 10_000
) -> int:
    """Replications needed for a target relative error (Law & Kelton).

    Smallest ``i >= 2`` with ``t_{i-1,1-a/2} sqrt(S^2/i) / |X| <= gamma/(1+gamma)``,
    using the pilot mean ``X`` and sample variance ``S^2``.

    Parameters
    ----------
    values : array_like
        Pilot replication outputs (at least 2).
    rel_precision : float, default 0.05
        Target relative error ``gamma`` (> 0).
    confidence : float, default 0.95
        Two-sided confidence level.
    max_n : int, default 10_000
        Search limit; returned (with a warning) if the target is not met.

    Returns
    -------
    int
        Total number of replications needed; may be below the pilot size.
    """
    _check_confidence(confidence)
    if rel_precision <= 0:
        raise ValueError("rel_precision must be positive")
    x = _as_1d(values, "values")
    mean = float(np.mean(x))
    if x.size < 2 or mean == 0.0 or max_n < 2:
        raise ValueError("need >= 2 pilot values, a non-zero mean and max_n >= 2")
    var = float(np.var(x, ddof=1))
    target = rel_precision / (1.0 + rel_precision)
    i = np.arange(2, max_n + 1)
    rel_hw = sps.t.ppf(0.5 + confidence / 2.0, df=i - 1) * np.sqrt(var / i) / abs(mean)
    ok = np.flatnonzero(rel_hw <= target)
    if ok.size == 0:
        warnings.warn(f"relative precision not reached within max_n={max_n}", stacklevel=2)
        return int(max_n)
    return int(i[ok[0]])


def prob_best(
    samples: pd.DataFrame, higher_is_better: bool = True, n_boot: int = 2000,
    rng: np.random.Generator | None = None,
) -> pd.Series:
    """Bootstrap probability that each policy has the best mean.

    Parameters
    ----------
    samples : pandas.DataFrame
        One column per policy, one row per (CRN-paired) replication.
    higher_is_better : bool, default True
        Whether larger means are better.
    n_boot : int, default 2000
        Number of bootstrap resamples of the replication rows.
    rng : numpy.random.Generator, optional
        Random generator; defaults to ``np.random.default_rng(0)``.

    Returns
    -------
    pandas.Series
        Probability per policy (column), summing to 1; ties split equally.
    """
    rng = np.random.default_rng(0) if rng is None else rng
    x = samples.to_numpy(dtype=float)
    n_rows, n_cols = x.shape
    if n_rows == 0 or n_cols == 0 or n_boot < 1 or np.isnan(x).any():
        raise ValueError("need a non-empty NaN-free frame and n_boot >= 1")
    if not higher_is_better:
        x = -x
    # Resampling rows with replacement == multinomial row multiplicities;
    # the same rows are used for every column, which keeps the pairing.
    weights = rng.multinomial(n_rows, np.full(n_rows, 1.0 / n_rows), size=n_boot)
    means = weights @ x / n_rows
    best = means.max(axis=1, keepdims=True)
    is_best = np.isclose(means, best, rtol=1e-12, atol=0.0)
    share = is_best / is_best.sum(axis=1, keepdims=True)
    return pd.Series(share.mean(axis=0), index=samples.columns, name="prob_best")


def mser5(series: ArrayLike) -> int:
    """MSER-5 warm-up truncation point.

    Batch means ``Z`` of 5 (trailing partial batch dropped); over the first half
    of the ``k`` batches, minimise ``sum_{j>=d} (Z_j - Zbar_d)^2 / (k - d)^2``.

    Parameters
    ----------
    series : array_like
        One output time series (at least 10 observations).

    Returns
    -------
    int
        Number of original observations to delete (``5 * d*``).
    """
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
    """Welch's moving average of the across-replication mean curve.

    Parameters
    ----------
    replications : numpy.ndarray
        Shape ``(n_replications, m)``: rows replications, columns periods.
    window : int
        ``0 <= w < m``. Period ``i <= w`` (1-based) averages ``2i - 1`` centred
        values, later periods ``2w + 1`` (Law & Kelton).

    Returns
    -------
    numpy.ndarray
        Smoothed curve of length ``m - w``.
    """
    y = np.atleast_2d(np.asarray(replications, dtype=float)).mean(axis=0)
    m = y.size
    if not 0 <= window < m:
        raise ValueError(f"window must satisfy 0 <= window < {m}")
    csum = np.concatenate(([0.0], np.cumsum(y)))
    j = np.arange(m - window)  # 0-based period index
    half = np.minimum(j, window)
    return (csum[j + half + 1] - csum[j - half]) / (2 * half + 1)
