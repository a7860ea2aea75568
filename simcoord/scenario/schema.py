"""Scenario schema: typed, validated, immutable configuration with the domain brief's defaults.

Units are in the field names: ``*_hours`` (clock hours unless documented as working
hours), ``*_days`` (calendar days), ``*_per_week``, ``*_cost`` (currency). Every
field has a default, so an empty file is today's weakly coordinated company.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import zoneinfo
from bisect import bisect_left
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from simcoord.scenario.distributions import Distribution, exponential, lognormal, triangular
from simcoord.scenario.limits import MAX_HEAD_COUNT, FieldProblem, check_magnitudes, holds_bool, is_number_type
from simcoord.vocabulary import CLOSING, DEPARTMENTS, GRADES, HOURS_PER_WEEK, LEAD_ACTIVITIES, LOST

#: Activities a lead's rows in the event log already use (and the closing name that ``advanced`` rows
#: give after the last stage): a funnel stage named like one would make the log ambiguous.
LEAD_ACTIVITY_NAMES = (*LEAD_ACTIVITIES, CLOSING)
# pydantic needs literal choices; a test holds each to its tuple in simcoord.vocabulary.
Grade = Literal["L1", "L2", "L3", "L4", "L5"]
Tier = Literal["enterprise", "mid_market", "small"]
Department = Literal["marketing", "sales", "production", "service"]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
SHARE_TOLERANCE = 1e-6
Fraction = Annotated[float, Field(ge=0, le=1)]  # a share, probability or weight
NonNegative = Annotated[float, Field(ge=0)]
HeadCount = Annotated[int, Field(ge=0, le=MAX_HEAD_COUNT)]


class Spec(BaseModel):
    """Base for every scenario section: unknown keys are errors; values are immutable and finite."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    @field_validator("*", mode="before")
    @classmethod
    def _no_true_for_a_number(cls, value: object, info: ValidationInfo) -> object:
        """YAML's ``true``/``false`` would pass as 1/0 where a number belongs: a typo, not a number."""
        field = cls.model_fields.get(info.field_name or "")
        if field is not None and is_number_type(field.annotation) and holds_bool(value):
            raise ValueError("expected a number, got true/false")
        return value

    @model_validator(mode="after")
    def _finite_and_sane(self) -> "Spec":
        check_magnitudes({name: getattr(self, name) for name in type(self).model_fields})
        return self


def _check_shares(shares: dict[str, float], what: str) -> None:
    total = sum(shares.values())
    if abs(total - 1.0) > SHARE_TOLERANCE:
        raise ValueError(f"{what} must sum to 1 (they sum to {total:g})")


# --------------------------------------------------------------------------- calendar
#: Beyond any planning horizon, and early enough that the longest run (``model.MAX_DAYS``) stays
#: within the dates Python can represent.
LATEST_START_DATE = dt.date(2999, 12, 31)


HourOfDay = Annotated[float, Field(ge=0, le=24)]
#: ``[start, end]``: working hours of one day, in hours of the local day (0-24, start < end).
HourWindow = tuple[HourOfDay, HourOfDay]
WEEK_HOURS_DESCRIPTION = (
    "working hours per weekday, e.g. {sat: [8, 17]}: [start, end] in hours of the local day (0-24); "
    "a working day not listed works day_start_hour to day_end_hour; every day listed must be a working day")


def two_hours_each(hours: object) -> object:
    """Refuse a weekday's hours that are not ``[start, end]`` before the type check, whose message
    ("Field required" at index 1) would not say what is expected."""
    if isinstance(hours, dict):
        for weekday, window in hours.items():
            if not isinstance(window, (list, tuple)) or len(window) != 2:
                raise FieldProblem(str(weekday), f"needs [start, end] in hours of the local day, got {window!r}")
    return hours


def check_week(working_days: tuple[str, ...], day_start_hour: float, day_end_hour: float,
               hours: dict[str, tuple[float, float]] | None, always_open: bool) -> None:
    """Raise if a working week has no working time or a weekday's hours make no sense; the
    error names the field (relative to the calendar)."""
    if always_open:
        return
    if not working_days or day_end_hour <= day_start_hour:
        raise ValueError("calendar has no working time (need working_days and day_end_hour > day_start_hour)")
    for weekday, (start, end) in (hours or {}).items():
        if weekday not in working_days:
            raise FieldProblem(f"hours.{weekday}", f"{weekday} is not in working_days (add it there, or drop its hours)")
        if end <= start:
            raise FieldProblem(f"hours.{weekday}", f"[{start:g}, {end:g}] ends before it starts (need start < end)")


