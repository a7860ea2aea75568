"""Backtest: simulate a period the fit did not see, from the cases open at its start, and score it
against what really happened.

:func:`backtest` takes a scenario (typically fitted on the log up to the cut-off), the company's
log read through its mapping, a cut-off date and a number of days. It takes the pipeline open at
the cut-off from the log (``simcoord.log.snapshot``), simulates ``days`` days from it ``reps``
times (replication ``r`` on ``replication_seed(seed, r)``, as experiments name their seeds), and
compares the held-out window ``[cutoff, cutoff + days)`` with the simulations in two ways:

- **weekly KPIs** (``calibration.weekly``): each real week's value beside the simulated 95 % band
  (:func:`prediction_band` of the replications) and whether it lies inside;
- **log distances** (``calibration.distances``) between the real held-out log and each simulated
  log, both seen through the mapping and written back in the company's own activity labels
  (``calibration.relabel``), mean and 95 % interval over the replications, beside the same
  distances for the naive forecast (``calibration.naive``: the training weeks repeated).

Replications run in this process, on local processes or on a Dask cluster; each carries its own
seed and the results are put in replication order, so every back end gives the same result.
"""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
import pandas as pd
from scipy import stats

from simcoord.calibration.distances import LogColumns, activity_instances, hour_profiles, hours_apart, log_distances
from simcoord.calibration.instances import with_repeated_work
from simcoord.calibration.naive import naive_forecast
from simcoord.calibration.relabel import (clock_ends, company_log, earlier_firsts, mapped_rows, simulated_ends,
                                         through_mapping, without_earlier)
from simcoord.calibration.steps import in_working_hours
from simcoord.calibration.weekly import WEEK_HOURS, open_cases, weekly_kpis, working_teams
from simcoord.experiments.experiment import replication_seed
from simcoord.experiments.stats import clip_interval, mean_ci
from simcoord.log.mapping import LogMapping
from simcoord.log.read import ImportedLog
from simcoord.log.snapshot import Snapshot, snapshot_at
from simcoord.model.company import simulate
from simcoord.scenario.calendar import WorkCalendar
from simcoord.scenario.schema import Scenario
from simcoord.vocabulary import HOURS_PER_DAY

if TYPE_CHECKING:
    from distributed import Client

#: How the distances read a company log (``relabel.company_log``: one row per activity instance).
COMPANY_LOG = LogColumns(case="case", activity="activity", start="start", end="end", lifecycle=None)
BAND_LEVEL = 0.95  # the simulated band: a 95 % prediction interval for one more week's value


#: The widest a band from few replications may be, against the model's own 95 % range (normal
#: values), for a real week inside it to say something: 1.25 needs 9 replications (1.24 wide).
MAX_WIDENING = 1.25


def band_widening(reps: int, level: float = BAND_LEVEL) -> float:
    """How many times as wide as the model's own ``level`` range (normal values) the prediction
    band from ``reps`` replications is: Student's t and the estimated mean's own spread make up
    for not knowing the distribution (7.9 from 2 replications, 1.21 from 10, 1 from infinitely many)."""
    if reps < 2:
        return np.inf
    return float(stats.t.ppf(0.5 + level / 2, reps - 1) * np.sqrt(1 + 1 / reps) / stats.norm.ppf(0.5 + level / 2))


def replications_to_judge(widest: float = MAX_WIDENING) -> int:
    """The fewest replications whose band is at most ``widest`` times the model's own range."""
    reps = 2
    while band_widening(reps) > widest:
        reps += 1
    return reps


