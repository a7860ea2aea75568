"""Output analysis for simulation experiments with independent replications
and common random numbers (CRN): confidence intervals, paired comparisons,
Holm and Bonferroni corrections, Fieller intervals for ratios of means, replication planning,
selection of the best (Kim-Nelson), P(best), and warm-up detection."""

import warnings
from typing import NamedTuple

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import stats as sps

__all__ = ["CI", "PairedDiff", "RatioCI", "Selection", "bonferroni_adjust", "clip_interval", "fieller_ratio",
           "holm_adjust", "kn_eta", "mean_ci", "mser5", "paired_difference", "prob_best", "required_replications",
           "select_best", "welch_moving_average"]


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
    divided by ``|mean(control)|`` (NaN if 0), the paired t-test p-value and ``n``. The relative
    bounds treat the control mean as known and can pass -100 %; :func:`fieller_ratio` gives an
    interval for the ratio of the means that accounts for its uncertainty.
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


class RatioCI(NamedTuple):
    """Ratio of two means with a confidence interval (NaN bounds when it is unbounded)."""
    ratio: float
    lo: float
    hi: float


def fieller_ratio(treatment: ArrayLike, control: ArrayLike, confidence: float = 0.95) -> RatioCI:
    """Fieller's (1954) interval for ``rho = mean(treatment) / mean(control)`` from paired (CRN)
    replications: every ``rho`` whose paired t-test of ``treatment - rho * control`` (n - 1 df)
    does not reject, i.e. the roots of ``a rho^2 - 2 b rho + c = 0`` with ``a = mc^2 - q s_cc``,
    ``b = mt mc - q s_tc``, ``c = mt^2 - q s_tt`` and ``q = t^2_{n-1,1-a/2} / n`` (sample
    covariances ``s``). At ``rho = 1`` the test is the paired t-test of the differences, so the
    interval excludes 1 exactly when the paired difference's interval excludes 0. When ``a <= 0``
    (the control mean is not clearly away from 0) the set is unbounded: NaN bounds."""
    _check_confidence(confidence)
    t_arr, c_arr = _as_1d(treatment, "treatment"), _as_1d(control, "control")
    if t_arr.shape != c_arr.shape or t_arr.size < 2:
        raise ValueError("need equal-length arrays with at least 2 replications")
    mt, mc = float(t_arr.mean()), float(c_arr.mean())
    (s_tt, s_tc), (_, s_cc) = np.cov(t_arr, c_arr, ddof=1)
    q = float(_t_quantile(confidence, t_arr.size - 1)) ** 2 / t_arr.size
    a, b, c = mc * mc - q * s_cc, mt * mc - q * s_tc, mt * mt - q * s_tt
    ratio = mt / mc if mc != 0 else float("nan")
    if not a > 0:
        return RatioCI(ratio, float("nan"), float("nan"))
    root = np.sqrt(max(b * b - a * c, 0.0))  # >= 0 in exact arithmetic: mt / mc is inside
    return RatioCI(ratio, float((b - root) / a), float((b + root) / a))


def bonferroni_adjust(p_values: ArrayLike) -> np.ndarray:
    """Bonferroni-adjusted p-values ``min(1, m p)`` over the ``m`` non-NaN values (NaNs stay NaN).
    ``p_adj < alpha`` exactly when the ``1 - alpha / m`` interval of the same test excludes the
    null value, so adjusted decisions and simultaneous intervals always agree."""
    p = np.asarray(p_values, dtype=float)
    return np.minimum(p * int(np.count_nonzero(~np.isnan(p))), 1.0)


def clip_interval(lo: float, hi: float, low_bound: float, high_bound: float) -> tuple[float, float]:
    """``[lo, hi]`` clipped to ``[low_bound, high_bound]`` (NaN bounds stay NaN): an interval for a
    quantity that cannot leave that range is its intersection with the range."""
    return (float(np.clip(lo, low_bound, high_bound)) if lo == lo else lo,
            float(np.clip(hi, low_bound, high_bound)) if hi == hi else hi)


class Selection(NamedTuple):
    """The outcome of a ranking-and-selection procedure over ``n`` paired replications.

    ``best``: the selected system, or None when the data cannot separate ``contenders`` (the
    systems still in contention, best mean first); ``more_replications``: about how many more
    replications per system would settle it (0 once settled, or when more cannot help because
    the contenders gave identical results in every replication); ``delta``: the indifference
    zone (KPI units); ``alpha``: 1 - the probability of correct selection."""
    best: str | None
    contenders: tuple[str, ...]
    more_replications: int
    n: int
    delta: float
    alpha: float


