"""Named probability distributions used in scenario files.

A distribution is written in YAML as a mapping with a ``dist`` key, e.g.
``{dist: lognormal, mean: 2.0, sd: 1.0}``, or as a bare number (a constant).
Every distribution knows its analytic mean so tests can check samplers against it.
"""

from __future__ import annotations

import math
from typing import Callable, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from simcoord.scenario.limits import check_magnitudes

Sampler = Callable[[np.random.Generator], float]

DistName = Literal["constant", "exponential", "uniform", "triangular", "lognormal", "gamma", "empirical"]
#: Parameters each distribution needs (gamma takes one of two pairs, checked on its own).
NEEDED = {
    "constant": ("value",),
    "exponential": ("mean",),
    "uniform": ("low", "high"),
    "triangular": ("low", "mode", "high"),
    "lognormal": ("mean", "sd"),
    "empirical": ("values",),
}
#: Parameters each distribution takes: a number it would not read is an error, not a silent leftover.
TAKES = {**NEEDED, "gamma": ("mean", "sd", "shape", "scale")}


class Distribution(BaseModel):
    """A non-negative random quantity (durations in hours or days, money, counts).

    Parameters by name:
    - constant: ``value``
    - exponential: ``mean``
    - uniform: ``low``, ``high``
    - triangular: ``low``, ``mode``, ``high``
    - lognormal: ``mean``, ``sd`` (of the variable itself, not of its log)
    - gamma: ``mean`` and ``sd``, or ``shape`` and ``scale``
    - empirical: ``values`` (sampled uniformly with replacement)
    """

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    dist: DistName
    value: float | None = Field(default=None, ge=0)
    mean: float | None = Field(default=None, ge=0)
    sd: float | None = Field(default=None, ge=0)
    low: float | None = Field(default=None, ge=0)
    mode: float | None = Field(default=None, ge=0)
    high: float | None = Field(default=None, ge=0)
    shape: float | None = Field(default=None, gt=0)
    scale: float | None = Field(default=None, gt=0)
    values: tuple[float, ...] | None = None

    @model_validator(mode="before")
    @classmethod
    def _bare_number_is_constant(cls, data: object) -> object:
        if isinstance(data, (int, float)) and not isinstance(data, bool):
            return {"dist": "constant", "value": data}
        return data

    @model_validator(mode="after")
    def _check_parameters(self) -> "Distribution":
        check_magnitudes({name: getattr(self, name) for name in type(self).model_fields})
        self._check_given()
        self._check_consistent()
        return self

    def _check_given(self) -> None:
        """Every parameter the distribution needs is given, and none it does not read."""
        unused = [name for name in type(self).model_fields if name != "dist" and getattr(self, name) is not None
                  and name not in TAKES[self.dist]]
        if unused:
            raise ValueError(f"{self.dist} distribution does not take {', '.join(unused)} "
                             f"(it takes {', '.join(TAKES[self.dist])})")
        if self.dist == "gamma" and (self.mean is not None or self.sd is not None) \
                and (self.shape is not None or self.scale is not None):
            raise ValueError("gamma distribution takes mean and sd, or shape and scale, not both")
        missing = [name for name in NEEDED.get(self.dist, ()) if getattr(self, name) is None]
        if missing:
            raise ValueError(f"{self.dist} distribution needs {', '.join(missing)}")
        if self.dist == "gamma" and not (
            (self.mean is not None and self.sd is not None) or (self.shape is not None and self.scale is not None)
        ):
            raise ValueError("gamma distribution needs mean and sd, or shape and scale")

    def _check_consistent(self) -> None:
        """The given parameters describe a non-negative distribution that can be drawn from."""
        if self.dist in ("uniform", "triangular") and self.low > self.high:
            raise ValueError("low must not exceed high")
        if self.dist == "triangular" and not self.low <= self.mode <= self.high:
            raise ValueError("mode must lie between low and high")
        if self.dist == "lognormal" and self.mean == 0 and self.sd > 0:
            raise ValueError("lognormal with mean 0 must have sd 0")
        if self.dist == "gamma" and self.mean is not None and self.mean > 0 and self.sd == 0:
            raise ValueError("gamma needs sd > 0 (use constant instead)")
        if self.dist == "empirical" and (not self.values or min(self.values) < 0):
            raise ValueError("empirical values must be a non-empty list of non-negative numbers")

    @property
    def expected(self) -> float:
        """Analytic mean of the distribution."""
        d = self.dist
        if d == "constant":
            return self.value
        if d in ("exponential", "lognormal"):
            return self.mean
        if d == "uniform":
            return (self.low + self.high) / 2
        if d == "triangular":
            return (self.low + self.mode + self.high) / 3
        if d == "gamma":
            return self.mean if self.mean is not None else self.shape * self.scale
        return float(np.mean(self.values))

    def sampler(self) -> Sampler:
        """Return a fast function ``rng -> float`` drawing one value."""
        builders = {"constant": self._constant_sampler, "exponential": self._exponential_sampler,
                    "uniform": self._uniform_sampler, "triangular": self._triangular_sampler,
                    "lognormal": self._lognormal_sampler, "gamma": self._gamma_sampler,
                    "empirical": self._empirical_sampler}
        return builders[self.dist]()

    def _constant_sampler(self) -> Sampler:
        value = self.value
        return lambda rng: value

    def _exponential_sampler(self) -> Sampler:
        mean = self.mean
        return lambda rng: rng.exponential(mean) if mean > 0 else 0.0

    def _uniform_sampler(self) -> Sampler:
        low, width = self.low, self.high - self.low
        return lambda rng: low + width * rng.random()  # NumPy's uniform to the bit, without its slow scalar path

    def _triangular_sampler(self) -> Sampler:
        low, mode, high = self.low, self.mode, self.high
        if low == high:
            return lambda rng: low
        return triangular_sampler(low, mode, high)

    def _lognormal_sampler(self) -> Sampler:
        if self.mean == 0 or self.sd == 0:
            value = self.mean
            return lambda rng: value
        sigma2 = math.log(1 + (self.sd / self.mean) ** 2)  # mean and sd of the variable -> of its log
        mu, sigma = math.log(self.mean) - sigma2 / 2, math.sqrt(sigma2)
        return lambda rng: rng.lognormal(mu, sigma)

    def _gamma_sampler(self) -> Sampler:
        if self.shape is not None:
            shape, scale = self.shape, self.scale
        else:
            if self.mean == 0:
                return lambda rng: 0.0
            shape, scale = (self.mean / self.sd) ** 2, self.sd**2 / self.mean
        return lambda rng: rng.gamma(shape, scale)

    def _empirical_sampler(self) -> Sampler:
        values = np.asarray(self.values, dtype=float)
        return lambda rng: float(values[rng.integers(len(values))])


def triangular_sampler(low: float, mode: float, high: float) -> Sampler:
    """``rng.triangular(low, mode, high)`` to the bit (NumPy's own inversion of one uniform), at
    half the cost of NumPy's scalar call; ``low < high``."""
    width = high - low
    ratio, rising, falling = (mode - low) / width, (mode - low) * width, (high - mode) * width
    sqrt = math.sqrt

    def draw(rng: np.random.Generator) -> float:
        u = rng.random()
        return low + sqrt(u * rising) if u <= ratio else high - sqrt(falling * (1.0 - u))
    return draw


def constant(value: float) -> Distribution:
    return Distribution(dist="constant", value=value)


def exponential(mean: float) -> Distribution:
    return Distribution(dist="exponential", mean=mean)


def lognormal(mean: float, sd: float) -> Distribution:
    return Distribution(dist="lognormal", mean=mean, sd=sd)


def triangular(low: float, mode: float, high: float) -> Distribution:
    return Distribution(dist="triangular", low=low, mode=mode, high=high)
