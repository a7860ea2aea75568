"""The open pipeline enters the model: every case open at a snapshot's cut-off starts where it is.

``simulate(..., start_from=snapshot)`` starts a company not empty but with the cases of a
:class:`~simcoord.log.snapshot.Snapshot` (from a log at a date, or from a CRM export of open
leads). Time 0 is midnight of ``calendar.start_date``, which must be the cut-off's day in the
scenario's zone; the cases enter at the cut-off (0 for a cut-off at midnight), each with one
``resumed`` row that says where it was (``state``, ``stage``, ``age_hours``, ``waiting_hours``,
``touches``, ``source_case``), so the log stays the single record and the KPIs do not count them
as new leads (no ``created`` row). Then each goes on where it was:

- ``nurture``: marketing nurtures it (the company's entry: nurture, or straight to sales);
- ``sales``: it joins its rep's (or the team's) queue for the first touch with its true wait, so
  priority and the SLA timers count from its hand-over (or pool claim) before the run; a first
  touch under way at the cut-off is done again in full (the log shows when work starts only);
  under ``funnel.qualified_after_days`` or ``invalid_after_days`` a case touched but neither
  qualified nor found invalid is one whose verdict is pending: it waits the rest of that wait,
  then is an SQL (and goes on) or invalid;
- ``public pool``: it waits there to be claimed or woken up, as a released lead does;
- a funnel stage: it resumes the stage visit with its touches so far, after what is left of the
  wait it was in, drawn given the wait so far (the customer's response before the first touch,
  the gap before the next one; a touch whose work may still be under way is done again: the log
  shows when work starts only), so the open cases do not all act at the start; its stage age
  counts for priority and the stage-dwell timer, and its patience is drawn given the wait so far.

Its owner is kept if a worker of the sales teams has that name (``sales-3``), else the team
routes it. Missing grade, tier, channel or value are drawn as for a new lead. Every draw the
entering cases make for themselves (the rest of their waits included) comes from the ``pipeline.*`` streams, so the arrivals of new
leads are those of a run without ``start_from``; the work they then share with new leads
(durations, outcomes) draws from the model's streams as any lead does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Generator

from simcoord.log.snapshot import NURTURE, OPEN_STATES, POOL, SALES, OpenCase, Snapshot, hours_since
from simcoord.model import pool, sales, steps
from simcoord.model.steps import PATIENCE_TRIES, remaining
from simcoord.model.entities import Lead
from simcoord.model.staff import Team, Worker
from simcoord.vocabulary import GRADES, HOT_GRADES, HOURS_PER_DAY, NEVER, TIERS

if TYPE_CHECKING:
    from simcoord.model.world import World
    from simcoord.scenario.schema import Scenario

RESUMED = "resumed"  # the activity of a case's first row in the run


def entry_hour(scenario: "Scenario", snapshot: Snapshot) -> float:
    """The model hour at which ``snapshot``'s cases enter (its cut-off on the scenario's clock).

    Raises ValueError when the zones differ, the calendar does not start on the cut-off's day,
    or a case is in a stage the funnel does not have."""
    zone, start = scenario.calendar.time_zone, scenario.calendar.start_date
    if snapshot.time_zone != zone:
        raise ValueError(f"start_from: the snapshot's time zone is {snapshot.time_zone}, the scenario's "
                         f"calendar.time_zone is {zone}: they must be the same")
    at = snapshot.at.tz_convert(zone)
    if at.date() != start:
        raise ValueError(f"start_from: the snapshot's cut-off is {at.isoformat()}, but calendar.start_date is "
                         f"{start}: set calendar.start_date to {at.date()} (time 0 is that day's midnight)")
    check_stages(scenario, snapshot)
    return hours_since(start, at, zone)


def check_stages(scenario: "Scenario", snapshot: Snapshot) -> None:
    """Every case is in a state the model knows: ValueError naming the first that is not."""
    stages = [stage.name for stage in scenario.funnel.stages]
    for case in snapshot.cases:
        unknown = [where for where in (case.state, case.stage) if where is not None and where not in stages]
        if unknown and (case.stage in unknown or case.state not in OPEN_STATES):
            raise ValueError(f"start_from: case {case.case_id} is in {unknown[-1]!r}, which is neither "
                             f"{', '.join(OPEN_STATES)} nor a stage of the funnel ({', '.join(stages)})")


def enter(model: "World", snapshot: Snapshot, at_hours: float) -> Generator:
    """At ``at_hours``, every open case of ``snapshot`` enters the model where it is, oldest first
    (as they arrived: a free rep takes the first request at once, the rest queue by priority)."""
    yield model.env.timeout(at_hours)
    for case in sorted(snapshot.cases, key=lambda case: -case.age_hours):
        enter_case(model, case)


def enter_case(model: "World", case: OpenCase) -> Lead:
    """One open case: a lead with its attributes and history, its ``resumed`` row, and its process."""
    lead = make_lead(model, case)
    team, owner = owner_of(model, lead, case.owner) if case.state not in (NURTURE, POOL) else (None, None)
    lead.owner = owner.id if owner is not None else None
    department = "marketing" if case.state == NURTURE else "sales"
    model.log.record(lead.id, "lead", model.env.now, RESUMED, department, lead.owner, state=case.state,
                     stage=case.stage, age_hours=case.age_hours, waiting_hours=case.waiting_since_hours,
                     touches=case.touches, channel=lead.channel, tier=lead.tier, grade=lead.grade,
                     industry=lead.industry, value=round(lead.value, 2), source_case=case.case_id)
    if case.state == NURTURE:
        model.env.process(model.handoffs.to_entry(lead))
    elif case.state == POOL:
        lead.extras["released_by"] = None
        model.env.process(pool.claim_from_pool(model, lead, None, model.pool.enter(lead)))
    elif (since_touch := touched_undecided(model, case)) is not None:
        model.env.process(resume_verdict(model, lead, team, owner, since_touch, case.first_touch_hours))
    else:
        model.env.process(resume_sales(model, lead, team, owner, in_stage=case.state != SALES))
    return lead


def touched_undecided(model: "World", case: OpenCase) -> float | None:
    """Hours since the first touch of a case touched but neither qualified nor found invalid, where
    the scenario has a verdict wait after the first touch (``qualified_after_days`` or
    ``invalid_after_days``); None otherwise. Without one, a lead is decided at its touch."""
    funnel = model.scenario.funnel
    if (funnel.invalid_after_days is None and funnel.qualified_after_days is None) or case.state != SALES:
        return None
    if case.first_touch_hours is None or case.handed_over_hours is None:
        return None
    return max(case.handed_over_hours - case.first_touch_hours, 0.0)


def resume_verdict(model: "World", lead: Lead, team: Team, owner: Worker | None, since_touch: float,
                   touched_after: float) -> Generator:
    """A touched case awaiting its verdict (:func:`pending_verdict`), given at the first touch's next
    opening (``sales.opening``) if it falls in closed hours; then it is an SQL and goes on through
    the funnel, or it is invalid."""
    if owner is not None:
        owner.open_items += 1
    try:
        qualified, left = pending_verdict(model, lead, since_touch, touched_after)
        due = model.env.now + left
        yield model.env.timeout(sales.opening(model, sales.team_for(model, lead), "first_touch", due) - model.env.now)
        if not qualified:
            sales.invalid(model, lead, lead.owner)
            return
        sales.accept(model, lead, lead.owner)
        if (yield from sales.work_funnel(model, lead, team, owner)):
            sales.win(model, lead)
    finally:
        if owner is not None:
            owner.open_items -= 1


def pending_verdict(model: "World", lead: Lead, since_touch: float, touched_after: float) -> tuple[bool, float]:
    """Whether a case touched ``touched_after`` hours after its hand-over and undecided for
    ``since_touch`` hours since will be accepted, and the hours left until its verdict. Where only
    one verdict waits, that one; where both do, the verdict (with the chance its touch gave,
    ``sales.qualification_chance``) and its wait are drawn together until the wait exceeds the time
    so far, so a case undecided for long is more likely the slower verdict's. A wait longer than
    the distributions explain (:func:`beyond`) is the slower verdict's."""
    funnel = model.scenario.funnel
    chance = 1.0 if funnel.invalid_after_days is None else 0.0 if funnel.qualified_after_days is None else \
        sales.qualification_chance(model, lead, touched_after)
    verdicts, waits = model.streams["pipeline.verdicts"], model.streams["pipeline.waits"]
    for _ in range(PATIENCE_TRIES):
        qualified = chance >= 1.0 or (chance > 0.0 and verdicts.random() < chance)
        path = "funnel.qualified_after_days" if qualified else "funnel.invalid_after_days"
        hours = model.samplers[path](waits) * HOURS_PER_DAY
        if hours > since_touch or since_touch <= 0:
            return qualified, hours - since_touch
    accepted, invalid = funnel.qualified_after_days, funnel.invalid_after_days
    slower_is_acceptance = invalid is None or (accepted is not None and accepted.expected > invalid.expected)
    return slower_is_acceptance, beyond(model, since_touch)


