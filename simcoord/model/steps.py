"""The shape of the sales process beyond a straight line: the automatic screen, repeated touches,
send-backs to an earlier stage and the customer's patience.

Each is a scenario option of ``funnel`` (see ``scenario.schema.ScreenSpec`` and ``StageSpec``);
left at its default, nothing here draws a random number or writes a row, so a scenario without
them runs exactly as before. Every draw comes from its own named stream. What a sales process
does with the answers is in ``sales``; the screen is wired in by the model's root.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from simcoord.model.entities import Lead
from simcoord.vocabulary import DECLINED, HOURS_PER_DAY, LOST, NEVER, PASSED

if TYPE_CHECKING:
    from simcoord.model.world import World
    from simcoord.scenario.schema import ValueBands

DEPARTMENT = "sales"  # the screen sits at the entrance of sales
PATIENCE_TRIES = 1000  # draws of a wait longer than the wait so far before taking a fresh one


# ----------------------------------------------------------------- pure rules
def probability_for(lead: Lead, by_value: "ValueBands | None", by_channel: dict[str, float] | None,
                    by_grade: dict[str, float] | None, default: float = 0.0) -> float:
    """The lead's probability from the first table that covers it: its deal value's band, its
    channel (if listed), its grade (if given), else ``default``."""
    if by_value is not None:
        return by_value.probability(lead.value)
    if by_channel and lead.channel in by_channel:
        return by_channel[lead.channel]
    if by_grade:
        return by_grade[lead.grade]
    return default


def touch_count(drawn: float) -> int:
    """Touches of one stage visit from a draw of the ``touches`` distribution: at least one."""
    return max(1, round(drawn))


# ----------------------------------------------------------------- the automatic screen
def passes_screen(model: "World", lead: Lead) -> bool:
    """The screen's verdict: declined by rule outside the value range, else a draw."""
    spec = model.scenario.funnel.screen
    if lead.value < spec.min_value or (spec.max_value is not None and lead.value > spec.max_value):
        return False
    p = probability_for(lead, spec.by_value, spec.by_channel, spec.by_grade, spec.pass_probability)
    return model.streams["screen"].random() < p


def screen_wait(model: "World", lead: Lead) -> float:
    """Clock hours until the screen decides ``lead``: 0 for a lead it decides itself (and always
    without reviewers), else until its reviewers are next at work (0 if they are now)."""
    spec = model.scenario.funnel.screen
    if spec is None or spec.review_share <= 0 or model.streams["screen.review"].random() >= spec.review_share:
        return 0.0
    now = model.env.now
    return model.review_calendar.next_open(now) - now


def screen(model: "World", lead: Lead) -> bool:
    """Screen a lead entering sales (no staff time). True: it goes on to the hand-over; False: it
    was declined and is discarded. Without a screen in the scenario every lead passes, unlogged."""
    if model.scenario.funnel.screen is None:
        return True
    passed = passes_screen(model, lead)
    now = model.env.now
    model.log.record(lead.id, "lead", now, "screened", DEPARTMENT, None, outcome=PASSED if passed else DECLINED,
                     value=round(lead.value, 2))
    if not passed:
        model.log.record(lead.id, "lead", now, "discarded", DEPARTMENT, None, reason=DECLINED)
    return passed


# ----------------------------------------------------------------- visits, loops and patience
def enter_stage(lead: Lead, stage: str) -> int:
    """Count a visit of ``stage`` in the lead's life; returns the visits so far."""
    visits = lead.extras.setdefault("visits", {})
    visits[stage] = visits.get(stage, 0) + 1
    return visits[stage]


