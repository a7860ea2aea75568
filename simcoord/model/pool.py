"""The public pool: leads a timer took from their rep wait here until another rep claims them,
a pool review hands them back to sales, or the wake-up sequence takes over.

Each stay in the pool has a release number, so a claim that comes after the lead already left
(a pool review took it) does nothing, even if the lead has been released again since.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Generator

from simcoord.model.entities import Lead
from simcoord.vocabulary import HOURS_PER_DAY

if TYPE_CHECKING:
    from simcoord.model.world import World


class PublicPool:
    """The leads in the pool: lead id -> (lead, release number)."""

    def __init__(self) -> None:
        self.leads: dict[int, tuple[Lead, int]] = {}
        self._releases = 0

    def enter(self, lead: Lead) -> int:
        """Put ``lead`` in the pool; returns the number of this release."""
        self._releases += 1
        self.leads[lead.id] = (lead, self._releases)
        return self._releases

    def leave(self, lead: Lead, release: int | None = None) -> bool:
        """Take ``lead`` out (only from stay ``release`` if given); False if it is not there."""
        entry = self.leads.get(lead.id)
        if entry is None or (release is not None and entry[1] != release):
            return False
        del self.leads[lead.id]
        return True


def release_to_pool(model: "World", lead: Lead, reason: str, stage: str | None = None) -> None:
    """Downgrade the lead into the public pool, where another rep may claim it."""
    previous = lead.owner
    lead.owner = None
    lead.extras["released_by"] = previous
    release = model.pool.enter(lead)
    model.log.record(lead.id, "lead", model.env.now, "released_to_pool", "sales", previous, reason=reason, stage=stage)
    model.env.process(claim_from_pool(model, lead, previous, release))


def claim_from_pool(model: "World", lead: Lead, previous_owner: str | None, release: int) -> Generator:
    """Another rep picks the lead up after a while; an unclaimed lead goes through wake-up."""
    sla = model.scenario.policy.sla
    rng = model.streams["pool"]
    claimed = rng.random() < sla.pool_claim_probability
    delay_days = model.samplers["policy.sla.pool_claim_days"](rng)
    if claimed:
        yield from claim(model, lead, previous_owner, release, delay_days)
    elif sla.wake_up.enabled:  # else the lead stays in the pool, open
        yield from wait_for_wake_up(model, lead, release)


def claim(model: "World", lead: Lead, previous_owner: str | None, release: int, delay_days: float) -> Generator:
    """After ``delay_days`` another rep claims the lead, unless a pool review took it meanwhile."""
    env = model.env
    yield env.timeout(delay_days * HOURS_PER_DAY)
    if not model.pool.leave(lead, release):
        return
    lead.timers_from = env.now
    model.log.record(lead.id, "lead", env.now, "claimed_from_pool", "sales", None)
    yield from model.handoffs.to_sales(lead, previous_owner)


def wait_for_wake_up(model: "World", lead: Lead, release: int) -> Generator:
    """Unclaimed: once the lead has been idle for the wake-up rule's days, marketing tries to wake it."""
    env = model.env
    idle_days = (env.now - lead.last_interaction_at) / HOURS_PER_DAY
    yield env.timeout(max(model.scenario.policy.sla.wake_up.no_interaction_days - idle_days, 0.0) * HOURS_PER_DAY)
    if model.pool.leave(lead, release):
        yield from model.handoffs.to_wake_up(lead)


def review(model: "World") -> None:
    """A pool review (a meeting's sync): every lead in the pool goes back to sales at once."""
    for lead, _ in list(model.pool.leads.values()):
        if model.pool.leave(lead):
            lead.timers_from = model.env.now
            model.log.record(lead.id, "lead", model.env.now, "reassigned_from_pool", "sales", None)
            model.env.process(model.handoffs.to_sales(lead, lead.extras.get("released_by")))