def make_lead(model: "World", case: OpenCase) -> Lead:
    """The case as a lead: its attributes (drawn as for a new lead where the case has none), and
    its hand-over, timers, stage and visits on the model's clock."""
    now, scenario = model.env.now, model.scenario
    channel = case.channel or draw_channel(model)
    spec = scenario.demand.channels.get(channel)
    tier, grade, industry, value = draw_profile(model, case, channel)
    lead = Lead(id=next(model.ids), channel=channel, tier=tier, grade=grade, industry=industry, value=value,
                conversion_multiplier=spec.conversion_multiplier if spec else 1.0,
                last_interaction_at=now - (case.last_event_hours or 0.0), recycles=case.recycles)
    stages = [stage.name for stage in scenario.funnel.stages]
    lead.stage_index = stages.index(case.stage) if case.stage is not None else 0
    lead.qualified = case.stage is not None
    handed = case.handed_over_hours if case.handed_over_hours is not None else case.waiting_since_hours
    lead.handed_over_at = now - handed
    lead.timers_from = now - (case.waiting_since_hours if case.state == SALES else handed)
    lead.extras["visits"] = dict(case.stage_visits)
    if case.state in stages:
        resume_stage(model, lead, case)
    return lead


def resume_stage(model: "World", lead: Lead, case: OpenCase) -> None:
    """A case in a stage: ``sales.work_stage`` counts this visit again, so the visits so far
    leave it out; the visit resumes from its start (``entered``) with its touches so far, and
    goes on after the rest of the wait it was in (see :func:`visit_plan`)."""
    visits = lead.extras["visits"]
    visits[case.state] = max(visits.get(case.state, 1) - 1, 0)
    entered = model.env.now - case.waiting_since_hours
    lead.extras["resume"] = (entered, cancel_deadline(model, lead.stage_index, entered),
                             visit_plan(model, lead.stage_index, case))


