"""A desk serves as SimPy's PriorityResource does: a free place is taken at once, waiting tasks get
places by priority and then in order of arrival, a place freed goes to the first waiting task at
that moment, and a task that gives up leaves the queue."""

from __future__ import annotations

import simpy

from simcoord.model.staff import Desk


def served_order(requests: list[tuple[float, float, str]], capacity: int = 1,
                 hours: float = 1.0) -> list[tuple[float, str]]:
    """``(arrival hour, priority, name)`` tasks of ``hours`` each at one desk: ``(start, name)`` of each."""
    env, started = simpy.Environment(), []
    desk = Desk(env, capacity)

    def task(arrival: float, priority: float, name: str):
        yield env.timeout(arrival)
        with desk.request(priority=priority) as request:
            if not request.granted:
                yield request.event
            started.append((env.now, name))
            yield env.timeout(hours)

    for arrival, priority, name in requests:
        env.process(task(arrival, priority, name))
    env.run()
    return started


def reference_order(requests: list[tuple[float, float, str]], capacity: int = 1,
                    hours: float = 1.0) -> list[tuple[float, str]]:
    """The same tasks at SimPy's own PriorityResource."""
    env, started = simpy.Environment(), []
    resource = simpy.PriorityResource(env, capacity)

    def task(arrival: float, priority: float, name: str):
        yield env.timeout(arrival)
        with resource.request(priority=priority) as request:
            yield request
            started.append((env.now, name))
            yield env.timeout(hours)

    for arrival, priority, name in requests:
        env.process(task(arrival, priority, name))
    env.run()
    return started


def test_waiting_tasks_get_places_by_priority_then_arrival_as_at_simpy():
    tasks = [(0.0, 5, "first"), (0.1, 5, "b"), (0.2, 1, "urgent"), (0.3, 5, "c"), (0.4, 1, "urgent2"),
             (2.5, 0, "late"), (2.6, 9, "last")]
    assert served_order(tasks) == reference_order(tasks)
    assert [name for _, name in served_order(tasks)][:3] == ["first", "urgent", "urgent2"]
    assert served_order(tasks, capacity=2) == reference_order(tasks, capacity=2)


def test_a_free_place_is_taken_at_once_and_a_task_that_gives_up_leaves_the_queue():
    env = simpy.Environment()
    desk = Desk(env, capacity=1)
    holder = desk.request(priority=0)
    assert holder.granted and holder.event is None and desk.count == 1
    quitter, waiter = desk.request(priority=0), desk.request(priority=0)
    assert not quitter.granted and desk.queue == [quitter, waiter]
    desk.release(quitter)  # gave up before a place came
    assert desk.queue == [waiter] and desk.count == 1
    desk.release(holder)  # the place goes to the first waiting task now
    assert waiter.granted and waiter.event.triggered and desk.users == [waiter] and not desk.queue
