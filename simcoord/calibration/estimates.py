"""What a fit says about one scenario value: fitted from which data, or assumed and why.

Every estimator of the calibration layer returns :class:`Estimate` records; the fitted scenario's
header, the fit report and the parameter table are all written from them, so a value and the
account of where it came from cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np

FITTED, ASSUMED = "fitted", "assumed"


@dataclass(frozen=True)
class Estimate:
    """One scenario value and its provenance.

    ``path`` is the value's dotted path in the scenario (``demand.channels.online.leads_per_week``);
    ``value`` what is written there (a number, a list, a distribution mapping...); ``basis`` says
    how it was estimated ("mean of 13 weeks of arrivals") or, for an assumption, why the log cannot
    tell; ``n`` counts the observations behind it (0 when assumed); ``interval`` is its 95 %
    confidence interval where one is meaningful, in the value's own unit; ``data`` keeps the
    observations the fit report plots against the fitted value (empty when there are none).
    """

    path: str
    value: object
    source: Literal["fitted", "assumed"]
    basis: str
    n: int = 0
    interval: tuple[float, float] | None = None
    data: np.ndarray = field(default_factory=lambda: np.empty(0), repr=False, compare=False)

    @property
    def assumed(self) -> bool:
        """Whether the log could not tell this value (it was taken from a stated assumption)."""
        return self.source == ASSUMED


def fitted(path: str, value: object, basis: str, n: int, interval: tuple[float, float] | None = None,
           data: np.ndarray | None = None) -> Estimate:
    """An estimate fitted from ``n`` observations."""
    return Estimate(path, value, FITTED, basis, n, interval, np.empty(0) if data is None else np.asarray(data))


def assumed(path: str, value: object, why: str) -> Estimate:
    """A value the log cannot tell, with ``why`` it was assumed."""
    return Estimate(path, value, ASSUMED, why)