def cancel_deadline(model: "World", index: int, entered: float) -> float:
    """When the customer of a visit of stage ``index`` begun at ``entered`` cancels: a patience
    drawn given that it has lasted so far (NEVER without ``patience_days``)."""
    stage = model.scenario.funnel.stages[index]
    if stage.patience_days is None:
        return NEVER
    sampler, rng = model.samplers[f"funnel.stages.{index}.patience_days"], model.streams["pipeline.patience"]
    left = remaining(lambda: sampler(rng) * HOURS_PER_DAY, model.env.now - entered)
    # far in the tail: a fresh patience from now
    return model.env.now + (left if left is not None else sampler(rng) * HOURS_PER_DAY)


def visit_plan(model: "World", index: int, case: OpenCase) -> tuple[float, int, int | None]:
    """How a stage visit under way at the cut-off goes on: ``(hours to wait, index of the next
    touch, touches of the visit)`` (None: drawn after the wait, as for any visit).

    Before any touch, the customer's response is awaited for what is left of it given the wait
    so far. After ``touches`` touches, the case is either between touches (a touch count above
    them, and a gap longer than the time since the latest touch began: the rest of that gap) or
    in its last touch (its work longer than that time: the touch is done again in full). The
    pair is drawn given that it explains a case still open at the cut-off (rejection); a case
    neither explains is a slow one: it waits the rest of a long wait (:func:`beyond`), then has its
    next touch, or, without more touches, its stage's decision."""
    if not case.touches:
        customer = stage_draw(model, index, "customer_days", HOURS_PER_DAY)
        left = remaining(customer, case.waiting_since_hours)
        return (left if left is not None else beyond(model, case.waiting_since_hours)), 0, None
    return after_touches(model, index, case)


def beyond(model: "World", elapsed: float) -> float:
    """Hours left of a wait that has lasted ``elapsed`` hours, longer than the fitted distribution
    explains: exponential with mean ``elapsed``, the residual life of a heavy tail (a case that has
    waited long is a slow one; taking a fresh wait from now would make the stale cases act at once)."""
    return float(model.streams["pipeline.waits"].exponential(max(elapsed, 1.0)))


def stage_draw(model: "World", index: int, name: str, scale: float) -> Callable[[], float]:
    """Draws of stage ``index``'s distribution ``name`` times ``scale`` from the ``pipeline.waits``
    stream (0 where the stage does not have it; 1 touch without ``touches``)."""
    stage, rng = model.scenario.funnel.stages[index], model.streams["pipeline.waits"]
    if getattr(stage, name) is None:
        return (lambda: 1.0) if name == "touches" else (lambda: 0.0)
    sampler = model.samplers[f"funnel.stages.{index}.{name}"]
    return lambda: sampler(rng) * scale


