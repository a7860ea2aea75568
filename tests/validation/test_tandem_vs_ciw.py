"""A tandem of stages: the sales funnel with every timer off, against a Ciw network.

Leads arrive (Poisson), wait for one of c pooled reps for a first touch, qualify with
probability q, then go through the funnel stages: the customer takes an exponential time
(an infinite-server delay), then a rep works the stage; the lead advances with probability
p_i, else it is lost. Every rep task takes an exponential hour, so the reps form one
M/M/c desk that leads revisit. Ciw models exactly that network: node 1 is the desk,
nodes 2.. the customer delays, and each lead's route through them is drawn at arrival.
Share won, mean desk wait and mean time from hand-over to won must agree within CIs.
"""

from __future__ import annotations

import ciw
import numpy as np
from support import MMC
from validation_support import relative_half_width, same_mean, scenario_variant

from simcoord.model.company import simulate
from simcoord.vocabulary import HOURS_PER_WEEK

SERVERS = 4
ARRIVALS_PER_HOUR = 1.3
WORK_HOURS = 1.0
QUALIFY = 0.6
STAGES = (("need_confirmation", 0.5, 0.7), ("quote", 1.0, 0.6), ("negotiation", 1.5, 0.5))  # name, days, advance
DAYS = 90
WARMUP_HOURS = 96.0
TAIL_HOURS = 15 * 24.0  # leads born this close to the end may still be in the funnel
REPLICATIONS = 8


def funnel_scenario():
    """The M/M/c scenario extended to the three-stage funnel, all timers off."""
    exp = lambda mean: {"dist": "exponential", "mean": mean}  # noqa: E731
    grades = lambda p: {g: p for g in ("L1", "L2", "L3", "L4", "L5")}  # noqa: E731
    return scenario_variant(MMC, {
        "organisation": {"sales": {"staff": SERVERS, "hourly_cost": 0}, "service": {"staff": 1, "hourly_cost": 0}},
        "demand": {"channels": {"arrivals": {"leads_per_week": ARRIVALS_PER_HOUR * HOURS_PER_WEEK}}},
        "funnel": {
            "first_touch_hours": exp(WORK_HOURS),
            "qualification": grades(QUALIFY),
            "response_decay": {"floor": 1.0},  # the chance to qualify does not decay with waiting
            "stages": [{"name": name, "customer_days": exp(days), "work_hours": exp(WORK_HOURS),
                        "conversion": grades(p)} for name, days, p in STAGES],
        },
        "service": {"tickets_per_customer_month": 0, "repurchase_probability": 0, "referral_probability": 0},
    })


def _summary(born: np.ndarray, won_after: np.ndarray, waits: np.ndarray) -> tuple[float, float, float]:
    """(share won, mean desk wait, mean hours from hand-over to won) of leads born in the window."""
    horizon = DAYS * 24.0
    window = (born >= WARMUP_HOURS) & (born <= horizon - TAIL_HOURS)
    won = window & ~np.isnan(won_after)
    return float(won.sum() / window.sum()), float(np.mean(waits)), float(np.nanmean(won_after[won]))


def simcoord_replication(seed: int) -> tuple[float, float, float]:
    events = simulate(funnel_scenario(), seed=seed, days=DAYS).events
    handed = events[events["activity"] == "mql"].set_index("id")["time"]
    won = events[events["activity"] == "won"].set_index("id")["time"]
    desk = events[events["activity"].isin(["first_touch", *(s[0] for s in STAGES)])
                  & (events["queued_at"] >= WARMUP_HOURS)]
    return _summary(handed.to_numpy(), (won.reindex(handed.index) - handed).to_numpy(),
                    (desk["time"] - desk["queued_at"]).to_numpy(dtype=float))


def ciw_replication(seed: int) -> tuple[float, float, float]:
    rng = np.random.default_rng(seed)

    def route(individual, simulation) -> list[int]:
        """The nodes after the first touch: delay i+2 then the desk (1) for each stage reached."""
        path: list[int] = []
        if rng.random() < QUALIFY:
            for index, (_, _, advance) in enumerate(STAGES):
                path += [index + 2, 1]
                if rng.random() >= advance:
                    break
            else:
                individual.won = True
        return path

    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=ARRIVALS_PER_HOUR)] + [None] * len(STAGES),
        service_distributions=[ciw.dists.Exponential(rate=1 / WORK_HOURS)]
        + [ciw.dists.Exponential(rate=1 / (days * 24.0)) for _, days, _ in STAGES],
        number_of_servers=[SERVERS] + [float("inf")] * len(STAGES),
        routing=ciw.routing.ProcessBased(route),
    )
    ciw.seed(seed)
    simulation = ciw.Simulation(network)
    simulation.simulate_until_max_time(DAYS * 24.0)
    records = simulation.get_all_records()
    born: dict[int, float] = {}
    finished: dict[int, float] = {}
    for r in records:
        born[r.id_number] = min(born.get(r.id_number, np.inf), r.arrival_date)
        if r.node == 1 and r.destination == -1:
            finished[r.id_number] = r.exit_date
    for node in simulation.nodes[1:-1]:  # leads still in the network at the end
        for individual in node.all_individuals:
            born.setdefault(individual.id_number, individual.data_records[0].arrival_date
                            if individual.data_records else individual.arrival_date)
    won_ids = {ind.id_number for ind in simulation.nodes[-1].all_individuals if getattr(ind, "won", False)}
    ids = np.array(sorted(born))
    won_after = np.array([finished[i] - born[i] if i in won_ids else np.nan for i in ids])
    waits = np.array([r.waiting_time for r in records if r.node == 1 and r.arrival_date >= WARMUP_HOURS])
    return _summary(np.array([born[i] for i in ids]), won_after, waits)


def test_funnel_without_timers_matches_ciw_network() -> None:
    ours = [simcoord_replication(seed) for seed in range(REPLICATIONS)]
    theirs = [ciw_replication(seed) for seed in range(REPLICATIONS)]
    for index, what in enumerate(("share won", "mean desk wait", "hours from hand-over to won")):
        ok, message = same_mean([o[index] for o in ours], [t[index] for t in theirs])
        assert ok, f"{what}: {message}"
    # the flow balance of the route: q * p1 * p2 * p3 of the leads are won
    expected_share = QUALIFY * np.prod([advance for _, _, advance in STAGES])
    assert abs(np.mean([o[0] for o in ours]) - expected_share) < 0.02
    assert relative_half_width([o[1] for o in ours], 0.95) < 0.25
