"""SLA timers on the company's side: when a lead must be touched, escalated, released or moved on.

The timers of the brief, all from ``policy.sla`` (hours; working hours when
``timers_in_working_hours``, else clock hours):
- first touch (hot leads have their own): breached -> the lead moves to the least-loaded other rep;
- auto-release: still untouched -> the lead goes to the public pool (see ``pool``);
- stage dwell: too long in the limited stage -> the lead goes to the public pool.
What happens when a timer runs out is done by the sales process; this room says when.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simcoord.model.entities import Lead
from simcoord.model.staff import Team, Worker
from simcoord.vocabulary import HOT_GRADES, NEVER

if TYPE_CHECKING:
    from simcoord.model.world import World


def deadline_after(model: "World", hours: float, since: float | None = None) -> float:
    """Clock time at which a timer of ``hours`` started at ``since`` (default: now) runs out."""
    start = model.env.now if since is None else since
    if model.scenario.policy.sla.timers_in_working_hours:
        return model.calendars["sales"].add_work_hours(start, hours)  # the sales team's working hours
    return start + hours


def release_deadline(model: "World", lead: Lead) -> float:
    """When an untouched lead is auto-released to the public pool (NEVER if not enforced): after
    the rule's ``hours``, or after the lead's own patience when the rule draws one."""
    rule = model.scenario.policy.sla.auto_release
    if not rule.enforced:
        return NEVER
    if rule.patience is None:
        return deadline_after(model, rule.hours, lead.timers_from)
    patience = model.samplers["policy.sla.auto_release.patience"](model.streams["patience.auto_release"])
    return deadline_after(model, patience, lead.timers_from)


def escalation_deadline(model: "World", lead: Lead, owner: Worker | None) -> float:
    """When an owned, untouched lead is escalated (the hot-lead rule for L4+; NEVER if not enforced)."""
    sla = model.scenario.policy.sla
    rule = sla.hot_lead_first_touch if lead.grade in HOT_GRADES else sla.first_touch
    return deadline_after(model, rule.hours, lead.timers_from) if rule.enforced and owner is not None else NEVER


def dwell_deadline(model: "World", stage: str, since: float | None = None) -> float:
    """When a lead entering ``stage`` now (or at ``since``) overstays it (NEVER unless it is the limited stage)."""
    sla = model.scenario.policy.sla
    limited = sla.stage_dwell.enforced and stage == sla.stage_dwell_stage
    return deadline_after(model, sla.stage_dwell.hours, since) if limited else NEVER


def escalate(model: "World", lead: Lead, team: Team, owner: Worker) -> Worker:
    """First-touch SLA breached: the team lead moves the lead to the least-loaded other rep."""
    new_owner = team.least_loaded(exclude=owner.id) or owner
    owner.open_items -= 1
    new_owner.open_items += 1
    lead.owner = new_owner.id
    model.log.record(lead.id, "lead", model.env.now, "sla_escalated", "sales", new_owner.id, previous=owner.id)
    return new_owner
