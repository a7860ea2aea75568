"""Fit a whole scenario to a company's own event log.

:func:`fit` reads the log through its mapping, keeps the training window ``[log start, until)``
(the cases created in it, and only what happened to them before ``until``: a case still open then
is open, not lost), runs every estimator of this layer on it and assembles their estimates into a
validated :class:`~simcoord.scenario.schema.Scenario` whose calendar starts at the cut-off, where
a backtest of the held-out period begins. :class:`FitResult` writes it as YAML under a header that
says, parameter by parameter, what was fitted from which data and what was assumed and why.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from simcoord.calibration.arrivals import fit_arrivals
from simcoord.calibration.assumptions import fit_parts, missing_departments, part_staff, sales_people, unseen
from simcoord.calibration.capacity import effective_staff, model_waits, with_staff
from simcoord.calibration.decay import FLOOR, HALF_LIFE, fit_response_decay
from simcoord.calibration.estimates import Estimate, fitted
from simcoord.calibration.instances import with_repeated_work
from simcoord.calibration.screen_review import fit_screen_review
from simcoord.calibration.staffing import fit_calendar, fit_staff, fit_step_calendars
from simcoord.calibration.steps import (fit_first_touch, fit_invalid_wait, fit_qualified_wait, fit_screen, fit_stages,
                                       in_working_hours, lead_rows)
from simcoord.calibration.values import fit_lead_mix, lead_attributes
from simcoord.log.read import PLACEHOLDER_STAGE, ImportedLog, read_log
from simcoord.scenario.loading import scenario_from_dict
from simcoord.scenario.paths import build_path
from simcoord.scenario.calendar import WorkCalendar
from simcoord.scenario.schema import CalendarSpec, Scenario
from simcoord.vocabulary import HOURS_PER_DAY

#: Longest value printed in the header (longer ones: see the scenario below it).
HEADER_VALUE_CHARS = 60


class ScenarioDumper(yaml.SafeDumper):
    """YAML as the shipped scenarios are written: a list of plain values on one line."""


def _flow_list(dumper: yaml.SafeDumper, items: list) -> yaml.Node:
    flat = all(not isinstance(item, (list, dict)) for item in items)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", items, flow_style=flat)


ScenarioDumper.add_representer(list, _flow_list)


@dataclass(frozen=True)
class FitSource:
    """The data a fit saw: the log's file, its training window ``[start, until)`` and its cases."""

    file: str
    start: dt.date
    until: dt.date
    cases: int
    log_end: dt.date
    cut: bool = True  # False: the whole log was fitted (no cut-off given)

    @property
    def scenario_start(self) -> dt.date:
        """Where the fitted scenario's calendar starts: the cut-off, or the log's first day."""
        return self.until if self.cut else self.start

    def describe(self) -> str:
        return (f"{self.file}, {self.start} to {self.until} (exclusive; {(self.until - self.start).days} days), "
                f"{self.cases:,} cases created in that window")


@dataclass(frozen=True)
class FitResult:
    """A fitted scenario, every estimate behind it, and the data it came from."""

    scenario: Scenario
    estimates: list[Estimate]
    source: FitSource

    @property
    def assumptions(self) -> list[Estimate]:
        """The estimates the log could not tell (each says why)."""
        return [estimate for estimate in self.estimates if estimate.assumed]

    def to_yaml(self) -> str:
        """The scenario as YAML under a header comment saying what was fitted from which data and
        what was assumed and why; it loads with ``simcoord.load_scenario``."""
        body = yaml.dump(self.scenario.model_dump(mode="json", exclude_none=True), Dumper=ScenarioDumper,
                         sort_keys=False, allow_unicode=True, width=120)
        return header(self) + body

    def write(self, path: str | Path) -> Path:
        """Write :meth:`to_yaml` to ``path`` atomically (a temporary file beside it, then moved):
        nothing half-written on error. Returns the path."""
        path = Path(path)
        text = self.to_yaml()
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                stream.write(text)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return path


