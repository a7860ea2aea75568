"""Queue KPIs per stage, from the event log: how long work waits for staff, and how many wait.

Every piece of work is logged once, when it starts, with ``queued_at`` (when it joined its
queue) and ``work_hours``; its ``time`` is the start. So each activity that is work
(qualification, first touch, each funnel stage, onboarding, ticket responses, ...) is a queue:
a task waits from ``queued_at`` to ``time``. Tasks still waiting at the horizon have no row yet
and are not counted. Leads a timer took out of a queue are ``released_to_pool`` rows: the
auto-release counts against the first touch, a stage-dwell release against its ``stage``.

Only tasks queued after the warm-up count, as for every KPI; the time-average number waiting
integrates every task's wait that overlaps the window. Times are clock hours, shares fractions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from simcoord.kpis.context import build_context
from simcoord.kpis.summary import stage_names, summarise
from simcoord.kpis.workload import utilisation
from simcoord.vocabulary import ACTIVITIES, HOURS_PER_DAY

if TYPE_CHECKING:
    from simcoord.scenario.calendar import WorkCalendar
    from simcoord.scenario.schema import Scenario

#: The stage a release without a ``stage`` attribute counts against, by its ``reason``.
RELEASED_FROM = {"auto_release": "first_touch"}
#: The columns of :func:`queue_kpis`, each with its meaning and unit.
QUEUE_COLUMNS = {
    "department": "the department whose staff does the work",
    "staff": "head count of that department (servers)",
    "arrivals": "tasks queued in the window and started by the horizon",
    "arrival_rate_per_hour": "arrivals per clock hour of the window (lambda)",
    "mean_wait_hours": "mean clock hours from queueing to the start of work (W)",
    "p90_wait_hours": "90th percentile of that wait, clock hours",
    "waited_pct": "share of arrivals that waited at all (P(wait > 0))",
    "mean_waiting_tasks": "time-average number of tasks waiting in the window (L)",
    "lambda_w_tasks": "arrival_rate_per_hour x mean_wait_hours: what Little's law says L is",
    "mean_service_hours": "mean working hours of one task",
    "utilisation": "busy share of the department's paid hours in the window (all its work)",
    "releases": "leads a timer released to the public pool from this stage in the window",
    "released_pct": "releases / (arrivals + releases)",
}


def queue_kpis(events: pd.DataFrame, scenario: "Scenario", days: float, calendar: "WorkCalendar",
               warmup_days: float = 0.0) -> pd.DataFrame:
    """One row per stage (activity that is work, in flow order) with :data:`QUEUE_COLUMNS`, from a
    run's event log of ``days`` days; only what is queued after ``warmup_days`` counts."""
    start, end = warmup_days * HOURS_PER_DAY, days * HOURS_PER_DAY
    tasks, released = queued_tasks(events), released_leads(events, start)
    stages = _flow_order(set(tasks["stage"]) | set(released["stage"]), scenario)
    table = _wait_statistics(tasks[tasks["queued_at"] >= start], end - start).reindex(stages)
    table["mean_waiting_tasks"] = time_average_waiting(tasks, start, end).reindex(stages).fillna(0.0)
    table["releases"] = released["stage"].value_counts()
    table["department"] = _departments(pd.concat([tasks, released]))
    table = _with_utilisation(table, events, scenario, days, calendar, warmup_days)
    table[["arrivals", "releases"]] = table[["arrivals", "releases"]].fillna(0).astype(int)
    table["released_pct"] = table["releases"] / (table["arrivals"] + table["releases"]).replace(0, np.nan)
    return table[list(QUEUE_COLUMNS)].rename_axis("stage")


