"""The model: builds the departments from a scenario, wires them and runs them.

``simulate(scenario, seed, days)`` is the single entry point from plain config and a
seed to data: no globals, no file I/O.
"""

from __future__ import annotations

import gc
from bisect import bisect_right
from itertools import accumulate, count
from typing import Any, Generator, NamedTuple

import numpy as np
import pandas as pd
import simpy

from simcoord.model import marketing, production
from simcoord.scenario.calendar import WorkCalendar
from simcoord.model.coordination import Coordination
from simcoord.scenario.distributions import Sampler
from simcoord.log.store import EventLog, ParquetEventLog, empty_frame
from simcoord.kpis.registry import compute_kpis
from simcoord.model.meetings import hold_meetings
from simcoord.model.staff import NEVER, Team, work
from simcoord.scenario.schema import Scenario
from simcoord.model.streams import Streams

HOURS_PER_DAY = 24.0
MAX_DAYS = 36_525.0  # 100 simulated years: longer is a typo (and leaves the calendar's date range)


class SimulationResult(NamedTuple):
    """One run: the event log, the KPIs computed from it, and what produced them."""

    scenario: Scenario
    seed: int
    days: float
    events: pd.DataFrame
    kpis: pd.Series


class Model:
    """One simulated company: environment, calendar, staff, streams and the event log."""

    def __init__(self, scenario: Scenario, seed: int = 0, days: float = 365, log: EventLog | None = None,
                 warmup_days: float = 0.0, keep_events: bool = True) -> None:
        self.scenario = scenario
        self.keep_events = keep_events  # False: KPIs from the log slice by slice, no events frame
        self.days = days
        self.warmup_days = warmup_days  # KPIs cover (warmup_days, days] only
        self.env = simpy.Environment()
        self.calendar = WorkCalendar(scenario.calendar, horizon_days=int(days) + 1)
        self.streams = Streams(seed)
        self.log = log if log is not None else EventLog()  # ParquetEventLog: bounded memory
        self._ids = count(1)
        self._choices: dict[int, tuple[list[str], list[float]]] = {}  # keyed by id() of long-lived dicts only
        self.industry_shares = {name: spec.share for name, spec in scenario.lead_mix.industries.items()}
        self.score_validity_days = {name: spec.score_validity_days for name, spec in scenario.lead_mix.industries.items()}
        self._samplers: dict[str, Sampler] = {}
        self.teams = self._build_teams()
        self.plant = production.Plant(self)
        self.coordination = Coordination(self)

    def _build_teams(self) -> dict[str, Team]:
        org = self.scenario.organisation
        routing = self.scenario.policy.routing
        key_accounts = org.key_account_staff if routing.key_account_routing else 0
        teams = {
            "marketing": Team(self.env, "marketing", "marketing", org.marketing.staff, "pooled"),
            "sales": Team(self.env, "sales", "sales", org.sales.staff - key_accounts, routing.mode),
            "production": Team(self.env, "production", "production", org.production.staff, "pooled"),
            "service": Team(self.env, "service", "service", org.service.staff, "pooled"),
        }
        if key_accounts:
            teams["key_accounts"] = Team(self.env, "key_accounts", "sales", key_accounts, routing.mode)
        return teams

    # ---------------------------------------------------------------- helpers for processes
    def new_id(self) -> int:
        return next(self._ids)

    def sampler(self, path: str) -> Sampler:
        """The sampler of the distribution at dotted ``path`` in the scenario (cached)."""
        sampler = self._samplers.get(path)
        if sampler is None:
            node: Any = self.scenario
            for part in path.split("."):
                node = node[int(part)] if part.isdigit() else getattr(node, part)
            sampler = self._samplers[path] = node.sampler()
        return sampler

    def choose(self, rng: np.random.Generator, shares: dict[str, float]) -> str:
        """Draw one key of ``shares`` with those probabilities (one uniform per draw).

        ``shares`` must live as long as the model (scenario fields, model attributes): the
        cumulative table is cached by its identity."""
        key = id(shares)
        cached = self._choices.get(key)
        if cached is None:
            names = list(shares)
            cached = (names, list(accumulate(shares[n] for n in names)))
            self._choices[key] = cached
        names, cumulative = cached
        index = bisect_right(cumulative, rng.random() * cumulative[-1])
        return names[min(index, len(names) - 1)]

    def step_multiplier(self, lead) -> float:
        """The lead's channel quality applied to one funnel step: the product over qualification
        and every stage equals the channel's ``conversion_multiplier``."""
        return lead.conversion_multiplier ** (1.0 / (1 + len(self.scenario.funnel.stages)))

    def deal_value(self, rng: np.random.Generator) -> float:
        return self.sampler("lead_mix.deal_value")(rng)

    def work(self, entity: int, kind: str, activity: str, hours: float, team: Team, owner=None,
             priority: float = 0, deadline: float = NEVER, **attrs: Any) -> Generator:
        return work(self, entity, kind, activity, hours, team, owner, priority, deadline, **attrs)

    # ---------------------------------------------------------------- running
    def start(self) -> None:
        for channel in self.scenario.demand.channels:
            self.env.process(marketing.generate_leads(self, channel))
        for index in range(len(self.scenario.demand.campaigns)):
            self.env.process(marketing.run_campaign(self, index))
        if self.scenario.production.mode == "make_to_stock":
            self.env.process(production.plan_production(self))
        for meeting in self.scenario.policy.meetings:
            self.env.process(hold_meetings(self, meeting))
        self.coordination.start()

    def run(self) -> SimulationResult:
        self.start()
        # The cyclic collector would rescan the growing heap again and again while nothing in
        # it is cyclic garbage (log rows hold atomic values only). It stays paused while the log
        # becomes a frame and KPIs, too: re-enabled earlier, it would walk the millions of fresh
        # objects of the run generation by generation (~0.5 s a simulated year); after the run,
        # one full pass does it once.
        collecting = gc.isenabled()
        gc.disable()
        try:
            self.env.run(until=self.days * HOURS_PER_DAY)
            events = self.log.to_frame() if self.keep_events else empty_frame()
            kpis = compute_kpis(events if self.keep_events else self.log.frames(), self.scenario, self.days,
                                self.calendar, self.warmup_days)
        finally:
            if collecting:
                gc.enable()
        return SimulationResult(self.scenario, self.streams.seed, self.days, events, kpis)


