"""Which of a scenario's queues are textbook queues, and what queueing theory says about them.

The first touch is sales' entry queue. It is an M/M/c queue (Erlang C) when leads arrive as one
Poisson stream and reach sales at once, the reps work only first touches from one shared queue in
exponential times around the clock, first come first served, and nobody comes back; with the
auto-release timer enforced as exponential patience (``policy.sla.auto_release.patience``), pool
claims and wake-up off, it is M/M/c+M (Erlang A). Every other stage is fed by earlier stages,
nurture or customers, so no Poisson stream the scenario sets arrives there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Iterable

import pandas as pd

from simcoord.kpis.queueing import QueueTheory, mmc, mmc_abandonment
from simcoord.vocabulary import HOURS_PER_WEEK

if TYPE_CHECKING:
    from simcoord.scenario.schema import Scenario

ENTRY_QUEUE = "first_touch"
FED_BY_EARLIER_STAGES = "no: fed by earlier stages, nurture or customers"


def _flat(profile: Iterable[float]) -> bool:
    return len(set(profile)) <= 1


def _poisson_arrivals(s: "Scenario") -> bool:
    demand = s.demand
    return _flat(demand.weekly_profile) and _flat(demand.seasonal_profile) and not demand.campaigns


def _handed_over_on_arrival(s: "Scenario") -> bool:
    """Every lead is an MQL at birth, handed over at once: no threshold, noise, review or batches."""
    m, incentives = s.marketing, s.policy.incentives
    threshold = m.mql_threshold + incentives.quality_threshold_shift * incentives.marketing["lead_contribution"]
    reviewed = m.qualification_hours.expected > 0 and s.organisation.marketing.staff > 0
    return threshold <= 0 and m.scoring_noise_sd == 0 and not reviewed and s.policy.information.mode == "platform"


def _one_shared_queue(s: "Scenario") -> bool:
    routing = s.policy.routing
    return routing.mode == "pooled" and not (routing.key_account_routing and s.organisation.key_account_staff)


def _first_come_first_served(s: "Scenario") -> bool:
    incentives = s.policy.incentives
    return incentives.value_priority_hours * incentives.sales["own_revenue"] == 0 and \
        incentives.sla_priority_hours * incentives.sales["sla_speed"] == 0


def _no_lead_qualifies(s: "Scenario") -> bool:
    return max(s.funnel.qualification.values()) == 0 and not s.policy.triggers.enabled


def _reps_only_touch_first(s: "Scenario") -> bool:
    """No funnel stage work, feedback notes or meetings take the reps away from first touches."""
    incentives = s.policy.incentives
    notes = incentives.sales["collaboration"] * incentives.feedback_probability_per_weight > 0
    meetings = any(meeting.attendees.get("sales", 0) for meeting in s.policy.meetings)
    return _no_lead_qualifies(s) and not notes and not meetings


def _nobody_returns(s: "Scenario") -> bool:
    """No lead comes back to sales: no recycling, claims, wake-ups, pool reviews or new leads of customers."""
    sla = s.policy.sla
    pooled = sla.auto_release.enforced or sla.stage_dwell.enforced
    reviews = any("pool_review" in meeting.syncs for meeting in s.policy.meetings)
    leave_pool = sla.pool_claim_probability > 0 or sla.wake_up.enabled or reviews
    recycled = s.marketing.recycle_lost and s.marketing.max_recycles > 0
    customers = s.service.repurchase_probability > 0 or s.service.referral_probability > 0
    return not recycled and not (pooled and leave_pool) and (_no_lead_qualifies(s) or not customers)


def _patience_is_exponential(s: "Scenario") -> bool:
    rule = s.policy.sla.auto_release
    return not rule.enforced or (rule.patience is not None and rule.patience.dist == "exponential"
                                 and rule.patience.expected > 0)


#: What makes the first touch a textbook queue (see the module's docstring), each with a short
#: name of what fails.
CONDITIONS: tuple[tuple[Callable[["Scenario"], bool], str], ...] = (
    (lambda s: s.calendar.always_open, "office hours"),
    (_poisson_arrivals, "arrival rate varies (week, season, campaigns)"),
    (_handed_over_on_arrival, "hand-over after nurture or in batches"),
    (lambda s: s.funnel.first_touch_hours.dist == "exponential", "work time not exponential"),
    (_one_shared_queue, "not one shared queue"),
    (_first_come_first_served, "not first come, first served"),
    (_reps_only_touch_first, "reps do other work too"),
    (_nobody_returns, "leads return to sales"),
    (_patience_is_exponential, "auto-release is not an exponential patience"),
)


def why_not_textbook(scenario: "Scenario") -> list[str]:
    """Why the first touch is not an M/M/c(+M) queue in ``scenario`` (empty: it is one)."""
    reasons = [reason for holds, reason in CONDITIONS if not holds(scenario)]
    if not reasons and _servers(scenario) == 0:
        reasons.append("no reps")
    return reasons


def entry_queue_theory(scenario: "Scenario") -> tuple[str, QueueTheory | None]:
    """("Erlang C" or "Erlang A", its values) for the first touch, or ("no: " and why not, None)."""
    reasons = why_not_textbook(scenario)
    if reasons:
        return "no: " + "; ".join(reasons), None
    servers, rule = _servers(scenario), scenario.policy.sla.auto_release
    arrivals = sum(channel.leads_per_week for channel in scenario.demand.channels.values()) / HOURS_PER_WEEK
    service = scenario.funnel.first_touch_hours.expected
    if rule.enforced:
        return "Erlang A", mmc_abandonment(servers, arrivals, service, rule.patience.expected)
    if arrivals * service >= servers:
        return "no: offered load at or above the reps (no steady state)", None
    return "Erlang C", mmc(servers, arrivals, service)


def stage_theory(scenario: "Scenario", stages: Iterable[str]) -> pd.DataFrame:
    """Per stage, ``theory`` (the model's name, or "no: " and why none applies) and the theory's
    :class:`QueueTheory` values (NaN where none applies)."""
    name, values = entry_queue_theory(scenario)
    rows = {stage: {"theory": FED_BY_EARLIER_STAGES} for stage in stages}
    if ENTRY_QUEUE in rows:
        rows[ENTRY_QUEUE] = {"theory": name, **(values._asdict() if values else {})}
    columns = ["theory", *QueueTheory._fields]
    return pd.DataFrame.from_dict(rows, orient="index").reindex(columns=columns).rename_axis("stage")


def _servers(scenario: "Scenario") -> int:
    org, routing = scenario.organisation, scenario.policy.routing
    return org.sales.staff - (org.key_account_staff if routing.key_account_routing else 0)
