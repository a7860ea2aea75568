"""Sales: routing, first touch, the funnel stages, won/lost, and the public pool.

Processes: ``pursue`` (one lead from hand-over to won/lost/pool), ``first_touch``,
``work_stage``, ``release_to_pool``, ``claim_from_pool``. Timer rules follow the
brief: untouched leads are auto-released, a stage over its dwell limit is downgraded
into the public pool, and released leads can be claimed by another rep.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Generator

from simcoord.model import marketing, production
from simcoord.model.entities import Lead
from simcoord.model.staff import NEVER, Team

if TYPE_CHECKING:
    from simcoord.model.company import Model

DEPARTMENT = "sales"
HOURS_PER_DAY = 24.0


def response_multiplier(hours_to_first_touch: float, half_life_hours: float, floor: float) -> float:
    """Conversion multiplier for a lead first touched after ``hours_to_first_touch`` clock hours."""
    return floor + (1 - floor) * 0.5 ** (max(hours_to_first_touch, 0.0) / half_life_hours)


def team_for(model: "Model", lead: Lead) -> Team:
    """Enterprise leads go to the key-account team (when routing says so and it has staff)."""
    key_accounts = model.teams.get("key_accounts")
    if lead.tier == "enterprise" and model.scenario.policy.routing.key_account_routing and key_accounts:
        return key_accounts
    return model.teams["sales"]


def pursue(model: "Model", lead: Lead, previous_owner: str | None = None) -> Generator:
    """Route a handed-over lead to a rep and work it through the funnel."""
    env = model.env
    team = team_for(model, lead)
    owner = team.assign(exclude=previous_owner)
    lead.owner = owner.id if owner else None
    if owner:
        owner.open_items += 1
    model.log.record(lead.id, "lead", env.now, "assigned", DEPARTMENT, lead.owner, team=team.name)
    try:
        if team.name == "key_accounts":
            yield from model.coordination.key_account_dispute(lead)
        touched, owner = yield from first_touch(model, lead, team, owner)
        if not touched:
            return
        stages = model.scenario.funnel.stages
        while lead.stage_index < len(stages):
            advanced = yield from work_stage(model, lead, team, owner, lead.stage_index)
            if not advanced:
                return
            lead.stage_index += 1
        model.log.record(lead.id, "lead", env.now, "won", DEPARTMENT, lead.owner, value=round(lead.value, 2),
                         channel=lead.channel, campaign=lead.campaign)
        env.process(production.fulfil(model, lead))
    finally:
        if owner:
            owner.open_items -= 1


def deadline_after(model: "Model", hours: float, since: float | None = None) -> float:
    """Clock time at which a timer of ``hours`` started at ``since`` (default: now) runs out."""
    start = model.env.now if since is None else since
    if model.scenario.policy.sla.timers_in_working_hours:
        return model.calendar.add_work_hours(start, hours)
    return start + hours


def first_touch(model: "Model", lead: Lead, team: Team, owner) -> Generator:
    """Contact the lead; qualify it (SQL) or mark it invalid.

    Returns ``(still in sales, owner)``: the owner changes when the first-touch SLA escalates."""
    env, sla = model.env, model.scenario.policy.sla
    handed_at = lead.handed_over_at
    release_at = deadline_after(model, sla.auto_release.hours, lead.timers_from) if sla.auto_release.enforced else NEVER
    rule = sla.hot_lead_first_touch if lead.grade in ("L4", "L5") else sla.first_touch
    escalate_at = deadline_after(model, rule.hours, lead.timers_from) if rule.enforced and owner is not None else NEVER
    hours = model.sampler("funnel.first_touch_hours")(model.streams["duration.first_touch"])
    priority = model.coordination.sales_priority(lead, handed_at)
    started = yield from model.work(lead.id, "lead", "first_touch", hours, team, owner, priority=priority,
                                    deadline=min(escalate_at, release_at), grade=lead.grade)
    if started is None and env.now < release_at:
        owner = escalate(model, lead, team, owner)
        started = yield from model.work(lead.id, "lead", "first_touch", hours, team, owner, priority=priority,
                                        deadline=release_at, grade=lead.grade)
    if started is None:
        release_to_pool(model, lead, "auto_release")
        return False, owner
    staff, touched_at = started
    lead.owner = staff
    if lead.qualified:  # claimed from the pool after qualifying: a re-contact, not a new SQL
        return True, owner
    decay = model.scenario.funnel.response_decay
    touched_after = touched_at - handed_at
    p = model.scenario.funnel.qualification[lead.grade] * model.step_multiplier(lead) * \
        response_multiplier(touched_after, decay.half_life_hours, decay.floor)
    qualified = model.streams["outcome.qualification"].random() < p
    if qualified or lead.extras.pop("triggered", False):
        lead.last_interaction_at = env.now  # the lead engaged; an invalid one did not
        lead.qualified = True
        lead.sales_score = max(lead.sales_score, 60.0)
        model.log.record(lead.id, "lead", env.now, "sql", DEPARTMENT, staff,
                         stage=model.scenario.funnel.stages[lead.stage_index].name)
        return True, owner
    yield from model.coordination.write_feedback(lead, team, owner)
    invalid(model, lead, staff)
    return False, owner


def escalate(model: "Model", lead: Lead, team: Team, owner):
    """First-touch SLA breached: the team lead moves the lead to the least-loaded other rep."""
    new_owner = team.least_loaded(exclude=owner.id) or owner
    owner.open_items -= 1
    new_owner.open_items += 1
    lead.owner = new_owner.id
    model.log.record(lead.id, "lead", model.env.now, "sla_escalated", DEPARTMENT, new_owner.id, previous=owner.id)
    return new_owner


def invalid(model: "Model", lead: Lead, staff: str) -> None:
    """The brief's invalid-lead rule: the rep's verdict counts only with objective data
    (no interaction for 30 days); otherwise the lead goes back to nurture."""
    lead.sales_score = 30.0
    idle_days = (model.env.now - lead.last_interaction_at) / HOURS_PER_DAY
    model.log.record(lead.id, "lead", model.env.now, "invalid", DEPARTMENT, staff, grade=lead.grade)
    if idle_days >= 30:
        model.log.record(lead.id, "lead", model.env.now, "discarded", DEPARTMENT, staff, reason="invalid_confirmed")
    else:
        marketing.recycle(model, lead, "invalid")


def work_stage(model: "Model", lead: Lead, team: Team, owner, index: int) -> Generator:
    """Customer response, then the rep's work; True if the lead advances past the stage."""
    env, sla = model.env, model.scenario.policy.sla
    stage = model.scenario.funnel.stages[index]
    entered = env.now
    limited = sla.stage_dwell.enforced and stage.name == sla.stage_dwell_stage
    deadline = deadline_after(model, sla.stage_dwell.hours) if limited else NEVER
    customer_hours = model.sampler(f"funnel.stages.{index}.customer_days")(model.streams[f"delay.{stage.name}"]) * HOURS_PER_DAY
    yield env.timeout(min(customer_hours, max(deadline - env.now, 0.0)))
    if env.now >= deadline:
        release_to_pool(model, lead, "stage_dwell", stage=stage.name)
        return False
    hours = model.sampler(f"funnel.stages.{index}.work_hours")(model.streams[f"duration.{stage.name}"])
    started = yield from model.work(lead.id, "lead", stage.name, hours, team, owner,
                                    priority=model.coordination.sales_priority(lead, entered),
                                    deadline=deadline, stage=stage.name, entered_at=entered)
    if started is None:
        release_to_pool(model, lead, "stage_dwell", stage=stage.name)
        return False
    staff = started[0]
    lead.last_interaction_at = env.now
    p = min(1.0, stage.conversion[lead.grade] * model.step_multiplier(lead))
    if model.streams[f"outcome.{stage.name}"].random() < p:
        lead.sales_score = min(100.0, lead.sales_score + 10.0)
        nxt = model.scenario.funnel.stages[index + 1].name if index + 1 < len(model.scenario.funnel.stages) else "closing"
        model.log.record(lead.id, "lead", env.now, "advanced", DEPARTMENT, staff, stage=nxt)
        return True
    model.log.record(lead.id, "lead", env.now, "lost", DEPARTMENT, staff, stage=stage.name)
    yield from model.coordination.write_feedback(lead, team, owner)
    marketing.recycle(model, lead, "lost")
    return False


