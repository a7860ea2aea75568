"""Staff: workers and teams that work only inside their calendar.

A :class:`Worker` is one person with their own priority queue; a :class:`Team` routes
work to its members. How a task occupies a person is in ``work``.
"""

from __future__ import annotations

from bisect import insort_right
from itertools import count
from operator import attrgetter

import simpy

from simcoord.scenario.calendar import WorkCalendar

_request_key = attrgetter("key")


class Request:
    """A task's claim on a place at a :class:`Desk`: ``granted`` at once when a place is free,
    else ``event`` (a SimPy event) fires when the task gets one. Leaving the ``with`` block gives
    the place back, or leaves the queue when it never came."""

    __slots__ = ("desk", "priority", "key", "granted", "event")

    def __init__(self, desk: "Desk", priority: float) -> None:
        self.desk, self.priority = desk, priority
        self.key = (priority, desk.env.now)  # SimPy's PriorityRequest order: priority, then arrival
        self.granted = False
        self.event: simpy.Event | None = None

    def __enter__(self) -> "Request":
        return self

    def __exit__(self, *exc: object) -> None:
        self.desk.release(self)


class Desk:
    """A place of work for up to ``capacity`` tasks at once (one person's, or a pooled team's);
    the other tasks queue by priority (lower first; equal priorities first come, first served),
    as at a SimPy ``PriorityResource``. A free place is taken without an event (nothing waits);
    a queued task's event fires when a place frees, at that moment (no ``Release`` event either)."""

    def __init__(self, env: simpy.Environment, capacity: int = 1) -> None:
        self.env, self.capacity = env, capacity
        self.users: list[Request] = []  # tasks at the desk
        self.queue: list[Request] = []  # tasks waiting, in the order they will get a place

    @property
    def count(self) -> int:
        return len(self.users)

    def request(self, priority: float = 0) -> Request:
        """Ask for a place (see :class:`Request`)."""
        request = Request(self, priority)
        if len(self.users) < self.capacity:  # a free place means nobody waits: it is this task's
            self.users.append(request)
            request.granted = True
        else:
            request.event = self.env.event()
            insort_right(self.queue, request, key=_request_key)
        return request

    def release(self, request: Request) -> None:
        """The task leaves its place (the first waiting task gets it now), or leaves the queue."""
        if request in self.users:
            self.users.remove(request)
            if self.queue:
                following = self.queue.pop(0)
                self.users.append(following)
                following.granted = True
                following.event.succeed()
        elif request in self.queue:
            self.queue.remove(request)


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
    """A group of workers that share work by a routing rule, at work inside ``calendar``.

    ``pooled``: any free member takes the next task (one shared queue, M/M/c).
    ``round_robin`` / ``least_loaded``: each item is owned by one member from the start.
    """

    def __init__(self, env: simpy.Environment, name: str, department: str, size: int, routing: str,
                 calendar: WorkCalendar) -> None:
        self.name = name
        self.department = department
        self.calendar = calendar
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

    def desk(self, owner: Worker | None) -> Desk:
        return owner.desk if owner is not None else self.shared_desk

    def sit_down(self, owner: Worker | None) -> str:
        return owner.id if owner is not None else self._idle.pop()

    def stand_up(self, owner: Worker | None, staff: str) -> None:
        if owner is None:
            self._idle.append(staff)
