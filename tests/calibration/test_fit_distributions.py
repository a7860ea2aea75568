"""Choosing a scenario distribution by AIC: the right family and its mean come back from samples of
known distributions, the fit says how good it is, and too few observations are an assumption with
a reason, never a fit."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from simcoord.calibration.distributions import (TooFewObservations, estimate_distribution, fit_distribution,
                                                significant, turnbull)
from simcoord.scenario.distributions import Distribution

RNG_SEED = 7
N = 3000


@pytest.mark.parametrize("family, draw, mean", [
    ("gamma", lambda rng: rng.gamma(2.5, 0.8, N), 2.0),
    ("lognormal", lambda rng: rng.lognormal(0.0, 1.0, N), np.exp(0.5)),
    ("exponential", lambda rng: rng.exponential(3.0, N), 3.0),
])
def test_a_known_family_and_its_mean_come_back(family, draw, mean):
    fit = fit_distribution(draw(np.random.default_rng(RNG_SEED)))
    assert fit.family == family
    assert fit.spec["mean"] == pytest.approx(mean, rel=0.06)  # about 3 standard errors of the mean
    assert set(fit.aic) == {"exponential", "gamma", "lognormal"}
    assert min(fit.aic, key=fit.aic.get) == family
    assert fit.ks_pvalue > 0.01 and 0 < fit.ks_statistic < 0.05
    assert Distribution.model_validate(fit.spec).expected == pytest.approx(fit.spec["mean"])


def test_the_description_names_the_family_every_aic_and_the_test():
    fit = fit_distribution(np.random.default_rng(RNG_SEED).gamma(2.0, 1.0, 500))
    text = fit.describe()
    assert text.startswith("gamma by AIC (") and "lognormal" in text and "exponential" in text and "KS D=" in text


def test_equal_values_are_a_constant():
    fit = fit_distribution([2.5] * 20)
    assert fit.spec == {"dist": "constant", "value": 2.5} and fit.aic == {}


def test_too_few_observations_are_a_value_error_saying_how_many():
    with pytest.raises(TooFewObservations, match=r"^3 observations: too few to fit \(at least 10 needed\)") as error:
        fit_distribution([1.0, 2.0, float("nan"), 3.0, -1.0])  # NaN and negative values do not count
    assert isinstance(error.value, ValueError) and error.value.n == 3


def test_a_stray_zero_is_left_out_and_many_zeros_leave_only_the_exponential():
    sample = np.random.default_rng(RNG_SEED).lognormal(0.0, 0.5, 400)
    stray = fit_distribution(np.append(sample, 0.0))
    assert stray.family == "lognormal" and stray.zeros_left_out == 1 and "1 zeros left out" in stray.describe()
    many = fit_distribution(np.append(sample, np.zeros(100)))
    assert set(many.aic) == {"exponential"}  # the one family that holds 0 (and here fits poorly)


def test_a_sample_no_family_fits_is_described_by_its_own_quantiles():
    rng = np.random.default_rng(RNG_SEED)
    two_humps = np.concatenate([rng.normal(1.0, 0.1, 500), rng.normal(8.0, 0.5, 500)])
    fit = fit_distribution(two_humps)
    assert fit.family == "empirical" and len(fit.spec["values"]) == 100 and fit.ks_statistic > 0.1
    assert np.mean(fit.spec["values"]) == pytest.approx(two_humps.mean(), rel=1e-3)
    assert "fits poorly, KS D=" in fit.describe()
    small = fit_distribution(two_humps[::10])  # 100 values: too few for quantiles, the best family stays
    assert small.family in {"gamma", "lognormal", "exponential"}


def test_a_family_that_misses_the_samples_mean_gives_way_to_its_quantiles():
    """Calls that are mostly short with a few long ones: a lognormal fits the bulk (KS under 0.1)
    but its mean misses the sample's, which a workload adds up."""
    rng = np.random.default_rng(RNG_SEED)
    calls = np.concatenate([rng.lognormal(np.log(0.04), 0.8, 9500), rng.uniform(0.5, 1.5, 500)])
    fit = fit_distribution(calls)
    assert fit.family == "empirical" and fit.ks_statistic < 0.1
    assert np.mean(fit.spec["values"]) == pytest.approx(calls.mean(), rel=1e-3)
    assert "standard errors from the sample's" in fit.describe()
    assert fit_distribution(rng.lognormal(0.0, 0.5, 5000)).family == "lognormal"  # a true lognormal keeps it


def test_an_estimate_is_fitted_with_its_data_or_assumed_with_the_reason():
    sample = np.random.default_rng(RNG_SEED).exponential(1.5, 200)
    estimate = estimate_distribution("funnel.stages.0.work_hours", sample, "work time in stage quote (hours)",
                                     {"dist": "constant", "value": 0.0})
    assert not estimate.assumed and estimate.n == 200 and len(estimate.data) == 200
    assert estimate.basis.startswith("work time in stage quote (hours): exponential by AIC")
    few = estimate_distribution("funnel.stages.0.work_hours", [0.5, 1.0, 1.5], "work time in stage quote (hours)",
                                {"dist": "constant", "value": 0.0})
    assert few.assumed and few.value == {"dist": "exponential", "mean": 1.0}
    assert few.basis == ("3 observations of work time in stage quote (hours): too few to fit; assumed exponential, "
                         "mean 1")
    none = estimate_distribution("funnel.stages.0.work_hours", [], "work time", {"dist": "constant", "value": 0.0})
    assert none.assumed and none.value == {"dist": "constant", "value": 0.0}


