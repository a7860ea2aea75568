"""Choosing a scenario distribution for a sample of durations or amounts.

:func:`fit_distribution` fits every family the scenario can draw from and a sample can tell apart
(exponential, gamma, lognormal; a constant when every value is the same) by maximum likelihood
with SciPy, the location held at 0 because the scenario's families start there, and keeps the one
with the smallest AIC. The result is the scenario's mapping (``{"dist": "gamma", "mean": ...,
"sd": ...}``, in the sample's own unit) with the goodness of fit of the chosen family
(Kolmogorov-Smirnov statistic and p-value) and the AIC of every candidate.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
from scipy import sparse, stats
from statsmodels.duration.survfunc import CumIncidenceRight

from simcoord.calibration.estimates import Estimate, assumed, fitted

#: Fewer observations than this are too few to choose a family (or to trust a mean).
MIN_OBSERVATIONS = 10
#: Values at or below this (in the sample's unit) are zeros: a lognormal or gamma cannot hold them.
ZERO = 1e-9
#: Up to this share of zeros is left out of a fit (a stray zero would rule out every family but one).
STRAY_ZEROS = 0.05
#: A best family whose Kolmogorov-Smirnov distance from a large sample exceeds this fits it poorly:
#: the sample's own quantiles (an empirical distribution) describe it instead.
MAX_KS_DISTANCE = 0.1
EMPIRICAL_MIN_N = 200  # below this, a poor fit is kept: the quantiles would be noise
#: A family whose mean is further than this many standard errors from the sample's misses its tail:
#: workloads and cycle times add durations up, so the mean must hold.
MAX_MEAN_ERRORS = 3.0
EMPIRICAL_POINTS = 100
#: The probabilities of an empirical fit's quantiles: the middles of EMPIRICAL_POINTS equal slices.
QUANTILE_LEVELS = (np.arange(EMPIRICAL_POINTS) + 0.5) / EMPIRICAL_POINTS
#: Interval-censored observations are fitted as such once they are this share of a sample.
CENSORED_SHARE = 0.05


class TooFewObservations(ValueError):
    """A sample too small to fit a distribution to; ``n`` is how many observations there were."""

    def __init__(self, n: int, min_n: int) -> None:
        super().__init__(f"{n} observation{'s' if n != 1 else ''}: too few to fit (at least {min_n} needed)")
        self.n, self.min_n = n, min_n


@dataclass(frozen=True)
class DistributionFit:
    """The chosen family as a scenario mapping, and how well it fits.

    ``aic`` holds every candidate family's AIC (lower is better); ``ks_statistic`` and ``ks_pvalue``
    are the Kolmogorov-Smirnov test of the chosen family against the sample (NaN for a constant); with
    interval-censored observations, the distance from the family to the Turnbull estimate (p NaN)."""

    spec: dict[str, object]
    n: int
    aic: dict[str, float]
    ks_statistic: float
    ks_pvalue: float
    zeros_left_out: int = 0
    censored: int = 0  # observations known only to lie in an interval
    scaled: bool = True  # an empirical fit's quantiles scaled to the sample's mean
    family_mean: float = np.nan  # the best family's mean where it missed the sample's (empirical then)

    @property
    def family(self) -> str:
        return str(self.spec["dist"])

    def describe(self) -> str:
        """One phrase for a header or a report: the family, why, and the fit."""
        if self.family == "constant":
            return f"constant: all {self.n} observations equal"
        ranked = sorted(self.aic.items(), key=lambda item: item[1])
        others = ", ".join(f"{name} {aic:.0f}" for name, aic in ranked)
        left_out = f"; {self.zeros_left_out} zeros left out" if self.zeros_left_out else ""
        if self.censored:
            left_out += (f"; {self.censored} of the {self.n} known only within an interval (interval-censored "
                         "maximum likelihood; KS distance from the Turnbull estimate)")
        fit = (f"KS D={self.ks_statistic:.3f}" if self.censored else
               f"KS D={self.ks_statistic:.3f}, p={self.ks_pvalue:.3g}")
        if self.family == "empirical":
            how = "scaled to its mean" if self.scaled else "as they are"
            source = "the sample"
            if self.censored:  # always scaled: see interval_censored_empirical
                source = ("the nonparametric maximum-likelihood (Turnbull) estimate over the exact and the "
                          "interval-censored values, each interval's share spread evenly across it")
                how = "scaled to its mean"
            why = (f"{fit} > {MAX_KS_DISTANCE}" if self.ks_statistic > MAX_KS_DISTANCE else
                   f"its mean {self.family_mean:.3g} is more than {MAX_MEAN_ERRORS:g} standard errors from the "
                   f"sample's ({fit})")
            return (f"empirical ({EMPIRICAL_POINTS} quantiles of {source}, {how}): the best family by "
                    f"AIC ({others}) fits poorly, {why}{left_out}")
        return f"{self.family} by AIC ({others}); {fit}{left_out}"


def significant(value: float, digits: int = 6) -> float:
    """``value`` rounded to ``digits`` significant digits (what a scenario file needs to say)."""
    return float(f"{value:.{digits}g}")


def _exponential(sample: Any) -> tuple[dict[str, object], stats.rv_continuous]:
    _, scale = stats.expon.fit(sample, floc=0)
    return {"dist": "exponential", "mean": significant(scale)}, stats.expon(scale=scale)


def _gamma(sample: Any) -> tuple[dict[str, object], stats.rv_continuous]:
    shape, _, scale = stats.gamma.fit(sample, floc=0)
    frozen = stats.gamma(shape, scale=scale)
    return {"dist": "gamma", "mean": significant(frozen.mean()), "sd": significant(frozen.std())}, frozen


def _lognormal(sample: Any) -> tuple[dict[str, object], stats.rv_continuous]:
    sigma, _, scale = stats.lognorm.fit(sample, floc=0)
    frozen = stats.lognorm(sigma, scale=scale)
    return {"dist": "lognormal", "mean": significant(frozen.mean()), "sd": significant(frozen.std())}, frozen


#: family -> (fit, number of free parameters); the exponential alone also holds zeros.
FAMILIES: dict[str, tuple[Callable[[Any], tuple[dict[str, object], stats.rv_continuous]], int]] = {
    "exponential": (_exponential, 1), "gamma": (_gamma, 2), "lognormal": (_lognormal, 2),
}


def observations(sample: object) -> np.ndarray:
    """The finite, non-negative values of ``sample`` as floats (NaN and negative values dropped)."""
    values = np.asarray(sample, dtype=float).ravel()
    return values[np.isfinite(values) & (values >= 0)]


def fit_distribution(sample: object, min_n: int = MIN_OBSERVATIONS,
                     intervals: np.ndarray | None = None, exact_values: bool = False) -> DistributionFit:
    """The scenario distribution that fits ``sample`` best by AIC, with its goodness of fit; the
    sample's own quantiles where even the best family fits a large sample poorly.

    NaN and negative values are dropped first. Raises :class:`TooFewObservations` (a
    ``ValueError``) for fewer than ``min_n`` values. A few zeros (up to :data:`STRAY_ZEROS` of the
    sample) are left out and counted; a sample with more (e.g. work that often took no measurable
    time) is fitted by the exponential only, the one candidate family that holds 0.

    ``intervals`` (rows ``[low, high]``) are further observations known only to lie between their
    bounds (interval-censored): where they are at least :data:`CENSORED_SHARE` of the whole, every
    family is fitted by maximum likelihood over both (SciPy's ``CensoredData``), its AIC is of
    that likelihood and its KS test is of the exact values alone; otherwise their upper bounds
    count as exact values."""
    values, intervals = censored(observations(sample), intervals)
    if len(values) + len(intervals) < min_n:
        raise TooFewObservations(len(values) + len(intervals), min_n)
    if len(intervals):
        return _censored_fit(values, intervals)
    if np.ptp(values) <= ZERO:
        return DistributionFit({"dist": "constant", "value": float(values[0])}, len(values), {}, np.nan, np.nan)
    zeros = int(np.sum(values <= ZERO))
    if 0 < zeros <= STRAY_ZEROS * len(values):
        values = values[values > ZERO]
    candidates = FAMILIES if values.min() > ZERO else {"exponential": FAMILIES["exponential"]}
    fits = {name: _candidate(values, fit, parameters) for name, (fit, parameters) in candidates.items()}
    best = min(fits, key=lambda name: fits[name][2])
    spec, frozen, _ = fits[best]
    test = stats.kstest(values, frozen.cdf)
    off = misses_mean(values, float(frozen.mean()))
    if (test.statistic > MAX_KS_DISTANCE or off) and len(values) >= EMPIRICAL_MIN_N:
        spec = empirical(values, scaled=not exact_values)
    return DistributionFit(spec, len(values), {name: fit[2] for name, fit in fits.items()},
                           float(test.statistic), float(test.pvalue), zeros if values.min() > ZERO else 0,
                           scaled=not exact_values, family_mean=float(frozen.mean()) if off else np.nan)


def misses_mean(values: np.ndarray, mean: float) -> bool:
    """Whether a fitted ``mean`` lies more than :data:`MAX_MEAN_ERRORS` standard errors from the
    mean of ``values`` (a family that fits the bulk of a sample can still miss its long tail)."""
    error = np.std(values, ddof=1) / np.sqrt(len(values))
    return bool(abs(mean - values.mean()) > MAX_MEAN_ERRORS * error)


def censored(values: np.ndarray, intervals: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """The exact values and the interval-censored rows to fit: intervals too few to matter (under
    :data:`CENSORED_SHARE`) count as their upper bounds."""
    rows = np.empty((0, 2)) if intervals is None else np.asarray(intervals, dtype=float).reshape(-1, 2)
    rows = rows[np.isfinite(rows).all(axis=1) & (rows[:, 1] >= 0)]
    rows[:, 0] = np.clip(rows[:, 0], 0.0, rows[:, 1])
    if len(rows) < CENSORED_SHARE * (len(values) + len(rows)):
        return np.concatenate([values, rows[:, 1]]), np.empty((0, 2))
    return values, rows


def _censored_fit(values: np.ndarray, intervals: np.ndarray) -> DistributionFit:
    """Every family fitted to exact ``values`` and interval-censored rows together (exact zeros:
    the exponential alone, as without censoring)."""
    candidates = FAMILIES if not len(values) or values.min() > ZERO else {"exponential": FAMILIES["exponential"]}
    fits = {name: _candidate(values, fit, parameters, intervals) for name, (fit, parameters) in candidates.items()}
    # The mean lies between the sample's with every interval at its lower and at its upper bound; a
    # family whose fitted mean does not (a lognormal with an absurd tail) did not fit.
    total = len(values) + len(intervals)
    lowest, highest = ((values.sum() + intervals[:, column].sum()) / total for column in (0, 1))
    plausible = {name: fit for name, fit in fits.items() if lowest <= fit[1].mean() <= highest}
    if not plausible:
        return fit_distribution(np.concatenate([values, intervals[:, 1]]))
    fits = plausible
    best = min(fits, key=lambda name: fits[name][2])
    spec, frozen, _ = fits[best]
    # The exact values alone are no fair sample (which waits end unseen depends on when they end):
    # the family is measured against the nonparametric estimate over every observation.
    estimate = turnbull(values, intervals)
    distance = estimate.distance(frozen.cdf)
    if distance > MAX_KS_DISTANCE and total >= EMPIRICAL_MIN_N:
        spec = interval_censored_empirical(estimate)
    return DistributionFit(spec, total, {name: fit[2] for name, fit in fits.items()}, distance, np.nan,
                           censored=len(intervals))


def empirical(values: np.ndarray, scaled: bool = True) -> dict[str, object]:
    """An empirical distribution of :data:`EMPIRICAL_POINTS` quantiles of ``values``, scaled so
    that its mean is theirs (the quantiles alone would miss the top of a long tail), or not where
    the values themselves matter (``scaled=False``: round amounts stay on the band edges they sit on)."""
    quantiles = np.quantile(values, QUANTILE_LEVELS)
    return quantile_spec(quantiles, values.mean() if scaled else None)


def quantile_spec(quantiles: np.ndarray, mean: float | None = None) -> dict[str, object]:
    """The scenario's empirical distribution of ``quantiles``, scaled so that their mean is
    ``mean`` where one is given (the quantiles alone would miss the top of a long tail)."""
    if mean is not None and quantiles.mean() > 0:
        quantiles = quantiles * (mean / quantiles.mean())
    return {"dist": "empirical", "values": [significant(value, 4) for value in quantiles]}


#: The self-consistency iteration of :func:`turnbull` stops once no value of the estimated
#: distribution function moves by more than this (far below the 1/100 between two quantiles kept).
TURNBULL_TOLERANCE = 1e-6
TURNBULL_MAX_ITERATIONS = 5_000


@dataclass(frozen=True)
class Turnbull:
    """The nonparametric maximum-likelihood distribution of interval-censored observations: its
    probability ``mass`` lies somewhere inside each of the disjoint, sorted innermost intervals
    ``[left, right]`` (where it lies inside one, the likelihood cannot tell)."""

    left: np.ndarray
    right: np.ndarray
    mass: np.ndarray

    def distance(self, cdf: Callable[[np.ndarray], np.ndarray]) -> float:
        """The Kolmogorov-Smirnov distance from the distribution function ``cdf`` to the nearest
        distribution of this estimate: only the steps between innermost intervals are known, so
        ``cdf`` is compared there (before each interval and after it)."""
        after = np.cumsum(self.mass)
        before = after - self.mass
        return float(max(np.max(np.abs(cdf(self.left) - before)), np.max(np.abs(cdf(self.right) - after))))

    def quantiles(self, probabilities: np.ndarray) -> np.ndarray:
        """Quantiles with each interval's mass spread evenly across it."""
        after = np.cumsum(self.mass)
        index = np.minimum(np.searchsorted(after, probabilities, side="left"), len(after) - 1)
        share = (probabilities - (after[index] - self.mass[index])) / self.mass[index]
        return self.left[index] + np.clip(share, 0.0, 1.0) * (self.right[index] - self.left[index])

    @property
    def mean(self) -> float:
        """The mean, each interval's mass at its middle (in the observations' unit)."""
        return float(self.mass @ (self.left + self.right) / 2)


def turnbull(values: np.ndarray, intervals: np.ndarray) -> Turnbull:
    """Turnbull's estimate from exact ``values`` and interval-censored ``intervals`` (rows
    ``[low, high]``, closed): the self-consistency (EM) iteration over the innermost intervals,
    each observation's probability shared among the innermost intervals inside its own in
    proportion to their current mass. SciPy's ``ecdf`` takes right-censored data only, hence the
    iteration here."""
    lows = np.concatenate([values, intervals[:, 0]])
    highs = np.concatenate([values, intervals[:, 1]])
    # An innermost interval is a low bound followed by a high bound with no bound between them
    # (a low sorts before an equal high: the intervals are closed).
    bounds = np.concatenate([lows, highs])
    is_high = np.concatenate([np.zeros(len(lows), bool), np.ones(len(highs), bool)])
    order = np.lexsort((is_high, bounds))
    bounds, is_high = bounds[order], is_high[order]
    starts = np.flatnonzero(~is_high[:-1] & is_high[1:])
    left, right = bounds[starts], bounds[starts + 1]
    first, last = np.searchsorted(left, lows, side="left"), np.searchsorted(right, highs, side="right")
    widths = last - first
    rows = np.repeat(np.arange(len(lows)), widths)
    columns = np.repeat(first - np.cumsum(widths) + widths, widths) + np.arange(int(widths.sum()))
    holds = sparse.csr_matrix((np.ones(len(rows)), (rows, columns)), shape=(len(lows), len(left)))
    mass = np.full(len(left), 1.0 / len(left))
    for _ in range(TURNBULL_MAX_ITERATIONS):
        updated = mass * (holds.T @ (1.0 / (holds @ mass))) / len(lows)
        moved = np.max(np.abs(np.cumsum(updated - mass)))
        mass = updated
        if moved < TURNBULL_TOLERANCE:
            break
    return Turnbull(left, right, mass / mass.sum())


def interval_censored_empirical(estimate: Turnbull) -> dict[str, object]:
    """An empirical distribution of :data:`EMPIRICAL_POINTS` quantiles of a :func:`turnbull`
    estimate, scaled so that its mean is the estimate's (as :func:`empirical` scales to the
    sample's)."""
    return quantile_spec(estimate.quantiles(QUANTILE_LEVELS), estimate.mean)


def censored_empirical(values: np.ndarray, still_waiting: np.ndarray) -> dict[str, object]:
    """An empirical distribution of :data:`EMPIRICAL_POINTS` quantiles of the Kaplan-Meier estimate
    (SciPy's ``ecdf``) from exact ``values`` and right-censored ``still_waiting`` (waits known only
    to last longer than these): leaving the unfinished waits out would cut the long ones. A quantile
    beyond the estimate's reach (its longest times still waiting) takes the longest time seen."""
    result = stats.ecdf(stats.CensoredData(uncensored=values, right=still_waiting))
    times, cdf = result.cdf.quantiles, result.cdf.probabilities
    index = np.searchsorted(cdf, QUANTILE_LEVELS, side="left")
    longest = max(values.max(initial=0.0), still_waiting.max(initial=0.0))
    return quantile_spec(np.where(index < len(times), times[np.minimum(index, len(times) - 1)], longest))


def _incidences(ended: list[np.ndarray], still_open: np.ndarray) -> CumIncidenceRight:
    """The Aalen-Johansen cumulative incidence of each outcome (statsmodels' ``CumIncidenceRight``)
    from the times of the cases each of ``ended`` ended and of those still open (right-censored)."""
    times = np.concatenate([*ended, still_open]).astype(float)
    status = np.concatenate([np.full(len(values), cause + 1.0) for cause, values in enumerate(ended)]
                            + [np.zeros(len(still_open))])
    with np.errstate(divide="ignore", invalid="ignore"):  # its standard errors, unused, divide by 0 at the end
        return CumIncidenceRight(times, status)


def final_incidences(ended: list[np.ndarray], still_open: np.ndarray) -> np.ndarray:
    """The share of cases each outcome ends, by the longest time seen, from the times of the cases
    each of ``ended`` ended and of those still open (Aalen-Johansen); an outcome without cases: 0."""
    incidence = _incidences(ended, still_open).cinc  # one per cause up to the last with cases
    return np.array([float(np.asarray(incidence[cause])[-1]) if len(values) else 0.0
                     for cause, values in enumerate(ended)])


def cause_empirical(values: np.ndarray, others: np.ndarray, still_open: np.ndarray) -> dict[str, object]:
    """An empirical distribution of :data:`EMPIRICAL_POINTS` quantiles of the time to one outcome,
    given that it comes, from the times of the cases it ended (``values``), of those another outcome
    ended (``others``) and of those still open (``still_open``: known only to last longer). The
    Aalen-Johansen cumulative incidence of the outcome (statsmodels' ``CumIncidenceRight``), over
    its value at the longest time seen. Leaving the open cases out would cut the long times, as the
    outcome that takes longest is the one most often still open; counting them all as that outcome
    would stretch them, as some will end otherwise."""
    estimate = _incidences([values, others], still_open)
    incidence = np.asarray(estimate.cinc[0], dtype=float)
    given = incidence / incidence[-1]
    index = np.minimum(np.searchsorted(given, QUANTILE_LEVELS - 1e-12, side="left"), len(given) - 1)
    return quantile_spec(np.asarray(estimate.times, dtype=float)[index])


def _candidate(values: np.ndarray, fit: Callable[[Any], tuple[dict[str, object], stats.rv_continuous]],
               parameters: int, intervals: np.ndarray | None = None) -> tuple[dict[str, object],
                                                                       stats.rv_continuous, float]:
    """One family's fit to exact ``values`` (and interval-censored ``intervals``): its scenario
    mapping, the frozen SciPy distribution and its AIC."""
    data = values if intervals is None else stats.CensoredData(uncensored=values, interval=intervals)
    with warnings.catch_warnings():  # SciPy's optimiser warns on awkward samples; the AIC judges the result
        warnings.simplefilter("ignore", RuntimeWarning)
        spec, frozen = fit(data)
        log_likelihood = float(np.sum(frozen.logpdf(values)))
        if intervals is not None:
            log_likelihood += float(np.sum(np.log(frozen.cdf(intervals[:, 1]) - frozen.cdf(intervals[:, 0]))))
    aic = 2 * parameters - 2 * log_likelihood if np.isfinite(log_likelihood) else np.inf
    return spec, frozen, aic


def estimate_distribution(path: str, sample: object, what: str, fallback: dict[str, object],
                          min_n: int = MIN_OBSERVATIONS, intervals: np.ndarray | None = None,
                          exact_values: bool = False) -> Estimate:
    """The estimate of the distribution at scenario ``path`` from ``sample`` (and interval-censored
    ``intervals``, see :func:`fit_distribution`; ``what`` says what the observations are, with
    their unit), or ``fallback`` assumed, saying why, where there are too few observations to fit."""
    values = observations(sample)
    try:
        fit = fit_distribution(values, min_n, intervals, exact_values)
    except TooFewObservations as few:
        if few.n:  # a few observations still say more about the mean than a guess does (an interval: its top)
            tops = np.empty(0) if intervals is None else np.asarray(intervals, dtype=float).reshape(-1, 2)[:, 1]
            fallback = {"dist": "exponential", "mean": significant(np.concatenate([values, tops]).mean())}
        return assumed(path, fallback, f"{few.n} observations of {what}: too few to fit; assumed "
                                       f"{describe_spec(fallback)}")
    return fitted(path, fit.spec, f"{what}: {fit.describe()}", fit.n, data=values)


def describe_spec(spec: dict[str, object]) -> str:
    """A distribution mapping in a few words (``gamma, mean 2.5, sd 1.2``)."""
    return ", ".join([str(spec["dist"])] + [f"{name} {value:g}" if isinstance(value, (int, float)) else
                                            f"{name} {value}" for name, value in spec.items() if name != "dist"])
