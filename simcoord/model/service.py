"""Service: onboarding, support tickets with a response SLA, satisfaction, and the
feedback loop into marketing (repurchase and referral leads) or out (churn).

Processes: ``onboard``, ``raise_tickets``, ``answer_ticket``, ``review_account``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Generator

from simcoord.model import disputes, incentives
from simcoord.model.entities import Customer, Lead, Order
from simcoord.model.work import work
from simcoord.vocabulary import HOURS_PER_DAY, HOURS_PER_MONTH

if TYPE_CHECKING:
    from simcoord.model.world import World

DEPARTMENT = "service"


def churn_probability(satisfaction: float, base: float, dissatisfaction_factor: float) -> float:
    """Chance a customer leaves at a review: the base rate plus a share of their dissatisfaction."""
    return min(1.0, base + dissatisfaction_factor * (1 - satisfaction))


def onboard(model: "World", lead: Lead, order: Order, late: bool) -> Generator:
    """A delivered order becomes (or renews) a customer: onboarding, then tickets and reviews."""
    spec = model.scenario.service
    satisfaction = spec.initial_satisfaction - (spec.late_delivery_penalty if late else 0.0)
    customer = Customer(id=next(model.ids), lead=lead.id, tier=lead.tier, value=lead.value,
                        satisfaction=max(0.0, satisfaction))
    hours = model.samplers["service.onboarding_hours"](model.streams["duration.onboarding"])
    yield from work(model, customer.id, "customer", "onboarding", hours, model.teams["service"],
                    priority=incentives.onboarding_priority(model.scenario.policy.incentives),
                    lead=lead.id, order=order.id)
    model.log.record(customer.id, "customer", model.env.now, "onboarded", DEPARTMENT, None,
                     satisfaction=round(customer.satisfaction, 3))
    model.env.process(raise_tickets(model, customer))
    model.env.process(review_account(model, customer))


def raise_tickets(model: "World", customer: Customer) -> Generator:
    """Poisson support tickets over the customer's life."""
    rate = model.scenario.service.tickets_per_customer_month / HOURS_PER_MONTH
    if rate <= 0:
        return
    rng = model.streams["arrivals.tickets"]
    while True:
        yield model.env.timeout(rng.exponential(1 / rate))
        if not customer.active:
            return
        model.env.process(answer_ticket(model, customer))


def answer_ticket(model: "World", customer: Customer) -> Generator:
    """First response by a service agent; a late response costs satisfaction."""
    spec = model.scenario.service
    env = model.env
    ticket = next(model.ids)
    opened = env.now
    model.log.record(ticket, "ticket", opened, "ticket_opened", DEPARTMENT, None, customer=customer.id)
    hours = model.samplers["service.ticket_work_hours"](model.streams["duration.ticket"])
    staff, started = yield from work(model, ticket, "ticket", "ticket_response", hours, model.teams["service"],
                                     priority=incentives.ticket_priority(model.scenario.policy.incentives),
                                     customer=customer.id)
    yield from disputes.open_dispute(model, ticket, "ticket", "complaint",
                                     model.scenario.policy.disputes.complaint_probability, customer.value)
    late = started - opened > spec.response_sla_hours
    if late:
        customer.satisfaction = max(0.0, customer.satisfaction - spec.late_response_penalty)
    else:
        customer.satisfaction = min(1.0, customer.satisfaction + spec.on_time_response_gain)
    model.log.record(ticket, "ticket", env.now, "ticket_resolved", DEPARTMENT, staff,
                     customer=customer.id, late=late, satisfaction=round(customer.satisfaction, 3))


def review_account(model: "World", customer: Customer) -> Generator:
    """Every review interval the customer stays or churns, and may repurchase or refer."""
    spec = model.scenario.service
    env = model.env
    rng = model.streams["outcome.review"]
    while True:
        yield env.timeout(spec.review_interval_days * HOURS_PER_DAY)
        churn, repurchase, referral = rng.random(), rng.random(), rng.random()
        if churn < churn_probability(customer.satisfaction, spec.churn_probability, spec.churn_dissatisfaction_factor):
            customer.active = False
            model.log.record(customer.id, "customer", env.now, "churned", DEPARTMENT, None,
                             satisfaction=round(customer.satisfaction, 3))
            return
        if repurchase < spec.repurchase_probability * customer.satisfaction:
            model.log.record(customer.id, "customer", env.now, "repurchase", DEPARTMENT, None)
            model.handoffs.to_marketing("repurchase", grade=spec.repurchase_grade, tier=customer.tier,
                                        conversion_multiplier=spec.repurchase_conversion_multiplier)
        if referral < spec.referral_probability * customer.satisfaction:
            model.log.record(customer.id, "customer", env.now, "referral", DEPARTMENT, None)
            model.handoffs.to_marketing("referral", grade=spec.referral_grade,
                                        conversion_multiplier=spec.referral_conversion_multiplier)
