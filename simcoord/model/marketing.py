"""Marketing: lead arrivals, nurture, scoring, wake-up sequences and the MQL hand-over.

Processes: ``generate_leads`` (one per channel), ``run_campaign``, ``nurture``,
``wake_up``, ``hand_over``, and ``enter_sales`` for a company without nurture. Scoring rules are small pure functions. Leads come back here
from the other departments through the model's hand-offs: ``recycle`` (lost or invalid),
``wake_from_pool`` (left unclaimed in the public pool), ``create_lead`` (repurchase, referral).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Callable, Generator, NamedTuple

from simcoord.model import incentives
from simcoord.model.demand_variation import vary_by_week
from simcoord.model.entities import GRADE_ORDER, GRADE_RANK, GRADE_SCORES, Lead
from simcoord.model.work import work
from simcoord.vocabulary import HOURS_PER_DAY, HOURS_PER_WEEK, NEVER

if TYPE_CHECKING:
    import numpy as np

    from simcoord.model.world import World
    from simcoord.scenario.schema import DemandSpec

DEPARTMENT = "marketing"
WAKE_UP_CHANNELS = ("email", "sms", "call")


# ----------------------------------------------------------------- pure rules
def intensity(demand: "DemandSpec", start_date: dt.date, t: float) -> float:
    """Relative arrival intensity at clock hour ``t``: the weekday's and the calendar month's
    factors (each profile normalised to mean 1)."""
    date = start_date + dt.timedelta(days=int(t // HOURS_PER_DAY))
    weekly, seasonal = demand.weekly_profile, demand.seasonal_profile
    seasonal_factor = seasonal[date.month - 1] * 12 / sum(seasonal) if sum(seasonal) > 0 else 0.0
    return weekly[date.weekday()] * 7 / sum(weekly) * seasonal_factor


def hourly_factors(demand: "DemandSpec") -> list[float] | None:
    """The hour-of-day profile normalised to mean 1, per hour of the local day 0..23 (None: flat)."""
    hourly = demand.hourly_profile
    return None if hourly is None else [weight * HOURS_PER_DAY / sum(hourly) for weight in hourly]


def daily_intensity(demand: "DemandSpec", start_date: dt.date, days: int) -> list[float]:
    """:func:`intensity` for each of ``days`` days (the profiles change only at midnight)."""
    return [intensity(demand, start_date, day * HOURS_PER_DAY) for day in range(days)]


def behaviour_score(grade: str, days_since_interaction: float, validity_days: float) -> float:
    """Marketing's behaviour score (0-100): the grade's score, halved once the score is stale."""
    score = GRADE_SCORES[grade]
    return score if days_since_interaction <= validity_days else score / 2


def combined_score(behaviour: float, sales: float, behaviour_weight: float) -> float:
    """The brief's combined score: behaviour vs sales interaction data, 6:4 by default."""
    return behaviour_weight * behaviour + (1 - behaviour_weight) * sales


def engage_probability(grade: str) -> float:
    """Chance that a nurture touch gets a response (opens, clicks, visits), rising with grade."""
    return 0.15 + 0.12 * (GRADE_RANK[grade] - 1)


ENGAGE_PROBABILITY = {grade: engage_probability(grade) for grade in GRADE_ORDER}  # looked up at every nurture touch


