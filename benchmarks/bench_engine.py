"""Engine overhead: simcoord on the M/M/c validation scenario vs a bare SimPy M/M/c and
vs Ciw on the same queue (lambda 2.4/h, mu 1/h, c = 3, one simulated year), in customers
per second. ``simcoord`` times a whole ``simulate()`` (event log frame and KPIs included);
``simcoord loop`` only SimPy's event loop over simcoord's processes, the engine overhead proper."""

from __future__ import annotations

import random

import ciw
import numpy as np
import simpy

from common import MMC, Row, best_of, main_with_days
from simcoord.scenario.loading import load_scenario
from simcoord.model.company import HOURS_PER_DAY, Model, simulate

ARRIVAL_RATE, SERVICE_RATE, SERVERS = 2.4, 1.0, 3


def bare_simpy(hours: float, seed: int = 0) -> int:
    """The same queue written directly in SimPy: customers served (waits kept, as a model would)."""
    env = simpy.Environment()
    desk = simpy.Resource(env, capacity=SERVERS)
    rng = random.Random(seed)
    waits: list[float] = []

    def customer():
        arrived = env.now
        with desk.request() as request:
            yield request
            waits.append(env.now - arrived)
            yield env.timeout(rng.expovariate(SERVICE_RATE))

    def arrivals():
        while True:
            yield env.timeout(rng.expovariate(ARRIVAL_RATE))
            env.process(customer())

    env.process(arrivals())
    env.run(until=hours)
    return len(waits)


def ciw_queue(hours: float, seed: int = 0) -> int:
    network = ciw.create_network(arrival_distributions=[ciw.dists.Exponential(rate=ARRIVAL_RATE)],
                                 service_distributions=[ciw.dists.Exponential(rate=SERVICE_RATE)],
                                 number_of_servers=[SERVERS])
    ciw.seed(seed)
    simulation = ciw.Simulation(network)
    simulation.simulate_until_max_time(hours)
    return len(simulation.get_all_records())


def simcoord_queue(days: float, seed: int = 0) -> int:
    result = simulate(load_scenario(MMC), seed=seed, days=days)
    return int((result.events["activity"] == "first_touch").sum())


def simcoord_event_loop(days: float, seed: int = 0) -> int:
    """Only SimPy's loop over simcoord's processes: no log frame, no KPIs (the engine itself)."""
    model = Model(load_scenario(MMC), seed=seed, days=days)
    model.start()
    model.env.run(until=days * HOURS_PER_DAY)
    return sum(1 for row in model.log.rows if row[3] == "first_touch")


def run(days: float = 365, repeats: int = 3) -> list[Row]:
    hours = days * 24.0
    rates = {}
    for name, work in (("simcoord", lambda: simcoord_queue(days)),
                       ("simcoord loop", lambda: simcoord_event_loop(days)),
                       ("bare SimPy", lambda: bare_simpy(hours)), ("Ciw", lambda: ciw_queue(hours))):
        seconds, customers = best_of(repeats, work)
        rates[name] = customers / seconds
    rows = [Row("engine M/M/3", f"{name} customers/s", rate, "1/s", f"{days:g} days, best of {repeats}")
            for name, rate in rates.items()]
    for ours, what in (("simcoord", "whole simulate(): log and KPIs"), ("simcoord loop", "event loop only")):
        rows.append(Row("engine M/M/3", f"{ours} / bare SimPy", rates[ours] / rates["bare SimPy"], "ratio",
                        f"target >= 0.35; {what}"))
        rows.append(Row("engine M/M/3", f"{ours} / Ciw", rates[ours] / rates["Ciw"], "ratio", f"target >= 1.0; {what}"))
    return rows


if __name__ == "__main__":
    main_with_days(run, __doc__)
