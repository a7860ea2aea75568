"""Staff: workers and teams that work only inside their calendar.

A :class:`Worker` is one person with their own priority queue; a :class:`Team` routes
work to its members. :func:`work` is the one place where a task occupies a person:
wait for them, wait for opening time, do the hours, log it.
"""

from __future__ import annotations

from bisect import insort_right
from itertools import count
from operator import attrgetter
from typing import TYPE_CHECKING, Generator

import simpy

from simcoord.vocabulary import NEVER

if TYPE_CHECKING:
    from simcoord.model.company import Model

URGENT = -1000  # priority of meetings: taken before any queued task (lower = sooner)
_request_key = attrgetter("key")


class _InsortQueue(list):
    """SimPy's sorted request queue, kept sorted by binary insertion instead of a full sort
    per request. ``insort_right`` places a request after those with an equal key, exactly
    where SimPy's stable sort puts it, so the service order is unchanged."""

    def __init__(self, maxlen: int | None = None) -> None:
        super().__init__()
        self.maxlen = maxlen

    def append(self, item: simpy.resources.resource.PriorityRequest) -> None:
        if self.maxlen is not None and len(self) >= self.maxlen:
            raise RuntimeError("Cannot append event. Queue is full.")
        insort_right(self, item, key=_request_key)


class Desk(simpy.PriorityResource):
    """A ``PriorityResource`` with the faster request queue above."""

    PutQueue = _InsortQueue


class Worker:
    """One member of staff with their own queue."""

    def __init__(self, env: simpy.Environment, staff_id: str, department: str) -> None:
        self.id = staff_id
        self.department = department
        self.desk = Desk(env, capacity=1)
        self.open_items = 0  # items currently owned (least-loaded routing)

    @property
    def queue_length(self) -> int:
        return len(self.desk.queue) + self.desk.count


class Team:
    """A group of workers that share work by a routing rule.

    ``pooled``: any free member takes the next task (one shared queue, M/M/c).
    ``round_robin`` / ``least_loaded``: each item is owned by one member from the start.
    """

    def __init__(self, env: simpy.Environment, name: str, department: str, size: int, routing: str) -> None:
        self.name = name
        self.department = department
        self.routing = routing
        self.members = [Worker(env, f"{name}-{i + 1}", department) for i in range(size)]
        self.shared_desk = Desk(env, capacity=max(size, 1)) if routing == "pooled" else None
        self._idle = [w.id for w in reversed(self.members)]  # pooled mode: who is free
        self._turn = count()

    def __len__(self) -> int:
        return len(self.members)

    def assign(self, exclude: str | None = None) -> Worker | None:
        """Owner for a new item (None in pooled mode: whoever is free works it)."""
        if self.shared_desk is not None or not self.members:
            return None
        candidates = [w for w in self.members if w.id != exclude] or self.members
        if self.routing == "least_loaded":
            return min(candidates, key=lambda w: (w.open_items, w.queue_length))
        return candidates[next(self._turn) % len(candidates)]

    def least_loaded(self, exclude: str | None = None) -> Worker | None:
        """The member with the fewest open items (for escalations), other than ``exclude``."""
        candidates = [w for w in self.members if w.id != exclude]
        return min(candidates, key=lambda w: (w.open_items, w.queue_length)) if candidates else None

    def desk(self, owner: Worker | None) -> simpy.PriorityResource:
        return owner.desk if owner is not None else self.shared_desk

    def sit_down(self, owner: Worker | None) -> str:
        return owner.id if owner is not None else self._idle.pop()

    def stand_up(self, owner: Worker | None, staff: str) -> None:
        if owner is None:
            self._idle.append(staff)


def work(model: "Model", entity: int, kind: str, activity: str, hours: float, team: Team,
         owner: Worker | None = None, priority: float = 0, deadline: float = NEVER,
         **attrs: object) -> Generator[simpy.Event, object, tuple[str, float] | None]:
    """Occupy a worker for ``hours`` working hours; log ``activity`` when the work starts.

    Returns ``(staff id, start time)``, or None when no one could start before ``deadline``
    (clock time): the caller then applies its timer rule. The row carries ``work_hours``
    (utilisation) and ``queued_at``; its time is when the work really starts.
    """
    env, calendar = model.env, model.calendar
    queued_at = env.now
    if not team.members:  # nobody in the team: the task waits until its deadline, or for ever
        yield env.timeout(max(deadline - env.now, 0.0)) if deadline < NEVER else env.event()
        return None
    with team.desk(owner).request(priority=priority) as request:
        if deadline < NEVER:
            outcome = yield request | env.timeout(max(deadline - env.now, 0.0))
            if request not in outcome:
                return None
        else:
            yield request
        start = calendar.next_open(env.now)
        if start <= deadline:
            if start > env.now:
                yield env.timeout(start - env.now)
            staff, started_at = team.sit_down(owner), env.now
            model.log.record(entity, kind, started_at, activity, team.department, staff,
                             work_hours=hours, queued_at=queued_at, **attrs)
            yield env.timeout(calendar.add_work_hours(started_at, hours) - started_at)
            team.stand_up(owner, staff)
            return staff, started_at
    # Nobody can start before the deadline (e.g. it falls in the night): free the desk for the
    # next task and let the timer run out at its deadline, not now.
    yield env.timeout(max(deadline - env.now, 0.0))
    return None


def sit_in_meeting(model: "Model", meeting_id: int, name: str, hours: float, team: Team, seat: int) -> Generator:
    """One attendee: finish the current task (non-preemptive), then spend ``hours`` in the meeting."""
    owner = team.members[seat] if team.shared_desk is None else None
    with team.desk(owner).request(priority=URGENT) as request:
        yield request
        staff = team.sit_down(owner)
        model.log.record(meeting_id, "meeting", model.env.now, "meeting", team.department, staff,
                         work_hours=hours, meeting=name)
        yield model.env.timeout(hours)
        team.stand_up(owner, staff)
