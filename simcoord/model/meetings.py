"""Meeting series: attendees leave their work for the meeting; what it synchronises
takes effect when it ends (see ``coordination.Coordination.sync``)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Generator

import simpy

from simcoord.model.work import sit_in_meeting
from simcoord.scenario.calendar import next_open_together
from simcoord.vocabulary import HOURS_PER_DAY, NEVER, WEEKDAYS

if TYPE_CHECKING:
    from simcoord.model.world import World
    from simcoord.scenario.calendar import WorkCalendar
    from simcoord.scenario.schema import CalendarSpec, MeetingSpec



def hold_meetings(model: "World", spec: "MeetingSpec") -> Generator:
    """Convene the series every ``every_days`` from ``first_day``, planned at the start of the
    company's working day; it starts once every attending team is at work (its own calendar)."""
    env, company = model.env, model.scenario.calendar
    calendars = attendee_calendars(model, spec.attendees)
    occurrence = 0
    while True:
        day = on_weekday(spec.first_day + occurrence * spec.every_days, spec.weekday, company.start_date.weekday())
        planned = day * HOURS_PER_DAY + day_start_hour(company, day)
        occurrence += 1
        if spec.until_day is not None and planned > spec.until_day * HOURS_PER_DAY + HOURS_PER_DAY:
            return
        start = next_open_together(calendars, max(planned, env.now))
        if start == NEVER:
            return
        yield env.timeout(start - env.now)
        yield from hold_meeting(model, spec.name, spec.attendees, spec.duration_hours, spec.syncs)


def day_start_hour(calendar: "CalendarSpec", day: float) -> float:
    """Hour of the local day at which the working day ``day`` (days since the start) begins:
    its weekday's opening hour (0 for a 24/7 calendar; ``day_start_hour`` on a day off)."""
    if calendar.always_open:
        return 0.0
    weekday = WEEKDAYS[(calendar.start_date.weekday() + int(day)) % 7]
    return calendar.window(weekday)[0] if weekday in calendar.working_days else calendar.day_start_hour


def attendee_calendars(model: "World", attendees: dict[str, int]) -> list["WorkCalendar"]:
    """The calendars of the teams that send someone (the company's when nobody attends)."""
    calendars = [model.teams[department].calendar for department, head_count in attendees.items()
                 if min(head_count, len(model.teams[department])) > 0]
    return calendars or [model.calendar]


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
