"""A lab log seen through a company's mapping, and written back in the company's own words.

A mapping (``simcoord.log.mapping``) reads a company's log as the lab's steps: each step once per
case (unless its rule says ``every``), each funnel stage once per case, at the first event of its
activities. A simulated log holds more than that (every touch of a stage, assignments, screens).
To compare the two fairly, both pass through the same lens:

- :func:`through_mapping` keeps what the mapping could have produced: the rows of mapped steps and
  stages, the first of each per case where the mapping keeps only the first;
- :func:`company_log` writes those rows back as the company's activity instances, each step and
  stage named by the **first** activity its rule lists (``sql`` -> ``A_ACCEPTED``), one row per
  instance with a case, an activity, a start and an end timestamp (wall-clock, naive).

The real held-out log takes the same path (read through the mapping, then written back), not its
raw rows: the raw rows carry what the mapping leaves out (every repeated work item, ignored
activities), which no simulation of the lab's steps can reproduce, so a distance on them would
measure the mapping, not the model. Steps that share their first activity (``invalid``, ``lost`` and
``discarded`` all read ``A_DECLINED``) and happen at the same moment of a case collapse into one
instance, as they were one event in the company's log.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from simcoord.log.export import completion_hours
from simcoord.log.mapping import LogMapping
from simcoord.model.pipeline import RESUMED
from simcoord.scenario.calendar import WorkCalendar, department_calendars
from simcoord.scenario.schema import Scenario

#: The columns of a company log (:func:`company_log`), as ``distances.LogColumns`` names them.
COMPANY_COLUMNS = ("case", "activity", "start", "end")


def company_labels(mapping: LogMapping) -> dict[str, str]:
    """Lab activity (a mapped step or a stage's name) -> the company activity that stands for it:
    the first one its rule lists."""
    steps = {step: rule.activities[0] for step, rule in mapping.steps.items()}
    return {**steps, **{stage.name: stage.activities[0] for stage in mapping.stages}}


def _repeated(mapping: LogMapping) -> set[str]:
    """The lab activities the mapping reads at every matching event (``every: true``)."""
    return {step for step, rule in mapping.steps.items() if rule.every}


def mapped_rows(events: pd.DataFrame, mapping: LogMapping) -> pd.DataFrame:
    """Every row of ``events`` of a mapped step or stage, each touch of a stage included (a read
    log has those from ``calibration.instances``): all the work the mapping's activities show."""
    return events[events["activity"].astype(str).isin(company_labels(mapping))]


def through_mapping(events: pd.DataFrame, mapping: LogMapping) -> pd.DataFrame:
    """The rows of ``events`` (a lab log, simulated or read) that the mapping could have produced:
    mapped steps and stages only, the first per case and activity unless the step is read at
    every event. Times and the other columns are kept; the row order too."""
    mapped = mapped_rows(events, mapping)
    activity = mapped["activity"].astype(str)
    first = ~mapped.assign(activity=activity).duplicated(["kind", "id", "activity"])
    return mapped[first | activity.isin(_repeated(mapping)).to_numpy()]


def earlier_firsts(seen: pd.DataFrame, mapping: LogMapping, hours: float) -> frozenset[tuple[str, str]]:
    """``(case, lab activity)`` of every row of ``seen`` (a read log, already :func:`through_mapping`)
    before ``hours`` that the mapping keeps only once per case: the steps and stages each case had
    before a cut-off. The case is the company's own case id where the log has one, else the lab id
    (as a snapshot names it)."""
    before = seen[(seen["time"] < hours) & ~seen["activity"].astype(str).isin(_repeated(mapping))]
    cases = before["case"] if "case" in before else before["id"]
    return frozenset(zip(cases.astype(str), before["activity"].astype(str)))


def without_earlier(seen: pd.DataFrame, events: pd.DataFrame, earlier: frozenset[tuple[str, str]]) -> pd.DataFrame:
    """``seen`` (``events``, a simulated log from an open pipeline, :func:`through_mapping`) without the
    rows of a resumed case whose step or stage its real case had before the cut-off (``earlier``,
    from :func:`earlier_firsts`). The mapping keeps the first of those per case, and the real one lies
    before the held-out window, so a case that resumes in its stage (or redoes a first touch under way)
    enters no new instance of it; without this the simulated log would show a second start of every
    open case's current stage that the real log cannot have."""
    resumed = events[events["activity"].astype(str) == RESUMED]
    if resumed.empty or not earlier:
        return seen
    source = dict(zip(resumed["id"], resumed["source_case"].astype(str)))
    pairs = zip(seen["id"].map(source), seen["activity"].astype(str))
    had = np.fromiter((pair in earlier for pair in pairs), dtype=bool, count=len(seen))
    return seen[~had]


def clock_ends(events: pd.DataFrame) -> np.ndarray:
    """When each row of a log read from a company ends (hours): ``work_hours`` there are the
    clock hours between a work item's start and complete, so ``time + work_hours``."""
    work = pd.to_numeric(events["work_hours"], errors="coerce").fillna(0.0) if "work_hours" in events else 0.0
    return (events["time"] + work).to_numpy(dtype=float)


def simulated_ends(events: pd.DataFrame, scenario: Scenario, days: float) -> np.ndarray:
    """When each row of a simulated log ends (hours): work runs on its department's calendar."""
    calendar = WorkCalendar(scenario.calendar, int(np.ceil(days)))
    return completion_hours(events, calendar, department_calendars(scenario, calendar))


def company_log(events: pd.DataFrame, ends: np.ndarray, mapping: LogMapping, origin: dt.date) -> pd.DataFrame:
    """``events`` (already :func:`through_mapping`) as the company's activity instances: columns
    :data:`COMPANY_COLUMNS`, times as wall-clock timestamps (``origin`` 00:00 + hours), case
    ``<kind>-<id>``; the rows of one case, label and start collapse into one."""
    start = pd.Timestamp(origin)
    frame = pd.DataFrame({
        "case": events["kind"].astype(str).str.cat(events["id"].astype("int64").astype(str), sep="-").to_numpy(),
        "activity": events["activity"].astype(str).map(company_labels(mapping)).to_numpy(),
        "start": start + pd.to_timedelta(events["time"].to_numpy(dtype=float), unit="h"),
        "end": start + pd.to_timedelta(np.maximum(ends, events["time"].to_numpy(dtype=float)), unit="h"),
    })
    return frame.drop_duplicates(["case", "activity", "start"], ignore_index=True)