def kn_eta(systems: int, n0: int, alpha: float) -> float:
    """Kim & Nelson's (2001) ``eta = ((2 alpha / (k - 1))^(-2 / (n0 - 1)) - 1) / 2`` for ``k``
    systems and a first stage of ``n0`` replications; the procedure uses ``h^2 = 2 eta (n0 - 1)``."""
    if systems < 2 or n0 < 2 or not 0 < alpha < 1:
        raise ValueError("need at least 2 systems, 2 replications and 0 < alpha < 1")
    return 0.5 * ((2.0 * alpha / (systems - 1)) ** (-2.0 / (n0 - 1)) - 1.0)


def select_best(samples: pd.DataFrame, delta: float, higher_is_better: bool = True,
                alpha: float = 0.05) -> Selection:
    """Select the best column of ``samples`` (rows: CRN-paired replications) with Kim & Nelson's
    (2001) fully sequential procedure KN, its first stage being all ``n`` rows.

    With ``h^2 = 2 eta (n - 1)`` (:func:`kn_eta`) and ``S^2_il`` the sample variance of the
    paired differences of systems i and l, system i is eliminated when its mean falls below
    ``mean_l - W_il`` with ``W_il = max(0, delta / (2n) (h^2 S^2_il / delta^2 - n))`` for some
    l. KN selects a system within ``delta`` (KPI units) of the best with probability at least
    ``1 - alpha`` for normal outputs, CRN allowed. While several survive, the continuation
    region of pair (i, l) closes after ``h^2 S^2_il / delta^2`` replications;
    ``more_replications`` is the estimate of :func:`_replications_to_close`. Kim, S.-H. and
    Nelson, B. L. (2001), ACM TOMACS 11(3), 251-273."""
    x = samples.to_numpy(dtype=float) * (1.0 if higher_is_better else -1.0)
    n, k = x.shape
    if not delta > 0 or k == 0 or np.isnan(x).any():
        raise ValueError("need a positive indifference zone and a non-empty NaN-free frame")
    if k == 1:
        return Selection(str(samples.columns[0]), (str(samples.columns[0]),), 0, n, delta, alpha)
    if n < 2:
        raise ValueError("selecting the best needs at least 2 replications")
    s2 = _paired_variances(x)
    h2 = 2.0 * kn_eta(k, n, alpha) * (n - 1)
    means = x.mean(axis=0)
    slack = np.maximum(0.0, delta / (2 * n) * (h2 * s2 / delta**2 - n))
    alive = np.all(means[:, None] >= means[None, :] - slack, axis=1)
    order = [i for i in np.argsort(-means, kind="stable") if alive[i]]
    names = tuple(str(samples.columns[i]) for i in order)
    if len(order) == 1:
        return Selection(names[0], names, 0, n, delta, alpha)
    more = _replications_to_close(s2[np.ix_(order, order)], k, delta, n, alpha)
    return Selection(None, names, more, n, delta, alpha)


def _paired_variances(x: np.ndarray) -> np.ndarray:
    """``S^2_il``: the sample variance (ddof=1) of column i minus column l, for every pair."""
    diffs = x[:, :, None] - x[:, None, :]
    return diffs.var(axis=0, ddof=1)


def _replications_to_close(s2: np.ndarray, systems: int, delta: float, n: int, alpha: float) -> int:
    """About how many more replications separate the contenders: the smallest first stage
    ``N >= n`` whose KN continuation region would already be closed at stage ``N`` for every
    contending pair, ``h^2(N) S^2_il / delta^2 <= N``, with the variances as estimated (0 when
    the contenders' differences never vary: more replications cannot separate them)."""
    worst = float(np.max(s2)) / delta**2
    if worst == 0.0:
        return 0
    closed = lambda size: 2.0 * kn_eta(systems, size, alpha) * (size - 1) * worst <= size  # noqa: E731
    low, high = n, max(n + 1, 2)
    while not closed(high):  # h^2(N) falls towards -2 ln(2 alpha / (k - 1)): a bound exists
        low, high = high, 2 * high
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (low, middle) if closed(middle) else (middle, high)
    return max(1, high - n)

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