def check_settings(seed: int, days: float, warmup_days: float = 0.0) -> None:
    """Raise ValueError naming the first run setting :func:`simulate` cannot use."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a whole number of at least 0, got {seed!r}")
    if not 0 < days <= MAX_DAYS:  # also refuses NaN
        raise ValueError(f"days must be positive and at most {MAX_DAYS:,.0f} (100 years), got {days}")
    if not 0 <= warmup_days < days:
        raise ValueError(f"warmup_days must be at least 0 and less than days ({days:g}), got {warmup_days}")


def simulate(scenario: Scenario, seed: int = 0, days: float = 365, log: EventLog | None = None,
             warmup_days: float = 0.0, keep_events: bool = True) -> SimulationResult:
    """Simulate ``days`` days of ``scenario`` with root ``seed``.

    Returns a :class:`SimulationResult` whose ``events`` is the full event log (time in
    hours since the start date) and ``kpis`` the KPI Series (see ``simcoord.kpis.registry``).
    With ``log=ParquetEventLog(...)`` the log streams to disk in chunks (bounded memory for
    long horizons) and ``events`` holds only the columns the KPIs need.
    ``keep_events=False`` keeps only the KPIs: the log streams to a temporary directory
    (unless ``log`` is given) that is removed once the KPIs are computed part by part, and
    ``events`` is empty. Memory then holds one part of the log and the few narrow rows the KPIs
    join (see ``kpis.LogSummary``), whatever the horizon.
    ``warmup_days`` deletes the initial transient: KPIs count only what happens after it
    (``events`` is still the whole log).
    """
    check_settings(seed, days, warmup_days)
    if keep_events:
        return Model(scenario, seed=seed, days=days, log=log, warmup_days=warmup_days).run()
    stream = log if log is not None else ParquetEventLog()
    try:
        return Model(scenario, seed=seed, days=days, log=stream, warmup_days=warmup_days, keep_events=False).run()
    finally:
        if log is None:
            stream.cleanup()
