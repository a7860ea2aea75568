"""Sales: routing, first touch, the funnel stages, won or lost.

``pursue`` follows one lead from hand-over to won, lost, invalid or the public pool:
``first_touch`` (qualify it as an SQL, or find it invalid), then ``work_stage`` for each funnel
stage (the customer's response, then the rep's work and the outcome). The timers that bound
this work are in ``sla``; where a released lead goes, in ``pool``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Generator

from simcoord.model import disputes, incentives, pool, sla, steps
from simcoord.model.entities import Lead
from simcoord.model.staff import Team, Worker
from simcoord.model.work import work
from simcoord.scenario.calendar import next_open_together
from simcoord.vocabulary import CANCELLED, CLOSING, HOT_GRADES, HOURS_PER_DAY, LOST, NEVER

if TYPE_CHECKING:
    from simcoord.model.world import World

DEPARTMENT = "sales"
ADVANCE = "(advance)"  # a verdict: on to the following stage (no stage name has brackets)
INVALID_CONFIRMED_DAYS = 30  # the brief: a rep's "invalid" counts only after this long without interaction


# ----------------------------------------------------------------- pure rules
def response_multiplier(hours_to_first_touch: float, half_life_hours: float, floor: float) -> float:
    """Conversion multiplier for a lead first touched after ``hours_to_first_touch`` clock hours."""
    return floor + (1 - floor) * 0.5 ** (max(hours_to_first_touch, 0.0) / half_life_hours)


def step_multiplier(lead: Lead, stages: int) -> float:
    """The lead's channel quality applied to one funnel step: the product over qualification
    and every one of the ``stages`` equals the channel's ``conversion_multiplier``."""
    return lead.conversion_multiplier ** (1.0 / (1 + stages))


def priority(model: "World", lead: Lead, waiting_since: float) -> float:
    """The lead's place in a rep's queue (hours; lower is sooner), as incentives shape it."""
    mean_value = model.scenario.lead_mix.deal_value.expected
    value_ratio = lead.value / (mean_value if mean_value > 0 else 1.0)
    return incentives.queue_priority(waiting_since, value_ratio, lead.grade in HOT_GRADES,
                                     model.scenario.policy.incentives)


def team_for(model: "World", lead: Lead) -> Team:
    """Enterprise leads go to the key-account team (when routing says so and it has staff)."""
    key_accounts = model.teams.get("key_accounts")
    if lead.tier == "enterprise" and model.scenario.policy.routing.key_account_routing and key_accounts:
        return key_accounts
    return model.teams["sales"]


# ----------------------------------------------------------------- processes
def pursue(model: "World", lead: Lead, previous_owner: str | None = None) -> Generator:
    """Route a handed-over lead to a rep and work it through the funnel."""
    team = team_for(model, lead)
    owner = team.assign(exclude=previous_owner)
    lead.owner = owner.id if owner else None
    if owner:
        owner.open_items += 1
    model.log.record(lead.id, "lead", model.env.now, "assigned", DEPARTMENT, lead.owner, team=team.name)
    try:
        if team.name == "key_accounts":
            yield from disputes.open_dispute(model, lead.id, "lead", "key_account",
                                             model.scenario.policy.disputes.key_account_probability, lead.value)
        touched, owner = yield from first_touch(model, lead, team, owner)
        if touched and (yield from work_funnel(model, lead, team, owner)):
            win(model, lead)
    finally:
        if owner:
            owner.open_items -= 1


def work_funnel(model: "World", lead: Lead, team: Team, owner: Worker | None) -> Generator:
    """Each funnel stage from the lead's current one, in order unless a stage's next steps send
    it elsewhere; True if it passed them all."""
    stages = model.scenario.funnel.stages
    while lead.stage_index < len(stages):
        following = yield from work_stage(model, lead, team, owner, lead.stage_index)
        if following is None:
            return False
        lead.stage_index = following
    return True


def win(model: "World", lead: Lead) -> None:
    model.log.record(lead.id, "lead", model.env.now, "won", DEPARTMENT, lead.owner, value=round(lead.value, 2),
                     channel=lead.channel, campaign=lead.campaign)
    model.handoffs.to_production(lead)