def header(result: FitResult) -> str:
    """The YAML header: the source, the window, then every estimate as a comment line."""
    source = result.source
    lines = [f"{result.scenario.name}: fitted by simcoord fit from {source.describe()}.",
             f"The log runs {source.start} to {source.log_end}; what happened after {source.until} was not seen.",
             "Cases still open at the cut-off count as open, not as lost.",
             f"calendar.start_date is the cut-off ({source.until}): a backtest of the held-out period starts there."
             if source.cut else f"calendar.start_date is the log's first day ({source.start}): no cut-off was given.",
             "", "Fitted from the log (parameter: value - how, observations):"]
    lines += [f"  {e.path}: {_short(e.value)} - {e.basis} (n={e.n})" for e in result.estimates if not e.assumed]
    lines += ["", "Assumed, because the log cannot tell (parameter: value - why):"]
    lines += [f"  {e.path}: {_short(e.value)} - {e.basis}" for e in result.assumptions]
    return "".join(f"# {line}".rstrip() + "\n" for line in lines) + "\n"


def _short(value: object) -> str:
    text = str(value)
    return text if len(text) <= HEADER_VALUE_CHARS else text[:HEADER_VALUE_CHARS - 3] + "..."


# ----------------------------------------------------------------- the window
def cut_off(log: ImportedLog, until: dt.date | str | None) -> dt.date:
    """The cut-off date: ``until`` (a date or ISO text), or the day after the log's last; raises
    ValueError for a date that is not inside the log."""
    end = log.start_date + dt.timedelta(days=log.days)
    if until is None:
        return end
    try:
        day = until if isinstance(until, dt.date) else dt.date.fromisoformat(str(until))
    except ValueError:
        raise ValueError(f"cut-off {until!r} is no date (use YYYY-MM-DD)") from None
    if not log.start_date < day <= end:
        raise ValueError(f"cut-off {day} is outside the log, which runs from {log.start_date} to "
                         f"{end - dt.timedelta(days=1)}: give a date after its first day and at most the day "
                         "after its last")
    return day


def training_events(events: pd.DataFrame, hours: float) -> pd.DataFrame:
    """The rows before ``hours``: what was known then (a case with a row before it began before it)."""
    return events[events["time"] < hours].reset_index(drop=True)


# ----------------------------------------------------------------- the fit
def fit(log: str | Path | ImportedLog, mapping: Any = None, until: dt.date | str | None = None) -> FitResult:
    """Fit a scenario to ``log`` (a path read through ``mapping``, or an :class:`ImportedLog`)
    on the cases created before ``until`` (default: the whole log).

    Raises ValueError (naming the problem) for a log or mapping that cannot be read, a cut-off
    outside the log, a window without cases, or a stage no case in the window reaches."""
    if not isinstance(log, ImportedLog):
        if mapping is None:
            raise ValueError("a log file needs its mapping (which columns and activities mean what)")
        log = read_log(log, mapping)
    day = cut_off(log, until)
    events = training_events(with_repeated_work(log), (day - log.start_date).days * HOURS_PER_DAY)
    created = int((events["activity"] == "created").sum())
    if created == 0:
        raise ValueError(f"no case is created in the log before the cut-off {day}: nothing to fit")
    stages = [stage.name for stage in log.mapping.stages]
    if not stages:
        raise ValueError("the mapping names no stages: the funnel cannot be fitted (add the stages of the "
                         f"company's sales process; the lab's placeholder {PLACEHOLDER_STAGE!r} has no data)")
    source = FitSource(log.source, log.start_date, day, created, log.start_date + dt.timedelta(days=log.days - 1),
                       until is not None)
    estimates = estimate_all(events, stages, source, log.mapping.time_zone)
    name = f"{log.mapping.name}-fit"
    scenario = assemble(estimates, name, source)
    seen = scenario.organisation.sales.staff
    # The model's waits differ from the log's: qualification is set on the model's, which changes the
    # work the head count must do, so the head count is sought once more on the scenario it is used in.
    for _ in range(2):
        capacity = effective_staff(scenario, events, seen)
        if capacity is None or capacity.value == scenario.organisation.sales.staff:
            break
        waits = model_waits(with_staff(scenario, int(capacity.value)))
        estimates = estimate_all(events, stages, source, log.mapping.time_zone, waits)
        estimates = [capacity if estimate.path == capacity.path else estimate for estimate in estimates]
        scenario = assemble(estimates, name, source)
    return FitResult(scenario, estimates, source)


