"""Meeting series: attendees leave their work for the meeting; what it synchronises
takes effect when it ends (see ``coordination.Coordination.sync``)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Generator

import simpy

from simcoord.model.work import sit_in_meeting
from simcoord.vocabulary import HOURS_PER_DAY, NEVER, WEEKDAYS

if TYPE_CHECKING:
    from simcoord.model.world import World
    from simcoord.scenario.schema import MeetingSpec



def hold_meetings(model: "World", spec: "MeetingSpec") -> Generator:
    """Convene the series every ``every_days`` from ``first_day`` at the start of the working day."""
    env, calendar = model.env, model.calendar
    day_start = 0.0 if model.scenario.calendar.always_open else model.scenario.calendar.day_start_hour
    start_weekday = model.scenario.calendar.start_date.weekday()
    occurrence = 0
    while True:
        day = on_weekday(spec.first_day + occurrence * spec.every_days, spec.weekday, start_weekday)
        planned = day * HOURS_PER_DAY + day_start
        occurrence += 1
        if spec.until_day is not None and planned > spec.until_day * HOURS_PER_DAY + HOURS_PER_DAY:
            return
        start = calendar.next_open(max(planned, env.now))
        if start == NEVER:
            return
        yield env.timeout(start - env.now)
        yield from hold_meeting(model, spec.name, spec.attendees, spec.duration_hours, spec.syncs)


def on_weekday(day: float, weekday: str | None, start_weekday: int) -> float:
    """The first day >= ``day`` (days since the start) that falls on ``weekday``."""
    if weekday is None:
        return day
    whole = math.ceil(day)
    return whole + (WEEKDAYS.index(weekday) - (start_weekday + whole)) % 7


def hold_meeting(model: "World", name: str, attendees: dict[str, int], hours: float,
                 syncs: tuple[str, ...] = ()) -> Generator:
    """One meeting: every attendee sits in for ``hours``; then the syncs take effect."""
    meeting_id = next(model.ids)
    seats = []
    for department, head_count in attendees.items():
        team = model.teams[department]
        for seat in range(min(head_count, len(team))):
            seats.append(model.env.process(sit_in_meeting(model, meeting_id, name, hours, team, seat)))
    if seats:
        yield simpy.AllOf(model.env, seats)
    for kind in syncs:
        model.coordination.sync(kind)
