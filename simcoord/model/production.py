"""Production: orders from won deals, fulfilled from stock or built to order.

make_to_stock: ``plan_production`` builds batches towards a stock target derived from
production's *forecast*, which only moves when sales information reaches production
(a meeting, a liaison or a shared platform: see ``coordination``). Orders that find
too little stock are backordered until a batch lands.
make_to_order: each order is built on a line; one not shipped by its promise date is
backordered (late).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Generator

import simpy

from simcoord.model import disputes, incentives
from simcoord.model.entities import Lead, Order
from simcoord.vocabulary import HOURS_PER_DAY

if TYPE_CHECKING:
    from simcoord.model.world import World

DEPARTMENT = "production"


class Plant:
    """Production's state: lines, finished stock and the forecast it plans with."""

    def __init__(self, model: "World") -> None:
        spec = model.scenario.production
        self.model = model
        running, self.crew = line_crews(spec.lines, spec.staff_per_line, model.scenario.organisation.production.staff)
        self.lines = simpy.Resource(model.env, capacity=running)
        self.stock = simpy.Container(model.env, init=spec.initial_stock_units)
        self.forecast_units_per_day = spec.initial_forecast_units_per_week / 7
        self.demand_history: list[tuple[float, float]] = []  # (time, units) of orders, as sales sees them
        self.in_production = 0.0

    @property
    def queued_units(self) -> float:
        """Units that orders already waiting for stock will take first (FIFO)."""
        return sum(request.amount for request in self.stock.get_queue)

    def sales_forecast(self, as_of: float) -> float:
        """What sales would report at ``as_of``: units ordered per day over the forecast window,
        counted from the first order (before any order there is nothing to report, and the
        current forecast stands)."""
        if not self.demand_history or self.demand_history[0][0] > as_of:
            return self.forecast_units_per_day
        window = self.model.scenario.production.forecast_window_days * HOURS_PER_DAY
        start = max(as_of - window, self.demand_history[0][0])
        units = sum(u for t, u in self.demand_history if start <= t <= as_of)
        span = (as_of - start) / HOURS_PER_DAY
        return units / span if span > 0 else self.forecast_units_per_day

    def receive_forecast(self, as_of: float) -> None:
        """Production adopts the sales forecast (information as of ``as_of``)."""
        self.forecast_units_per_day = self.sales_forecast(as_of)
        self.model.log.record(0, "plan", self.model.env.now, "forecast_updated", DEPARTMENT, None,
                              value=round(self.forecast_units_per_day * 7, 2), as_of=as_of)


def line_crews(lines: int, staff_per_line: float, staff: int) -> tuple[int, float]:
    """``(lines that can run at once, people per running line)`` for ``staff`` production staff.

    A line runs only with its crew; with fewer staff than one crew, one line runs with whoever
    there is (no production staff at all: outsourced, no staff cost)."""
    if staff_per_line <= 0:
        return lines, 0.0
    crewed = min(lines, int(staff // staff_per_line))
    return (crewed, staff_per_line) if crewed >= 1 else (1, float(staff))


def units_for(value: float, unit_price: float) -> float:
    """Units an order of ``value`` needs (at least one)."""
    return max(1.0, math.ceil(value / unit_price))


def fulfil(model: "World", lead: Lead) -> Generator:
    """A won deal becomes an order: ship it from stock or build it, then deliver it."""
    spec = model.scenario.production
    env = model.env
    order = Order(id=next(model.ids), lead=lead.id, tier=lead.tier, units=units_for(lead.value, spec.unit_price),
                  value=lead.value, created_at=env.now)
    model.plant.demand_history.append((env.now, order.units))
    model.log.record(order.id, "order", env.now, "order_created", DEPARTMENT, None, lead=lead.id,
                     units=order.units, value=round(order.value, 2))
    # a signed contract reaches operations at once; a rush request may start a dispute
    yield from disputes.open_dispute(model, order.id, "order", "rush_order",
                                     model.scenario.policy.disputes.rush_order_probability, order.value)
    backordered = False
    if spec.mode == "make_to_stock":
        if model.plant.stock.level < model.plant.queued_units + order.units:
            backordered = True
            model.log.record(order.id, "order", env.now, "backordered", DEPARTMENT, None, units=order.units)
        yield model.plant.stock.get(order.units)
    else:
        env.process(watch_promise(model, order))
        yield from build(model, order.units, order.id, "order")
        backordered = env.now > order.created_at + spec.promise_days * HOURS_PER_DAY
    order.shipped = True
    model.log.record(order.id, "order", env.now, "shipped", DEPARTMENT, None, units=order.units)
    yield env.timeout(model.samplers["production.shipping_days"](model.streams["duration.shipping"]) * HOURS_PER_DAY)
    model.log.record(order.id, "order", env.now, "delivered", DEPARTMENT, None, lead=lead.id, late=backordered)
    model.handoffs.to_service(lead, order, backordered)


def watch_promise(model: "World", order: Order) -> Generator:
    """make_to_order: an order not shipped by its promise date is backordered."""
    yield model.env.timeout(model.scenario.production.promise_days * HOURS_PER_DAY)
    if not order.shipped:
        model.log.record(order.id, "order", model.env.now, "backordered", DEPARTMENT, None, units=order.units)


def build(model: "World", units: float, entity: int, kind: str) -> Generator:
    """One production run on a line: changeover plus ``units`` at the line rate, in working hours."""
    spec = model.scenario.production
    env = model.env
    hours = spec.changeover_hours + units / spec.units_per_hour
    with model.plant.lines.request() as request:
        yield request
        start = model.calendars[DEPARTMENT].next_open(env.now)
        yield env.timeout(start - env.now)
        model.log.record(entity, kind, env.now, "production_run", DEPARTMENT, None, units=units,
                         work_hours=hours * model.plant.crew, crew=model.plant.crew,
                         changeover_hours=spec.changeover_hours)
        yield env.timeout(model.calendars[DEPARTMENT].add_work_hours(env.now, hours) - env.now)


def plan_production(model: "World") -> Generator:
    """make_to_stock: every planning interval, build batches up to the forecast's stock target."""
    spec = model.scenario.production
    env, plant = model.env, model.plant
    while True:
        target = plant.forecast_units_per_day * (spec.stock_cover_days + spec.planning_interval_days)
        shortfall = target + plant.queued_units - plant.stock.level - plant.in_production
        batch = incentives.batch_units(spec.batch_units, model.scenario.policy.incentives)
        runs = max(0, math.ceil(shortfall / batch)) if shortfall > 0 else 0
        for _ in range(runs):
            env.process(produce_batch(model, batch))
        yield env.timeout(spec.planning_interval_days * HOURS_PER_DAY)


def produce_batch(model: "World", units: float) -> Generator:
    plant = model.plant
    plant.in_production += units
    batch_id = next(model.ids)
    yield from build(model, units, batch_id, "batch")
    plant.in_production -= units
    yield plant.stock.put(units)
    model.log.record(batch_id, "batch", model.env.now, "stocked", DEPARTMENT, None, units=units,
                     stock=plant.stock.level)