def estimate_all(events: pd.DataFrame, stages: list[str], source: FitSource, time_zone: str,
                 model_waits: pd.Series | None = None) -> list[Estimate]:
    """Every estimate of a scenario from the training ``events`` (first of each path kept);
    ``model_waits``: the first-touch waits (hours) of the fitted model, where they differ from the log's."""
    start = source.start
    days = float((source.until - start).days)
    calendar = fit_calendar(events, start, time_zone)
    decay = fit_response_decay(events)
    decay_values = {estimate.path: estimate.value for estimate in decay}
    work_calendar = log_calendar(calendar, start, days)
    worked = in_working_hours(events, work_calendar)
    rows, leads = lead_rows(worked), lead_attributes(events)
    parts = fit_parts(events)
    nurture = next(bool(e.value) for e in parts if e.path == "marketing.nurture")
    screen = fit_screen(rows, leads, nurture)
    if any(estimate.path == "funnel.screen.pass_probability" for estimate in screen):
        opening = next(e.value for e in calendar if e.path == "calendar.day_start_hour")
        screen += fit_screen_review(rows, work_calendar, opening)
    estimates = [fitted("calendar.start_date", source.scenario_start.isoformat(), "the cut-off: a run starts where "
                        "the log was cut" if source.cut else "the log's first day (no cut-off)", 0),
                 *calendar, *fit_step_calendars(events, start, stages, calendar), *fit_staff(events, days),
                 *fit_arrivals(events, start, days),
                 *parts, *fit_lead_mix(leads), *screen,
                 *fit_first_touch(rows, leads, (decay_values[HALF_LIFE], decay_values[FLOOR]), model_waits),
                 fit_qualified_wait(rows, days * HOURS_PER_DAY), fit_invalid_wait(rows, days * HOURS_PER_DAY),
                 *decay,
                 *fit_stages(rows, leads, stages, work_calendar, days * HOURS_PER_DAY), *unseen(stages, nurture)]
    estimates = [*sales_people(events, stages, estimates), *part_staff(estimates), *estimates]
    estimates += missing_departments(estimates)
    first: dict[str, Estimate] = {}
    for estimate in estimates:
        first.setdefault(estimate.path, estimate)
    return list(first.values())


def log_calendar(estimates: list[Estimate], start: dt.date, days: float) -> WorkCalendar:
    """The fitted working week over the log's own days (its time 0 is ``start``), to count a task's
    working hours the way the model does."""
    data: dict[str, Any] = {}
    for estimate in estimates:
        build_path(data, estimate.path, estimate.value)
    spec = CalendarSpec.model_validate({**data.get("calendar", {}), "start_date": start})
    return WorkCalendar(spec, horizon_days=int(days) + 1, margin_days=1)


def assemble(estimates: list[Estimate], name: str, source: FitSource) -> Scenario:
    """The validated scenario holding every estimate's value (``None`` values and the notes on
    whole sections, ``*`` paths, leave the schema's value in place)."""
    data: dict[str, Any] = {"name": name, "description": f"fitted to {source.describe()}"}
    for estimate in estimates:
        if estimate.value is not None and not estimate.path.endswith("*"):
            build_path(data, estimate.path, estimate.value)
    drop_unknown_channels(data)
    return scenario_from_dict(data, f"the scenario fitted to {source.file}")


def drop_unknown_channels(data: dict[str, Any]) -> None:
    """Channel tables may name only the channels leads come from (the demand's): drop the others
    (e.g. repurchase leads of a company whose service is not modelled)."""
    channels = set(data.get("demand", {}).get("channels", {}))
    funnel = data.get("funnel", {})
    for table, key in ((funnel, "qualification_by_channel"), (funnel.get("screen") or {}, "by_channel"),
                       *((stage, "conversion_by_channel") for stage in funnel.get("stages", []))):
        if isinstance(table.get(key), dict):
            table[key] = {name: p for name, p in table[key].items() if name in channels}
