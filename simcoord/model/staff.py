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
    """A ``PriorityResource`` with the faster request queue above, whose release frees the
    place at once: SimPy's ``Release`` would be one more event in the queue that nobody waits for
    (the next queued request is granted now instead of when that event came up, at the same time)."""

    PutQueue = _InsortQueue

    def release(self, request: simpy.resources.resource.PriorityRequest) -> None:  # type: ignore[override]
        if request in self.users:
            self.users.remove(request)
            self._trigger_put(None)


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

    def desk(self, owner: Worker | None) -> simpy.PriorityResource:
        return owner.desk if owner is not None else self.shared_desk

    def sit_down(self, owner: Worker | None) -> str:
        return owner.id if owner is not None else self._idle.pop()

    def stand_up(self, owner: Worker | None, staff: str) -> None:
        if owner is None:
            self._idle.append(staff)