def first_touch(model: "World", lead: Lead, team: Team, owner: Worker | None) -> Generator:
    """Contact the lead; qualify it (SQL) or mark it invalid.

    Returns ``(still in sales, owner)``: the owner changes when the first-touch SLA escalates."""
    release_at = sla.release_deadline(model, lead)
    escalate_at = sla.escalation_deadline(model, lead, owner)
    hours = model.samplers["funnel.first_touch_hours"](model.streams["duration.first_touch"])
    rank = priority(model, lead, lead.handed_over_at)
    own_hours = model.step_calendars.get("first_touch")
    started = yield from work(model, lead.id, "lead", "first_touch", hours, team, owner, priority=rank,
                              deadline=min(escalate_at, release_at), hours_of=own_hours, grade=lead.grade)
    if started is None and model.env.now < release_at:
        owner = sla.escalate(model, lead, team, owner)
        started = yield from work(model, lead.id, "lead", "first_touch", hours, team, owner, priority=rank,
                                  deadline=release_at, hours_of=own_hours, grade=lead.grade)
    if started is None:
        pool.release_to_pool(model, lead, "auto_release")
        return False, owner
    staff, touched_at = started
    lead.owner = staff
    if lead.qualified:  # claimed from the pool after qualifying: a re-contact, not a new SQL
        return True, owner
    if qualifies(model, lead, touched_at - lead.handed_over_at) or lead.extras.pop("triggered", False):
        if (verdict_after := steps.qualified_after_hours(model)) > 0:
            yield model.env.timeout(opening(model, team, "first_touch", model.env.now + verdict_after) - model.env.now)
        accept(model, lead, staff)
        return True, owner
    if (verdict_after := steps.invalid_after_hours(model)) > 0:
        yield model.env.timeout(opening(model, team, "first_touch", model.env.now + verdict_after) - model.env.now)
    yield from write_feedback(model, lead, team, owner)
    invalid(model, lead, staff)
    return False, owner


def qualifies(model: "World", lead: Lead, touched_after: float) -> bool:
    """The first touch's outcome, drawn with :func:`qualification_chance`."""
    return model.streams["outcome.qualification"].random() < qualification_chance(model, lead, touched_after)


def qualification_chance(model: "World", lead: Lead, touched_after: float) -> float:
    """The chance that a lead first touched ``touched_after`` clock hours after its hand-over
    qualifies: its value band's, channel's or grade's (the first the funnel gives, in that order),
    times the channel's quality, decayed by the wait."""
    funnel = model.scenario.funnel
    decay = funnel.response_decay
    base = steps.probability_for(lead, funnel.qualification_by_value, funnel.qualification_by_channel,
                                 funnel.qualification)
    return base * step_multiplier(lead, len(funnel.stages)) * \
        response_multiplier(touched_after, decay.half_life_hours, decay.floor)


def accept(model: "World", lead: Lead, staff: str) -> None:
    """The lead is an SQL: it engaged (an invalid one did not)."""
    lead.last_interaction_at = model.env.now
    lead.qualified = True
    lead.sales_score = max(lead.sales_score, 60.0)
    model.log.record(lead.id, "lead", model.env.now, "sql", DEPARTMENT, staff,
                     stage=model.scenario.funnel.stages[lead.stage_index].name)


def invalid(model: "World", lead: Lead, staff: str) -> None:
    """The brief's invalid-lead rule: the rep's verdict counts only with objective data
    (no interaction for 30 days); otherwise the lead goes back to nurture."""
    lead.sales_score = 30.0
    idle_days = (model.env.now - lead.last_interaction_at) / HOURS_PER_DAY
    model.log.record(lead.id, "lead", model.env.now, "invalid", DEPARTMENT, staff, grade=lead.grade)
    if idle_days >= INVALID_CONFIRMED_DAYS:
        model.log.record(lead.id, "lead", model.env.now, "discarded", DEPARTMENT, staff, reason="invalid_confirmed")
    else:
        model.handoffs.to_recycling(lead, "invalid")


