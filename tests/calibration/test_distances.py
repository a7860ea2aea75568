"""The log distances on tiny hand-made logs, whose values are worked out by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from simcoord import load_scenario, simulate
from simcoord.calibration.distances import (
    DISTANCES,
    UNITS,
    LogColumns,
    absolute_event_distance,
    activity_instances,
    case_arrival_distance,
    circadian_event_distance,
    cycle_time_distance,
    hour_profiles,
    hours_apart,
    log_distances,
    ngram_distance,
    relative_event_distance,
)
from simcoord.log.export import export_log
from support import BASELINE

ONE_ROW_EACH = LogColumns(case="case", activity="activity", start="start", end="end", lifecycle=None)
MONDAY_9 = pd.Timestamp("2024-03-04 09:00", tz="UTC")


def instances(*rows: tuple[str, str, float, float]) -> pd.DataFrame:
    """A log from (case, activity, start, end) with times in hours after Monday 09:00 UTC."""
    return pd.DataFrame([{"case": case, "activity": activity, "start": MONDAY_9 + pd.Timedelta(hours=start),
                          "end": MONDAY_9 + pd.Timedelta(hours=end)} for case, activity, start, end in rows])


def shifted(log: pd.DataFrame, hours: float) -> pd.DataFrame:
    return log.assign(start=log["start"] + pd.Timedelta(hours=hours), end=log["end"] + pd.Timedelta(hours=hours))


SMALL = instances(("1", "a", 0, 0.5), ("1", "b", 1, 2.25), ("1", "c", 2.5, 3),
                  ("2", "a", 1.5, 1.75), ("2", "c", 2, 2.5))


def test_identical_logs_are_at_distance_zero():
    assert log_distances(SMALL, SMALL.copy(), ONE_ROW_EACH) == dict.fromkeys(DISTANCES, 0.0)
    assert set(UNITS) == set(DISTANCES)


def test_a_log_three_hours_later_moves_the_clock_distances_by_three_hours():
    later = shifted(SMALL, 3)
    assert absolute_event_distance(SMALL, later, ONE_ROW_EACH) == 3.0
    assert case_arrival_distance(SMALL, later, ONE_ROW_EACH) == 3.0
    assert circadian_event_distance(SMALL, later, ONE_ROW_EACH) == pytest.approx(3 / 7)  # Mondays only
    for unchanged in (ngram_distance, relative_event_distance, cycle_time_distance):
        assert unchanged(SMALL, later, ONE_ROW_EACH) == 0.0


def test_a_log_a_week_later_has_the_same_circadian_profile():
    later = shifted(SMALL, 7 * 24)
    assert circadian_event_distance(SMALL, later, ONE_ROW_EACH) == 0.0
    assert absolute_event_distance(SMALL, later, ONE_ROW_EACH) == 168.0


def test_a_weekday_only_one_log_has_counts_the_worst_distance():
    assert circadian_event_distance(SMALL, shifted(SMALL, 24), ONE_ROW_EACH) == pytest.approx(2 * 23 / 7)


def test_swapped_activities_share_only_the_opening_trigram():
    # (-,-,a) (-,a,b) (a,b,c) (b,c,-) (c,-,-) against (-,-,a) (-,a,c) (a,c,b) (c,b,-) (b,-,-): 8 of 10 differ
    first = instances(("1", "a", 0, 0), ("1", "b", 1, 1), ("1", "c", 2, 2))
    second = instances(("1", "a", 0, 0), ("1", "c", 1, 1), ("1", "b", 2, 2))
    assert ngram_distance(first, second, ONE_ROW_EACH) == pytest.approx(0.8)


def test_times_within_a_case_and_cycle_times_in_whole_hours():
    short = instances(("1", "a", 0, 0), ("1", "b", 2, 2))
    long = instances(("1", "a", 0, 0), ("1", "b", 4.5, 4.5))
    assert relative_event_distance(short, long, ONE_ROW_EACH) == 1.0  # half the mass moves from 2 h to 4 h
    assert cycle_time_distance(short, long, ONE_ROW_EACH) == 2.0      # 2 h against 4.5 h: bins 0 and 2


def test_the_lab_export_is_read_by_default(tmp_path):
    scenario = load_scenario(BASELINE)
    run = simulate(scenario, seed=2, days=5)
    exported = pd.read_csv(export_log(run.events, scenario, tmp_path, "csv"))
    rows = activity_instances(exported)
    assert len(rows) == (exported["lifecycle:transition"] == "complete").sum() - exported["time:timestamp"].isna().sum()
    assert str(rows["start"].dtype).startswith("datetime64") and (rows["end"] >= rows["start"]).all()
    assert log_distances(exported, exported) == dict.fromkeys(DISTANCES, 0.0)


def test_a_missing_column_or_an_empty_log_is_an_error():
    with pytest.raises(ValueError, match="no column 'case:concept:name'"):
        activity_instances(SMALL)
    with pytest.raises(ValueError, match="no activity instance"):
        activity_instances(SMALL.assign(end=pd.NaT), ONE_ROW_EACH)


def test_hours_apart_names_the_activity_whose_hours_moved_and_by_how_much():
    real = instances(("1", "a", 0, 0), ("1", "b", 1, 1), ("2", "a", 2, 2), ("2", "b", 3, 3))
    # two replications: a two hours later in both (b unchanged); the naive forecast has no b at all
    simulated = [shifted(real[real["activity"] == "a"], 2).pipe(lambda a: pd.concat([a, real[real["activity"] == "b"]]))
                 for _ in range(2)]
    naive = real[real["activity"] == "a"]
    table = hours_apart(real, simulated, naive)
    assert list(table.index) == ["a", "b"]  # a adds most: half the times, two hours apart
    assert table.loc["a", "real_share"] == 0.5 and table.loc["a", "model_hours_apart"] == 2.0
    assert table.loc["a", "real_mean_hour"] == 10.0 and table.loc["a", "model_mean_hour"] == 12.0
    assert table.loc["a", "weighted"] == 1.0 and table.loc["b", "model_hours_apart"] == 0.0
    assert table.loc["a", "naive_hours_apart"] == 0.0 and pd.isna(table.loc["b", "naive_hours_apart"])


def test_hour_profiles_are_each_activitys_share_by_hour_in_each_log():
    real = instances(("1", "a", 0, 1), ("2", "a", 0, 0))  # a's four times: three at 9 h, one at 10 h
    profiles = hour_profiles(real, [shifted(real, 1)], real).set_index(["activity", "hour"])
    assert len(profiles) == 24
    assert profiles.loc[("a", 9), "real"] == 0.75 and profiles.loc[("a", 10), "real"] == 0.25
    assert profiles.loc[("a", 10), "model"] == 0.75 and profiles.loc[("a", 11), "model"] == 0.25
    assert profiles[["real", "model", "naive"]].sum().tolist() == [1.0, 1.0, 1.0]
