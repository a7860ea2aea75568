"""Which parts of the company a log shows, and what a fitted scenario must assume because no
event log can tell it.

A part the log does not show (nurture, production, service) is switched off, never copied from a
default company: a bank's log must not produce a factory. A part it shows but the fit does not
estimate keeps the schema's values, each listed as an assumption. Policies (SLA targets, routing,
incentives, meetings, disputes) are decisions the company made, not events, so they are assumed
neutral: timers not enforced, no bonuses, no meetings, no disputes.
"""

from __future__ import annotations

import pandas as pd

from simcoord.calibration.estimates import Estimate, assumed, fitted
from simcoord.scenario.schema import OrganisationSpec
from simcoord.vocabulary import DEPARTMENTS

NURTURE_ACTIVITIES = ("nurtured", "recycled", "dormant", "wake_up_attempt", "qualification")


def rows_of(events: pd.DataFrame, kind: str | None = None, activities: tuple[str, ...] = ()) -> int:
    """How many rows of ``kind`` (any, if None) or of ``activities`` the log has."""
    pick = pd.Series(True, index=events.index) if kind is None else events["kind"] == kind
    if activities:
        pick &= events["activity"].isin(activities)
    return int(pick.sum())


def fit_parts(events: pd.DataFrame) -> list[Estimate]:
    """``marketing.nurture``, ``production.enabled`` and ``service.enabled``: on where the log has
    rows of the part, off otherwise; a part that is on keeps the schema's parameters, assumed."""
    nurture = rows_of(events, "lead", NURTURE_ACTIVITIES)
    orders, tickets = rows_of(events, "order"), rows_of(events, "ticket") + rows_of(events, "customer")
    estimates = [_switch("marketing.nurture", nurture, "nurture, recycling or wake-up rows of leads"),
                 _switch("production.enabled", orders, "order rows"),
                 _switch("service.enabled", tickets, "customer or ticket rows")]
    if not nurture:
        estimates.append(fitted("marketing.recycle_lost", False, "no nurture in the log: a lost case ends", 0))
    for path, count, what in (("marketing", nurture, "nurture and scoring"), ("production", orders, "production"),
                              ("service", tickets, "service")):
        if count:
            estimates.append(assumed(f"{path}.*", "schema values", f"the log shows {what} ({count} rows), but its "
                                     "parameters are not fitted: the schema's values are assumed"))
    return estimates


def _switch(path: str, count: int, what: str) -> Estimate:
    state = "on" if count else "off"
    return fitted(path, bool(count), f"{count} {what} in the log: switched {state}", count)


def unseen(stage_names: list[str], nurture: bool) -> list[Estimate]:
    """What no event log can tell: the company's policies and costs beyond staff, assumed neutral."""
    timer = {"hours": 24.0, "enforced": False}
    why_sla = "the log cannot tell the company's SLA targets: timers are measured (at 24 h) but never enforced"
    return [
        assumed("policy.sla.first_touch", timer, why_sla),
        assumed("policy.sla.hot_lead_first_touch", timer, why_sla),
        assumed("policy.sla.auto_release", {"hours": 48.0, "enforced": False}, why_sla),
        assumed("policy.sla.stage_dwell", {"hours": 72.0, "enforced": False}, why_sla),
        assumed("policy.sla.stage_dwell_stage", stage_names[0], "the first stage (the dwell timer is not enforced)"),
        assumed("policy.sla.wake_up", {"enabled": nurture}, "wake-up of unclaimed leads only where the log shows "
                                                            "nurture"),
        assumed("policy.routing", {"mode": "pooled", "key_account_routing": False},
                "the log does not say how work is routed: one shared queue, any free person takes the next case"),
        assumed("organisation.coordination_managers", 0, "the log names no coordination managers"),
        assumed("policy.incentives", {"bonus_rate": 0.0, "joint_pool_rate": 0.0, "event_commission": 0.0},
                "the log shows no pay: incentive weights are the schema's, no bonus is paid"),
        assumed("policy.meetings", [], "the log shows no meetings"),
        assumed("policy.information", {"mode": "meetings"}, "the log shows no liaison or shared platform"),
        assumed("policy.disputes", {"key_account_probability": 0.0, "rush_order_probability": 0.0,
                                    "complaint_probability": 0.0}, "the log shows no disputes"),
    ]


def missing_departments(estimates: list[Estimate]) -> list[Estimate]:
    """Staff and cost of each department no estimate covers: none (the log shows no such team)."""
    given = {estimate.path for estimate in estimates}
    found = []
    for department in DEPARTMENTS:
        for field in ("staff", "hourly_cost"):
            path = f"organisation.{department}.{field}"
            if path not in given:
                found.append(assumed(path, 0, f"the log shows no work of {department}"))
    return found


def sales_people(events: pd.DataFrame, stages: list[str], estimates: list[Estimate]) -> list[Estimate]:
    """``organisation.sales.staff`` where the staffing estimate found none although people worked
    leads (a log without work durations): the people named on first touches and stage rows."""
    staff = next((e for e in estimates if e.path == "organisation.sales.staff"), None)
    if staff is not None and staff.value:
        return []
    worked = events[(events["kind"] == "lead") & events["activity"].isin(["first_touch", *stages])]
    people = worked["staff"].dropna().nunique() if "staff" in worked else 0
    if not people:
        return []
    return [fitted("organisation.sales.staff", int(people), f"{people} people named on {len(worked)} first touches "
                   "and stage rows (the log has no work durations to weigh how much of their time they gave)",
                   len(worked))]


def part_staff(estimates: list[Estimate]) -> list[Estimate]:
    """The schema's head count, assumed, for production and service where the log shows the part
    (orders, tickets) but no one's work in it: a part switched on with no staff would stand still."""
    values = {estimate.path: estimate.value for estimate in estimates}
    defaults = OrganisationSpec()
    found = []
    for part, switch in (("production", "production.enabled"), ("service", "service.enabled")):
        if values.get(switch) and not values.get(f"organisation.{part}.staff"):
            staff = defaults.department(part).staff
            found.append(assumed(f"organisation.{part}.staff", staff, f"the log shows {part} but not who works "
                                 f"in it: the schema's head count ({staff}), to be replaced by the company's own"))
    return found