def release_to_pool(model: "Model", lead: Lead, reason: str, stage: str | None = None) -> None:
    """Downgrade the lead into the public pool, where another rep may claim it."""
    previous = lead.owner
    lead.owner = None
    lead.extras["released_by"] = previous
    release = model.coordination.enter_pool(lead)
    model.log.record(lead.id, "lead", model.env.now, "released_to_pool", DEPARTMENT, previous, reason=reason, stage=stage)
    model.env.process(claim_from_pool(model, lead, previous, release))


def claim_from_pool(model: "Model", lead: Lead, previous_owner: str | None, release: int) -> Generator:
    """Another rep picks the lead up after a while; unclaimed leads go through wake-up.

    ``release`` identifies this stay in the pool: once the lead has left it (a pool review),
    this process must not touch the lead again, even if it is released a second time."""
    sla = model.scenario.policy.sla
    rng = model.streams["pool"]
    claimed = rng.random() < sla.pool_claim_probability
    delay_days = model.sampler("policy.sla.pool_claim_days")(rng)
    env = model.env
    if claimed:
        yield env.timeout(delay_days * HOURS_PER_DAY)
        if not model.coordination.leave_pool(lead, release):
            return  # reassigned at a pool review meanwhile
        lead.timers_from = env.now
        model.log.record(lead.id, "lead", env.now, "claimed_from_pool", DEPARTMENT, None)
        yield from pursue(model, lead, previous_owner=previous_owner)
        return
    wake = sla.wake_up
    if not wake.enabled:
        return  # stays in the pool, open
    idle = (env.now - lead.last_interaction_at) / HOURS_PER_DAY
    yield env.timeout(max(wake.no_interaction_days - idle, 0.0) * HOURS_PER_DAY)
    if not model.coordination.leave_pool(lead, release):
        return
    if (yield from marketing.wake_up(model, lead)):
        lead.stage_index = 0
        model.log.record(lead.id, "lead", env.now, "recycled", marketing.DEPARTMENT, None, reason="woken_from_pool")
        env.process(marketing.nurture(model, lead))
