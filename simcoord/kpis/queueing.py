"""Queueing theory for the model's textbook queues: Erlang C (M/M/c) and Erlang A (M/M/c+M).

Pure formulas, no simulation. Rates are per hour, times in hours, shares are fractions in
[0, 1]. ``servers`` is c, ``arrival_rate`` lambda, ``mean_service_hours`` 1/mu and
``mean_patience_hours`` 1/theta (how long a waiting customer stays before abandoning).
Both models return a :class:`QueueTheory`, so a simulated queue reads against either.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from scipy import special, stats



class QueueTheory(NamedTuple):
    """What theory says about one queue in steady state."""

    waited_pct: float  # share of arrivals that find every server busy
    waited_served_pct: float  # share of the served customers that waited at all
    released_pct: float  # share of arrivals that abandon before service
    mean_wait_hours: float  # mean wait of all arrivals (an abandoner's until it leaves)
    mean_wait_served_hours: float  # mean wait of the customers who are served
    queue_length: float  # time-average number waiting (customers)
    utilisation: float  # busy share of the servers


def erlang_b(servers: int, offered_load: float) -> float:
    """Blocking probability of the loss system M/M/c/c (Erlang B) at offered load a = lambda/mu:
    ``B(c, a) = (a^c / c!) / sum_{k<=c} a^k / k!``, i.e. a Poisson(a) point mass over its c.d.f."""
    return float(stats.poisson.pmf(servers, offered_load) / stats.poisson.cdf(servers, offered_load))


def erlang_c(servers: int, offered_load: float) -> float:
    """Probability that an arrival waits in M/M/c (Erlang C), from Erlang B:
    ``C(c, a) = B / (1 - rho (1 - B))`` with rho = a / c < 1 (e.g. Gross & Harris,
    *Fundamentals of Queueing Theory*, section 2.3)."""
    rho = offered_load / servers
    if not 0 <= rho < 1:
        raise ValueError(f"M/M/c needs an offered load below the servers (a = {offered_load:g}, c = {servers})")
    blocked = erlang_b(servers, offered_load)
    return blocked / (1 - rho * (1 - blocked))


def mmc(servers: int, arrival_rate: float, mean_service_hours: float) -> QueueTheory:
    """M/M/c (nobody abandons): P(wait) = C(c, a); mean wait Wq = C / (c mu - lambda) hours;
    Lq = lambda Wq (Little); utilisation rho = lambda / (c mu)."""
    service_rate = 1 / mean_service_hours
    waited = erlang_c(servers, arrival_rate / service_rate)
    wait = waited / (servers * service_rate - arrival_rate)
    return QueueTheory(waited, waited, 0.0, wait, wait, arrival_rate * wait,
                       arrival_rate / (servers * service_rate))


def erlang_a_ratio(x: float, y: float) -> float:
    """Palm's function ``A(x, y) = x e^y y^-x gamma(x, y)`` (lower incomplete gamma), which equals
    ``sum_{j>=0} y^j / ((x+1)(x+2)...(x+j)) = 1F1(1; x + 1; y)``: the weight of the states with a
    queue relative to the state "all servers busy, nobody waiting" (Garnett, Mandelbaum & Reiman 2002)."""
    return float(special.hyp1f1(1.0, x + 1.0, y))  # the confluent hypergeometric form: no underflow


def mmc_abandonment(servers: int, arrival_rate: float, mean_service_hours: float,
                    mean_patience_hours: float) -> QueueTheory:
    """Erlang A (M/M/c+M, Palm 1943), in the form of Garnett, Mandelbaum & Reiman, "Designing a
    call center with impatient customers", MSOM 4(3), 2002: with rho = lambda / (c mu),
    A = A(c mu / theta, lambda / theta) and B = Erlang B(c, lambda / mu),
    ``P(wait) = A B / (1 + (A - 1) B)``, ``P(abandon | wait) = 1 / (rho A) + 1 - 1 / rho``,
    the mean wait of all arrivals ``E[W] = P(abandon) / theta`` and ``Lq = lambda E[W]``.
    Stable at any load. The served customers' wait is the series of :func:`_served_wait`."""
    if mean_patience_hours == math.inf:
        return mmc(servers, arrival_rate, mean_service_hours)
    mu, theta = 1 / mean_service_hours, 1 / mean_patience_hours
    rho = arrival_rate / (servers * mu)
    ratio = erlang_a_ratio(servers * mu / theta, arrival_rate / theta)
    blocked = erlang_b(servers, arrival_rate / mu)
    waited = blocked / (blocked + (1 - blocked) / ratio)  # = A B / (1 + (A - 1) B)
    released = waited * (1 / (rho * ratio) + 1 - 1 / rho)
    served_wait_sum, served_waited = _served_wait(servers * mu, arrival_rate, theta)
    served = 1 - released
    return QueueTheory(waited, waited * served_waited / ratio / served, released, released / theta,
                       waited * served_wait_sum / ratio / served, arrival_rate * released / theta, rho * served)


def _served_wait(service_rate: float, arrival_rate: float, theta: float) -> tuple[float, float]:
    """Sums over j, the customers an arrival finds waiting when every server is busy, weighted by
    ``q_j = prod_{k<=j} lambda / (c mu + k theta)`` (their sum is A): (sum q_j E[W 1{served} | j],
    sum q_j P(served | j)). Waiting behind j, the customer is served with probability
    c mu / (c mu + (j+1) theta) and, if so, waited sum_{k=1}^{j+1} 1 / (c mu + k theta) on average
    (each place in the queue ends at rate c mu + k theta, whichever event ends it)."""
    exits = service_rate + theta * np.arange(1, _series_length(service_rate, arrival_rate, theta) + 1)
    weights = np.exp(np.concatenate([[0.0], np.cumsum(np.log(arrival_rate / exits[:-1]))]))
    served = service_rate / exits
    return float(np.sum(weights * served * np.cumsum(1 / exits))), float(np.sum(weights * served))


def _series_length(service_rate: float, arrival_rate: float, theta: float) -> int:
    """Terms of the Erlang A series: past the queue's mode, the tail is roughly Poisson(lambda /
    theta) beyond it, so the mode plus twelve standard deviations leaves a negligible tail."""
    mode = max(arrival_rate - service_rate, 0.0) / theta
    spread = math.sqrt(arrival_rate / theta + 1)
    return int(mode + 12 * spread + 64)