# ----------------------------------------------------------------- processes
def generate_leads(model: "World", channel: str) -> Generator:
    """Non-homogeneous Poisson arrivals by thinning (leads arrive around the clock): the rate is
    ``leads_per_week`` x the weekday's, the month's and the hour's factor (each of mean 1).
    Candidates are drawn ahead in clock time; only accepted ones are waited for, one event each."""
    spec = model.scenario.demand
    base_rate = spec.channels[channel].leads_per_week / HOURS_PER_WEEK
    by_hour = hourly_factors(spec)
    peak_rate = peak_arrival_rate(spec, base_rate)
    if by_hour is not None:
        peak_rate *= max(by_hour)
    if peak_rate <= 0:
        return
    rng = model.streams[f"arrivals.{channel}"]
    by_day = daily_intensity(spec, model.scenario.calendar.start_date, int(model.days) + 1)
    by_day, peak_rate = vary_by_week(model, channel, by_day, peak_rate)
    now, horizon = model.env.now, model.days * HOURS_PER_DAY
    while True:  # a rejected candidate needs no event: only an arrival is waited for
        now += rng.exponential(1 / peak_rate)
        if now >= horizon:  # (also a rate too small to draw a finite gap from)
            return
        rate = base_rate * by_day[min(int(now // HOURS_PER_DAY), len(by_day) - 1)]
        if by_hour is not None:  # no factor at all when flat: the same arithmetic as without a profile
            rate *= by_hour[int(now % HOURS_PER_DAY) % 24]
        if rng.random() * peak_rate <= rate:
            yield model.env.timeout(now - model.env.now)
            create_lead(model, channel)


def peak_arrival_rate(demand: "DemandSpec", base_rate: float) -> float:
    """``base_rate`` (leads per hour) x the largest weekday and month factors (each profile
    normalised to mean 1): the bound that thinning draws candidates at, before the hour's factor."""
    weekly_peak = max(demand.weekly_profile) * 7 / sum(demand.weekly_profile)
    seasonal_total = sum(demand.seasonal_profile)
    seasonal_peak = max(demand.seasonal_profile) * 12 / seasonal_total if seasonal_total > 0 else 0.0
    return base_rate * weekly_peak * seasonal_peak


def run_campaign(model: "World", index: int) -> Generator:
    """A one-off event: Poisson(extra_leads) leads spread uniformly over its days."""
    campaign = model.scenario.demand.campaigns[index]
    rng = model.streams[f"arrivals.campaign.{index}"]
    start = campaign.start_day * HOURS_PER_DAY
    times = sorted(start + rng.uniform(0, campaign.duration_days * HOURS_PER_DAY, rng.poisson(campaign.extra_leads)))
    for t in times:
        yield model.env.timeout(t - model.env.now)
        create_lead(model, campaign.channel, campaign=campaign.name)


def create_lead(model: "World", channel: str, campaign: str | None = None,
                grade: str | None = None, tier: str | None = None, conversion_multiplier: float | None = None) -> Lead:
    """Draw a new lead's profile from its channel's attribute stream, log it and start nurturing."""
    mix = model.scenario.lead_mix
    rng = model.streams[f"attributes.{channel}"]
    channel_spec = model.scenario.demand.channels.get(channel)
    grade_shares = (channel_spec.grade_shares if channel_spec and channel_spec.grade_shares else mix.grade_shares)
    drawn_tier = model.choose(rng, mix.tier_shares)
    drawn_grade = model.choose(rng, grade_shares)
    industry = model.choose(rng, model.industry_shares)
    value = model.samplers["lead_mix.deal_value"](rng) * mix.tier_value_multiplier[tier or drawn_tier]
    lead = Lead(
        id=next(model.ids), channel=channel, tier=tier or drawn_tier, grade=grade or drawn_grade,
        industry=industry, value=value,
        conversion_multiplier=conversion_multiplier if conversion_multiplier is not None
        else (channel_spec.conversion_multiplier if channel_spec else 1.0),
        campaign=campaign, last_interaction_at=model.env.now,
    )
    model.log.record(lead.id, "lead", model.env.now, "created", DEPARTMENT, None, channel=channel,
                     tier=lead.tier, grade=lead.grade, industry=industry, value=round(value, 2),
                     campaign=campaign)
    if model.scenario.marketing.nurture:
        start_nurture(model, lead)
    else:
        model.env.process(model.handoffs.to_entry(lead))
    return lead


def observed_score(model: "World", lead: Lead, now: float | None = None) -> float:
    """Marketing's noisy reading of the lead's combined score at clock ``now`` (default: now)."""
    validity = model.score_validity_days[lead.industry]
    days_idle = ((model.env.now if now is None else now) - lead.last_interaction_at) / HOURS_PER_DAY
    true_score = combined_score(behaviour_score(lead.grade, days_idle, validity), lead.sales_score,
                                model.scenario.marketing.behaviour_weight)
    noise_sd = model.coordination.scoring_noise_sd()
    return true_score + (model.streams["scoring"].normal(0.0, noise_sd) if noise_sd > 0 else 0.0)


def true_score_reader(model: "World", lead: Lead) -> Callable[[float], float]:
    """The lead's combined score without marketing's scoring error (:func:`observed_score` less its
    noise) at a clock time, as its grade, last interaction and sales score then make it: the rules
    of its industry and company read once, for the many readings of a stay in nurture."""
    validity, weight = model.score_validity_days[lead.industry], model.scenario.marketing.behaviour_weight

    def true_score(now: float) -> float:
        days_idle = (now - lead.last_interaction_at) / HOURS_PER_DAY
        return combined_score(behaviour_score(lead.grade, days_idle, validity), lead.sales_score, weight)
    return true_score


def start_nurture(model: "World", lead: Lead) -> None:
    """The lead enters nurture now. Where its touches cannot change (see :func:`plan_nurture`), its
    stay is worked out ahead and it gets a process only if a reading of its score may hand it over
    (none if it goes dormant or is still nurtured at the horizon); otherwise its :func:`nurture`
    process goes touch by touch."""
    threshold = incentives.mql_threshold(model.scenario.marketing.mql_threshold, model.scenario.policy.incentives)
    score = observed_score(model, lead)
    if score >= threshold:  # handed over at once: no nurture at all
        model.env.process(hand_over(model, lead, score))
        return
    if not model.coordination.grade_up_fixed(lead):
        model.env.process(nurture(model, lead, score))
        return
    planned = plan_nurture(model, lead, threshold)
    if planned is not None:
        model.env.process(nurture_ahead(model, lead, threshold, planned))


def nurture(model: "World", lead: Lead, score: float | None = None) -> Generator:
    """Score the lead; hand it over once it crosses the MQL threshold, else keep nurturing.

    A lead with no interaction for ``no_interaction_days`` gets the wake-up sequence. When nothing
    can change its touches (``Coordination.grade_up_fixed``), they are worked out ahead and logged
    ahead of their time (:func:`plan_nurture`): one SimPy event for each reading of its score that
    may hand it over, not one a touch.
    """
    threshold = incentives.mql_threshold(model.scenario.marketing.mql_threshold, model.scenario.policy.incentives)
    if score is None:  # else read as it entered (start_nurture)
        score = observed_score(model, lead)
    if score < threshold:
        if model.coordination.grade_up_fixed(lead):
            yield from nurture_ahead(model, lead, threshold, plan_nurture(model, lead, threshold))
            return
        score = yield from nurture_live(model, lead, threshold)
        if score is None:
            return
    yield from hand_over(model, lead, score)


def nurture_ahead(model: "World", lead: Lead, threshold: float, planned: PlannedReading | None) -> Generator:
    """A lead whose touches are worked out ahead waits for each reading of its score that may hand
    it over (:func:`plan_nurture`), reads its score there with the scoring error of that time, and
    is handed over, or worked out on from there."""
    while planned is not None:
        at, error_draw, sure = planned
        yield model.env.timeout(at - model.env.now)
        score = true_score_reader(model, lead)(at) + model.coordination.scoring_noise_sd() * error_draw
        if sure or score >= threshold:
            yield from hand_over(model, lead, score)
            return
        planned = plan_nurture(model, lead, threshold)


class NurtureTouch:
    """One nurture touch of a lead (the rules of one stay in nurture, read once), its row written
    by ``record`` (the log's ``record``, or ``record_ahead`` for a touch worked out in advance)."""

    def __init__(self, model: "World", record: Callable[..., None]) -> None:
        spec, wake_up_rule = model.scenario.marketing, model.scenario.policy.sla.wake_up
        self.model, self.record = model, record
        self.wake_after_days = wake_up_rule.no_interaction_days if wake_up_rule.enabled else NEVER
        self.sample_interval = model.samplers["marketing.nurture_interval_days"]
        self.rng_interval, self.rng_grade = model.streams["nurture.interval"], model.streams["nurture.response"]
        self.grade_down = spec.grade_down_probability
        self.write_nurtured = (model.log.writer_ahead("lead", "nurtured", DEPARTMENT, "grade", "engaged")
                               if record == model.log.record_ahead else self._record_nurtured)

    def _record_nurtured(self, lead_id: int, now: float, staff: None, grade: str, engaged: bool) -> None:
        self.record(lead_id, "lead", now, "nurtured", DEPARTMENT, staff, grade=grade, engaged=engaged)

    def interval_hours(self) -> float:
        """Clock hours to the next touch."""
        return self.sample_interval(self.rng_interval) * HOURS_PER_DAY

    def touch(self, lead: Lead, now: float) -> bool:
        """The touch at clock ``now``: the lead may engage (and grade up) or cool down (and grade
        down). True when a behaviour trigger hands it over at once (then no ``nurtured`` row)."""
        engaged = self.rng_grade.random() < ENGAGE_PROBABILITY[lead.grade]
        step = self.rng_grade.random()
        if engaged:
            lead.last_interaction_at = now
            if step < self.model.coordination.grade_up_probability(lead) and lead.grade != "L5":
                lead.grade = GRADE_ORDER[GRADE_RANK[lead.grade]]
            if pricing_page_trigger(self.model, lead, now, self.record):
                return True
        elif step < self.grade_down and lead.grade != "L1":
            lead.grade = GRADE_ORDER[GRADE_RANK[lead.grade] - 2]
        self.write_nurtured(lead.id, now, None, lead.grade, engaged)
        return False

    def idle_too_long(self, lead: Lead, now: float) -> bool:
        """Has the lead been idle for the wake-up rule's days at ``now``?"""
        return (now - lead.last_interaction_at) / HOURS_PER_DAY >= self.wake_after_days


class PlannedReading(NamedTuple):
    """A reading of a lead's score worked out ahead: at clock ``at``, the true score then plus the
    scoring error's sd then times ``error_draw`` (a standard normal draw from ``scoring``, 0 when
    scoring has no error); ``sure``: it hands the lead over whatever that sd is."""

    at: float
    error_draw: float
    sure: bool


def plan_nurture(model: "World", lead: Lead, threshold: float) -> PlannedReading | None:
    """The lead's stay in nurture from now, worked out ahead up to the first reading of its score
    that may hand it over, its rows (touches, wake-up attempts, dormancy) written ahead; None when it
    goes dormant or the horizon comes first (no row is written at or past the horizon).

    Only the scoring error can change meanwhile (when feedback notes reach scoring), so what its
    touches do is known now (``Coordination.grade_up_fixed``), and a reading hands the lead over for
    sure, maybe, or surely not, as its score crosses the threshold for every, some or none of the
    errors the sd may have by then (``Coordination.scoring_noise_range``; one value, and so never
    "maybe", when no feedback reaches scoring: the whole stay is worked out at once)."""
    touches, now, horizon = NurtureTouch(model, model.log.record_ahead), model.env.now, model.days * HOURS_PER_DAY
    true_score = true_score_reader(model, lead)
    least_sd, most_sd = model.coordination.scoring_noise_range()
    normal = model.streams["scoring"].normal
    interval, rng_interval, touch = touches.sample_interval, touches.rng_interval, touches.touch
    wake_after_days = touches.wake_after_days
    while True:
        now += interval(rng_interval) * HOURS_PER_DAY
        if now >= horizon:
            return None
        if touch(lead, now):  # a behaviour trigger hands it over whatever its score
            return PlannedReading(now, normal(0.0, 1.0) if most_sd > 0 else 0.0, True)
        if (now - lead.last_interaction_at) / HOURS_PER_DAY >= wake_after_days:  # idle too long: wake-up
            now = plan_wake_up(model, lead, now, horizon)
            if now is None:
                return None
        error_draw = normal(0.0, 1.0) if most_sd > 0 else 0.0
        score = true_score(now)
        if score + (most_sd if error_draw > 0 else least_sd) * error_draw >= threshold:  # its highest reading
            lowest = score + (least_sd if error_draw > 0 else most_sd) * error_draw
            return PlannedReading(now, error_draw, lowest >= threshold)


def nurture_live(model: "World", lead: Lead, threshold: float) -> Generator:
    """Touch by touch, one SimPy event each (what nurture reads may change meanwhile): the score
    at hand-over, or None when the lead went dormant."""
    touches, env = NurtureTouch(model, model.log.record), model.env
    while True:
        yield env.timeout(touches.interval_hours())
        if touches.touch(lead, env.now):
            return observed_score(model, lead)
        if touches.idle_too_long(lead, env.now) and not (yield from wake_up(model, lead)):
            return None
        score = observed_score(model, lead)
        if score >= threshold:
            return score


def wake_up(model: "World", lead: Lead) -> Generator:
    """Automatic wake-up sequence (email, SMS, call). Returns True if the lead re-engaged;
    after ``attempts`` failures the lead is dormant."""
    env = model.env
    rule = model.scenario.policy.sla.wake_up
    rng = model.streams["wake_up"]
    for attempt in range(rule.attempts):
        yield env.timeout(rule.attempt_interval_days * HOURS_PER_DAY)
        if wake_up_attempt(model, lead, attempt, env.now, rng, model.log.record):
            return True
    model.log.record(lead.id, "lead", env.now, "dormant", DEPARTMENT, None, reason="wake_up_failed")
    return False


def plan_wake_up(model: "World", lead: Lead, start: float, horizon: float) -> float | None:
    """The wake-up sequence from clock ``start``, worked out at once, rows written ahead: the
    clock time the lead re-engaged, or None (dormant, or the horizon came first)."""
    rule, rng = model.scenario.policy.sla.wake_up, model.streams["wake_up"]
    now = start
    for attempt in range(rule.attempts):
        now += rule.attempt_interval_days * HOURS_PER_DAY
        if now >= horizon:
            return None
        if wake_up_attempt(model, lead, attempt, now, rng, model.log.record_ahead):
            return now
    model.log.record_ahead(lead.id, "lead", now, "dormant", DEPARTMENT, None, reason="wake_up_failed")
    return None


def wake_up_attempt(model: "World", lead: Lead, attempt: int, now: float, rng: "np.random.Generator",
                    record: Callable[..., None]) -> bool:
    """Wake-up attempt number ``attempt`` (from 0) at clock ``now``: True if the lead answered."""
    success = rng.random() < model.scenario.policy.sla.wake_up.success_probability
    record(lead.id, "lead", now, "wake_up_attempt", DEPARTMENT, None,
           channel=WAKE_UP_CHANNELS[attempt % len(WAKE_UP_CHANNELS)], success=success)
    if success:
        lead.last_interaction_at = now
    return success


def pricing_page_trigger(model: "World", lead: Lead, now: float, record: Callable[..., None]) -> bool:
    """Behaviour trigger: repeated pricing-page visits make the lead hot (at least L4) and hand it
    over at once; sales accepts it as an SQL at first touch. Its row at clock ``now``, by ``record``."""
    rule = model.scenario.policy.triggers
    if not rule.enabled:
        return False
    if model.streams["triggers"].random() < rule.pricing_visit_probability * lead.grade_rank / 5:
        lead.extras["pricing_visits"] = lead.extras.get("pricing_visits", 0) + 1
    if lead.extras.get("pricing_visits", 0) < rule.visits_to_trigger:
        return False
    lead.extras["pricing_visits"] = 0
    lead.extras["triggered"] = True  # sales accepts it as an SQL at first touch
    if lead.grade_rank < 4:
        lead.grade = "L4"
    record(lead.id, "lead", now, "behaviour_trigger", DEPARTMENT, None, grade=lead.grade)
    return True


def hand_over(model: "World", lead: Lead, score: float) -> Generator:
    """A marketer reviews the scored lead and hands it to sales as an MQL (no marketers, or no
    review time: an automated hand-over, which draws no review time)."""
    marketers = model.teams["marketing"]
    hours = model.samplers["marketing.qualification_hours"](model.streams["duration.qualification"]) \
        if len(marketers) else 0.0
    if hours > 0:
        yield from work(model, lead.id, "lead", "qualification", hours, marketers)
    yield from reach_screen(model, lead)
    if become_mql(model, lead, score=round(score, 1)):
        wait = model.coordination.hand_over_wait(lead)
        if wait is not None:
            yield model.env.timeout(wait)
        yield from model.handoffs.to_sales(lead)  # the lead's process goes on in sales


def enter_sales(model: "World", lead: Lead) -> Generator:
    """Without nurture: a new (or woken) lead is handed to sales at once, through the automatic
    screen if the funnel has one; no marketer reviews it and no hand-over batch holds it."""
    yield from reach_screen(model, lead)
    if become_mql(model, lead):
        yield from model.handoffs.to_sales(lead)


def reach_screen(model: "World", lead: Lead) -> Generator:
    """Wait until the screen decides the lead: at once, unless it is one the screen leaves to its
    reviewers and they are not at work (no event at all when there is nothing to wait for)."""
    wait = model.handoffs.screen_wait(lead)
    if wait > 0:
        yield model.env.timeout(wait)


def become_mql(model: "World", lead: Lead, **attrs: object) -> bool:
    """The lead passes the automatic screen (if any) and is logged as an MQL, its SLA timers
    starting now; False if the screen declined it (it is discarded there)."""
    if not model.handoffs.to_screen(lead):
        return False
    lead.handed_over_at = lead.timers_from = model.env.now
    lead.qualified = False
    model.log.record(lead.id, "lead", model.env.now, "mql", DEPARTMENT, None, **attrs, grade=lead.grade)
    return True


def recycle(model: "World", lead: Lead, reason: str) -> bool:
    """Send a lost or invalid lead back to nurture (True) or discard it for good (False): always
    discarded when the company has no nurture."""
    spec = model.scenario.marketing
    if spec.nurture and spec.recycle_lost and lead.recycles < spec.max_recycles:
        lead.recycles += 1
        lead.stage_index = 0
        lead.owner = None
        model.coordination.recycled_waiting.add(lead.id)
        model.log.record(lead.id, "lead", model.env.now, "recycled", DEPARTMENT, None, reason=reason)
        start_nurture(model, lead)
        return True
    model.log.record(lead.id, "lead", model.env.now, "discarded", DEPARTMENT, None, reason=reason)
    return False


def wake_from_pool(model: "World", lead: Lead) -> Generator:
    """A lead left unclaimed in the public pool gets the wake-up sequence; if it re-engages, it
    starts again from the first stage: in nurture, or (without nurture) at the entrance of sales."""
    if (yield from wake_up(model, lead)):
        lead.stage_index = 0
        model.log.record(lead.id, "lead", model.env.now, "recycled", DEPARTMENT, None, reason="woken_from_pool")
        model.env.process(model.handoffs.to_entry(lead))
