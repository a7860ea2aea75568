"""How the departments coordinate: every policy lever's effect on decisions.

The department processes ask this object each policy-dependent question: what threshold
marketing scores against, which lead a rep works first, when sales hears of a new MQL,
when production hears of the sales forecast, how a dispute is settled. Information moves
at meetings (``sync``), through liaisons (daily, delayed, costing liaison hours) or over
a shared platform (daily, current, costing a subscription); decisions between syncs use
what was last synchronised, so staleness shows in the results.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Generator

import simpy

from simcoord.model import disputes, incentives, sales
from simcoord.model.entities import Lead, Order
from simcoord.model.meetings import hold_meeting

if TYPE_CHECKING:
    from simcoord.model.company import Model

HOURS_PER_DAY = 24.0
HOURS_PER_WEEK = 168.0
HOT_GRADES = ("L4", "L5")


class Coordination:
    """The policy's coordination mechanisms for one simulated company."""

    def __init__(self, model: "Model") -> None:
        self.model = model
        self.policy = model.scenario.policy
        self.notes_written: list[float] = []  # times of sales feedback notes
        self.notes_synced = 0  # how many of them marketing's scoring model has learnt from
        self.pool: dict[int, tuple[Lead, int]] = {}  # lead id -> (lead, release number) in the public pool
        self._releases = 0
        self.recycled_waiting: set[int] = set()  # recycled leads not yet given matched content
        self.matched_content: set[int] = set()
        self._contact = simpy.Event(model.env)  # fires at each meeting that syncs disputes
        mean_value = model.scenario.lead_mix.deal_value.expected
        self._mean_value = mean_value if mean_value > 0 else 1.0
        self._mql_threshold = incentives.mql_threshold(model.scenario.marketing.mql_threshold, self.policy.incentives)
        self._noise = (-1, 0.0)  # (notes synced, scoring noise sd) last computed

    # ------------------------------------------------------------ marketing
    def mql_threshold(self) -> float:
        return self._mql_threshold

    def scoring_noise_sd(self) -> float:
        """Marketing's scoring error shrinks with the sales feedback it has received."""
        if self._noise[0] != self.notes_synced:  # recomputed only when a sync taught it more
            spec = self.model.scenario.marketing
            learnt = math.exp(-self.notes_synced / spec.feedback_notes_to_learn)
            self._noise = (self.notes_synced, spec.scoring_noise_sd * (spec.min_noise_factor + (1 - spec.min_noise_factor) * learnt))
        return self._noise[1]

    def grade_up_probability(self, lead: Lead) -> float:
        base = self.model.scenario.marketing.grade_up_probability
        return min(1.0, base * self.model.scenario.marketing.matched_content_boost) if lead.id in self.matched_content else base

    def hand_over_delay(self, lead: Lead) -> Generator:
        """MQLs reach sales in batches every ``handover_batch_hours`` working hours, unless
        pushed in real time (shared platform, or a hot-lead push for L4+)."""
        info = self.policy.information
        if info.mode == "platform" or (info.hot_lead_push and lead.grade in HOT_GRADES):
            return
        env, calendar = self.model.env, self.model.calendar
        batches_done = calendar.work_hours_until(env.now) / info.handover_batch_hours
        next_batch = calendar.add_work_hours(0.0, math.floor(batches_done + 1) * info.handover_batch_hours)
        yield env.timeout(next_batch - env.now)

    # ------------------------------------------------------------ sales
    def sales_priority(self, lead: Lead, waiting_since: float) -> float:
        return incentives.queue_priority(waiting_since, lead.value / self._mean_value,
                                         lead.grade in HOT_GRADES, self.policy.incentives)

    def write_feedback(self, lead: Lead, team, owner) -> Generator:
        """After an invalid or lost lead, a collaboration-minded rep writes marketing a note."""
        if self.model.streams["feedback"].random() >= incentives.feedback_probability(self.policy.incentives):
            return
        hours = self.policy.incentives.feedback_note_hours
        yield from self.model.work(lead.id, "lead", "feedback_note", hours, team, owner, priority=self.model.env.now)
        self.notes_written.append(self.model.env.now)

    def key_account_dispute(self, lead: Lead) -> Generator:
        yield from disputes.open_dispute(self.model, lead.id, "lead", "key_account",
                                         self.policy.disputes.key_account_probability, lead.value)

    def enter_pool(self, lead: Lead) -> int:
        """Put the lead in the public pool; returns the number of this release."""
        self._releases += 1
        self.pool[lead.id] = (lead, self._releases)
        return self._releases

    def leave_pool(self, lead: Lead, release: int | None = None) -> bool:
        """Take the lead out of the pool (only from stay ``release`` if given); False if it is not there."""
        entry = self.pool.get(lead.id)
        if entry is None or (release is not None and entry[1] != release):
            return False
        del self.pool[lead.id]
        return True

    # ------------------------------------------------------------ production and service
    def contract_to_operations(self, order: Order) -> Generator:
        """A signed contract reaches operations at once; a rush request may start a dispute."""
        yield from disputes.open_dispute(self.model, order.id, "order", "rush_order",
                                         self.policy.disputes.rush_order_probability, order.value)

    def complaint(self, ticket: int, value: float) -> Generator:
        yield from disputes.open_dispute(self.model, ticket, "ticket", "complaint",
                                         self.policy.disputes.complaint_probability, value)

    def batch_units(self) -> float:
        return incentives.batch_units(self.model.scenario.production.batch_units, self.policy.incentives)

    def ticket_priority(self) -> float:
        return -self.policy.incentives.service["response_speed"]

    def onboarding_priority(self) -> float:
        return -self.policy.incentives.service["resolution"]

    # ------------------------------------------------------------ disputes
    def next_contact(self) -> simpy.Event:
        """When the parties of a dispute next talk: the next meeting that reviews disputes,
        the liaison's next pass, the platform's next day, or the usual peer contact."""
        env, info = self.model.env, self.policy.information
        if info.mode == "platform":
            return env.timeout(HOURS_PER_DAY)
        if info.mode == "liaison":
            return env.timeout(info.liaison_delay_hours)
        return env.any_of([self._contact, env.timeout(self.policy.disputes.peer_contact_days * HOURS_PER_DAY)])

    def war_room_active(self) -> bool:
        day = self.model.env.now / HOURS_PER_DAY
        return any(m.war_room and m.first_day <= day <= (m.until_day if m.until_day is not None else math.inf)
                   for m in self.policy.meetings)

    # ------------------------------------------------------------ information
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
        """``kind`` of information is synchronised now, as it stood at ``as_of``."""
        model = self.model
        as_of = model.env.now if as_of is None else as_of
        if kind == "forecast":
            model.plant.receive_forecast(as_of=as_of)
        elif kind == "lead_feedback":
            self.notes_synced = sum(1 for t in self.notes_written if t <= as_of)
        elif kind == "pool_review":
            for lead, _ in list(self.pool.values()):
                if self.leave_pool(lead):
                    lead.timers_from = model.env.now
                    model.log.record(lead.id, "lead", model.env.now, "reassigned_from_pool", "sales", None)
                    model.env.process(sales.pursue(model, lead, previous_owner=lead.extras.get("released_by")))
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
            for name in ("marketing", "sales", "production", "service"):
                team = self.model.teams[name]
                if len(team):
                    env.process(self.model.work(0, "liaison", "liaison", info.liaison_hours_per_week, team,
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
