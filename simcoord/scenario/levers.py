"""Which levers of a policy have nothing to act on in a scenario.

A policy written for one company may be applied on another (``load_scenario(policy, base=...)``):
a meeting with production staff on a base without production, a forecast sync where nothing is
produced, a behaviour trigger where no lead is nurtured. The model runs such a scenario (a meeting
seats only the staff a team has; a sync with nothing to synchronise does nothing), so these levers
are no error; :func:`idle_levers` names them, so a comparison can say that part of a policy did not
apply instead of silently crediting or blaming it.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

from simcoord.scenario.paths import get_path, has_path
from simcoord.scenario.schema import Scenario

Reason = Callable[[Scenario], "str | None"]


def _no_nurture(scenario: Scenario) -> str | None:
    return None if scenario.marketing.nurture else "no nurture on this base"


def _no_production(scenario: Scenario) -> str | None:
    return None if scenario.production.enabled else "production is switched off on this base"


def _no_service(scenario: Scenario) -> str | None:
    return None if scenario.production.enabled and scenario.service.enabled else "no service on this base"


def _no_disputes(scenario: Scenario) -> str | None:
    rules = scenario.policy.disputes
    opened = (rules.key_account_probability > 0 and scenario.organisation.key_account_staff > 0,
              rules.rush_order_probability > 0 and scenario.production.enabled,
              rules.complaint_probability > 0 and scenario.production.enabled and scenario.service.enabled)
    return None if any(opened) else "no disputes open on this base"


def _no_recycling(scenario: Scenario) -> str | None:
    if not scenario.marketing.nurture or not scenario.marketing.recycle_lost:
        return "no lost lead is recycled on this base"
    return None


#: A field a policy may set -> why it has nothing to act on in a scenario (None: it acts).
FIELD_REASONS: dict[str, Reason] = {
    "policy.incentives.marketing": _no_nurture,
    "policy.incentives.production": _no_production,
    "policy.incentives.service": _no_service,
    "policy.triggers.enabled": _no_nurture,
    "policy.information.hot_lead_push": _no_nurture,
    "policy.alerts.enabled": _no_production,
    "policy.disputes": _no_disputes,
}
#: A meeting's sync -> why it has nothing to synchronise in a scenario.
SYNC_REASONS: dict[str, Reason] = {
    "forecast": _no_production,
    "lead_feedback": _no_nurture,
    "recycling": _no_recycling,
    "disputes": _no_disputes,
}


def _meeting_levers(scenario: Scenario) -> list[str]:
    """Idle parts of the scenario's meetings: attendees from a team without staff, idle syncs."""
    idle = []
    for index, meeting in enumerate(scenario.policy.meetings):
        where = f"policy.meetings.{index}"
        for department, head_count in meeting.attendees.items():
            if head_count > 0 and scenario.organisation.department(department).staff == 0:
                idle.append(f"{where}.attendees.{department}: no {department} staff on this base, nobody attends for it")
        for sync in meeting.syncs:
            reason = SYNC_REASONS.get(sync, lambda _: None)(scenario)
            if reason:
                idle.append(f"{where}.syncs: {sync}: {reason}, nothing to synchronise")
    return idle


def _switched_on(overrides: Mapping[str, Any], field: str) -> bool:
    """Whether ``overrides`` sets ``field`` to something other than off (false, 0, empty)."""
    return has_path(overrides, field) and bool(get_path(overrides, field))


class IdleLeverWarning(UserWarning):
    """A policy applied on another base sets levers that have nothing to act on there."""


def idle_levers(overrides: Mapping[str, Any], scenario: Scenario) -> list[str]:
    """``field path: why`` for each lever set in ``overrides`` (the raw mapping a policy file
    writes) that has nothing to act on in ``scenario`` (the policy applied on its base)."""
    idle = [f"{field}: {reason}" for field, why in FIELD_REASONS.items()
            if _switched_on(overrides, field) and (reason := why(scenario))]
    if has_path(overrides, "policy.meetings"):
        idle += _meeting_levers(scenario)
    return idle
