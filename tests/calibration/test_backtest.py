"""A backtest on the shipped BPIC 2012 log, kept short (a month of fit, two weeks held out, two
replications): its tables hold what they promise, the back ends agree, bad input is refused."""

from __future__ import annotations

import pandas as pd
import pytest

from simcoord.calibration.backtest import backtest, held_out_window, write_backtest
from simcoord.calibration.fit import fit
from simcoord.calibration.weekly import WIP
from simcoord.log.read import read_log
from support import ROOT

BPIC = ROOT / "data" / "bpic2012"
CUTOFF = "2011-11-01"
DISTANCES = {"ngram_3", "absolute_event", "relative_event", "circadian_event", "case_arrival", "cycle_time"}


@pytest.fixture(scope="module")
def log():
    return read_log(BPIC / "bpic2012.csv.gz", BPIC / "mapping.yaml")


@pytest.fixture(scope="module")
def scenario(log):
    return fit(log, until=CUTOFF).scenario


@pytest.fixture(scope="module")
def result(scenario, log):
    return backtest(scenario, log, CUTOFF, days=14, reps=2, seed=3, workers=1)


def test_every_real_week_and_kpi_sits_beside_its_simulated_band(result):
    weekly = result.weekly
    assert sorted(weekly["week"].unique()) == [0, 1]
    assert {"leads_created", "conversion_mql_to_sql", "first_touch_median_hours", "sales_cycle_days", WIP,
            "workload_sales_hours"} <= set(weekly["kpi"])
    assert weekly["real"].notna().all()
    known = weekly.dropna(subset=["low", "high"])
    assert (known["low"] <= known["median"]).all() and (known["median"] <= known["high"]).all()
    inside = (known["real"] >= known["low"]) & (known["real"] <= known["high"])
    assert known["inside"].astype(bool).tolist() == inside.tolist()
    assert result.share_inside == pytest.approx(inside.mean())


def test_the_real_weeks_are_the_logs_own_counts(result, log):
    created = log.events[log.events["activity"] == "created"]
    start = (pd.Timestamp(CUTOFF) - pd.Timestamp(log.start_date)).days * 24
    first_week = ((created["time"] >= start) & (created["time"] < start + 168)).sum()
    real = result.weekly.set_index(["kpi", "week"])["real"]
    assert real["leads_created", 0] == first_week


def test_each_replication_and_the_naive_forecast_get_all_six_distances(result):
    distances = result.distances
    assert set(distances["distance"]) == DISTANCES
    assert sorted(distances.loc[distances["source"] == "model", "replication"].unique()) == [0, 1]
    table = result.distance_table()
    assert set(table.index) == DISTANCES
    assert (table["model_low"] <= table["model_mean"]).all() and (table["model_mean"] <= table["model_high"]).all()
    assert result.distances_better == int((table["model_mean"] < table["naive"]).sum())


def test_logs_are_in_the_companys_own_labels(result, log):
    company = set(log.mapping.mapped_activities())
    for frame in (result.real_log, result.naive_log, *result.simulated_logs):
        assert set(frame["activity"]) <= company
    assert result.real_log["start"].min() >= pd.Timestamp(CUTOFF)
    assert result.simulated_logs[0]["start"].max() < pd.Timestamp(CUTOFF) + pd.Timedelta(days=14)


def test_local_processes_give_the_same_result_as_one_process(scenario, log, result):
    again = backtest(scenario, log, CUTOFF, days=14, reps=2, seed=3, workers=2)
    pd.testing.assert_frame_equal(again.weekly, result.weekly, check_exact=True)
    pd.testing.assert_frame_equal(again.distances, result.distances, check_exact=True)


def test_a_dask_cluster_gives_the_same_result_as_one_process(scenario, log, result):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        on_dask = backtest(scenario, log, CUTOFF, days=14, reps=2, seed=3, scheduler=client)
    pd.testing.assert_frame_equal(on_dask.weekly, result.weekly, check_exact=True)
    pd.testing.assert_frame_equal(on_dask.distances, result.distances, check_exact=True)


def test_the_result_is_written_as_tables_and_logs(result, tmp_path):
    written = write_backtest(result, tmp_path)
    assert {path.name for path in written} >= {"weekly_kpis.csv", "distance_summary.csv", "real.csv",
                                               "simulated-0.csv", "simulated-1.csv", "naive.csv"}
    assert len(pd.read_csv(tmp_path / "weekly_kpis.csv")) == len(result.weekly)


@pytest.mark.parametrize(("cutoff", "days", "problem"), [
    ("2011-09-01", 14, "outside the log"),
    ("2012-04-01", 14, "outside the log"),
    ("2012-02-20", 28, "beyond the log's last arrival day"),
    ("2011-11-01", 3, "at least one whole week"),
])
def test_a_window_the_log_cannot_score_is_refused(log, cutoff, days, problem):
    with pytest.raises(ValueError, match=problem):
        held_out_window(log, cutoff, days)


def test_fewer_than_one_replication_is_refused(scenario, log):
    with pytest.raises(ValueError, match="replications"):
        backtest(scenario, log, CUTOFF, days=14, reps=0)


def test_hours_by_activity_covers_every_real_activity_and_its_chart_is_labelled(result):
    from simcoord.present.backtest_plots import hours_by_activity

    table = result.hours_by_activity()
    assert set(table.index) == set(result.real_log["activity"])
    assert table["real_share"].sum() == pytest.approx(1.0)
    assert table["weighted"].dropna().is_monotonic_decreasing
    figure = hours_by_activity(result, activities=4)
    panels = [ax for ax in figure.axes if ax.get_visible()]
    assert len(panels) == 4 and all(ax.get_title() for ax in panels)
    assert {ax.get_xlabel() for ax in panels[-2:]} == {"hour of the day"}
    assert panels[0].get_ylabel() == "share of its times"


def test_the_hours_table_and_chart_show_the_same_activities(result):
    from simcoord.present.backtest_plots import hours_by_activity
    from simcoord.present.backtest_report import hours_table

    figure = hours_by_activity(result)
    titled = [ax.get_title().split(":")[0] for ax in figure.axes if ax.get_visible()]
    assert titled == list(hours_table(result).index)


def test_the_distance_chart_says_what_its_colours_and_counts_mean(result):
    from simcoord.present.backtest_plots import distances_against_naive

    title = distances_against_naive(result)._suptitle.get_text()
    table = result.distance_table()
    assert (f"closer than the naive forecast on {result.distances_better} of {len(table)}, its whole 95 % "
            f"interval on {int(table['clearly_better'].sum())}") in title
    assert "blue where its mean is closer, orange where further; grey: the naive forecast" in title
