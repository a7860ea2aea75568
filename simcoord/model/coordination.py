"""How information flows between the departments: syncs, liaisons, the shared platform, alerts.

Information moves at meetings (``sync``, called when a meeting ends), through liaisons (daily,
``liaison_delay_hours`` old, costing liaison hours) or over a shared platform (daily, current,
costing a subscription). Decisions between syncs use what was last synchronised, so staleness
shows in the results: marketing scores with what it has learnt from synced feedback notes,
production plans with the last forecast it received, MQLs wait for the next hand-over batch,
disputes wait for the next contact. The other levers act where they are decided: SLA timers in
``sla``, routing and priorities in ``sales``, incentives in ``incentives``.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Generator

import simpy

from simcoord.model import incentives, pool
from simcoord.model.entities import Lead
from simcoord.model.meetings import hold_meeting
from simcoord.model.work import work
from simcoord.vocabulary import DEPARTMENTS, HOT_GRADES, HOURS_PER_DAY, HOURS_PER_WEEK

if TYPE_CHECKING:
    from simcoord.model.world import World


class Coordination:
    """The information one simulated company has synchronised so far, and the processes that move it."""

    def __init__(self, model: "World") -> None:
        self.model = model
        self.policy = model.scenario.policy
        self.notes_written: list[float] = []  # times of sales feedback notes
        self.notes_synced = 0  # how many of them marketing's scoring model has learnt from
        self.recycled_waiting: set[int] = set()  # recycled leads not yet given matched content
        self.matched_content: set[int] = set()
        self._contact = simpy.Event(model.env)  # fires at each meeting that syncs disputes
        self._noise = (-1, 0.0)  # (notes synced, scoring noise sd) last computed
        syncs = self.sync_kinds()
        # Scoring learns only from notes that are written and synchronised; matched content only
        # comes at a recycling review: without them, nothing a lead's nurture reads ever changes.
        self._scoring_fixed = ("lead_feedback" not in syncs
                               or incentives.feedback_probability(self.policy.incentives) <= 0)
        self._matching = "recycling" in syncs

    # ------------------------------------------------------------ what the departments ask
    def scoring_noise_sd(self) -> float:
        """Marketing's scoring error shrinks with the sales feedback it has received."""
        if self._noise[0] != self.notes_synced:  # recomputed only when a sync taught it more
            spec = self.model.scenario.marketing
            learnt = math.exp(-self.notes_synced / spec.feedback_notes_to_learn)
            self._noise = (self.notes_synced, spec.scoring_noise_sd * (spec.min_noise_factor + (1 - spec.min_noise_factor) * learnt))
        return self._noise[1]

    def sync_kinds(self) -> set[str]:
        """Every kind of information this policy ever synchronises (meetings, alerts, daily passes)."""
        kinds = {kind for meeting in self.policy.meetings for kind in meeting.syncs}
        if self.policy.alerts.enabled:
            kinds.add("forecast")  # an alert's meeting syncs the forecast (see ``watch_orders``)
        if self.policy.information.mode in ("liaison", "platform"):
            kinds |= {"forecast", "lead_feedback"}  # see ``sync_continuously``
        return kinds

    def grade_up_fixed(self, lead: Lead) -> bool:
        """True when ``lead``'s chance to grade up in nurture cannot change from now on (no
        recycling review can give it matched content): what its touches do may then be worked
        out ahead; only the scoring error of its readings may still change (see
        :meth:`scoring_noise_range`)."""
        return not (self._matching and lead.id in self.recycled_waiting)

    def scoring_noise_range(self) -> tuple[float, float]:
        """The least and the most the scoring error's sd can be from now on: the current sd when no
        feedback notes ever reach scoring; else anything from its floor (every note learnt) up to
        the current sd (synced notes only ever grow, see :meth:`sync`)."""
        current = self.scoring_noise_sd()
        if self._scoring_fixed:
            return current, current
        spec = self.model.scenario.marketing
        return spec.scoring_noise_sd * spec.min_noise_factor, current

    def grade_up_probability(self, lead: Lead) -> float:
        """Recycled leads given matched content (after a recycling review) engage more."""
        base = self.model.scenario.marketing.grade_up_probability
        return min(1.0, base * self.model.scenario.marketing.matched_content_boost) if lead.id in self.matched_content else base

    def hand_over_wait(self, lead: Lead) -> float | None:
        """Clock hours an MQL waits to reach sales: MQLs go in batches every ``handover_batch_hours``
        working hours, unless pushed in real time (shared platform, or a hot-lead push for L4+:
        None, no wait at all)."""
        info = self.policy.information
        if info.mode == "platform" or (info.hot_lead_push and lead.grade in HOT_GRADES):
            return None
        now, calendar = self.model.env.now, self.model.calendars["marketing"]  # marketing hands over
        batches_done = calendar.work_hours_until(now) / info.handover_batch_hours
        return calendar.add_work_hours(0.0, math.floor(batches_done + 1) * info.handover_batch_hours) - now

    def next_contact(self) -> simpy.Event:
        """When the parties of a dispute next talk: the next meeting that reviews disputes,
        the liaison's next pass, the platform's next day, or the usual peer contact."""
        env, info = self.model.env, self.policy.information
        if info.mode == "platform":
            return env.timeout(HOURS_PER_DAY)
        if info.mode == "liaison":
            return env.timeout(info.liaison_delay_hours)
        return env.any_of([self._contact, env.timeout(self.policy.disputes.peer_contact_days * HOURS_PER_DAY)])

    # ------------------------------------------------------------ moving information
    def start(self) -> None:
        """Start the information processes the policy calls for."""
        env, info = self.model.env, self.policy.information
        if info.mode in ("liaison", "platform"):
            env.process(self.sync_continuously())
        if info.mode == "liaison" and info.liaison_hours_per_week > 0:
            env.process(self.liaison_work())
        if self.policy.alerts.enabled:
            env.process(self.watch_orders())

    def sync(self, kind: str, as_of: float | None = None) -> None:
        """``kind`` of information is synchronised now, as it stood at ``as_of`` (default: now)."""
        model = self.model
        as_of = model.env.now if as_of is None else as_of
        if kind == "forecast":
            if model.scenario.production.enabled:  # without production nobody plans with it
                model.plant.receive_forecast(as_of=as_of)
        elif kind == "lead_feedback":  # what scoring has learnt is never unlearnt
            self.notes_synced = max(self.notes_synced, sum(1 for t in self.notes_written if t <= as_of))
        elif kind == "pool_review":
            pool.review(model)
        elif kind == "disputes":
            contact, self._contact = self._contact, simpy.Event(model.env)
            contact.succeed()
        elif kind == "recycling":
            self.matched_content |= self.recycled_waiting
            self.recycled_waiting = set()

    def sync_continuously(self) -> Generator:
        """Liaison or platform: forecast and lead feedback move every day (the liaison's
        information is ``liaison_delay_hours`` old); the platform also costs a subscription."""
        env, info = self.model.env, self.policy.information
        delay = info.liaison_delay_hours if info.mode == "liaison" else 0.0
        while True:
            yield env.timeout(HOURS_PER_DAY)
            as_of = max(env.now - delay, 0.0)
            self.sync("forecast", as_of)
            self.sync("lead_feedback", as_of)

    def liaison_work(self) -> Generator:
        """Each department's liaison spends a few working hours a week passing information on."""
        env, info = self.model.env, self.policy.information
        while True:
            yield env.timeout(HOURS_PER_WEEK)
            for name in DEPARTMENTS:
                team = self.model.teams[name]
                if len(team):
                    env.process(work(self.model, 0, "liaison", "liaison", info.liaison_hours_per_week, team,
                                     team.assign() if team.shared_desk is None else None))

    def watch_orders(self) -> Generator:
        """Daily: if more orders came in than the alert limit, call an ad-hoc meeting."""
        env, alert = self.model.env, self.policy.alerts
        history = self.model.plant.demand_history
        while True:
            yield env.timeout(HOURS_PER_DAY)
            today = sum(1 for t, _ in history if t > env.now - HOURS_PER_DAY)
            if today > alert.daily_orders_above:
                self.model.log.record(0, "alert", env.now, "alert_raised", "coordination", None, orders=today)
                env.process(hold_meeting(self.model, "alert", alert.attendees, alert.duration_hours, ("forecast",)))
