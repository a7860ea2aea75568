"""What every process of one simulated company sees, and where a case goes next.

The departments and mechanisms are written against :class:`World`, a protocol: they read the
scenario, the clock, the randomness, the staff and the event log from it, and pass cases on
through its :class:`Handoffs`. ``company.Model`` provides it and wires the hand-offs; nothing
here imports a department, so no department needs to know the model's root.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Generator, Iterator, NamedTuple, Protocol

if TYPE_CHECKING:
    import simpy

    from simcoord.log.store import EventLog
    from simcoord.model.entities import Lead, Order
    from simcoord.model.staff import Team
    from simcoord.model.streams import Choices, Samplers, Streams
    from simcoord.scenario.calendar import WorkCalendar
    from simcoord.scenario.schema import Scenario


class Handoffs(NamedTuple):
    """Where a case goes when a department is done with it: the only place departments meet.

    ============================  =========================================  ==============
    hand-off                      from                                       to
    ============================  =========================================  ==============
    ``to_sales(lead, previous)``  MQL hand-over; pool claim; pool review     sales.pursue
    ``to_production(lead)``       deal won                                   an order
    ``to_service(lead, o, late)`` order delivered                            onboarding
    ``to_marketing(channel,..)``  repurchase or referral                     a new lead
    ``to_recycling(lead, why)``   lead lost or found invalid                 nurture again
    ``to_wake_up(lead)``          left unclaimed in the public pool          wake-up
    ``to_entry(lead)``            a lead is created, or woken from the pool  nurture, or
                                                                             straight to sales
    ``to_screen(lead)``           a lead is about to be handed to sales      the automatic
                                                                             screen (True: on)
    ``screen_wait(lead)``         the same, before ``to_screen``             hours until the
                                                                             screen decides
    ============================  =========================================  ==============
    """

    to_sales: Callable[..., Generator]
    to_production: Callable[[Lead], object]
    to_service: Callable[[Lead, Order, bool], object]
    to_marketing: Callable[..., Lead]
    to_recycling: Callable[[Lead, str], bool]
    to_wake_up: Callable[[Lead], Generator]
    to_entry: Callable[[Lead], Generator]
    to_screen: Callable[[Lead], bool]
    screen_wait: Callable[[Lead], float]


class World(Protocol):
    """One simulated company as its processes see it (times in clock hours since the start)."""

    scenario: Scenario
    days: float  # the horizon
    env: simpy.Environment
    calendar: WorkCalendar  # the company's
    calendars: dict[str, WorkCalendar]  # department -> its staff's calendar (the company's unless it has its own)
    review_calendar: WorkCalendar  # the screen's reviewers' (the company's unless they have their own)
    step_calendars: dict[str, WorkCalendar]  # sales step (first_touch, a stage) -> its own hours, where it has them
    streams: Streams  # one random generator per named source of randomness
    samplers: Samplers  # the scenario's distributions, by dotted path
    choose: Choices  # one key of a share table, drawn with its probabilities
    ids: Iterator[int]  # entity ids, shared by every kind
    log: EventLog
    teams: dict[str, Team]
    handoffs: Handoffs
    industry_shares: dict[str, float]
    score_validity_days: dict[str, float]
    plant: Any  # production's state (production.Plant)
    pool: Any  # the public pool (pool.PublicPool)
    coordination: Any  # the information synchronised so far (coordination.Coordination)
