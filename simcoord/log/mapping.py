"""Mapping files: how a company's own event log (CRM, ERP, ticketing) reads as the lab's log.

A mapping is YAML, validated like a scenario (unknown keys are errors; a bad value is one
:class:`~simcoord.scenario.loading.ScenarioError` naming file, field path and problem). It says:

- ``columns``: which columns hold the case, the activity, the time (one ``timestamp``, or ``start``
  and ``end`` of each activity instance), the ``lifecycle`` transition, the ``resource``, and the
  case attributes the lab uses (``value`` of the deal, ``channel``, ``grade``, ``tier``);
- ``time_zone``: the zone whose wall-clock hours the lab's ``time`` counts (the company's own),
  and ``naive_timestamps``: the zone of timestamps written without an offset (without it, such
  timestamps are an error);
- ``steps``: which activities mean which step of the lab's lifecycle (:data:`LAB_STEPS`). A step
  happens once per case, at the first event of any of its activities with the chosen lifecycle
  ``transition`` (or at each one, with ``every``), optionally only ``after`` or ``before`` another
  step of the same case;
- ``stages``: the funnel's stages in order, each entered at the first of its activities;
- ``ignore``: activities the lab has no use for (every other activity must be mapped);
- ``teams``: which resources belong to which department.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator

from simcoord.scenario.limits import FieldProblem
from simcoord.scenario.loading import resolve_file, validate_model
from simcoord.scenario.schema import LEAD_ACTIVITY_NAMES, Department, Grade, Spec, Tier, check_time_zone

#: The lab's steps a mapping can name: ``step -> (kind of entity, department that owns it)``.
LAB_STEPS: dict[str, tuple[str, str]] = {
    "created": ("lead", "marketing"), "mql": ("lead", "marketing"), "first_touch": ("lead", "sales"),
    "sql": ("lead", "sales"), "invalid": ("lead", "sales"), "won": ("lead", "sales"), "lost": ("lead", "sales"),
    "discarded": ("lead", "sales"), "recycled": ("lead", "marketing"), "dormant": ("lead", "marketing"),
    "order_created": ("order", "production"), "delivered": ("order", "production"),
    "ticket_opened": ("ticket", "service"), "ticket_response": ("ticket", "service"),
}
#: Steps that are work (their rows carry ``work_hours`` and ``queued_at`` when the log has them).
WORK_STEPS = ("first_touch", "ticket_response")
LabStep = Literal["created", "mql", "first_touch", "sql", "invalid", "won", "lost", "discarded", "recycled", "dormant",
                  "order_created", "delivered", "ticket_opened", "ticket_response"]
Transition = Literal["schedule", "start", "complete", "any"]
Activities = tuple[str, ...]


class ColumnsSpec(Spec):
    """Column names of the log; the case attributes are optional (``None``: the log lacks them)."""

    case: str
    activity: str
    timestamp: str | None = Field(None, description="when each event happened (or give start and end)")
    start: str | None = Field(None, description="when each activity instance started")
    end: str | None = Field(None, description="when it ended")
    lifecycle: str | None = Field(None, description="the lifecycle transition (schedule, start, complete)")
    resource: str | None = None
    value: str | None = Field(None, description="deal value (currency)")
    channel: str | None = None
    grade: str | None = None
    tier: str | None = None

    @model_validator(mode="after")
    def _one_clock(self) -> "ColumnsSpec":
        if (self.timestamp is None) == (self.start is None and self.end is None):
            raise ValueError("give either timestamp, or start and end")
        if self.timestamp is None and (self.start is None or self.end is None):
            raise FieldProblem("end" if self.end is None else "start", "start and end go together")
        if self.start is not None and self.lifecycle is not None:
            raise FieldProblem("lifecycle", "not with start and end (each row is a whole activity instance)")
        return self

    def attributes(self) -> dict[str, str]:
        """The case attributes the log has: lab name -> column."""
        named = {"value": self.value, "channel": self.channel, "grade": self.grade, "tier": self.tier}
        return {name: column for name, column in named.items() if column is not None}


class LifecycleValues(Spec):
    """How the log spells each lifecycle transition (compared without regard to case)."""

    schedule: str = "schedule"
    start: str = "start"
    complete: str = "complete"


class StepRule(Spec):
    """A lab step: the first event of any of ``activities`` with ``transition`` (``any``: every
    transition; ignored for logs without lifecycle), only after/before another step of the case
    (its first). With ``every``, each such event is one (a lead handed over again after nurture)."""

    activities: Activities = Field(min_length=1)
    transition: Transition = "complete"
    every: bool = Field(False, description="every matching event, not only the case's first")
    after: LabStep | None = Field(None, description="only at or after this step of the same case")
    before: LabStep | None = Field(None, description="only before this step (or if the case never reaches it)")
    cancelled: Activities = Field((), description="of ``activities`` (``lost`` only), those that mean the customer "
                                  "withdrew: the lost row says reason cancelled, not the company's no")

    @model_validator(mode="after")
    def _cancelled_among_activities(self) -> "StepRule":
        strange = sorted(set(self.cancelled) - set(self.activities))
        if strange:
            raise FieldProblem("cancelled", f"{strange[0]!r} is not one of the step's activities")
        return self


class StageRule(Spec):
    """A funnel stage, entered at the first of its ``activities`` (with ``transition``)."""

    name: str = Field(min_length=1)
    activities: Activities = Field(min_length=1)
    transition: Transition = "complete"

    @field_validator("name")
    @classmethod
    def _not_a_lead_activity(cls, name: str) -> str:
        if name in LEAD_ACTIVITY_NAMES:
            raise ValueError(f"{name!r} is already a lead activity in the event log; choose another stage name")
        return name


class LogMapping(Spec):
    """A whole mapping file (see the module docstring)."""

    name: str = "log"
    description: str = ""
    columns: ColumnsSpec
    time_zone: str = Field("UTC", description="the company's zone: the lab's hours are its wall-clock hours")
    naive_timestamps: str | None = Field(None, description="zone of timestamps without an offset")
    lifecycle_values: LifecycleValues = LifecycleValues()
    steps: dict[LabStep, StepRule] = Field(default_factory=dict)
    stages: tuple[StageRule, ...] = ()
    ignore: Activities = ()
    teams: dict[Department, tuple[str, ...]] = Field(default_factory=dict)
    grade_values: dict[str, Grade] = Field(default_factory=dict, description="the log's grades -> L1..L5")
    tier_values: dict[str, Tier] = Field(default_factory=dict, description="the log's tiers -> the lab's")

    @field_validator("time_zone", "naive_timestamps")
    @classmethod
    def _known_zone(cls, zone: str | None) -> str | None:
        return zone if zone is None else check_time_zone(zone)

    @model_validator(mode="after")
    def _consistent(self) -> "LogMapping":
        step_order(self.steps)
        cancelling = sorted(step for step, rule in self.steps.items() if rule.cancelled and step != "lost")
        if cancelling:
            raise FieldProblem(f"steps.{cancelling[0]}", "only the lost step can mark activities as cancelled")
        names = [stage.name for stage in self.stages]
        if len(set(names)) != len(names):
            raise FieldProblem("stages", "stage names must be unique")
        both = sorted(set(self.ignore) & set(self.mapped_activities()))
        if both:
            raise FieldProblem("ignore", f"{both[0]!r} is both ignored and mapped to a step or stage")
        _check_teams(self.teams)
        return self

    def mapped_activities(self) -> set[str]:
        """Every activity some step or stage reads."""
        rules = [*self.steps.values(), *self.stages]
        return {activity for rule in rules for activity in rule.activities}

    def team_of(self) -> dict[str, str]:
        """Resource -> department, for the resources ``teams`` lists."""
        return {resource: team for team, resources in self.teams.items() for resource in resources}


def _check_teams(teams: dict[str, tuple[str, ...]]) -> None:
    seen: dict[str, str] = {}
    for team, resources in teams.items():
        for resource in resources:
            if seen.setdefault(resource, team) != team:
                raise FieldProblem(f"teams.{team}", f"resource {resource!r} is already in team {seen[resource]!r}")


def step_order(steps: dict[str, StepRule]) -> list[str]:
    """The mapped steps in an order where each comes after the steps its ``after``/``before`` name."""
    order: list[str] = []
    pending = dict(steps)
    while pending:
        ready = [step for step, rule in pending.items()
                 if all(ref is None or ref in order for ref in (rule.after, rule.before))]
        if not ready:
            step, rule = next(iter(pending.items()))
            missing = [ref for ref in (rule.after, rule.before) if ref is not None and ref not in steps]
            problem = f"refers to step {missing[0]!r}, which the mapping does not map" if missing \
                else "after/before refer to each other in a circle"
            raise FieldProblem(f"steps.{step}", problem)
        order += ready
        for step in ready:
            del pending[step]
    return order


def load_mapping(path: str | Path) -> LogMapping:
    """Read and validate a mapping file (safe YAML, ``extends:`` overlays as for scenarios); every
    problem is one :class:`~simcoord.scenario.loading.ScenarioError` naming file, field and problem."""
    data = resolve_file(path)
    data.setdefault("name", Path(path).stem)
    return validate_model(LogMapping, data, source=path)