def queued_tasks(events: pd.DataFrame) -> pd.DataFrame:
    """The log's work rows that queued (``queued_at`` set): stage, department, queued_at, start
    and working hours, with the wait in clock hours."""
    if "queued_at" not in events or not len(events):
        return pd.DataFrame({"stage": pd.Series(dtype=str), "department": pd.Series(dtype=str),
                             **{column: pd.Series(dtype=float) for column in ("queued_at", "start", "work_hours", "wait")}})
    rows = events[events["queued_at"].notna()]
    return pd.DataFrame({"stage": rows["activity"].astype(str), "department": rows["department"].astype(str),
                         "queued_at": rows["queued_at"].astype(float), "start": rows["time"].astype(float),
                         "work_hours": rows["work_hours"].astype(float),
                         "wait": (rows["time"] - rows["queued_at"]).astype(float)})


def _wait_statistics(arrived: pd.DataFrame, window_hours: float) -> pd.DataFrame:
    """Arrivals, rate, mean and p90 wait, P(wait > 0), Little's lambda W and mean work, per stage."""
    by_stage = arrived.groupby("stage")
    table = pd.DataFrame({"arrivals": by_stage.size(), "mean_wait_hours": by_stage["wait"].mean(),
                          "p90_wait_hours": by_stage["wait"].quantile(0.9),
                          "waited_pct": by_stage["wait"].apply(lambda wait: float((wait > 0).mean())),
                          "mean_service_hours": by_stage["work_hours"].mean()}, dtype=float)
    table["arrival_rate_per_hour"] = table["arrivals"] / window_hours
    table["lambda_w_tasks"] = table["arrival_rate_per_hour"] * table["mean_wait_hours"]
    return table


def time_average_waiting(tasks: pd.DataFrame, start: float, end: float) -> pd.Series:
    """Per stage, the integral over [start, end] of the number of tasks waiting, over its length:
    each task's wait from ``queued_at`` to its start, cut to the window (tasks)."""
    overlap = (np.minimum(tasks["start"], end) - np.maximum(tasks["queued_at"], start)).clip(lower=0.0)
    return overlap.groupby(tasks["stage"]).sum() / (end - start)


def released_leads(events: pd.DataFrame, start: float) -> pd.DataFrame:
    """Leads released to the public pool at or after ``start``: the stage they left and the
    department that released them, one row per release."""
    if "reason" not in events or not len(events):
        return pd.DataFrame({"stage": pd.Series(dtype=str), "department": pd.Series(dtype=str)})
    rows = events[(events["activity"] == "released_to_pool") & (events["time"] >= start)]
    stage = rows["stage"].astype(object) if "stage" in rows else pd.Series(None, index=rows.index, dtype=object)
    stage = stage.fillna(rows["reason"].astype(object).map(RELEASED_FROM))
    return pd.DataFrame({"stage": stage, "department": rows["department"].astype(str)}).dropna()


def _departments(rows: pd.DataFrame) -> pd.Series:
    """The department of each stage's rows (the most frequent one, should a log mix them)."""
    return rows.groupby("stage")["department"].agg(lambda names: names.mode().iloc[0])


def _with_utilisation(table: pd.DataFrame, events: pd.DataFrame, scenario: "Scenario", days: float,
                      calendar: "WorkCalendar", warmup_days: float) -> pd.DataFrame:
    """``staff`` and ``utilisation`` of the department serving each stage: the utilisation KPI's
    own formula (``workload.utilisation``) on the same context the KPIs use."""
    context = build_context(summarise(events, scenario, days, calendar, warmup_days), scenario, days, calendar,
                            warmup_days)
    departments = table["department"].dropna().unique()
    staff = {name: float(scenario.organisation.department(name).staff) for name in departments}
    table["staff"] = table["department"].map(staff).astype(float)
    table["utilisation"] = table["department"].map({name: utilisation(context, name) for name in departments})
    table["utilisation"] = table["utilisation"].astype(float)
    return table


def _flow_order(stages: set[str], scenario: "Scenario") -> list[str]:
    """The stages in the order work flows: the lead's (qualification, first touch, the funnel),
    then every other activity in the vocabulary's order, then any the vocabulary does not know."""
    known = ["qualification", "first_touch", *stage_names(scenario),
             *(name for activities in ACTIVITIES.values() for name in activities)]
    ordered = [name for name in dict.fromkeys(known) if name in stages]
    return ordered + sorted(set(stages) - set(ordered))
