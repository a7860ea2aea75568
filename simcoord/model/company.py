"""The model's root: builds one simulated company from a scenario, wires its departments and runs it.

``simulate(scenario, seed, days)`` is the single entry point from plain config and a seed to
data: no globals, no file I/O. The departments (``marketing``, ``sales``, ``production``,
``service``) and the information flow (``coordination``) never import each other: they are
written against ``world.World``, which :class:`Model` provides, and where a case goes when one
of them is done with it is wired here, in ``Model._wire``.
"""

from __future__ import annotations

import gc
from itertools import count
from typing import NamedTuple

import numpy as np
import pandas as pd
import simpy

from simcoord.kpis import compute_kpis
from simcoord.log.snapshot import Snapshot
from simcoord.log.store import EventLog, ParquetEventLog, empty_frame
from simcoord.model import marketing, pipeline, production, sales, service, steps
from simcoord.model.coordination import Coordination
from simcoord.model.meetings import hold_meetings
from simcoord.model.pool import PublicPool
from simcoord.model.staff import Team
from simcoord.model.streams import Choices, Samplers, Streams
from simcoord.model.world import Handoffs
from simcoord.scenario.calendar import WorkCalendar, department_calendars, review_calendar, step_calendars
from simcoord.scenario.schema import Scenario
from simcoord.vocabulary import HOURS_PER_DAY

MAX_DAYS = 36_525.0  # 100 simulated years: longer is a typo (and leaves the calendar's date range)


class SimulationResult(NamedTuple):
    """One run: the event log, the KPIs computed from it, and what produced them."""

    scenario: Scenario
    seed: int
    days: float
    events: pd.DataFrame
    kpis: pd.Series


class Model:
    """One simulated company (a ``world.World``): environment, calendar, randomness, staff,
    departments and the event log."""

    def __init__(self, scenario: Scenario, seed: int = 0, days: float = 365, log: EventLog | None = None,
                 warmup_days: float = 0.0, keep_events: bool = True, start_from: Snapshot | None = None) -> None:
        self.scenario = scenario
        self.start_from = start_from  # the cases open at time 0 (see model.pipeline); None: an empty company
        self.entry_hour = pipeline.entry_hour(scenario, start_from) if start_from is not None else 0.0
        self.keep_events = keep_events  # False: KPIs from the log slice by slice, no events frame
        self.days = days
        self.warmup_days = warmup_days  # KPIs cover (warmup_days, days] only
        self.env = simpy.Environment()
        self.calendar = WorkCalendar(scenario.calendar, horizon_days=int(days) + 1)
        self.calendars = department_calendars(scenario, self.calendar)
        self.review_calendar = review_calendar(scenario, self.calendar)
        self.step_calendars = step_calendars(scenario, self.calendar)
        self.streams = Streams(seed)
        self.samplers = Samplers(scenario)
        self.choose = Choices()
        self.ids = count(1)  # entity ids, shared by every kind
        self.log = log if log is not None else EventLog()  # ParquetEventLog: bounded memory
        self.industry_shares = {name: spec.share for name, spec in scenario.lead_mix.industries.items()}
        self.score_validity_days = {name: spec.score_validity_days for name, spec in scenario.lead_mix.industries.items()}
        self.teams = build_teams(self.env, scenario, self.calendars)
        self.plant = production.Plant(self)
        self.pool = PublicPool()
        self.coordination = Coordination(self)
        self.handoffs = self._wire()

    def _wire(self) -> Handoffs:
        env, scenario = self.env, self.scenario
        producing = scenario.production.enabled
        serving = producing and scenario.service.enabled
        return Handoffs(
            to_sales=lambda lead, previous_owner=None: sales.pursue(self, lead, previous_owner),
            # without production a won deal ends at won; without service a delivery ends the order
            to_production=(lambda lead: env.process(production.fulfil(self, lead))) if producing else ignore,
            to_service=(lambda lead, order, late: env.process(service.onboard(self, lead, order, late)))
            if serving else ignore,
            to_marketing=lambda channel, **profile: marketing.create_lead(self, channel, **profile),
            to_recycling=lambda lead, reason: marketing.recycle(self, lead, reason),
            to_wake_up=lambda lead: marketing.wake_from_pool(self, lead),
            to_entry=(lambda lead: marketing.nurture(self, lead)) if scenario.marketing.nurture
            else (lambda lead: marketing.enter_sales(self, lead)),
            to_screen=lambda lead: steps.screen(self, lead),
            screen_wait=lambda lead: steps.screen_wait(self, lead),
        )

    # ---------------------------------------------------------------- running
    def start(self) -> None:
        """Start the processes that run on their own: the open pipeline (if any), arrivals, campaigns,
        planning, meetings, information."""
        if self.start_from is not None:
            self.env.process(pipeline.enter(self, self.start_from, self.entry_hour))
        for channel in self.scenario.demand.channels:
            self.env.process(marketing.generate_leads(self, channel))
        for index in range(len(self.scenario.demand.campaigns)):
            self.env.process(marketing.run_campaign(self, index))
        if self.scenario.production.enabled and self.scenario.production.mode == "make_to_stock":
            self.env.process(production.plan_production(self))
        for meeting in self.scenario.policy.meetings:
            self.env.process(hold_meetings(self, meeting))
        self.coordination.start()

    def run(self) -> SimulationResult:
        """Run to the horizon; the event log becomes a frame (or stays streamed) and the KPIs."""
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