def work_stage(model: "World", lead: Lead, team: Team, owner: Worker | None, index: int) -> Generator:
    """One visit of stage ``index``: the customer's response, the rep's touches, then the next step.

    Returns the index of the stage to visit next (one past the last: the deal is won), or None
    when the lead leaves sales here (lost, cancelled by the customer, or released to the pool).
    With the stage's ``lost_after_days`` the next step is drawn as the visit begins, and a visit
    that loses the deal ends lost that long after its first touch began, however far its later
    touches got, unless the customer's patience or the stage-dwell timer ends it first (a tie: the
    cancellation)."""
    stage = model.scenario.funnel.stages[index]
    steps.enter_stage(lead, stage.name)
    # an open case of the pipeline resumes a visit begun before the run (see model.pipeline)
    entered, cancel_at, plan = lead.extras.pop("resume", None) or (model.env.now, None, None)
    dwell_at = sla.dwell_deadline(model, stage.name, since=entered)
    if cancel_at is None:
        cancel_at = steps.cancel_deadline(model, index)
    target = verdict(model, lead, index) if stage.lost_after_days is not None else None
    staff, lost_at = yield from work_touches(model, lead, team, owner, index, min(dwell_at, cancel_at), entered,
                                             plan, losing=target == LOST)
    if target == LOST:  # a losing visit ends at its first deadline, its touches done or not
        yield model.env.timeout(max(min(dwell_at, cancel_at, lost_at) - model.env.now, 0.0))
        if lost_at < min(dwell_at, cancel_at):
            return (yield from lose(model, lead, team, owner, stage.name, staff or lead.owner))
    if target == LOST or staff is None:
        if cancel_at <= dwell_at:
            cancel(model, lead, stage.name)
        else:
            pool.release_to_pool(model, lead, "stage_dwell", stage=stage.name)
        return None
    lead.last_interaction_at = model.env.now
    return (yield from decide(model, lead, team, owner, index, staff, target))


def work_touches(model: "World", lead: Lead, team: Team, owner: Worker | None, index: int,
                 deadline: float, entered: float | None = None,
                 plan: tuple[float, int, int | None] | None = None, losing: bool = False) -> Generator:
    """The customer's response, then each touch of the stage (rep work, with the customer's gap
    before every touch after the first). Returns the staff id of the last touch (None when
    ``deadline``, clock time, came before a touch could start) and, for a ``losing`` visit, when it
    is closed as lost (:func:`lost_time`: its touches stop there; NEVER if no touch began). A visit
    ``entered`` before now goes on by its ``plan`` (``pipeline.visit_plan``): the rest of its wait,
    then its touches from one on."""
    env, stage = model.env, model.scenario.funnel.stages[index]
    entered = env.now if entered is None else entered
    wait_hours, first, count = plan or (None, 0, None)
    lost_at = lost_time(model, team, index, entered, resumed=True) if losing and first > 0 else NEVER
    deadline = min(deadline, lost_at)  # touched before the run: the log's visit begins at its first touch
    if wait_hours is None:
        wait_hours = model.samplers[f"funnel.stages.{index}.customer_days"](
            model.streams[f"delay.{stage.name}"]) * HOURS_PER_DAY
    if plan is None or wait_hours > 0:  # a resumed touch under way keeps its place among the open cases
        yield env.timeout(min(wait_hours, max(deadline - env.now, 0.0)))
    count, staff = count or steps.touches(model, index), None
    if first >= count:  # a resumed visit with its touches done: its decision is due (redone without owner)
        staff, first = lead.owner, count - (lead.owner is None)
    for touch in range(first, count):
        if touch > first:
            yield env.timeout(min(steps.touch_gap_hours(model, index), max(deadline - env.now, 0.0)))
        if env.now >= deadline:
            return None, lost_at
        hours = model.samplers[f"funnel.stages.{index}.work_hours"](model.streams[f"duration.{stage.name}"])
        numbered = {"touch": touch + 1} if stage.touches is not None else {}
        started = yield from work(model, lead.id, "lead", stage.name, hours, team, owner,
                                  priority=priority(model, lead, entered), deadline=deadline,
                                  hours_of=model.step_calendars.get(stage.name), stage=stage.name,
                                  entered_at=entered, **numbered)
        if started is None:
            return None, lost_at
        staff = started[0]
        if losing and lost_at == NEVER:
            lost_at = lost_time(model, team, index, started[1])
            deadline = min(deadline, lost_at)
    return staff, lost_at


