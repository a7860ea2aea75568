"""Incentive weights turned into behaviour: small pure rules, documented in
``IncentiveSpec``, so each can be tested without a simulation."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from simcoord.scenario.schema import IncentiveSpec


def mql_threshold(base_threshold: float, incentives: "IncentiveSpec") -> float:
    """Marketing qualifies more strictly the more it is paid on lead contribution (0-100 scale)."""
    shift = incentives.quality_threshold_shift * incentives.marketing["lead_contribution"]
    return min(100.0, base_threshold + shift)


def queue_priority(waiting_since: float, value_ratio: float, hot: bool, incentives: "IncentiveSpec") -> float:
    """A rep's queue key in hours (lower is served first): first come first served, with
    high expected value and hot leads moved ahead by what the rep is paid on."""
    weights = incentives.sales
    jump = incentives.value_priority_hours * weights["own_revenue"] * value_ratio
    if hot:
        jump += incentives.sla_priority_hours * weights["sla_speed"]
    return waiting_since - jump


def feedback_probability(incentives: "IncentiveSpec") -> float:
    """Chance a rep writes marketing a feedback note after an invalid or lost lead."""
    return min(1.0, incentives.sales["collaboration"] * incentives.feedback_probability_per_weight)


def batch_units(base_units: float, incentives: "IncentiveSpec") -> float:
    """Cost-weighted production runs larger batches, delivery-weighted smaller ones."""
    weights = incentives.production
    return max(1.0, base_units * (1 + incentives.batch_scale * (weights["unit_cost"] - weights["on_time_delivery"])))


def ticket_priority(incentives: "IncentiveSpec") -> float:
    """Service's queue key for tickets: the more agents are paid on response speed, the sooner."""
    return -incentives.service["response_speed"]


def onboarding_priority(incentives: "IncentiveSpec") -> float:
    """Service's queue key for onboarding: the more agents are paid on resolution, the sooner."""
    return -incentives.service["resolution"]

