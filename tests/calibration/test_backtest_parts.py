"""The parts of a backtest on small hand-made logs: the mapping's lens and the company's labels,
the weekly KPIs, the naive forecast."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from simcoord.calibration.naive import naive_forecast
from simcoord.calibration.relabel import (clock_ends, company_labels, company_log, earlier_firsts, through_mapping,
                                         without_earlier)
from simcoord.calibration.weekly import WEEK_HOURS, weekly_kpis, working_teams
from simcoord.log.mapping import load_mapping
from simcoord.log.read import read_log
from support import ROOT

CRM = ROOT / "tests" / "log" / "data"


@pytest.fixture(scope="module")
def crm():
    return read_log(CRM / "crm_stage_history.csv", CRM / "crm_mapping.yaml")


def lab_rows(rows: list[tuple[int, float, str]], **columns) -> pd.DataFrame:
    """A lead log: (id, time, activity) rows, sales department, no work unless given."""
    frame = pd.DataFrame(rows, columns=["id", "time", "activity"]).assign(kind="lead", department="sales")
    return frame.assign(work_hours=np.nan, queued_at=np.nan, grade=np.nan, stage=np.nan, value=np.nan, **columns)


def test_each_step_and_stage_is_named_by_the_first_activity_its_rule_lists():
    labels = company_labels(load_mapping(CRM / "crm_mapping.yaml"))
    assert labels["created"] == "New" and labels["won"] == "Closed Won" and labels["proposal"] == "Proposal"
    assert labels["discarded"] == "Closed Lost"  # the first of [Closed Lost, Disqualified]


def test_the_lens_keeps_mapped_rows_once_per_case_as_the_mapping_reads_them():
    mapping = load_mapping(CRM / "crm_mapping.yaml")
    events = lab_rows([(1, 0.0, "created"), (1, 1.0, "assigned"), (1, 2.0, "proposal"), (1, 3.0, "proposal"),
                       (1, 4.0, "lost"), (1, 4.0, "discarded"), (2, 5.0, "created")])
    seen = through_mapping(events, mapping)
    assert seen["activity"].tolist() == ["created", "proposal", "lost", "discarded", "created"]
    assert seen["time"].tolist() == [0.0, 2.0, 4.0, 4.0, 5.0]  # the first proposal only


def test_a_resumed_case_enters_no_second_instance_of_what_its_real_case_had_before_the_cut_off():
    mapping = load_mapping(CRM / "crm_mapping.yaml")
    real = lab_rows([(7, 0.0, "created"), (7, 2.0, "proposal"), (8, 1.0, "created"), (7, 30.0, "lost")],
                    case=["A-7", "A-7", "A-8", "A-7"])
    earlier = earlier_firsts(through_mapping(real, mapping), mapping, hours=24.0)
    assert earlier == {("A-7", "created"), ("A-7", "proposal"), ("A-8", "created")}  # not the later loss
    simulated = lab_rows([(1, 0.0, "resumed"), (1, 3.0, "proposal"), (1, 9.0, "lost"), (2, 1.0, "created"),
                          (2, 2.0, "proposal")], source_case=["A-7", None, None, None, None])
    kept = without_earlier(through_mapping(simulated, mapping), simulated, earlier)
    # case 1 resumed A-7 in its proposal: only its loss is new; case 2 is a new lead, all of it counts
    assert list(zip(kept["id"], kept["activity"])) == [(1, "lost"), (2, "created"), (2, "proposal")]


def test_steps_sharing_a_company_label_at_one_moment_are_one_instance():
    mapping = load_mapping(CRM / "crm_mapping.yaml")
    events = lab_rows([(1, 0.0, "created"), (1, 4.0, "lost"), (1, 4.0, "discarded")])
    log = company_log(events, clock_ends(events), mapping, dt.date(2024, 3, 25))
    assert log["activity"].tolist() == ["New", "Closed Lost"]
    assert log["case"].unique().tolist() == ["lead-1"]
    assert log["start"].iloc[1] == pd.Timestamp("2024-03-25 04:00")


def test_the_real_crm_log_keeps_its_work_spans_as_instance_ends(crm):
    seen = through_mapping(crm.events, crm.mapping)
    log = company_log(seen, clock_ends(seen), crm.mapping, crm.start_date)
    assert set(log["activity"]) <= set(crm.mapping.mapped_activities())
    assert (log["end"] >= log["start"]).all()
    assert len(log) == len(log.drop_duplicates(["case", "activity", "start"]))


def week_log() -> pd.DataFrame:
    """Two weeks: 3 leads in week 0 (one won in week 1), 1 lead in week 1, 2 hours of work a week."""
    rows = [(1, 1.0, "created"), (1, 2.0, "mql"), (1, 4.0, "first_touch"), (1, 5.0, "sql"),
            (2, 10.0, "created"), (2, 11.0, "mql"), (2, 11.0, "discarded"),
            (3, 20.0, "created"),
            (1, WEEK_HOURS + 5.0, "won"), (4, WEEK_HOURS + 6.0, "created")]
    frame = lab_rows(rows)
    frame.loc[frame["activity"] == "first_touch", "work_hours"] = 2.0
    return frame.sort_values("time", ignore_index=True)


def test_weekly_kpis_count_each_week_and_carry_the_open_pipeline(crm):
    scenario = crm.scenario()
    table = weekly_kpis(week_log(), scenario, weeks=2, open_at_start=10).pivot(index="week", columns="kpi",
                                                                              values="value")
    assert table["leads_created"].tolist() == [3, 1]
    assert table["open_cases"].tolist() == [10 + 3 - 1, 10 + 4 - 2]  # lead 2 discarded, lead 1 won
    assert table.loc[0, "first_touch_median_hours"] == pytest.approx(2.0)
    assert np.isnan(table.loc[1, "first_touch_median_hours"])  # nobody touched in week 1
    assert table.loc[1, "sales_cycle_days"] == pytest.approx((WEEK_HOURS + 5.0 - 2.0) / 24)  # from hand-over
    assert table["workload_sales_hours"].tolist() == [pytest.approx(2.0), 0.0]


def test_only_teams_whose_work_the_log_shows_get_a_workload():
    assert working_teams(week_log()) == ("sales",)


def test_the_naive_forecast_repeats_whole_training_weeks():
    training = lab_rows([(1, 30.0, "created"), (2, WEEK_HOURS + 40.0, "created"), (3, 2 * WEEK_HOURS + 1.0, "mql")])
    cutoff = 2 * WEEK_HOURS + 24.0  # two whole weeks and a day of training
    forecast = naive_forecast(training, cutoff, window_hours=3 * WEEK_HOURS)
    assert (forecast["time"] >= cutoff).all() and (forecast["time"] < cutoff + 3 * WEEK_HOURS).all()
    # the block is the last two whole weeks, hours [24, 360): copied 336 and 672 hours later
    assert sorted(forecast["time"]) == [30.0 + 336, WEEK_HOURS + 40.0 + 336, 2 * WEEK_HOURS + 1.0 + 336, 30.0 + 672]
    assert forecast["id"].is_unique  # each copy's cases are cases of their own


def test_the_naive_forecast_needs_a_whole_week():
    with pytest.raises(ValueError, match="at least one whole week"):
        naive_forecast(lab_rows([(1, 1.0, "created")]), 100.0, WEEK_HOURS)


def _share_inside(draw, reps: int, groups: int = 20_000) -> float:
    """The share of fresh draws inside the prediction band of ``reps`` earlier draws (many groups)."""
    from simcoord.calibration.backtest import prediction_band
    rng = np.random.default_rng(7)
    runs = pd.DataFrame({"group": np.repeat(np.arange(groups), reps), "value": draw(rng, groups * reps)})
    band = prediction_band(runs.groupby("group")["value"])
    fresh = draw(rng, groups)
    return float(((fresh >= band["low"].to_numpy()) & (fresh <= band["high"].to_numpy())).mean())


@pytest.mark.parametrize("reps", [2, 10, 30])
def test_a_right_model_fills_the_prediction_band_to_95_percent_at_any_number_of_replications(reps):
    assert _share_inside(lambda rng, n: rng.normal(50.0, 8.0, n), reps) == pytest.approx(0.95, abs=0.01)


def test_a_skewed_kpi_fills_the_band_nearly_as_well_where_percentiles_of_ten_runs_hold_78_percent():
    assert _share_inside(lambda rng, n: rng.gamma(4.0, 10.0, n), 10) == pytest.approx(0.95, abs=0.02)


def test_the_band_of_one_replication_is_unknown_and_never_below_zero():
    from simcoord.calibration.backtest import prediction_band
    values = pd.DataFrame({"g": [0, 1, 1, 1], "value": [5.0, 0.1, 0.2, 3.0]}).groupby("g")["value"]
    band = prediction_band(values)
    assert band.loc[0].isna().all() and band.loc[1, "low"] == 0.0 and band.loc[1, "high"] > 3.0