def lost_time(model: "World", team: Team, index: int, first_touch: float, resumed: bool = False) -> float:
    """When a losing visit of stage ``index`` whose first touch began at ``first_touch`` is closed:
    ``steps.lost_deadline``, or the stage's next opening if that falls in closed hours (a person
    closes it)."""
    stage_name = model.scenario.funnel.stages[index].name
    return opening(model, team, stage_name, steps.lost_deadline(model, index, first_touch, resumed))


def opening(model: "World", team: Team, step: str, t: float) -> float:
    """The earliest time >= ``t`` (clock hours) at which ``step`` (``first_touch`` or a stage) is
    worked: the team's calendar, and the step's own hours where it has them."""
    own_hours = model.step_calendars.get(step)
    return team.calendar.next_open(t) if own_hours is None else next_open_together((team.calendar, own_hours), t)


def verdict(model: "World", lead: Lead, index: int) -> str:
    """Where the visit of stage ``index`` leads: a stage its next steps send it to, ``LOST``, or
    ``ADVANCE`` (the stage's conversion decides where no next step does)."""
    target = steps.next_step(model, lead, index)
    if target is not None:
        return target
    stage_name = model.scenario.funnel.stages[index].name
    return ADVANCE if model.streams[f"outcome.{stage_name}"].random() < stage_conversion(model, lead, index) else LOST


def decide(model: "World", lead: Lead, team: Team, owner: Worker | None, index: int, staff: str,
           target: str | None = None) -> Generator:
    """After the stage's work, its :func:`verdict` (``target`` where drawn as the visit began):
    the following stage, a stage its next steps send it back to, or lost."""
    stage_name = model.scenario.funnel.stages[index].name
    target = target or verdict(model, lead, index)
    if target == ADVANCE:
        advance(model, lead, index, staff)
        return index + 1
    if target != LOST:
        model.log.record(lead.id, "lead", model.env.now, "sent_back", DEPARTMENT, staff, stage=target,
                         from_stage=stage_name)
        return [stage.name for stage in model.scenario.funnel.stages].index(target)
    return (yield from lose(model, lead, team, owner, stage_name, staff))


def lose(model: "World", lead: Lead, team: Team, owner: Worker | None, stage_name: str,
         staff: str | None) -> Generator:
    """The deal is lost in ``stage_name``: its row, the rep's feedback note, then recycling."""
    model.log.record(lead.id, "lead", model.env.now, "lost", DEPARTMENT, staff, stage=stage_name)
    yield from write_feedback(model, lead, team, owner)
    model.handoffs.to_recycling(lead, "lost")
    return None


def cancel(model: "World", lead: Lead, stage: str) -> None:
    """The customer waited past their patience in ``stage`` and cancels: lost, with its reason."""
    model.log.record(lead.id, "lead", model.env.now, "lost", DEPARTMENT, lead.owner, stage=stage, reason=CANCELLED)
    model.handoffs.to_recycling(lead, CANCELLED)


def stage_conversion(model: "World", lead: Lead, index: int) -> float:
    """Chance the lead passes stage ``index``: its value band's, channel's or grade's conversion
    (the first the stage gives, in that order) times the channel's quality."""
    stages = model.scenario.funnel.stages
    stage = stages[index]
    base = steps.probability_for(lead, stage.conversion_by_value, stage.conversion_by_channel, stage.conversion)
    return min(1.0, base * step_multiplier(lead, len(stages)))


def advance(model: "World", lead: Lead, index: int, staff: str) -> None:
    stages = model.scenario.funnel.stages
    lead.sales_score = min(100.0, lead.sales_score + 10.0)
    following = stages[index + 1].name if index + 1 < len(stages) else CLOSING
    model.log.record(lead.id, "lead", model.env.now, "advanced", DEPARTMENT, staff, stage=following)


def write_feedback(model: "World", lead: Lead, team: Team, owner: Worker | None) -> Generator:
    """After an invalid or lost lead, a collaboration-minded rep writes marketing a note;
    marketing's scoring learns from it once the note is synchronised (see ``coordination``)."""
    weights = model.scenario.policy.incentives
    chance = incentives.feedback_probability(weights)
    if chance <= 0 or model.streams["feedback"].random() >= chance:  # no draw when no rep ever writes
        return
    yield from work(model, lead.id, "lead", "feedback_note", weights.feedback_note_hours, team, owner,
                    priority=model.env.now)
    model.coordination.notes_written.append(model.env.now)
