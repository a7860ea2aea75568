"""The lab's KPIs week by week, computed by the same code for a real and a simulated log.

A backtest compares the weeks after a cut-off. Both logs come here the same way: seen through the
company's mapping (``relabel.through_mapping``), with times in hours since the cut-off 00:00, and
with the KPI scenario of the real log (``ImportedLog.scenario()`` moved to the cut-off: a 24/7
calendar, the mapping's stages, no staff or costs), so every value below is computed by
``simcoord.kpis`` from rows of the same shape. Week ``w`` is hours ``[168 w, 168 (w + 1))``.

- counts and conversions (``leads_created``, ``conversion_mql_to_sql``, ``conversion_sql_to_won``)
  are the KPIs of the week's rows (``compute_kpis`` with the week as its window);
- durations are those of the cases that end them in the week, counted from their start since the
  cut-off: ``first_touch_median_hours`` over the leads first touched in the week (handed over since
  the cut-off), ``sales_cycle_days`` over the deals won in the week;
- ``open_cases`` is the work in progress at the week's end: the cases open at the cut-off, plus
  the leads created since, less those that reached a terminal state since (won, dormant, discarded);
- ``workload_<team>_hours`` is the person-hours of work each team did in the week (``busy`` of
  ``kpis.summary``: the first touches and each touch of a stage, a real log's later work items of
  its stages included, ``calibration.instances``; not repeated first-touch items), for the teams
  whose work the real log shows (:func:`working_teams`). A real log's ``work_hours`` must be
  working hours already (``calibration.steps.in_working_hours``), as a simulated log's are.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from simcoord.kpis.registry import compute_kpis
from simcoord.kpis.summary import summarise
from simcoord.scenario.calendar import WorkCalendar
from simcoord.scenario.schema import Scenario
from simcoord.vocabulary import HOURS_PER_DAY, TERMINAL

WEEK_HOURS = 7 * HOURS_PER_DAY
#: KPIs of the week's own rows.
WINDOW_KPIS = ("leads_created", "conversion_mql_to_sql", "conversion_sql_to_won")
#: Durations: KPI -> the lab activity that ends them (the cases ending them in the week count).
DURATION_KPIS = {"first_touch_median_hours": "first_touch", "sales_cycle_days": "won"}
WIP = "open_cases"


def working_teams(events: pd.DataFrame) -> tuple[str, ...]:
    """The departments whose work the log shows (rows with ``work_hours``), in the log's order."""
    working = events.loc[pd.to_numeric(events["work_hours"], errors="coerce").notna(), "department"]
    return tuple(dict.fromkeys(working.astype(str)))


def weekly_kpi_names(teams: tuple[str, ...]) -> tuple[str, ...]:
    """The weekly KPIs, the workload of each of ``teams`` included."""
    return (*WINDOW_KPIS, *DURATION_KPIS, WIP, *(f"workload_{team}_hours" for team in teams))


def _kpis(events: pd.DataFrame, scenario: Scenario, lo: float, hi: float) -> pd.Series:
    """``compute_kpis`` of the rows in ``[lo, hi)`` hours (the rows before ``lo`` are its warm-up)."""
    days = hi / HOURS_PER_DAY
    return compute_kpis(events[events["time"] < hi], scenario, days, WorkCalendar(scenario.calendar, int(days) + 1),
                        warmup_days=lo / HOURS_PER_DAY)


def _in_week(events: pd.DataFrame, lo: float, hi: float) -> pd.DataFrame:
    """The rows in ``[lo, hi)`` (all a window KPI reads: ``compute_kpis`` drops the rest as warm-up)."""
    return events[(events["time"] >= lo) & (events["time"] < hi)]


def _durations(events: pd.DataFrame, scenario: Scenario, lo: float, hi: float) -> dict[str, float]:
    """Each duration KPI over the cases that end it in ``[lo, hi)``, from their rows since 0."""
    values = {}
    for kpi, ending in DURATION_KPIS.items():
        ended = events[(events["activity"] == ending) & (events["time"] >= lo) & (events["time"] < hi)]
        cases = events[events["id"].isin(ended["id"]) & (events["kind"] == "lead")]
        values[kpi] = float(_kpis(cases, scenario, 0.0, hi)[kpi]) if len(ended) else np.nan
    return values


def open_cases(events: pd.DataFrame, hi: float, open_at_start: int) -> float:
    """Cases open at ``hi``: open at 0, plus leads created since, less cases closed since."""
    before = events[(events["time"] < hi) & (events["kind"] == "lead")]
    closed = before.loc[before["activity"].isin(TERMINAL), "id"].nunique()
    return float(open_at_start + (before["activity"] == "created").sum() - closed)


def _workload(events: pd.DataFrame, scenario: Scenario, lo: float, hi: float,
              teams: tuple[str, ...]) -> dict[str, float]:
    """Person-hours of work each of ``teams`` did in ``[lo, hi)``."""
    days = hi / HOURS_PER_DAY
    work = events[(events["time"] < hi) & pd.to_numeric(events["work_hours"], errors="coerce").notna()]
    busy = summarise(work, scenario, days, WorkCalendar(scenario.calendar, int(days) + 1),
                     warmup_days=lo / HOURS_PER_DAY).busy
    return {f"workload_{team}_hours": float(busy.get(team, 0.0)) for team in teams}


def week_kpis(events: pd.DataFrame, scenario: Scenario, week: int, open_at_start: int,
              teams: tuple[str, ...], work: pd.DataFrame | None = None) -> dict[str, float]:
    """:func:`weekly_kpi_names` of week ``week`` (0: the first week after the cut-off); the
    workload from ``work`` (every touch's row) where given, else from ``events``."""
    lo, hi = week * WEEK_HOURS, (week + 1) * WEEK_HOURS
    window = _kpis(_in_week(events, lo, hi), scenario, lo, hi)
    return {**{kpi: float(window[kpi]) for kpi in WINDOW_KPIS}, **_durations(events, scenario, lo, hi),
            WIP: open_cases(events, hi, open_at_start),
            **_workload(events if work is None else work, scenario, lo, hi, teams)}


def weekly_kpis(events: pd.DataFrame, scenario: Scenario, weeks: int, open_at_start: int,
                teams: tuple[str, ...] = ("sales",), work: pd.DataFrame | None = None) -> pd.DataFrame:
    """Long table ``week, kpi, value`` of :func:`weekly_kpi_names` for weeks ``0 .. weeks - 1`` of
    ``events`` (times in hours since the cut-off; ``open_at_start`` cases open at it). The
    workload counts every row of ``work`` where given (``relabel.mapped_rows``: each touch of a
    stage, not only the first the other KPIs read), else of ``events``."""
    rows = [{"week": week, "kpi": kpi, "value": value} for week in range(weeks)
            for kpi, value in week_kpis(events, scenario, week, open_at_start, teams, work).items()]
    return pd.DataFrame(rows, columns=["week", "kpi", "value"])
