"""How far a simulated event log is from a real one: the distances used to score business-process
simulation models, as the ``log-distance-measures`` package (Chapela-Campa and Dumas) defines them
with its default settings, computed here with SciPy.

Every distance compares two logs of **activity instances** (one row each, with a case, an activity,
a start and an end time) and is 0 for identical logs; lower is better.

| key | what it compares | unit |
|---|---|---|
| ``ngram_3`` | how often each sequence of 3 consecutive activities occurs in a case (each case padded with 2 empty places at either end): the sum of the absolute differences of the counts over the sum of all counts | fraction, 0 to 1 |
| ``absolute_event`` | every start and end time, as whole hours since the earlier log's first start (floored to the hour): Wasserstein (earth mover's) distance | hours |
| ``relative_event`` | every start and end time, as whole hours since its case's first start | hours |
| ``circadian_event`` | every start and end time, as the hour of the day (0-23), one Wasserstein distance per weekday, averaged over the 7 days; a weekday only one log has counts 23 | hours |
| ``case_arrival`` | each case's first start, as whole hours since the earlier log's first arrival (floored to the hour) | hours |
| ``cycle_time`` | each case's duration (last end minus first start), in whole hours above the shortest case of both logs | hours |

"Whole hours" are floored, as the package's ``discretize_to_hour`` and its 1-hour bins do. Hours of
the day and weekdays are read on the timestamps' own clock (their time zone), as the package does.
Two logs whose timestamps have whole-hour UTC offsets give the package's values to floating-point
precision (``tests/calibration/test_distances_reference.py`` checks it on BPIC 2012).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import wasserstein_distance

#: Hours of the day a circadian distance counts when only one log has events on a weekday
#: (the largest distance two histograms of hours 0-23 can have), as the package does.
WORST_CIRCADIAN_HOURS = 23.0
#: The n of the n-gram distance (the package's default).
NGRAM_SIZE = 3
_HOUR = pd.Timedelta(hours=1)


@dataclass(frozen=True)
class LogColumns:
    """Which columns of a log hold the case, the activity, and the instance's start and end times.

    The defaults are the names of the lab's flat export (``simcoord export --format csv``, pm4py's
    names): its ``complete`` rows carry both times of an instance. Where ``lifecycle`` names a
    column the log has, only rows whose value there is ``complete`` are read (one per instance);
    set ``lifecycle=None`` for a log with one row per instance.
    """

    case: str = "case:concept:name"
    activity: str = "concept:name"
    start: str = "start_timestamp"
    end: str = "time:timestamp"
    lifecycle: str | None = "lifecycle:transition"
    complete: str = "complete"


def _timestamps(values: pd.Series) -> pd.Series:
    """Timestamps as they are, or parsed from ISO 8601 text (as the lab's CSV export writes them)."""
    if isinstance(values.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(values):
        return values
    return pd.to_datetime(values, utc=True, format="ISO8601")


def activity_instances(log: pd.DataFrame, columns: LogColumns = LogColumns()) -> pd.DataFrame:
    """The log's activity instances as columns ``case``, ``activity``, ``start``, ``end``, in the
    log's order. Instances without a start or an end (still queued or running when the log ends)
    are left out, since none of the distances can place them. Raises ValueError when a column is
    missing or nothing is left."""
    missing = [name for name in (columns.case, columns.activity, columns.start, columns.end) if name not in log]
    if missing:
        raise ValueError(f"the log has no column {missing[0]!r} (columns: {', '.join(map(str, log.columns))})")
    rows = log
    if columns.lifecycle is not None and columns.lifecycle in log:
        rows = log[log[columns.lifecycle].astype(str).str.lower() == columns.complete.lower()]
    instances = pd.DataFrame({"case": rows[columns.case], "activity": rows[columns.activity],
                              "start": _timestamps(rows[columns.start]), "end": _timestamps(rows[columns.end])})
    instances = instances.dropna(subset=["start", "end"]).reset_index(drop=True)
    if instances.empty:
        raise ValueError("the log has no activity instance with both a start and an end time")
    return instances


def _whole_hours(elapsed: pd.Series) -> np.ndarray:
    """Durations floored to whole hours (the package's ``discretize_to_hour``)."""
    return np.floor(elapsed.dt.total_seconds().to_numpy() / 3600.0)


def _first_hour(*moments: pd.Series) -> pd.Timestamp:
    """The earliest of the moments, floored to its hour (in UTC, so an hour the clocks repeat is
    no ambiguity; the same hour for any zone whose offset is whole hours)."""
    earliest = min(series.min() for series in moments)
    return earliest.tz_convert("UTC").floor("h") if earliest.tzinfo is not None else earliest.floor("h")


def _both_times(instances: pd.DataFrame) -> pd.Series:
    """Every start time, then every end time."""
    return pd.concat([instances["start"], instances["end"]], ignore_index=True)


# --------------------------------------------------------------------------- on activity instances
def _ngram_counts(instances: pd.DataFrame, n: int) -> Counter:
    """How often each run of ``n`` consecutive activities occurs, each case ordered by start then
    end (ties in the log's order) and padded with ``n - 1`` empty places (None) at either end."""
    ordered = instances.sort_values(["case", "start", "end"], kind="stable")
    padding = [None] * (n - 1)
    counts: Counter = Counter()
    for activities in ordered.groupby("case", sort=False)["activity"].agg(list):
        trace = padding + activities + padding
        counts.update(zip(*(trace[offset:] for offset in range(n))))
    return counts


def ngram_between(real: pd.DataFrame, simulated: pd.DataFrame, n: int = NGRAM_SIZE) -> float:
    """N-gram distribution distance between two logs of activity instances: a fraction, 0 to 1."""
    first, second = _ngram_counts(real, n), _ngram_counts(simulated, n)
    grams = set(first) | set(second)
    difference = sum(abs(first[gram] - second[gram]) for gram in grams)
    return difference / (sum(first.values()) + sum(second.values()))


def absolute_event_between(real: pd.DataFrame, simulated: pd.DataFrame) -> float:
    """Absolute event distribution distance between two logs of activity instances, in hours."""
    origin = _first_hour(real["start"], simulated["start"])
    return float(wasserstein_distance(_whole_hours(_both_times(real) - origin),
                                      _whole_hours(_both_times(simulated) - origin)))


def _since_case_start(instances: pd.DataFrame) -> np.ndarray:
    """Each start and end time in whole hours since its case's first start."""
    case_start = instances.groupby("case")["start"].transform("min")
    return np.concatenate([_whole_hours(instances["start"] - case_start), _whole_hours(instances["end"] - case_start)])


def relative_event_between(real: pd.DataFrame, simulated: pd.DataFrame) -> float:
    """Relative event distribution distance between two logs of activity instances, in hours."""
    return float(wasserstein_distance(_since_case_start(real), _since_case_start(simulated)))


def _weekday_hours(instances: pd.DataFrame) -> pd.DataFrame:
    """Every start and end time as its weekday (0 = Monday) and hour of the day, on its own clock."""
    moments = _both_times(instances)
    return pd.DataFrame({"weekday": moments.dt.day_of_week, "hour": moments.dt.hour})


def _weekday_distance(real_hours: np.ndarray, simulated_hours: np.ndarray) -> float:
    """One weekday's circadian distance: 0 when neither log has events on it, the worst when one has."""
    if len(real_hours) and len(simulated_hours):
        return float(wasserstein_distance(real_hours, simulated_hours))
    return WORST_CIRCADIAN_HOURS if len(real_hours) or len(simulated_hours) else 0.0


def circadian_event_between(real: pd.DataFrame, simulated: pd.DataFrame) -> float:
    """Circadian event distribution distance between two logs of activity instances, in hours."""
    first, second = _weekday_hours(real), _weekday_hours(simulated)
    return float(np.mean([_weekday_distance(first.loc[first["weekday"] == day, "hour"].to_numpy(),
                                            second.loc[second["weekday"] == day, "hour"].to_numpy())
                          for day in range(7)]))


def _activity_hours(instances: pd.DataFrame) -> pd.DataFrame:
    """Every start and end time as its activity and hour of the day (0-23), on its own clock."""
    return pd.DataFrame({"activity": pd.concat([instances["activity"]] * 2, ignore_index=True).astype(str),
                         "hour": _both_times(instances).dt.hour})


def hour_profiles(real: pd.DataFrame, simulated: Sequence[pd.DataFrame], naive: pd.DataFrame) -> pd.DataFrame:
    """When in the day each activity happens in each log: columns ``activity``, ``hour`` (0-23),
    ``real``, ``model`` and ``naive``, each the share (0-1) of that log's start and end times of the
    activity that fall in the hour (the ``simulated`` logs of activity instances pooled, so
    ``model`` is their mean profile weighted by events). An activity a log lacks has 0 there."""
    counts = {source: _activity_hours(log).groupby(["activity", "hour"]).size()
              for source, log in (("real", real), ("model", pd.concat(list(simulated), ignore_index=True)),
                                  ("naive", naive))}
    activities = sorted(set().union(*(table.index.get_level_values("activity") for table in counts.values())))
    index = pd.MultiIndex.from_product([activities, range(24)], names=["activity", "hour"])
    table = pd.DataFrame({source: counts[source].reindex(index, fill_value=0) for source in counts})
    shares = table / table.groupby(level="activity").transform("sum")
    return shares.fillna(0.0).reset_index()


def hours_apart(real: pd.DataFrame, simulated: Sequence[pd.DataFrame], naive: pd.DataFrame) -> pd.DataFrame:
    """Where a circadian distance comes from: per activity of the real log, how far the hours of
    the day of its start and end times lie from the real ones (Wasserstein distance of the hours
    0-23, all weekdays together), in hours, for the ``simulated`` logs pooled and for ``naive``.

    Columns: ``real_share`` (the activity's share of the real log's times, 0-1), ``real_mean_hour``,
    ``model_mean_hour``, ``model_hours_apart``, ``naive_hours_apart`` and ``weighted`` (share x
    the model's hours apart: what the activity adds to a distance over all of them), sorted by
    ``weighted``, largest first. A log without the activity has NaN there."""
    hours = {"real": _activity_hours(real), "model": _activity_hours(pd.concat(list(simulated), ignore_index=True)),
             "naive": _activity_hours(naive)}
    by_activity = {source: dict(tuple(frame.groupby("activity")["hour"])) for source, frame in hours.items()}
    def apart(real_hours: pd.Series, other: pd.Series | None) -> float:
        return float(wasserstein_distance(real_hours, other)) if other is not None else np.nan

    rows = []
    for activity, real_hours in by_activity["real"].items():
        model, naive_hours = by_activity["model"].get(activity), by_activity["naive"].get(activity)
        rows.append({"activity": activity, "real_share": len(real_hours) / len(hours["real"]),
                     "real_mean_hour": real_hours.mean(),
                     "model_mean_hour": model.mean() if model is not None else np.nan,
                     "model_hours_apart": apart(real_hours, model), "naive_hours_apart": apart(real_hours, naive_hours)})
    table = pd.DataFrame(rows).set_index("activity")
    table["weighted"] = table["real_share"] * table["model_hours_apart"]
    return table.sort_values("weighted", ascending=False, na_position="first")


def case_arrival_between(real: pd.DataFrame, simulated: pd.DataFrame) -> float:
    """Case arrival distribution distance between two logs of activity instances, in hours."""
    first, second = real.groupby("case")["start"].min(), simulated.groupby("case")["start"].min()
    origin = _first_hour(first, second)
    return float(wasserstein_distance(_whole_hours(first - origin), _whole_hours(second - origin)))


def _cycle_times(instances: pd.DataFrame) -> pd.Series:
    """Each case's duration: its last end minus its first start."""
    by_case = instances.groupby("case")
    return by_case["end"].max() - by_case["start"].min()


def cycle_time_between(real: pd.DataFrame, simulated: pd.DataFrame) -> float:
    """Cycle time distribution distance between two logs of activity instances, in hours (bins of
    one hour above the shortest case of both logs)."""
    first, second = _cycle_times(real), _cycle_times(simulated)
    shortest = min(first.min(), second.min())
    return float(wasserstein_distance(np.floor((first - shortest) / _HOUR), np.floor((second - shortest) / _HOUR)))


#: Every distance by its key, each taking two frames of :func:`activity_instances`.
DISTANCES: dict[str, Callable[[pd.DataFrame, pd.DataFrame], float]] = {
    "ngram_3": ngram_between, "absolute_event": absolute_event_between, "relative_event": relative_event_between,
    "circadian_event": circadian_event_between, "case_arrival": case_arrival_between,
    "cycle_time": cycle_time_between,
}
#: The unit each distance is in.
UNITS = {"ngram_3": "fraction", "absolute_event": "hours", "relative_event": "hours",
         "circadian_event": "hours", "case_arrival": "hours", "cycle_time": "hours"}


# --------------------------------------------------------------------------- on logs as they come
def log_distances(real: pd.DataFrame, simulated: pd.DataFrame, columns: LogColumns = LogColumns()) -> dict[str, float]:
    """Every distance between a real and a simulated log (keys and units in :data:`UNITS`; lower is
    better, 0 for identical logs). Both logs are read with the same ``columns``."""
    first, second = activity_instances(real, columns), activity_instances(simulated, columns)
    return {key: distance(first, second) for key, distance in DISTANCES.items()}


def _between_logs(key: str, real: pd.DataFrame, simulated: pd.DataFrame, columns: LogColumns) -> float:
    return DISTANCES[key](activity_instances(real, columns), activity_instances(simulated, columns))


def ngram_distance(real: pd.DataFrame, simulated: pd.DataFrame, columns: LogColumns = LogColumns()) -> float:
    """N-gram (n = 3) distribution distance between two logs: a fraction, 0 (same) to 1 (no 3-gram shared)."""
    return _between_logs("ngram_3", real, simulated, columns)


def absolute_event_distance(real: pd.DataFrame, simulated: pd.DataFrame, columns: LogColumns = LogColumns()) -> float:
    """Absolute event distribution distance between two logs, in hours."""
    return _between_logs("absolute_event", real, simulated, columns)


def relative_event_distance(real: pd.DataFrame, simulated: pd.DataFrame, columns: LogColumns = LogColumns()) -> float:
    """Relative event distribution distance (times since each case's start) between two logs, in hours."""
    return _between_logs("relative_event", real, simulated, columns)


def circadian_event_distance(real: pd.DataFrame, simulated: pd.DataFrame, columns: LogColumns = LogColumns()) -> float:
    """Circadian event distribution distance (hour of the day per weekday) between two logs, in hours."""
    return _between_logs("circadian_event", real, simulated, columns)


def case_arrival_distance(real: pd.DataFrame, simulated: pd.DataFrame, columns: LogColumns = LogColumns()) -> float:
    """Case arrival distribution distance between two logs, in hours."""
    return _between_logs("case_arrival", real, simulated, columns)


def cycle_time_distance(real: pd.DataFrame, simulated: pd.DataFrame, columns: LogColumns = LogColumns()) -> float:
    """Cycle time distribution distance between two logs, in hours."""
    return _between_logs("cycle_time", real, simulated, columns)
