"""Distribution samplers against their analytic means (``Distribution.expected``) and validation."""

from __future__ import annotations

import math

import numpy as np
import pytest
from pydantic import ValidationError

from simcoord.scenario.distributions import Distribution

DRAWS = 40_000

CASES = {
    "constant": {"dist": "constant", "value": 2.5},
    "exponential": {"dist": "exponential", "mean": 3.0},
    "uniform": {"dist": "uniform", "low": 1.0, "high": 5.0},
    "triangular": {"dist": "triangular", "low": 0.5, "mode": 1.5, "high": 3.0},
    "lognormal": {"dist": "lognormal", "mean": 18000.0, "sd": 12000.0},
    "gamma_mean_sd": {"dist": "gamma", "mean": 4.0, "sd": 2.0},
    "gamma_shape_scale": {"dist": "gamma", "shape": 2.0, "scale": 1.5},
    "empirical": {"dist": "empirical", "values": [1, 2, 2, 7]},
}
EXPECTED = {"constant": 2.5, "exponential": 3.0, "uniform": 3.0, "triangular": 5 / 3, "lognormal": 18000.0,
            "gamma_mean_sd": 4.0, "gamma_shape_scale": 3.0, "empirical": 3.0}


def draws(dist: Distribution, n: int = DRAWS, seed: int = 7) -> np.ndarray:
    rng = np.random.default_rng(seed)
    sample = dist.sampler()
    return np.array([sample(rng) for _ in range(n)])


@pytest.mark.parametrize("name", CASES)
def test_expected_is_the_analytic_mean(name):
    assert Distribution.model_validate(CASES[name]).expected == pytest.approx(EXPECTED[name])


@pytest.mark.parametrize("name", CASES)
def test_sample_mean_matches_expected(name):
    dist = Distribution.model_validate(CASES[name])
    x = draws(dist)
    assert (x >= 0).all()
    standard_error = x.std(ddof=1) / math.sqrt(len(x))
    assert abs(x.mean() - dist.expected) <= 4 * standard_error + 1e-12


def test_lognormal_is_parameterised_by_the_variable_not_its_log():
    x = draws(Distribution(dist="lognormal", mean=2.0, sd=1.0), n=100_000)
    assert x.std(ddof=1) == pytest.approx(1.0, rel=0.05)
    assert np.median(x) < 2.0  # right-skewed


def test_gamma_sd_is_honoured():
    x = draws(Distribution(dist="gamma", mean=4.0, sd=2.0), n=100_000)
    assert x.std(ddof=1) == pytest.approx(2.0, rel=0.03)


def test_uniform_and_triangular_stay_in_their_range():
    for spec in (CASES["uniform"], CASES["triangular"]):
        x = draws(Distribution.model_validate(spec), n=5_000)
        assert x.min() >= spec["low"] and x.max() <= spec["high"]


def test_empirical_draws_only_its_values_with_their_frequencies():
    x = draws(Distribution.model_validate(CASES["empirical"]), n=20_000)
    assert set(np.unique(x)) == {1.0, 2.0, 7.0}
    assert (x == 2.0).mean() == pytest.approx(0.5, abs=0.02)


def test_bare_number_is_a_constant():
    dist = Distribution.model_validate(4)
    assert dist.dist == "constant" and dist.expected == 4
    assert dist.sampler()(np.random.default_rng(0)) == 4


@pytest.mark.parametrize("spec", [
    {"dist": "lognormal", "mean": 0, "sd": 0},
    {"dist": "exponential", "mean": 0},
    {"dist": "triangular", "low": 2, "mode": 2, "high": 2},
    {"dist": "gamma", "mean": 0, "sd": 0},
])
def test_degenerate_distributions_are_constant(spec):
    dist = Distribution.model_validate(spec)
    rng = np.random.default_rng(1)
    assert {dist.sampler()(rng) for _ in range(10)} == {dist.expected}


@pytest.mark.parametrize("spec", [
    {"dist": "normal", "mean": 1},                            # unknown name
    {"dist": "exponential"},                                  # missing parameter
    {"dist": "exponential", "mean": -1},                      # negative
    {"dist": "uniform", "low": 5, "high": 1},                 # low > high
    {"dist": "triangular", "low": 0, "mode": 4, "high": 3},   # mode outside
    {"dist": "gamma", "mean": 2},                             # half a parameter pair
    {"dist": "empirical", "values": []},                      # no values
    {"dist": "constant", "value": 1, "rate": 2},              # unknown key
    {"dist": "exponential", "mean": 5, "sd": 1},              # a parameter its type does not read
    {"dist": "constant", "value": 5, "mean": 18000},
    {"dist": "gamma", "mean": 2, "sd": 1, "shape": 4, "scale": 0.5},  # both of gamma's pairs
    True,                                                     # a bool is not a number here
])
def test_bad_distributions_are_rejected(spec):
    with pytest.raises(ValidationError):
        Distribution.model_validate(spec)


def test_samplers_are_reproducible_from_the_generator():
    dist = Distribution.model_validate(CASES["lognormal"])
    assert np.array_equal(draws(dist, 100, seed=3), draws(dist, 100, seed=3))
    assert not np.array_equal(draws(dist, 100, seed=3), draws(dist, 100, seed=4))


def test_a_parameter_the_type_does_not_read_is_named():
    with pytest.raises(ValidationError, match="gamma distribution does not take low"):
        Distribution.model_validate({"dist": "gamma", "shape": 2, "scale": 5000, "low": 3})