def ignore(*case: object) -> None:
    """A hand-off to a department the company does not have: the case ends where it is."""


def build_teams(env: simpy.Environment, scenario: Scenario, calendars: dict[str, WorkCalendar]) -> dict[str, Team]:
    """One team per department, on its department's calendar; a key-account team apart from
    sales when routing has one."""
    org, routing = scenario.organisation, scenario.policy.routing
    key_accounts = org.key_account_staff if routing.key_account_routing else 0
    teams = {
        "marketing": Team(env, "marketing", "marketing", org.marketing.staff, "pooled", calendars["marketing"]),
        "sales": Team(env, "sales", "sales", org.sales.staff - key_accounts, routing.mode, calendars["sales"]),
        "production": Team(env, "production", "production", org.production.staff, "pooled", calendars["production"]),
        "service": Team(env, "service", "service", org.service.staff, "pooled", calendars["service"]),
    }
    if key_accounts:
        teams["key_accounts"] = Team(env, "key_accounts", "sales", key_accounts, routing.mode, calendars["sales"])
    return teams


def check_settings(seed: int, days: float, warmup_days: float = 0.0) -> None:
    """Raise ValueError naming the first run setting :func:`simulate` cannot use."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a whole number of at least 0, got {seed!r}")
    if not 0 < days <= MAX_DAYS:  # also refuses NaN
        raise ValueError(f"days must be positive and at most {MAX_DAYS:,.0f} (100 years), got {days}")
    if not 0 <= warmup_days < days:
        raise ValueError(f"warmup_days must be at least 0 and less than days ({days:g}), got {warmup_days}")


def simulate(scenario: Scenario, seed: int = 0, days: float = 365, log: EventLog | None = None,
             warmup_days: float = 0.0, keep_events: bool = True,
             start_from: Snapshot | None = None) -> SimulationResult:
    """Simulate ``days`` days of ``scenario`` with root ``seed``.

    Returns a :class:`SimulationResult` whose ``events`` is the full event log (time in
    hours since the start date) and ``kpis`` the KPI Series (see ``simcoord.kpis.registry``).
    With ``log=ParquetEventLog(...)`` the log streams to disk in chunks (bounded memory for
    long horizons) and ``events`` holds only the columns the KPIs need.
    ``keep_events=False`` keeps only the KPIs: the log streams to a temporary directory
    (unless ``log`` is given) that is removed once the KPIs are computed part by part, and
    ``events`` is empty. Memory then holds one part of the log and the few narrow rows the KPIs
    join (see ``kpis.summary.LogSummary``), whatever the horizon.
    ``warmup_days`` deletes the initial transient: KPIs count only what happens after it
    (``events`` is still the whole log).
    ``start_from`` (a ``Snapshot`` of the cases open at a cut-off, whose day must be
    ``calendar.start_date``) starts the company with its open pipeline instead of empty: each
    case enters where it was, with one ``resumed`` row (see ``model.pipeline``).
    """
    check_settings(seed, days, warmup_days)
    if keep_events:
        return Model(scenario, seed=seed, days=days, log=log, warmup_days=warmup_days, start_from=start_from).run()
    stream = log if log is not None else ParquetEventLog()
    try:
        return Model(scenario, seed=seed, days=days, log=stream, warmup_days=warmup_days, keep_events=False,
                     start_from=start_from).run()
    finally:
        if log is None:
            stream.cleanup()
