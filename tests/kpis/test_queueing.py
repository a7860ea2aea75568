"""Erlang C and Erlang A (``simcoord.kpis.queueing``) against known values and a birth-death chain."""

from __future__ import annotations

import math

import numpy as np
import pytest

from simcoord.kpis.queueing import erlang_a_ratio, erlang_b, erlang_c, mmc, mmc_abandonment


def test_erlang_b_and_c_of_two_servers_at_load_one() -> None:
    # B = (1/2) / (1 + 1 + 1/2) = 0.2; C = B / (1 - 0.5 (1 - B)) = 1/3
    assert erlang_b(2, 1.0) == pytest.approx(0.2)
    assert erlang_c(2, 1.0) == pytest.approx(1 / 3)


def test_mmc_is_erlang_c_with_littles_law() -> None:
    theory = mmc(2, 1.0, 1.0)  # lambda 1/h, mu 1/h, two servers
    assert theory.mean_wait_hours == pytest.approx((1 / 3) / (2 - 1))
    assert theory.queue_length == pytest.approx(1.0 * theory.mean_wait_hours)
    assert theory.utilisation == 0.5 and theory.released_pct == 0


def test_erlang_c_needs_a_load_below_the_servers() -> None:
    with pytest.raises(ValueError, match="below the servers"):
        erlang_c(3, 3.0)


def test_palms_function_is_its_series_and_its_gamma_form() -> None:
    for x, y in [(1.0, 1.0), (72.0, 57.6), (300.0, 30.0), (0.05, 0.1)]:
        series = 1 + np.sum(np.cumprod(y / (x + np.arange(1, 2000))))
        assert erlang_a_ratio(x, y) == pytest.approx(series, rel=1e-10)
    assert erlang_a_ratio(1.0, 1.0) == pytest.approx(math.e - 1)  # 1 e / 1 * (1 - 1/e)


def birth_death(servers: int, arrival_rate: float, service_hours: float, patience_hours: float,
                states: int = 4000) -> dict[str, float]:
    """M/M/c+M solved as a truncated birth-death chain, customer by customer (PASTA)."""
    mu, theta = 1 / service_hours, 1 / patience_hours
    n = np.arange(states)
    deaths = np.minimum(n[1:], servers) * mu + np.maximum(n[1:] - servers, 0) * theta
    log_p = np.concatenate([[0.0], np.cumsum(np.log(arrival_rate / deaths))])
    p = np.exp(log_p - log_p.max())
    p /= p.sum()
    queue = np.maximum(n - servers, 0)
    released = theta * (queue * p).sum() / arrival_rate
    ahead = np.arange(states - servers)  # customers waiting ahead of an arrival that must wait
    exits = servers * mu + theta * (ahead + 1)
    served = servers * mu / exits
    return {"waited_pct": p[servers:].sum(), "released_pct": released,
            "waited_served_pct": (p[servers:] * served).sum() / (1 - released),
            "mean_wait_served_hours": (p[servers:] * served * np.cumsum(1 / exits)).sum() / (1 - released),
            "mean_wait_hours": (queue * p).sum() / arrival_rate, "queue_length": (queue * p).sum(),
            "utilisation": arrival_rate * (1 - released) / (servers * mu)}


@pytest.mark.parametrize("case", [(3, 2.4, 1.0, 24.0), (2, 2.2, 1.0, 2.0), (10, 12.0, 1.0, 0.5), (1, 0.5, 1.0, 100.0)])
def test_erlang_a_matches_the_birth_death_chain(case: tuple) -> None:
    theory = mmc_abandonment(*case)._asdict()
    for name, value in birth_death(*case).items():
        assert theory[name] == pytest.approx(value, rel=1e-8), name


def test_erlang_a_without_abandonment_is_erlang_c() -> None:
    assert mmc_abandonment(3, 2.4, 1.0, math.inf) == mmc(3, 2.4, 1.0)
    patient = mmc_abandonment(3, 2.4, 1.0, 1e7)
    assert patient.mean_wait_served_hours == pytest.approx(mmc(3, 2.4, 1.0).mean_wait_hours, rel=1e-5)
    assert patient.waited_pct == pytest.approx(erlang_c(3, 2.4), rel=1e-5)