def after_touches(model: "World", index: int, case: OpenCase) -> tuple[float, int, int]:
    """:func:`visit_plan` for a visit with touches so far, timed from its latest event."""
    since = case.last_event_hours if case.last_event_hours is not None else case.waiting_since_hours
    count, gap = stage_draw(model, index, "touches", 1.0), stage_draw(model, index, "touch_gap_days", HOURS_PER_DAY)
    work = stage_draw(model, index, "work_hours", 1.0)
    for _ in range(PATIENCE_TRIES):
        touches = max(steps.touch_count(count()), case.touches)
        if touches > case.touches and (left := gap() - since) > 0:
            return left, case.touches, touches
        if touches == case.touches and work() > since:
            return 0.0, case.touches - 1, touches
    # a visit the stage's distributions do not explain: the rest of a long wait, then its next touch
    # (or, without more touches, the decision its latest touch was waiting for)
    more = model.scenario.funnel.stages[index].touches is not None
    return beyond(model, since), case.touches, case.touches + more


def draw_channel(model: "World") -> str:
    """A channel for a case without one, in proportion to the channels' leads per week."""
    channels = model.scenario.demand.channels
    weights = {name: spec.leads_per_week for name, spec in channels.items()}
    total = sum(weights.values())
    shares = [weight / total for weight in weights.values()] if total > 0 else None
    return str(model.streams["pipeline.attributes"].choice(list(weights), p=shares))


def draw_profile(model: "World", case: OpenCase, channel: str) -> tuple[str, str, str, float]:
    """Tier, grade, industry and deal value: the case's own where it has them (a grade or tier
    the lab does not know is drawn), else drawn from the lead mix as for a new lead."""
    mix, rng = model.scenario.lead_mix, model.streams["pipeline.attributes"]
    spec = model.scenario.demand.channels.get(channel)
    grade_shares = spec.grade_shares if spec and spec.grade_shares else mix.grade_shares
    tier = case.tier if case.tier in TIERS else model.choose(rng, mix.tier_shares)
    grade = case.grade if case.grade in GRADES else model.choose(rng, grade_shares)
    industry = model.choose(rng, model.industry_shares)
    value = case.value if case.value is not None else \
        model.samplers["lead_mix.deal_value"](rng) * mix.tier_value_multiplier[tier]
    return tier, grade, industry, float(value)


def owner_of(model: "World", lead: Lead, name: str | None) -> tuple[Team, Worker | None]:
    """The sales team and rep who hold the case: the named rep if a sales team (not a pooled one)
    has them, else the team the lead routes to and the rep its routing picks."""
    for team in model.teams.values():
        if team.department == sales.DEPARTMENT and team.shared_desk is None:
            for worker in team.members:
                if worker.id == name:
                    return team, worker
    team = sales.team_for(model, lead)
    return team, team.assign()


def overdue_wait(model: "World", lead: Lead) -> float:
    """Hours before an untouched case rejoins the first-touch queue: 0, unless it has waited longer
    than the first-touch rule's hours and no enforced timer acts on it. Such a case was left aside
    (a queue the model's staff serve in hours does not keep it for days): a slow case, it waits the
    rest of a long wait (:func:`beyond`) instead of being served on the first morning."""
    sla = model.scenario.policy.sla
    rule = sla.hot_lead_first_touch if lead.grade in HOT_GRADES else sla.first_touch
    waited = model.env.now - lead.timers_from
    if rule.enforced or sla.auto_release.enforced or waited <= rule.hours:
        return 0.0
    return beyond(model, waited)


def resume_sales(model: "World", lead: Lead, team: Team, owner: Worker | None, in_stage: bool) -> Generator:
    """The case goes on in sales: the first touch (unless it is in a stage already), then the
    funnel from its stage, as ``sales.pursue`` does after routing."""
    if owner is not None:
        owner.open_items += 1
    try:
        touched = in_stage
        if not touched and (neglected := overdue_wait(model, lead)) > 0:
            yield model.env.timeout(neglected)
        if not touched:
            touched, owner = yield from sales.first_touch(model, lead, team, owner)
        if touched and (yield from sales.work_funnel(model, lead, team, owner)):
            sales.win(model, lead)
    finally:
        if owner is not None:
            owner.open_items -= 1