def test_significant_digits():
    assert significant(0.000123456789) == 0.000123457 and significant(123456789.0) == 123457000.0


def test_waits_known_only_within_an_interval_are_fitted_as_such():
    """A customer's time that ended in closed hours is known only to lie between the closing and the
    next start: fitted by interval-censored likelihood, its mean comes back; taken at the upper
    bound it would not."""
    rng = np.random.default_rng(RNG_SEED)
    truth = rng.exponential(24.0, 2000)
    censored = rng.random(2000) < 0.6
    bounds = np.column_stack([np.clip(truth - 8.0, 0, None), truth + 8.0])[censored]
    fit = fit_distribution(truth[~censored], intervals=bounds)
    assert fit.censored == censored.sum() and fit.n == 2000 and "known only within an interval" in fit.describe()
    assert fit.spec["mean"] == pytest.approx(24.0, rel=0.08)
    upper = fit_distribution(np.concatenate([truth[~censored], bounds[:, 1]]))
    assert upper.spec.get("mean", np.mean(upper.spec.get("values", [0]))) > 27.0


def test_a_few_intervals_count_as_their_upper_bounds():
    sample = np.random.default_rng(RNG_SEED).gamma(2.0, 1.0, 400)
    fit = fit_distribution(sample, intervals=np.array([[0.5, 1.0], [1.0, 2.0]]))
    assert fit.censored == 0 and fit.n == 402


def test_the_turnbull_estimate_of_exact_values_is_their_empirical_distribution():
    values = np.array([0.5, 1.0, 1.0, 2.0, 4.0])
    estimate = turnbull(values, np.empty((0, 2)))
    assert estimate.left.tolist() == estimate.right.tolist() == [0.5, 1.0, 2.0, 4.0]
    assert estimate.mass == pytest.approx([0.2, 0.4, 0.2, 0.2], abs=1e-6) and estimate.mean == pytest.approx(1.7)


def test_the_turnbull_estimate_of_right_censored_waits_is_kaplan_meier():
    """Waits known only to last longer than some time (an interval reaching past every value) are
    right-censored: the estimate must then be SciPy's Kaplan-Meier, at every exact value."""
    rng = np.random.default_rng(RNG_SEED)
    waits, limits = rng.exponential(5.0, 400), rng.uniform(0.0, 12.0, 400)
    done = waits <= limits
    beyond = 10 * waits.max()
    estimate = turnbull(waits[done], np.column_stack([limits[~done], np.full((~done).sum(), beyond)]))
    kaplan_meier = stats.ecdf(stats.CensoredData(uncensored=waits[done], right=limits[~done])).cdf
    ours = np.cumsum(estimate.mass)[np.searchsorted(estimate.left, waits[done])]
    assert ours == pytest.approx(kaplan_meier.evaluate(waits[done]), abs=1e-4)


def test_interval_censored_waits_no_family_fits_are_described_by_the_turnbull_quantiles():
    """Half the waits are a few minutes and half a few days, as a customer answers at once or not;
    a third of them are known only within the night before the morning they ended. No family fits:
    the quantiles of the Turnbull estimate describe them, and they hold both humps and the mean."""
    rng = np.random.default_rng(RNG_SEED)
    truth = np.concatenate([rng.exponential(0.01, 1500), rng.gamma(4.0, 1.0, 1500)])
    censored = rng.random(3000) < 0.35
    bounds = np.column_stack([np.clip(truth - 0.5, 0, None), truth + 0.25])[censored]
    fit = fit_distribution(truth[~censored], intervals=bounds)
    assert fit.family == "empirical" and fit.censored == censored.sum() and fit.ks_statistic > 0.1
    quantiles = np.array(fit.spec["values"])
    assert np.median(quantiles) == pytest.approx(np.median(truth), abs=0.3)
    assert quantiles[:40].max() < 0.1 and np.percentile(quantiles, 75) == pytest.approx(
        np.percentile(truth, 75), rel=0.1)
    assert quantiles.mean() == pytest.approx(truth.mean(), rel=0.05)
    assert "Turnbull" in fit.describe() and "known only within an interval" in fit.describe()


def test_a_family_that_holds_is_kept_though_the_waits_seen_exactly_are_a_biased_sample():
    """Waits that end at night are seen only the next morning: the exact ones are those ending by
    day, no fair sample of the whole (their own KS test rejects the true family). Measured against
    the Turnbull estimate over every wait, the true exponential is kept."""
    rng = np.random.default_rng(RNG_SEED)
    starts, waits = rng.uniform(0.3, 0.7, 3000), rng.exponential(1.0, 3000)
    ends = starts + waits
    night = (ends % 1.0 < 0.3) | (ends % 1.0 >= 0.7)
    evening = np.floor(ends - 0.7) + 0.7  # the night an end falls in runs from 0.7 to 1.3
    bounds = np.column_stack([np.clip(evening - starts, 0, None), evening + 0.6 - starts])[night]
    assert stats.kstest(waits[~night], stats.expon(scale=1.0).cdf).statistic > 0.1
    fit = fit_distribution(waits[~night], intervals=bounds)
    assert fit.family == "exponential" and fit.ks_statistic < 0.05
    assert fit.spec["mean"] == pytest.approx(1.0, rel=0.05)
