"""Work: the one place where a task occupies a person (wait for them, wait for opening time,
do the hours, log it), and where a meeting takes them away from their queue."""

from __future__ import annotations

from typing import TYPE_CHECKING, Generator

import simpy

from simcoord.model.staff import Team, Worker
from simcoord.scenario.calendar import WorkCalendar, next_open_together
from simcoord.vocabulary import HOURS_PER_DAY, NEVER

if TYPE_CHECKING:
    from simcoord.model.world import World

URGENT = -1000  # priority of meetings: taken before any queued task (lower = sooner)


def work(model: "World", entity: int, kind: str, activity: str, hours: float, team: Team,
         owner: Worker | None = None, priority: float = 0, deadline: float = NEVER,
         hours_of: WorkCalendar | None = None,
         **attrs: object) -> Generator[simpy.Event, object, tuple[str, float] | None]:
    """Occupy a worker for ``hours`` working hours; log ``activity`` when the work starts.

    Returns ``(staff id, start time)``, or None when no one could start before ``deadline``
    (clock time): the caller then applies its timer rule. The row carries ``work_hours``
    (utilisation) and ``queued_at``; its time is when the work really starts, in the team's calendar.
    Work with hours of its own (``hours_of``, a step's calendar) starts only inside them: it queues
    for a worker only then, and a worker it reaches after they closed is let go to other work.
    """
    env = model.env
    queued_at = env.now
    if not team.members:  # nobody in the team: the task waits until its deadline, or for ever
        yield env.timeout(max(deadline - env.now, 0.0)) if deadline < NEVER else env.event()
        return None
    while hours_of is None or (yield from wait_for_hours(env, team, hours_of, deadline)):
        with team.desk(owner).request(priority=priority) as request:
            if not request.granted:  # a free desk grants at once: nothing to wait for
                if deadline < NEVER:
                    outcome = yield request.event | env.timeout(max(deadline - env.now, 0.0))
                    if request.event not in outcome:
                        return None
                else:
                    yield request.event
            start = team.calendar.next_open(env.now)
            if hours_of is not None and not hours_of.is_open(start):
                continue  # its hours closed while it queued: the worker goes on to other work
            if start <= deadline:
                staff, end = sit_down(model, entity, kind, activity, hours, team, owner, start,
                                      work_hours=hours, queued_at=queued_at, **attrs)
                yield env.timeout(end - env.now)  # one event for the wait and the work together
                team.stand_up(owner, staff)
                return staff, start
        break
    # Nobody can start before the deadline (e.g. it falls in the night): free the desk for the
    # next task and let the timer run out at its deadline, not now.
    yield env.timeout(max(deadline - env.now, 0.0))
    return None


def wait_for_hours(env: simpy.Environment, team: Team, hours: WorkCalendar,
                   deadline: float) -> Generator[simpy.Event, object, bool]:
    """Wait until ``hours`` (a step's own) and the team's calendar are open together: True then,
    False at ``deadline`` when that comes first (for ever when neither comes)."""
    opens = next_open_together((team.calendar, hours), env.now)
    if opens > deadline:
        yield env.timeout(deadline - env.now) if deadline < NEVER else env.event()
        return False
    if opens > env.now:
        yield env.timeout(opens - env.now)
    return True


def sit_down(model: "World", entity: int, kind: str, activity: str, hours: float, team: Team,
             owner: Worker | None, start: float, **attrs: object) -> tuple[str, float]:
    """The granted worker sits down to work from clock ``start`` (now, or the team's next opening):
    the work's row, written ahead when it starts later (nothing can take a granted worker away; a
    start at or past the horizon is never logged). Returns ``(staff id, clock time the work ends)``."""
    staff = team.sit_down(owner)
    if start == model.env.now:
        model.log.record(entity, kind, start, activity, team.department, staff, **attrs)
    elif start < model.days * HOURS_PER_DAY:
        model.log.record_ahead(entity, kind, start, activity, team.department, staff, **attrs)
    else:
        return staff, start
    return staff, team.calendar.add_work_hours(start, hours)


def sit_in_meeting(model: "World", meeting_id: int, name: str, hours: float, team: Team, seat: int) -> Generator:
    """One attendee: finish the current task (non-preemptive), then spend ``hours`` in the meeting."""
    owner = team.members[seat] if team.shared_desk is None else None
    with team.desk(owner).request(priority=URGENT) as request:
        # a free seat: the attendee still lets the instant's due events run first (a zero wait)
        yield request.event if not request.granted else model.env.timeout(0)
        staff = team.sit_down(owner)
        model.log.record(meeting_id, "meeting", model.env.now, "meeting", team.department, staff,
                         work_hours=hours, meeting=name)
        yield model.env.timeout(hours)
        team.stand_up(owner, staff)
