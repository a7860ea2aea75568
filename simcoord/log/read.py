"""Reading a company's own event log into the lab's schema, through a mapping file.

:func:`read_log` reads CSV, gzipped CSV and Parquet natively (CSV in chunks, so only the rows the
mapping uses are ever held at once) and XES through pm4py when it is installed. It returns an
:class:`ImportedLog`: the lab's rows ``(id, kind, time, activity, department, staff, attributes)``
with ``time`` in wall-clock hours of the mapping's ``time_zone`` since the first event's day
00:00, so the same KPI code runs on real and simulated logs.

Every problem with the log is one ``ValueError`` naming it: a missing column, an unparseable
timestamp (with its row, counted from 1 after the header, and value), timestamps with and without
a zone, activities the mapping does not know (the most frequent, with counts), a case whose events
are out of order, duplicate rows, or nothing selected. Nothing is written anywhere.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from simcoord.log.clock import wall_hours
from simcoord.log.mapping import LogMapping, load_mapping
from simcoord.log.steps import lab_rows
from simcoord.log.store import CATEGORICAL
from simcoord.log.sources import read_rows
from simcoord.scenario.schema import Scenario
from simcoord.vocabulary import DEPARTMENTS, GRADES, HOURS_PER_DAY

#: Attribute columns every imported log has (NaN where the log gives none), as every simulated log does.
ALWAYS_PRESENT = ("grade", "stage", "value", "work_hours", "queued_at")
PLACEHOLDER_STAGE = "pipeline"  # the funnel a mapping without stages gets (a scenario needs one stage)


class ImportedLog(NamedTuple):
    """A log read from outside the lab, in the lab's schema (times in wall-clock hours of the
    mapping's time zone since ``start_date`` 00:00)."""

    events: pd.DataFrame
    start_date: dt.date  # the first event's local day
    days: float  # the horizon: whole days up to the end of the last event's day
    mapping: LogMapping
    source: str

    def scenario(self) -> Scenario:
        """The smallest scenario the KPI code needs for this log: its start date, a 24/7 calendar,
        the mapping's stages, and no staff or costs. Its other values are defaults the log never
        had, so KPIs that read them must not be reported (see ``simcoord.kpis.imported``)."""
        stages = [stage.name for stage in self.mapping.stages] or [PLACEHOLDER_STAGE]
        return Scenario.model_validate({
            "name": self.mapping.name,
            "calendar": {"start_date": self.start_date, "time_zone": self.mapping.time_zone, "always_open": True},
            "organisation": {**{d: {"staff": 0, "hourly_cost": 0.0} for d in DEPARTMENTS}, "key_account_staff": 0},
            "funnel": {"stages": [{"name": name, "conversion": dict.fromkeys(GRADES, 0.5)} for name in stages]},
            "policy": {"sla": {"stage_dwell_stage": stages[0]}},
        })


def read_log(path: str | Path, mapping: LogMapping | str | Path) -> ImportedLog:
    """The log at ``path`` (``.csv``, ``.csv.gz``, ``.parquet``, ``.xes``/``.xes.gz`` with pm4py)
    read through ``mapping`` (a :class:`LogMapping` or the path of a mapping file).

    Raises ``ValueError`` naming the problem (a mapping file's own problems are a
    :class:`~simcoord.scenario.loading.ScenarioError`, also a ``ValueError``)."""
    mapping = mapping if isinstance(mapping, LogMapping) else load_mapping(mapping)
    rows = read_rows(Path(path), mapping)
    try:
        events = lab_rows(rows, mapping)
    except ValueError as exc:
        raise ValueError(f"{path}: {exc}") from None
    if events.empty:
        raise ValueError(f"{path}: the mapping selects no events: no case reaches any of its steps or stages")
    start = events["instant"].min().tz_convert(mapping.time_zone).tz_localize(None).normalize()
    events = _finished(events, mapping.time_zone, start)
    days = float(np.floor(events["time"].max() / HOURS_PER_DAY) + 1)
    return ImportedLog(events, start.date(), days, mapping, str(path))


def _finished(events: pd.DataFrame, zone: str, start: pd.Timestamp) -> pd.DataFrame:
    """The lab's rows as a simulated log has them: ``time`` (and ``queued_at``) in wall-clock hours
    of ``zone`` since ``start``, in time order, text columns categorical, every attribute column there."""
    events.insert(2, "time", wall_hours(events.pop("instant"), zone, start))
    if "queued_at" in events:
        events["queued_at"] = wall_hours(events["queued_at"], zone, start)
    events = events.sort_values(["time", "id"], kind="stable", ignore_index=True)
    for column in CATEGORICAL:
        events[column] = events[column].astype("category")
    for column in ALWAYS_PRESENT:  # the KPI code may read them
        if column not in events:
            events[column] = np.nan
    return events