def prediction_band(values: pd.core.groupby.SeriesGroupBy, level: float = BAND_LEVEL) -> pd.DataFrame:
    """Per group of replications' values: ``low`` and ``high`` of the ``level`` prediction interval
    for one more value of the same distribution, ``mean +- t(n - 1) * sd * sqrt(1 + 1/n)``
    (Student's t; ``low`` not below 0, as no weekly KPI is negative; NaN from one replication).

    This, not the replications' own 2.5 and 97.5 percentiles, is the band a right model fills to
    ``level``: the percentiles of ``n`` draws hold one more draw only ``(n - 1) / (n + 1)`` times the
    level on average (78 % from 10 replications), since they leave out how far the ``n`` values
    themselves are from the distribution they estimate. For normally distributed values the
    interval holds ``level`` exactly at any ``n``; for skewed ones it is close (see the tests)."""
    n, mean, sd = values.count(), values.mean(), values.std(ddof=1)
    half = stats.t.ppf(0.5 + level / 2, (n - 1).clip(lower=1)) * sd * np.sqrt(1 + 1 / n)
    half = half.where(n > 1)
    return pd.DataFrame({"low": (mean - half).clip(lower=0.0), "high": mean + half})


class Window(NamedTuple):
    """The held-out window on the real log's clock: hours since the log's start date 00:00."""

    cutoff: dt.date
    start_hours: float
    days: float

    @property
    def end_hours(self) -> float:
        return self.start_hours + self.days * HOURS_PER_DAY

    @property
    def weeks(self) -> int:
        """Whole weeks in the window (a last partial week is left out of the weekly KPIs)."""
        return int(self.days * HOURS_PER_DAY // WEEK_HOURS)


def arrivals_end(log: ImportedLog) -> dt.date:
    """The day after the log's last new case (``created``), or after its last event when it maps no
    ``created``: an extract that stops taking new cases before its last event ends there for a
    backtest, or the simulated arrivals would be compared with arrivals the extract left out."""
    created = log.events.loc[log.events["activity"] == "created", "time"]
    last = created.max() if len(created) else log.events["time"].max()
    return log.start_date + dt.timedelta(days=int(last // HOURS_PER_DAY) + 1)


def held_out_window(log: ImportedLog, cutoff: dt.date | str, days: float) -> Window:
    """The window ``[cutoff, cutoff + days)`` of ``log``. Raises ValueError when the cut-off is not
    inside the log, the window runs past the log's last arrival (:func:`arrivals_end`), or it
    holds no whole week."""
    cutoff = pd.Timestamp(cutoff).date()
    end = arrivals_end(log)
    if not log.start_date < cutoff < end:
        raise ValueError(f"cut-off {cutoff} is outside the log, whose cases arrive from {log.start_date} to "
                         f"{end - dt.timedelta(days=1)}")
    if days < 7:
        raise ValueError(f"the held-out window must hold at least one whole week (7 days), got {days:g} days")
    if cutoff + dt.timedelta(days=days) > end:
        raise ValueError(f"the window of {days:g} days from {cutoff} runs beyond the log's last arrival day "
                         f"({end - dt.timedelta(days=1)}): at most {(end - cutoff).days} days")
    return Window(cutoff, float((cutoff - log.start_date).days * HOURS_PER_DAY), float(days))


def starting_at(scenario: Scenario, cutoff: dt.date) -> Scenario:
    """``scenario`` with its calendar starting at ``cutoff`` (a simulation from the open pipeline
    starts there)."""
    return scenario.model_copy(update={"calendar": scenario.calendar.model_copy(update={"start_date": cutoff})})


def _since(events: pd.DataFrame, hours: float) -> pd.DataFrame:
    """The rows from ``hours`` on, with their times counted from there."""
    later = events[events["time"] >= hours]
    moved = later.assign(time=later["time"] - hours)
    if "queued_at" in moved:
        moved["queued_at"] = moved["queued_at"] - hours
    return moved.reset_index(drop=True)


@dataclass(frozen=True)
class ReplicationTask:
    """One replication to run, with everything a worker needs to score it."""

    replication: int
    seed: int
    scenario: Scenario  # starting at the cut-off
    start_from: Snapshot  # the pipeline open at the cut-off
    window: Window
    mapping: LogMapping
    kpi_scenario: Scenario  # the real log's KPI scenario, starting at the cut-off
    open_at_cutoff: int
    teams: tuple[str, ...]  # the teams whose weekly workload is compared
    real: pd.DataFrame  # the held-out company log
    earlier: frozenset[tuple[str, str]]  # (case, step or stage) the open cases had before the cut-off


class ReplicationOutcome(NamedTuple):
    """What a replication sends back: its weekly KPIs, its company log and its distances."""

    replication: int
    seed: int
    weekly: pd.DataFrame
    log: pd.DataFrame
    distances: dict[str, float]


def run_replication(task: ReplicationTask) -> ReplicationOutcome:
    """Simulate one replication from the snapshot and score it (module level: workers pickle it)."""
    days = task.window.days
    result = simulate(task.scenario, seed=task.seed, days=days, start_from=task.start_from)
    seen = without_earlier(through_mapping(result.events, task.mapping), result.events, task.earlier)
    seen = seen[seen["time"] < days * HOURS_PER_DAY]
    work = mapped_rows(result.events, task.mapping)
    weekly = weekly_kpis(seen, task.kpi_scenario, task.window.weeks, task.open_at_cutoff, task.teams,
                         work[work["time"] < days * HOURS_PER_DAY])
    log = company_log(seen, simulated_ends(seen, task.scenario, days), task.mapping, task.window.cutoff)
    return ReplicationOutcome(task.replication, task.seed, weekly, log,
                              log_distances(task.real, log, columns=COMPANY_LOG))


def run_replications(tasks: list[ReplicationTask], workers: int | None = None,
                     scheduler: "str | Client | None" = None) -> list[ReplicationOutcome]:
    """Every task's outcome, in the tasks' order: on a Dask cluster (``scheduler``: an address or
    a client), in this process (``workers == 1``) or on local processes (``None``: one per core)."""
    if scheduler is not None:
        from distributed import Client

        client = Client(scheduler) if isinstance(scheduler, str) else scheduler
        try:
            return client.gather(client.map(run_replication, tasks, pure=False))
        finally:
            if isinstance(scheduler, str):
                client.close()
    if workers == 1:
        return [run_replication(task) for task in tasks]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(run_replication, tasks))


def band_table(real: pd.DataFrame, simulated: pd.DataFrame, window: Window) -> pd.DataFrame:
    """Per KPI and week: the real value, the simulated band (:func:`prediction_band` of the
    replications) and median, and whether the real value is inside (NaN where either is missing)."""
    by = simulated.groupby(["kpi", "week"], sort=False)["value"]
    band = prediction_band(by).assign(median=by.median())[["low", "median", "high"]]
    table = real.rename(columns={"value": "real"}).set_index(["kpi", "week"]).join(band).reset_index()
    known = table[["real", "low", "high"]].notna().all(axis=1)
    table["inside"] = ((table["real"] >= table["low"]) & (table["real"] <= table["high"])).where(known)
    starts = pd.Timestamp(window.cutoff) + pd.to_timedelta(table["week"] * 7, unit="D")
    table.insert(2, "week_start", starts.dt.date)
    return table


def distance_rows(source: str, outcomes: list[tuple[int, dict[str, float]]]) -> pd.DataFrame:
    """Long table ``source, replication, distance, value``."""
    return pd.DataFrame([{"source": source, "replication": replication, "distance": key, "value": value}
                         for replication, values in outcomes for key, value in values.items()])


def distance_summary(distances: pd.DataFrame) -> pd.DataFrame:
    """Per distance: the model's mean and 95 % interval over replications, the naive forecast's
    value, and whether the model is closer to the real log (lower mean; ``clearly`` when its whole
    interval is below the naive value). A distance is never negative, so neither is its interval."""
    rows = []
    for key, rows_of in distances.groupby("distance", sort=False):
        model = mean_ci(rows_of.loc[rows_of["source"] == "model", "value"])
        low, high = clip_interval(model.lo, model.hi, 0.0, np.inf)
        naive = float(rows_of.loc[rows_of["source"] == "naive", "value"].mean())
        rows.append({"distance": key, "model_mean": model.mean, "model_low": low, "model_high": high,
                     "naive": naive, "model_better": model.mean < naive, "clearly_better": high < naive})
    return pd.DataFrame(rows).set_index("distance")


@dataclass(frozen=True)
class BacktestResult:
    """What :func:`backtest` found. Times of the logs are wall-clock timestamps of the company's zone."""

    window: Window
    replications: int
    seed: int
    weekly: pd.DataFrame  # kpi, week, week_start, real, low, median, high, inside
    simulated_weekly: pd.DataFrame  # replication, week, kpi, value
    distances: pd.DataFrame  # source (model, naive), replication, distance, value
    real_log: pd.DataFrame  # the held-out company log (case, activity, start, end)
    naive_log: pd.DataFrame
    simulated_logs: tuple[pd.DataFrame, ...]  # one company log per replication

    @property
    def share_inside(self) -> float:
        """Share of the real weekly KPI values (where both sides have one) inside the simulated band."""
        return float(self.weekly["inside"].dropna().astype(float).mean())

    def kpi_summary(self) -> pd.DataFrame:
        """Per KPI: weeks compared, weeks inside the band, and the share inside."""
        known = self.weekly.dropna(subset=["inside"])
        grouped = known.groupby("kpi", sort=False)["inside"]
        return pd.DataFrame({"weeks": grouped.size(), "inside": grouped.sum().astype(int),
                             "share_inside": grouped.mean().astype(float)})

    def distance_table(self) -> pd.DataFrame:
        """:func:`distance_summary` of :attr:`distances`."""
        return distance_summary(self.distances)

    @cached_property
    def _instances(self) -> tuple[pd.DataFrame, list[pd.DataFrame], pd.DataFrame]:
        """The real, simulated and naive logs as activity instances (read once)."""
        return (activity_instances(self.real_log, COMPANY_LOG),
                [activity_instances(log, COMPANY_LOG) for log in self.simulated_logs],
                activity_instances(self.naive_log, COMPANY_LOG))

    def hours_by_activity(self) -> pd.DataFrame:
        """Per real activity, how far its hours of the day lie from the real ones, in the replications
        pooled and in the naive forecast (:func:`~simcoord.calibration.distances.hours_apart`): which
        activities a circadian distance comes from, largest share first."""
        return hours_apart(*self._instances)

    def hour_profiles(self) -> pd.DataFrame:
        """Each activity's share of its times by hour of the day, real, model and naive
        (:func:`~simcoord.calibration.distances.hour_profiles`)."""
        return hour_profiles(*self._instances)

    @property
    def distances_better(self) -> int:
        """On how many distances the model's mean beats the naive forecast."""
        return int(self.distance_table()["model_better"].sum())


class HeldOut(NamedTuple):
    """The real side of a backtest: the log seen through its mapping, split at the cut-off."""

    weekly: pd.DataFrame  # week, kpi, value
    log: pd.DataFrame  # the held-out company log
    naive_log: pd.DataFrame  # the naive forecast's company log
    kpi_scenario: Scenario
    open_at_cutoff: int
    teams: tuple[str, ...]
    earlier: frozenset[tuple[str, str]]  # (case, step or stage) the cases had before the cut-off


def held_out(log: ImportedLog, window: Window, scenario: Scenario) -> HeldOut:
    """The held-out window's weekly KPIs and company log, and the naive forecast's company log.
    A real task's work is its working hours on ``scenario``'s calendar between its start and
    complete (as the fit counts it, and the model logs it); its clock complete ends its instance."""
    seen = through_mapping(log.events, log.mapping)
    kpi_scenario = starting_at(log.scenario(), window.cutoff)
    open_at_cutoff = int(open_cases(seen, window.start_hours, 0))
    after = _since(seen, window.start_hours)
    after = after[after["time"] < window.days * HOURS_PER_DAY]
    calendar = WorkCalendar(starting_at(scenario, window.cutoff).calendar, int(window.days) + 1)
    naive = _since(naive_forecast(seen, window.start_hours, window.days * HOURS_PER_DAY), window.start_hours)
    teams = working_teams(seen)
    work = _since(mapped_rows(log.events, log.mapping), window.start_hours)
    work = in_working_hours(work[work["time"] < window.days * HOURS_PER_DAY], calendar)
    return HeldOut(weekly_kpis(in_working_hours(after, calendar), kpi_scenario, window.weeks, open_at_cutoff, teams,
                               work),
                   company_log(after, clock_ends(after), log.mapping, window.cutoff),
                   company_log(naive, clock_ends(naive), log.mapping, window.cutoff), kpi_scenario, open_at_cutoff,
                   teams, earlier_firsts(seen, log.mapping, window.start_hours))


def _check_replications(reps: int) -> None:
    if int(reps) != reps or reps < 1:
        raise ValueError(f"replications must be a whole number of at least 1, got {reps}")


def backtest(scenario: Scenario, log: ImportedLog, cutoff: dt.date | str, days: float, reps: int, seed: int = 0,
             workers: int | None = None, scheduler: "str | Client | None" = None) -> BacktestResult:
    """Simulate ``days`` days from the pipeline open in ``log`` at ``cutoff`` (00:00 of that day in
    the mapping's zone), ``reps`` times, and compare them with what the log holds for those days.

    ``scenario`` is the company's (e.g. ``simcoord.fit`` until the cut-off); its calendar is moved
    to start at the cut-off. Replications run on ``workers`` local processes (``None``: one per
    core; ``1``: in this process) or on a Dask ``scheduler``; the result is the same on each.
    Raises ValueError for a cut-off outside the log, a window past its end or shorter than a week,
    or fewer than one replication."""
    window = held_out_window(log, cutoff, days)
    _check_replications(reps)
    log = log._replace(events=with_repeated_work(log))  # every touch, as a simulated log has
    real = held_out(log, window, scenario)
    start_from = snapshot_at(log, window.cutoff)
    tasks = [ReplicationTask(r, replication_seed(seed, r), starting_at(scenario, window.cutoff), start_from, window,
                             log.mapping, real.kpi_scenario, real.open_at_cutoff, real.teams, real.log, real.earlier)
             for r in range(int(reps))]
    outcomes = run_replications(tasks, workers, scheduler)
    naive = log_distances(real.log, real.naive_log, columns=COMPANY_LOG)
    simulated = pd.concat([o.weekly.assign(replication=o.replication) for o in outcomes], ignore_index=True)
    distances = pd.concat([distance_rows("model", [(o.replication, o.distances) for o in outcomes]),
                           distance_rows("naive", [(0, naive)])], ignore_index=True)
    return BacktestResult(window, int(reps), seed, band_table(real.weekly, simulated, window),
                          simulated[["replication", "week", "kpi", "value"]], distances, real.log, real.naive_log,
                          tuple(o.log for o in outcomes))


def write_backtest(result: BacktestResult, directory: str | Path) -> list[Path]:
    """The result as CSV files in ``directory`` (created): ``weekly_kpis.csv`` (real beside the
    band), ``kpi_summary.csv``, ``distances.csv`` (each replication's and the naive forecast's),
    ``distance_summary.csv``, ``hours_by_activity.csv`` (which activities happen at other hours of the
    day than in the real log), and the company logs ``logs/real.csv``, ``logs/naive.csv`` and
    ``logs/simulated-<replication>.csv``. Returns the files written."""
    out = Path(directory)
    (out / "logs").mkdir(parents=True, exist_ok=True)
    tables = {"weekly_kpis.csv": (result.weekly, False), "kpi_summary.csv": (result.kpi_summary(), True),
              "distances.csv": (result.distances, False), "distance_summary.csv": (result.distance_table(), True),
              "hours_by_activity.csv": (result.hours_by_activity(), True),
              "logs/real.csv": (result.real_log, False), "logs/naive.csv": (result.naive_log, False),
              **{f"logs/simulated-{r}.csv": (log, False) for r, log in enumerate(result.simulated_logs)}}
    for name, (table, index) in tables.items():
        table.to_csv(out / name, index=index)
    return [out / name for name in tables]
