"""The things that flow: leads, orders, customers. Plain mutable records owned by processes."""

from __future__ import annotations

from dataclasses import dataclass, field

from simcoord.vocabulary import GRADES

GRADE_SCORES = {"L1": 20.0, "L2": 35.0, "L3": 50.0, "L4": 65.0, "L5": 80.0}
GRADE_ORDER = GRADES  # coldest to hottest
GRADE_RANK = {grade: rank for rank, grade in enumerate(GRADE_ORDER, start=1)}  # L1 -> 1 ... L5 -> 5


@dataclass(slots=True)
class Lead:
    id: int
    channel: str
    tier: str
    grade: str
    industry: str
    value: float  # deal value if won (currency)
    conversion_multiplier: float
    campaign: str | None = None
    last_interaction_at: float = 0.0
    sales_score: float = 50.0  # sales interaction score, 0-100 (neutral before any contact)
    recycles: int = 0
    stage_index: int = 0  # funnel stage to resume at
    owner: str | None = None
    qualified: bool = False  # an SQL in the current hand-over: a rep claiming it from the pool re-contacts, not re-qualifies
    handed_over_at: float = 0.0  # latest MQL hand-over: response time and its decay count from here
    timers_from: float = 0.0  # SLA timers run from the hand-over, or from a claim out of the pool
    extras: dict = field(default_factory=dict)

    @property
    def grade_rank(self) -> int:
        return GRADE_RANK[self.grade]


@dataclass(slots=True)
class Order:
    id: int
    lead: int
    tier: str
    units: float
    value: float
    created_at: float
    shipped: bool = False


@dataclass(slots=True)
class Customer:
    id: int
    lead: int
    tier: str
    value: float
    satisfaction: float
    active: bool = True