def next_step(model: "World", lead: Lead, index: int) -> str | None:
    """Where stage ``index``'s ``next_steps`` send the lead: a stage name, ``lost``, or None when
    the stage's conversion decides (no table, the draw fell in the rest, or the named stage has
    had ``max_stage_visits`` visits already: that guard ends every loop)."""
    stage = model.scenario.funnel.stages[index]
    if not stage.next_steps:
        return None
    draw, cumulative = model.streams[f"next.{stage.name}"].random(), 0.0
    for target, probability in stage.next_steps.items():
        cumulative += probability
        if draw < cumulative:
            visits = lead.extras.get("visits", {}).get(target, 0)
            return target if target == LOST or visits < model.scenario.funnel.max_stage_visits else None
    return None


def cancel_deadline(model: "World", index: int) -> float:
    """Clock time at which the customer of a lead entering stage ``index`` now cancels if its work
    has not been done by then (NEVER without ``patience_days``)."""
    stage = model.scenario.funnel.stages[index]
    if stage.patience_days is None:
        return NEVER
    sampler = model.samplers[f"funnel.stages.{index}.patience_days"]
    return model.env.now + sampler(model.streams[f"patience.{stage.name}"]) * HOURS_PER_DAY


def touches(model: "World", index: int) -> int:
    """How many times the rep works stage ``index`` in this visit (1 without ``touches``)."""
    stage = model.scenario.funnel.stages[index]
    if stage.touches is None:
        return 1
    return touch_count(model.samplers[f"funnel.stages.{index}.touches"](model.streams[f"touches.{stage.name}"]))


def qualified_after_hours(model: "World") -> float:
    """Clock hours from the first touch of a lead that qualified until it is accepted as an SQL:
    the customer who completes the application later (0 without ``qualified_after_days``)."""
    if model.scenario.funnel.qualified_after_days is None:
        return 0.0
    return model.samplers["funnel.qualified_after_days"](model.streams["delay.qualified"]) * HOURS_PER_DAY


def invalid_after_hours(model: "World") -> float:
    """Clock hours from the first touch of a lead that did not qualify until it is found invalid:
    the customer who never completes is turned down after a wait (0 without ``invalid_after_days``)."""
    if model.scenario.funnel.invalid_after_days is None:
        return 0.0
    return model.samplers["funnel.invalid_after_days"](model.streams["delay.invalid"]) * HOURS_PER_DAY


def lost_deadline(model: "World", index: int, first_touch: float, resumed: bool = False) -> float:
    """Clock time at which a visit of stage ``index`` that loses the deal is closed as lost:
    ``lost_after_days`` from its first touch's start ``first_touch``; for a visit ``resumed`` from
    before the run (an open case of the pipeline), given that it is still open now (far in the
    tail: a fresh draw from now)."""
    stage = model.scenario.funnel.stages[index]
    sampler, rng = model.samplers[f"funnel.stages.{index}.lost_after_days"], model.streams[f"silence.{stage.name}"]
    if not resumed:
        return first_touch + sampler(rng) * HOURS_PER_DAY
    left = remaining(lambda: sampler(rng) * HOURS_PER_DAY, model.env.now - first_touch)
    return model.env.now + (left if left is not None else sampler(rng) * HOURS_PER_DAY)


def remaining(draw: Callable[[], float], elapsed: float) -> float | None:
    """Hours left of a wait that has lasted ``elapsed`` hours: ``draw()`` (hours) taken given that it
    exceeds ``elapsed`` (rejection: its residual life), minus ``elapsed``; None when no draw of
    ``PATIENCE_TRIES`` does (the wait is far in the distribution's tail)."""
    if elapsed <= 0:
        return draw()
    for _ in range(PATIENCE_TRIES):
        hours = draw()
        if hours > elapsed:
            return hours - elapsed
    return None




def touch_gap_hours(model: "World", index: int) -> float:
    """Clock hours the customer takes before the next touch of stage ``index`` (0 without a gap)."""
    stage = model.scenario.funnel.stages[index]
    if stage.touch_gap_days is None:
        return 0.0
    return model.samplers[f"funnel.stages.{index}.touch_gap_days"](model.streams[f"gap.{stage.name}"]) * HOURS_PER_DAY