def check_time_zone(zone: str) -> str:
    """``zone`` if it is an IANA time-zone name, else a ValueError saying so (scenarios and log mappings)."""
    try:
        zoneinfo.ZoneInfo(zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a folder such as "Europe"
        raise ValueError(f"unknown time zone {zone!r} (use an IANA name such as Europe/Amsterdam)") from None
    return zone


class CalendarSpec(Spec):
    """When staff work. Leads and customers act around the clock; staff only in these hours."""

    start_date: dt.date = Field(dt.date(2026, 1, 5), le=LATEST_START_DATE,
                                description="first simulated day (time 0 = its midnight)")
    working_days: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri")
    day_start_hour: float = Field(9.0, ge=0, le=24)
    day_end_hour: float = Field(18.0, ge=0, le=24)
    holidays: tuple[dt.date, ...] = ()
    always_open: bool = Field(False, description="24/7 operation: every hour is a working hour")
    # Left out of dumps when absent, so existing scenarios keep their content hash.
    hours: dict[Weekday, HourWindow] | None = Field(None, exclude_if=lambda hours: hours is None,
                                                     description=WEEK_HOURS_DESCRIPTION)
    _two_hours_each = field_validator("hours", mode="before")(two_hours_each)
    # Left out of dumps when UTC, so existing scenarios keep their content hash.
    time_zone: str = Field("UTC", exclude_if=lambda zone: zone == "UTC",
                           description="IANA zone whose wall clock the model's hours are (exports localise to it)")

    _known_time_zone = field_validator("time_zone")(check_time_zone)

    @model_validator(mode="after")
    def _has_working_time(self) -> "CalendarSpec":
        check_week(self.working_days, self.day_start_hour, self.day_end_hour, self.hours, self.always_open)
        return self

    def window(self, weekday: str) -> tuple[float, float]:
        """``(start, end)`` of a working weekday, in hours of the local day."""
        hours = self.hours or {}
        return hours[weekday] if weekday in hours else (self.day_start_hour, self.day_end_hour)

    @property
    def hours_per_week(self) -> float:
        if self.always_open:
            return HOURS_PER_WEEK
        return sum(end - start for start, end in map(self.window, set(self.working_days)))


class TeamCalendarSpec(Spec):
    """A department's own working week: each field given replaces the company calendar's
    (``calendar``); the rest, and always the start date and time zone, are the company's."""

    working_days: tuple[Weekday, ...] | None = None
    day_start_hour: HourOfDay | None = None
    day_end_hour: HourOfDay | None = None
    hours: dict[Weekday, HourWindow] | None = Field(None, description=WEEK_HOURS_DESCRIPTION)
    _two_hours_each = field_validator("hours", mode="before")(two_hours_each)
    holidays: tuple[dt.date, ...] | None = None
    always_open: bool | None = None

    def over(self, company: CalendarSpec) -> CalendarSpec:
        """The whole calendar: the company's, with this team's fields put in."""
        return company.model_copy(update=self.model_dump(exclude_none=True))

    def check_over(self, company: CalendarSpec) -> None:
        """Raise (naming the field, relative to this section) if the team's week has no working time."""
        merged = self.over(company)
        check_week(merged.working_days, merged.day_start_hour, merged.day_end_hour, merged.hours, merged.always_open)


# --------------------------------------------------------------------------- organisation
class DepartmentSpec(Spec):
    staff: int = Field(ge=0, le=MAX_HEAD_COUNT, description="head count")
    hourly_cost: float = Field(ge=0, description="fully loaded cost per paid hour (currency)")
    # Left out of dumps when absent, so existing scenarios keep their content hash.
    calendar: TeamCalendarSpec | None = Field(None, exclude_if=lambda calendar: calendar is None, description=(
        "the department's own working week (its fields replace the company calendar's); default: the company's"))


class OrganisationSpec(Spec):
    """Head counts and costs. ``key_account_staff`` of the sales staff form the key-account team."""

    marketing: DepartmentSpec = DepartmentSpec(staff=5, hourly_cost=45.0)
    sales: DepartmentSpec = DepartmentSpec(staff=12, hourly_cost=55.0)
    production: DepartmentSpec = DepartmentSpec(staff=7, hourly_cost=40.0)
    service: DepartmentSpec = DepartmentSpec(staff=6, hourly_cost=38.0)
    key_account_staff: int = Field(3, ge=0, le=MAX_HEAD_COUNT, description="sales reps reserved for the enterprise tier")
    coordination_managers: int = Field(0, ge=0, le=MAX_HEAD_COUNT, description="staff whose job is cross-department coordination")
    coordination_manager_hourly_cost: float = Field(60.0, ge=0)

    @model_validator(mode="after")
    def _key_accounts_within_sales(self) -> "OrganisationSpec":
        if self.key_account_staff > self.sales.staff:
            raise FieldProblem("key_account_staff", "cannot exceed sales.staff")
        return self

    def department(self, name: str) -> DepartmentSpec:
        return getattr(self, name)


# --------------------------------------------------------------------------- demand
class ChannelSpec(Spec):
    leads_per_week: float = Field(ge=0, le=1_000_000, description="mean arrival rate before profiles and campaigns")
    grade_shares: dict[Grade, Fraction] | None = Field(
        None, description="behaviour grade mix of this channel; default: lead_mix.grade_shares"
    )
    conversion_multiplier: float = Field(1.0, ge=0, description=(
        "channel quality: multiplies the chance that a lead of this channel is won, spread evenly over "
        "qualification and the funnel stages (each step gets multiplier ** (1 / steps))"))
    # Left out of dumps at 0 (a known level), so existing scenarios keep their content hash.
    level_uncertainty: float = Field(0.0, ge=0, le=1, exclude_if=lambda cv: cv == 0, description=(
        "how well leads_per_week is known, as a coefficient of variation (its standard error over the "
        "rate: a fitted rate is known to a few per cent): each run multiplies the channel's rate by a "
        "gamma factor of mean 1 and this cv, drawn once, so a forecast's spread includes the doubt "
        "about the level; 0 (default): the level is taken as known"))

    @model_validator(mode="after")
    def _shares(self) -> "ChannelSpec":
        if self.grade_shares is not None:
            _check_shares(self.grade_shares, "grade_shares")
        return self


class CampaignSpec(Spec):
    """A one-off event (trade show, webinar, promotion) adding leads over a few days."""

    name: str
    channel: str
    start_day: float = Field(ge=0, description="days since the start date")
    duration_days: float = Field(1.0, gt=0)
    extra_leads: float = Field(ge=0, le=10_000_000, description="expected extra leads over the whole event")


class DemandSpec(Spec):
    channels: dict[str, ChannelSpec] = {
        "web": ChannelSpec(leads_per_week=190.0),
        "social": ChannelSpec(leads_per_week=120.0, conversion_multiplier=0.6),
        "trade_show": ChannelSpec(leads_per_week=25.0, conversion_multiplier=1.8),
        "partner": ChannelSpec(leads_per_week=45.0, conversion_multiplier=1.2),
    }
    weekly_profile: tuple[float, ...] = Field(
        (1.2, 1.2, 1.15, 1.1, 1.0, 0.7, 0.65), description="relative arrival intensity Mon..Sun"
    )
    seasonal_profile: tuple[float, ...] = Field(
        (0.9, 0.95, 1.05, 1.05, 1.05, 1.0, 0.9, 0.85, 1.05, 1.1, 1.1, 0.95),
        description="relative arrival intensity per calendar month Jan..Dec (12 values)",
    )
    # Left out of dumps when absent (flat), so existing scenarios keep their content hash.
    hourly_profile: tuple[float, ...] | None = Field(None, exclude_if=lambda profile: profile is None, description=(
        "relative arrival intensity per hour of the local day 0..23 (24 values, normalised to mean 1; "
        "default flat): leads arrive outside working hours too and wait for the next working hour"))
    # Left out of dumps at 0 (Poisson arrivals), so existing scenarios keep their content hash.
    weekly_variation: float = Field(0.0, ge=0, le=3, exclude_if=lambda cv: cv == 0, description=(
        "week-to-week variation of demand: the coefficient of variation of a mean-1 gamma factor drawn "
        "for each week of the run (7-day blocks from its start) and channel, which multiplies that "
        "channel's arrival rate (a doubly stochastic Poisson: a week's leads vary as a negative binomial, "
        "variance = mean + cv^2 mean^2); 0 (default): Poisson arrivals at the profiles' rate"))
    # Left out of dumps at 0 (independent weeks), so existing scenarios keep their content hash.
    weekly_persistence: float = Field(0.0, ge=0, le=0.95, exclude_if=lambda rho: rho == 0, description=(
        "how much a week's demand factor carries over to the next (with weekly_variation > 0): the "
        "factors' normal scores follow an AR(1) series with this coefficient, so a busy week tends to "
        "be followed by another and demand drifts for weeks at a time, as real demand does; each "
        "week's factor is still gamma of mean 1 and cv weekly_variation; 0 (default): independent weeks"))
    campaigns: tuple[CampaignSpec, ...] = (
        CampaignSpec(name="spring trade fair", channel="trade_show", start_day=80, duration_days=3, extra_leads=300),
        CampaignSpec(name="autumn trade fair", channel="trade_show", start_day=270, duration_days=3, extra_leads=300),
    )

    @model_validator(mode="after")
    def _profiles(self) -> "DemandSpec":
        if len(self.weekly_profile) != 7:
            raise FieldProblem("weekly_profile", f"needs 7 daily values (Mon..Sun), got {len(self.weekly_profile)}")
        if len(self.seasonal_profile) != 12:
            raise FieldProblem("seasonal_profile", f"needs 12 monthly values (Jan..Dec), got {len(self.seasonal_profile)}")
        if min(self.weekly_profile) < 0 or min(self.seasonal_profile) < 0:
            raise ValueError("profile values must be >= 0")
        if sum(self.weekly_profile) <= 0:
            raise ValueError("weekly_profile must have a positive value")
        self._check_hourly_profile()
        if self.weekly_persistence > 0 and self.weekly_variation == 0:
            raise FieldProblem("weekly_persistence", "carries a week's demand factor over to the next, so it "
                                                     "needs weekly_variation > 0 (there is no factor at 0)")
        orphan = next((c for c in self.campaigns if c.channel not in self.channels), None)
        if orphan is not None:
            raise ValueError(f"campaign {orphan.name!r} runs on channel {orphan.channel!r}, which is not in "
                             f"demand.channels: add that channel, or list your own demand.campaigns ([] for none)")
        return self

    def _check_hourly_profile(self) -> None:
        hourly = self.hourly_profile
        if hourly is None:
            return
        if len(hourly) != 24:
            raise FieldProblem("hourly_profile", f"needs 24 hourly values (hours 0..23), got {len(hourly)}")
        if min(hourly) < 0 or sum(hourly) <= 0:
            raise FieldProblem("hourly_profile", "values must be >= 0 with at least one positive")


# --------------------------------------------------------------------------- lead mix
class IndustrySpec(Spec):
    share: float = Field(ge=0, le=1)
    score_validity_days: float = Field(gt=0, description="how long a behaviour score stays valid without new activity")


class LeadMixSpec(Spec):
    tier_shares: dict[Tier, Fraction] = {
        "enterprise": 0.12, "mid_market": 0.33, "small": 0.55,
    }
    grade_shares: dict[Grade, Fraction] = {
        "L1": 0.34, "L2": 0.28, "L3": 0.2, "L4": 0.11, "L5": 0.07,
    }
    deal_value: Distribution = lognormal(mean=18000.0, sd=12000.0)
    tier_value_multiplier: dict[Tier, NonNegative] = {
        "enterprise": 3.0, "mid_market": 1.2, "small": 0.6,
    }
    industries: dict[str, IndustrySpec] = {
        "manufacturing": IndustrySpec(share=0.5, score_validity_days=90),
        "internet": IndustrySpec(share=0.3, score_validity_days=30),
        "services": IndustrySpec(share=0.2, score_validity_days=60),
    }

    @model_validator(mode="after")
    def _shares(self) -> "LeadMixSpec":
        _check_shares(self.tier_shares, "tier_shares")
        _check_shares(self.grade_shares, "grade_shares")
        _check_shares({k: v.share for k, v in self.industries.items()}, "industry shares")
        return self


# --------------------------------------------------------------------------- marketing
class MarketingSpec(Spec):
    """Nurture and scoring. Scores are 0-100; combined = w_behaviour * behaviour + (1-w) * sales interaction."""

    nurture_interval_days: Distribution = exponential(10.0)
    grade_up_probability: float = Field(0.07, ge=0, le=1, description="chance a nurture touch raises the grade one level")
    grade_down_probability: float = Field(0.05, ge=0, le=1)
    behaviour_weight: float = Field(0.6, ge=0, le=1, description="marketing behaviour vs sales interaction, 6:4")
    mql_threshold: float = Field(59.0, ge=0, le=100, description="combined score at which a lead becomes an MQL")
    scoring_noise_sd: float = Field(10.0, ge=0, description="score error of marketing's model (points)")
    qualification_hours: Distribution = triangular(0.1, 0.2, 0.5)
    feedback_notes_to_learn: float = Field(150.0, gt=0, description="feedback notes that cut the scoring error by 63 %")
    min_noise_factor: float = Field(0.35, ge=0, le=1, description="scoring error left however much feedback arrives")
    matched_content_boost: float = Field(1.6, ge=1, description="grade-up chance x this for recycled leads after a recycling review")
    recycle_lost: bool = Field(True, description="lost and invalid leads go back to nurture instead of being discarded")
    max_recycles: int = Field(1, ge=0, description="after this many recycles a lead is discarded")
    nurture: bool = Field(True, exclude_if=lambda nurture: nurture, description=(
        "false: no nurture; a new lead enters sales at once (through funnel.screen if any), and a lost "
        "or invalid lead is discarded"))


# --------------------------------------------------------------------------- funnel
def _unset(value: object) -> bool:
    """True for an optional process field left at its default (None, empty): such fields stay out
    of dumps, so scenarios that do not use them keep their content hash."""
    return value is None or value == {}


class ValueBands(Spec):
    """A probability per deal-value band. ``upper_bounds`` (currency, ascending) cut deal values
    into one band more than there are bounds; ``probabilities`` gives each band's, lowest band
    first. A value equal to a bound falls in the lower band."""

    upper_bounds: tuple[NonNegative, ...] = Field(min_length=1)
    probabilities: tuple[Fraction, ...]

    @model_validator(mode="after")
    def _one_per_band(self) -> "ValueBands":
        if list(self.upper_bounds) != sorted(set(self.upper_bounds)):
            raise FieldProblem("upper_bounds", "must be strictly ascending")
        if len(self.probabilities) != len(self.upper_bounds) + 1:
            raise FieldProblem("probabilities", f"needs {len(self.upper_bounds) + 1} values (one per band), "
                               f"got {len(self.probabilities)}")
        return self

    def probability(self, value: float) -> float:
        """The probability of the band ``value`` (currency) falls in."""
        return self.probabilities[bisect_left(self.upper_bounds, value)]


class ScreenSpec(Spec):
    """An automatic screen where leads enter sales, before the hand-over: no staff time. A lead whose
    deal value lies below ``min_value`` or above ``max_value`` (currency) is declined by rule; any
    other passes with a probability: its value band's (``by_value``) if given, else its channel's
    (``by_channel``) if listed, else its grade's (``by_grade``) if given, else ``pass_probability``.

    The screen decides at once, at any hour, except for the ``review_share`` of leads it leaves to
    people: those are decided when the reviewers next work (``review_calendar``), at once if they
    are at work, else at their next opening."""

    min_value: NonNegative = 0.0
    max_value: float | None = Field(None, ge=0)
    pass_probability: Fraction = 1.0
    by_value: ValueBands | None = None
    by_channel: dict[str, Fraction] = {}
    by_grade: dict[Grade, Fraction] = {}
    # Left out of dumps at their defaults, so existing scenarios keep their content hash.
    review_share: Fraction = Field(0.0, exclude_if=lambda share: share == 0, description=(
        "share of leads the screen leaves to people, decided only in the reviewers' working hours"))
    review_calendar: TeamCalendarSpec | None = Field(None, exclude_if=lambda calendar: calendar is None, description=(
        "the reviewers' working week (its fields replace the company calendar's); default: the company's"))


class StageSpec(Spec):
    """One sales stage: the customer takes ``customer_days``, then a rep works ``work_hours``
    (working hours), then the lead advances with its conversion probability x channel multiplier.

    Conversion: ``conversion_by_value`` if given, else ``conversion_by_channel`` for a listed
    channel, else ``conversion`` (per grade). Optional process shape: ``touches`` (how many times
    the rep works the stage per visit, ``max(1, round(draw))``), ``touch_gap_days`` (clock days the
    customer takes between touches; none: back to back), ``next_steps`` (after the work: probability
    of going to a named stage, a loop when earlier or the same, or to ``lost``; with the remaining
    probability the conversion decides), ``patience_days`` (clock days from entering the stage that
    the customer waits for the stage's work before cancelling), ``lost_after_days`` (clock days from
    the first touch of a visit that loses the deal until it is closed as lost: a customer who will
    not buy is called until the case is given up, not dropped after the usual touches)."""

    name: str
    customer_days: Distribution = exponential(2.0)
    work_hours: Distribution = triangular(0.5, 1.5, 3.0)
    conversion: dict[Grade, Fraction] | None = Field(None, exclude_if=_unset)
    conversion_by_value: ValueBands | None = Field(None, exclude_if=_unset)
    conversion_by_channel: dict[str, Fraction] | None = Field(None, exclude_if=_unset)
    touches: Distribution | None = Field(None, exclude_if=_unset, description="rep touches per visit")
    touch_gap_days: Distribution | None = Field(None, exclude_if=_unset, description="clock days between touches")
    next_steps: dict[str, Fraction] = Field({}, exclude_if=_unset, description="stage name or lost -> probability")
    patience_days: Distribution | None = Field(None, exclude_if=_unset, description="customer patience, clock days")
    lost_after_days: Distribution | None = Field(None, exclude_if=_unset, description=(
        "clock days from the first touch of a visit that loses the deal until it is closed as lost (in closed "
        "hours: at the stage's next opening), however far its later touches got (the next step is then drawn "
        "as the visit begins); none: lost after the touches"))
    calendar: TeamCalendarSpec | None = Field(None, exclude_if=_unset, description=(
        "the hours in which the stage's work starts and its lost verdicts are given (its fields replace the "
        "company calendar's; the team must be at work too); default: the team's"))

    @model_validator(mode="after")
    def _probabilities(self) -> "StageSpec":
        if self.conversion is None and self.conversion_by_value is None and self.conversion_by_channel is None:
            raise ValueError("a stage needs conversion (per grade), conversion_by_value or conversion_by_channel")
        if self.conversion is not None and set(self.conversion) != set(GRADES):
            raise ValueError("conversion needs a probability for each grade L1..L5")
        if sum(self.next_steps.values()) > 1 + SHARE_TOLERANCE:
            raise FieldProblem("next_steps", "probabilities must sum to at most 1 (the rest: conversion decides)")
        return self


class ResponseDecaySpec(Spec):
    """How the chance to convert decays with hours to first touch:
    multiplier = floor + (1 - floor) * 0.5 ** (hours / half_life_hours)."""

    half_life_hours: float = Field(72.0, gt=0)
    floor: float = Field(0.45, ge=0, le=1)


class FunnelSpec(Spec):
    first_touch_hours: Distribution = triangular(0.2, 0.4, 1.0)
    qualification: dict[Grade, Fraction] = Field(
        {"L1": 0.25, "L2": 0.35, "L3": 0.5, "L4": 0.65, "L5": 0.8},
        description="probability the first touch qualifies the lead (MQL -> SQL)",
    )
    qualification_by_value: ValueBands | None = Field(None, exclude_if=_unset, description=(
        "qualification by deal-value band; comes before qualification_by_channel and the grades'"))
    qualification_by_channel: dict[str, Fraction] | None = Field(None, exclude_if=_unset, description=(
        "qualification by channel for the channels listed; others fall back to the grades'"))
    stages: tuple[StageSpec, ...] = (
        StageSpec(name="need_confirmation", customer_days=exponential(1.5), work_hours=triangular(0.5, 1.0, 2.0),
                  conversion={"L1": 0.45, "L2": 0.55, "L3": 0.62, "L4": 0.7, "L5": 0.78}),
        StageSpec(name="quote", customer_days=exponential(6.0), work_hours=triangular(0.75, 1.5, 3.0),
                  conversion={"L1": 0.35, "L2": 0.42, "L3": 0.5, "L4": 0.57, "L5": 0.63}),
        StageSpec(name="negotiation", customer_days=exponential(9.0), work_hours=triangular(0.75, 1.5, 3.0),
                  conversion={"L1": 0.32, "L2": 0.38, "L3": 0.45, "L4": 0.52, "L5": 0.6}),
    )
    qualified_after_days: Distribution | None = Field(None, exclude_if=_unset, description=(
        "clock days from the first touch until a lead that qualifies is accepted as an SQL (a customer who "
        "completes the application later; a wait ending in closed hours: at the first touch's next opening); "
        "none: at the first touch"))
    invalid_after_days: Distribution | None = Field(None, exclude_if=_unset, description=(
        "clock days from the first touch until a lead that does not qualify is found invalid (a customer "
        "who never completes, turned down after a wait; a wait ending in closed hours: at the first touch's "
        "next opening); none: at the first touch"))
    first_touch_calendar: TeamCalendarSpec | None = Field(None, exclude_if=_unset, description=(
        "the hours in which first touches start and the verdicts before an SQL (accepted, invalid) are given "
        "(its fields replace the company calendar's; the team must be at work too); default: the team's"))
    response_decay: ResponseDecaySpec = ResponseDecaySpec()
    screen: ScreenSpec | None = Field(None, exclude_if=_unset, description="automatic screen before hand-over")
    max_stage_visits: int = Field(10, ge=1, le=10_000, exclude_if=lambda visits: visits == 10, description=(
        "visits of one stage in a lead's life after which next_steps no longer send it back there"))

    @model_validator(mode="after")
    def _next_steps_name_stages(self) -> "FunnelSpec":
        names = {stage.name for stage in self.stages}
        for stage in self.stages:
            unknown = sorted(set(stage.next_steps) - names - {LOST})
            if unknown:
                raise ValueError(f"stage {stage.name!r}: next_steps names {unknown[0]!r}, which is neither a "
                                 f"funnel stage nor {LOST!r}")
        return self

    @model_validator(mode="after")
    def _stages(self) -> "FunnelSpec":
        if not self.stages:
            raise ValueError("the funnel needs at least one stage")
        names = [s.name for s in self.stages]
        if len(set(names)) != len(names):
            raise ValueError("stage names must be unique")
        taken = sorted(set(names) & set(LEAD_ACTIVITY_NAMES))
        if taken:
            raise ValueError(f"stage name {taken[0]!r} is already a lead activity in the event log; choose another")
        if any(not 0 <= p <= 1 for p in self.qualification.values()) or set(self.qualification) != set(GRADES):
            raise ValueError("qualification needs a probability in [0, 1] for each grade L1..L5")
        return self


# --------------------------------------------------------------------------- production
class ProductionSpec(Spec):
    """Fulfilment. Orders need ``deal value / unit_price`` units; lines build ``units_per_hour`` each
    in working hours. make_to_stock ships from inventory replenished to the latest forecast; the
    forecast is refreshed whenever sales information reaches production (the cadence of the meeting
    that syncs ``forecast``, or daily with a liaison or a shared platform)."""

    enabled: bool = Field(True, exclude_if=lambda enabled: enabled,
                          description="false: no production; a won deal ends at won (no orders, customers or tickets)")
    mode: Literal["make_to_order", "make_to_stock"] = "make_to_stock"
    unit_price: float = Field(1500.0, gt=0, description="currency per unit")
    lines: int = Field(2, ge=1, le=MAX_HEAD_COUNT, description="parallel production lines")
    units_per_hour: float = Field(5.0, gt=0, description="output of one line per working hour")
    staff_per_line: float = Field(3.0, ge=0, description="crew a line needs to run; lines without a crew stand still")
    promise_days: float = Field(14.0, ge=0, description="delivery promised this many days after the order")
    shipping_days: Distribution = triangular(1.0, 2.0, 4.0)
    initial_stock_units: float = Field(800.0, ge=0)
    stock_cover_days: float = Field(28.0, ge=0, description="make_to_stock: target stock = forecast rate x cover")
    initial_forecast_units_per_week: float = Field(380.0, ge=0, description="production's forecast before any sync")
    forecast_window_days: float = Field(28.0, gt=0, description="sales history the forecast averages over")
    planning_interval_days: float = Field(7.0, gt=0, description="how often production plans a batch")
    batch_units: float = Field(200.0, gt=0, description="units per production run (one changeover each)")
    changeover_hours: float = Field(2.0, ge=0)


# --------------------------------------------------------------------------- service
class ServiceSpec(Spec):
    enabled: bool = Field(True, exclude_if=lambda enabled: enabled,
                          description="false: no service; a delivered order makes no customer and no tickets")
    onboarding_hours: Distribution = triangular(1.5, 3.0, 6.0)
    tickets_per_customer_month: float = Field(0.4, ge=0)
    ticket_work_hours: Distribution = triangular(0.25, 0.75, 2.0)
    response_sla_hours: float = Field(24.0, gt=0, description="clock hours to first response")
    initial_satisfaction: float = Field(0.8, ge=0, le=1)
    late_response_penalty: float = Field(0.06, ge=0, le=1, description="satisfaction lost per late ticket response")
    on_time_response_gain: float = Field(0.01, ge=0, le=1)
    late_delivery_penalty: float = Field(0.15, ge=0, le=1, description="satisfaction lost on a backordered delivery")
    repurchase_grade: Grade = "L4"
    referral_grade: Grade = "L3"
    repurchase_conversion_multiplier: float = Field(1.6, ge=0)
    referral_conversion_multiplier: float = Field(1.3, ge=0)
    review_interval_days: float = Field(90.0, gt=0, description="how often a customer decides to stay, repurchase, refer")
    churn_probability: float = Field(0.04, ge=0, le=1, description="per review, at full satisfaction")
    churn_dissatisfaction_factor: float = Field(0.25, ge=0, le=1, description="extra churn chance x (1 - satisfaction)")
    repurchase_probability: float = Field(0.25, ge=0, le=1, description="per review, x satisfaction")
    referral_probability: float = Field(0.08, ge=0, le=1, description="per review, x satisfaction")


# --------------------------------------------------------------------------- policy
class SlaRule(Spec):
    """A timer. ``hours`` is the target (compliance is always measured against it);
    ``enforced`` switches on the action attached to a breach: first-touch rules escalate an
    untouched lead to the least-loaded other rep, auto-release sends it to the public pool,
    the stage dwell limit downgrades it into the pool."""

    hours: float = Field(ge=0)
    enforced: bool = False


class AutoReleaseRule(SlaRule):
    """The auto-release timer: ``hours`` is the SLA target and, without ``patience``, the timer.
    ``patience`` (hours, in the timers' units) draws each lead's own timer instead, e.g.
    ``{dist: exponential, mean: 24}`` for customers of random patience; the compliance KPI still
    measures ``hours``."""

    # Left out of dumps when unset, so existing scenarios keep their content hash.
    patience: Distribution | None = Field(None, exclude_if=lambda patience: patience is None)


class WakeUpSpec(Spec):
    enabled: bool = True
    no_interaction_days: float = Field(30.0, ge=0)
    attempts: int = Field(3, ge=1, description="failed attempts (email, SMS, call) before the lead is dormant")
    attempt_interval_days: float = Field(5.0, ge=0)
    success_probability: float = Field(0.1, ge=0, le=1)


class SlaSpec(Spec):
    first_touch: SlaRule = SlaRule(hours=24.0)
    hot_lead_first_touch: SlaRule = SlaRule(hours=24.0)
    auto_release: AutoReleaseRule = AutoReleaseRule(hours=48.0)
    stage_dwell: SlaRule = SlaRule(hours=72.0)
    timers_in_working_hours: bool = Field(False, description="timers count working hours instead of clock hours")
    stage_dwell_stage: str = Field("need_confirmation", description="the stage whose dwell is limited")
    follow_up_days: float = Field(7.0, gt=0, description="5 working days: max gap between sales touches on an open deal")
    wake_up: WakeUpSpec = WakeUpSpec()
    pool_claim_days: Distribution = exponential(3.0)
    pool_claim_probability: float = Field(0.7, ge=0, le=1, description="chance a pooled lead is picked up by another rep")


class RoutingSpec(Spec):
    """How MQLs reach reps: ``pooled`` = one shared queue (any free rep), ``round_robin`` or
    ``least_loaded`` = assigned to one rep's own queue. Enterprise leads go to the key-account team."""

    mode: Literal["round_robin", "least_loaded", "pooled"] = "round_robin"
    key_account_routing: bool = True


class IncentiveSpec(Spec):
    """KPI weights per role (each vector sums to 1) and the documented rules that turn them
    into behaviour. Defaults are today's siloed KPIs; the brief's 30 % / 20 % weights are
    what the ``shared-kpis`` policy switches on.

    Rules: marketing's MQL threshold rises ``quality_threshold_shift`` points per unit of
    ``lead_contribution`` weight; a rep's queue is first come first served, except that a
    lead jumps ``value_priority_hours`` x ``own_revenue`` x (expected value / average) hours
    ahead and a hot (L4+) lead ``sla_priority_hours`` x ``sla_speed`` hours ahead; after an
    invalid or lost lead a rep writes a feedback note for marketing with probability
    ``collaboration`` x ``feedback_probability_per_weight``; production's batch is
    ``batch_units`` x (1 + ``batch_scale`` x (unit_cost - on_time_delivery)); service answers
    tickets ahead of onboarding with weight ``response_speed``."""

    marketing: dict[Literal["mql_volume", "lead_contribution"], Fraction] = {"mql_volume": 1.0, "lead_contribution": 0.0}
    sales: dict[Literal["own_revenue", "sla_speed", "collaboration"], Fraction] = {
        "own_revenue": 1.0, "sla_speed": 0.0, "collaboration": 0.0,
    }
    production: dict[Literal["unit_cost", "on_time_delivery"], Fraction] = {"unit_cost": 0.8, "on_time_delivery": 0.2}
    service: dict[Literal["resolution", "response_speed"], Fraction] = {"resolution": 0.7, "response_speed": 0.3}
    bonus_rate: float = Field(0.02, ge=0, le=1, description="share of revenue paid as sales bonus")
    event_commission: float = Field(0.0, ge=0, le=1, description="extra commission on event-sourced deals (share of value)")
    joint_pool_rate: float = Field(0.02, ge=0, le=1,
                                   description="share of revenue paid into the joint bonus pool x cross-department weights")
    quality_threshold_shift: float = Field(10.0, ge=0)
    value_priority_hours: float = Field(24.0, ge=0)
    sla_priority_hours: float = Field(48.0, ge=0)
    feedback_probability_per_weight: float = Field(2.0, ge=0)
    feedback_note_hours: float = Field(0.25, ge=0, description="working hours a rep spends on one feedback note")
    batch_scale: float = Field(1.0, ge=0)

    @model_validator(mode="after")
    def _weights(self) -> "IncentiveSpec":
        for role in DEPARTMENTS:
            _check_shares(getattr(self, role), f"{role} weights")
        return self

    @property
    def cross_department_weight(self) -> float:
        """Weight put on other departments' results (what the joint pool pays for)."""
        return self.marketing["lead_contribution"] + self.sales["collaboration"]


class MeetingSpec(Spec):
    """A meeting series. Cadence: ``every_days`` (1 daily, 7 weekly, 14 every two weeks,
    30 monthly, 91 quarterly) from ``first_day``, moved to the next ``weekday`` if one is given
    ("monthly on a Tuesday"); ``until_day`` ends it (a war room for a period). Attendees leave
    their work for ``duration_hours``; ``syncs`` take effect after."""

    name: str
    attendees: dict[Department, HeadCount] = Field(
        description="head count per department attending"
    )
    every_days: float = Field(gt=0)
    duration_hours: float = Field(gt=0)
    first_day: float = Field(0.0, ge=0, description="days since the start date of the first meeting")
    until_day: float | None = Field(None, ge=0, description="no meetings after this day (None: all year)")
    weekday: Weekday | None = None
    war_room: bool = Field(False, description="while the series runs, disputes close within the war-room limit")
    syncs: tuple[Literal["forecast", "lead_feedback", "pool_review", "disputes", "recycling"], ...] = ()


class InformationSpec(Spec):
    """How information moves between meetings. ``meetings``: only at meetings;
    ``liaison``: a liaison per department passes it on every working day with a delay;
    ``platform``: a shared platform syncs it near real time, at a running cost."""

    mode: Literal["meetings", "liaison", "platform"] = "meetings"
    liaison_delay_hours: float = Field(24.0, ge=0)
    liaison_hours_per_week: float = Field(3.0, ge=0, description="working hours each department's liaison spends")
    platform_cost_per_month: float = Field(4000.0, ge=0)
    handover_batch_hours: float = Field(4.5, gt=0, description="MQLs reach sales in batches every this many working hours")
    hot_lead_push: bool = Field(False, description="push L4+ MQLs to sales at once instead of in the batch")


class TriggerSpec(Spec):
    """Behaviour triggers: repeated pricing-page visits upgrade a lead to hot and hand it over."""

    enabled: bool = False
    pricing_visit_probability: float = Field(0.12, ge=0, le=1, description="per engaged nurture touch, x grade rank / 5")
    visits_to_trigger: int = Field(3, ge=1)


class AlertSpec(Spec):
    """Threshold alert: daily orders above a limit call an ad-hoc cross-department meeting."""

    enabled: bool = False
    daily_orders_above: int = Field(12, ge=0)
    attendees: dict[Department, HeadCount] = {"sales": 1, "production": 2}
    duration_hours: float = Field(1.0, gt=0)


class DisputeSpec(Spec):
    """Cross-department disputes and the escalation ladder of the brief.

    Peers negotiate in rounds, one per contact (every ``peer_contact_days``, or at once on a
    shared platform); with a coordination manager, ``rounds_before_manager`` failed rounds go
    to arbitration within ``arbitration_hours``; after ``rounds_before_executive`` failed
    rounds executives decide within ``executive_decision_days``. Disputes worth less than
    ``preauthorised_limit`` are co-signed by two heads and skip the ladder."""

    key_account_probability: float = Field(0.15, ge=0, le=1, description="per enterprise lead assignment")
    rush_order_probability: float = Field(0.10, ge=0, le=1, description="per order")
    complaint_probability: float = Field(0.05, ge=0, le=1, description="per ticket, needs sales and service")
    peer_contact_days: float = Field(3.0, gt=0)
    peer_success_probability: float = Field(0.35, ge=0, le=1)
    rounds_before_executive: int = Field(3, ge=1)
    executive_decision_days: float = Field(7.0, ge=0)
    executive_hours_per_decision: float = Field(2.0, ge=0)
    executive_hourly_cost: float = Field(150.0, ge=0)
    manager_arbitration: bool = False
    rounds_before_manager: int = Field(1, ge=1)
    arbitration_hours: float = Field(48.0, ge=0)
    manager_success_probability: float = Field(0.85, ge=0, le=1)
    preauthorised_limit: float = Field(0.0, ge=0, description="currency; 0 = no pre-authorisation")
    cosign_hours: float = Field(4.0, ge=0)
    war_room_hours: float = Field(48.0, ge=0, description="a war room closes disputes within this many hours")


class PolicySpec(Spec):
    sla: SlaSpec = SlaSpec()
    routing: RoutingSpec = RoutingSpec()
    incentives: IncentiveSpec = IncentiveSpec()
    meetings: tuple[MeetingSpec, ...] = (
        MeetingSpec(name="sales-operations", attendees={"sales": 2, "production": 2}, every_days=30,
                    duration_hours=2.0, first_day=25, syncs=("forecast",)),
    )
    information: InformationSpec = InformationSpec()
    triggers: TriggerSpec = TriggerSpec()
    alerts: AlertSpec = AlertSpec()
    disputes: DisputeSpec = DisputeSpec()


# --------------------------------------------------------------------------- scenario
class Scenario(Spec):
    """A whole company and its coordination policy."""

    name: str = "scenario"
    description: str = ""
    currency: str | None = Field(None, max_length=12, exclude_if=_unset, description=(
        "what the money amounts are in (EUR, USD...), printed after them; values are plain numbers"))
    calendar: CalendarSpec = CalendarSpec()
    organisation: OrganisationSpec = OrganisationSpec()
    demand: DemandSpec = DemandSpec()
    lead_mix: LeadMixSpec = LeadMixSpec()
    marketing: MarketingSpec = MarketingSpec()
    funnel: FunnelSpec = FunnelSpec()
    production: ProductionSpec = ProductionSpec()
    service: ServiceSpec = ServiceSpec()
    policy: PolicySpec = PolicySpec()

    @model_validator(mode="after")
    def _cross_checks(self) -> "Scenario":
        stages = [s.name for s in self.funnel.stages]
        if self.policy.sla.stage_dwell_stage not in stages:
            raise FieldProblem("policy.sla.stage_dwell_stage", f"{self.policy.sla.stage_dwell_stage!r} is not a funnel "
                               f"stage (the stages are {', '.join(stages)})")
        org = self.organisation
        other_tiers = [tier for tier, share in self.lead_mix.tier_shares.items() if tier != "enterprise" and share > 0]
        if self.policy.routing.key_account_routing and 0 < org.key_account_staff == org.sales.staff and other_tiers:
            raise FieldProblem("organisation.key_account_staff", f"takes every sales rep, so no one works the "
                               f"{' and '.join(other_tiers)} leads: keep it below organisation.sales.staff, or set "
                               "policy.routing.key_account_routing: false")
        return self

    @model_validator(mode="after")
    def _team_calendars(self) -> "Scenario":
        screen = self.funnel.screen
        teams = {f"organisation.{department}.calendar": self.organisation.department(department).calendar
                 for department in DEPARTMENTS}
        teams["funnel.screen.review_calendar"] = screen.review_calendar if screen is not None else None
        teams["funnel.first_touch_calendar"] = self.funnel.first_touch_calendar
        teams.update({f"funnel.stages.{i}.calendar": stage.calendar for i, stage in enumerate(self.funnel.stages)})
        for path, team in teams.items():
            try:
                if team is not None:
                    team.check_over(self.calendar)
            except FieldProblem as problem:
                raise FieldProblem(f"{path}.{problem.field}", str(problem)) from None
            except ValueError as problem:
                raise FieldProblem(path, str(problem)) from None
        return self

    def review_calendar(self) -> CalendarSpec:
        """The working week of the screen's reviewers: their own calendar over the company's, or the company's."""
        screen = self.funnel.screen
        own = screen.review_calendar if screen is not None else None
        return self.calendar if own is None else own.over(self.calendar)

    def step_calendars(self) -> dict[str, CalendarSpec]:
        """The working hours of the sales steps that have their own (``first_touch`` and stage names),
        each over the company's calendar; the steps without keep their team's."""
        own = {"first_touch": self.funnel.first_touch_calendar,
               **{stage.name: stage.calendar for stage in self.funnel.stages}}
        return {step: hours.over(self.calendar) for step, hours in own.items() if hours is not None}

    def department_calendar(self, department: str) -> CalendarSpec:
        """The working week of ``department``'s staff: its own calendar over the company's, or the company's."""
        team = self.organisation.department(department).calendar
        return self.calendar if team is None else team.over(self.calendar)

    def lead_channels(self) -> set[str]:
        """Every channel a lead can come from: demand's, and repurchase and referral with service."""
        channels = set(self.demand.channels)
        if self.production.enabled and self.service.enabled:
            channels |= {"repurchase", "referral"}
        return channels

    @model_validator(mode="after")
    def _channel_names_are_channels(self) -> "Scenario":
        """A probability by channel for a channel no lead comes from is a misspelling, not a no-op."""
        channels = self.lead_channels()
        tables = [(f"funnel.stages.{i}.conversion_by_channel", s.conversion_by_channel or {})
                  for i, s in enumerate(self.funnel.stages)]
        tables.append(("funnel.qualification_by_channel", self.funnel.qualification_by_channel or {}))
        if self.funnel.screen is not None:
            tables.append(("funnel.screen.by_channel", self.funnel.screen.by_channel))
        for field, table in tables:
            unknown = sorted(set(table) - channels)
            if unknown:
                raise FieldProblem(field, f"names channel {unknown[0]!r}, which no lead comes from "
                                          f"(the channels are {', '.join(sorted(channels))})")
        return self

    @model_validator(mode="after")
    def _stage_conversion_for_every_channel(self) -> "Scenario":
        """A stage with only ``conversion_by_channel`` must list every channel a lead can come from."""
        channels = self.lead_channels()
        for index, stage in enumerate(self.funnel.stages):
            if stage.conversion is None and stage.conversion_by_value is None:
                missing = sorted(channels - set(stage.conversion_by_channel or {}))
                if missing:
                    raise FieldProblem(f"funnel.stages.{index}.conversion_by_channel", f"has no probability for "
                                       f"channel {missing[0]!r}: list it, or give conversion (per grade)")
        return self

    def content_hash(self) -> str:
        """Stable hash of the resolved content (what a result cache must key on)."""
        text = json.dumps(self.model_dump(mode="json"), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]
