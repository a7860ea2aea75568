"""The event log: the in-memory log and the Parquet-streamed log record the same events,
and KPIs computed from the streamed log (reading back only the KPI columns) are identical."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from simcoord.log.store import CATEGORICAL, NON_KPI_COLUMNS, EventLog, ParquetEventLog
from simcoord.scenario.loading import load_scenario
from simcoord.model.company import simulate

from support import BASELINE


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    scenario = load_scenario(BASELINE)
    in_memory = simulate(scenario, seed=4, days=100)
    log = ParquetEventLog(tmp_path_factory.mktemp("log"), chunk_rows=9000)
    streamed = simulate(scenario, seed=4, days=100, log=log)
    return in_memory, streamed, log


def test_streamed_kpis_equal_in_memory_kpis(runs) -> None:
    in_memory, streamed, _ = runs
    pd.testing.assert_series_equal(in_memory.kpis, streamed.kpis)
    assert not set(streamed.events.columns) & set(NON_KPI_COLUMNS)  # context columns stayed on disk


def test_streamed_log_holds_every_event_in_chunks(runs) -> None:
    in_memory, _, log = runs
    assert len(log) == len(in_memory.events) and len(log.parts) == -(-len(log) // 9000)
    full = log.read()
    assert set(full.columns) == set(in_memory.events.columns)
    for column in in_memory.events.columns:
        ours, theirs = in_memory.events[column], full[column]
        assert ours.isna().equals(theirs.isna()), column
        assert list(ours.dropna().astype(object)) == list(theirs.dropna().astype(object)), column


def test_attributes_round_trip_and_rows_are_untracked_by_the_collector() -> None:
    import gc

    log = EventLog()
    log.record(1, "lead", 0.5, "created", "marketing", None, channel="web", value=2.5, campaign=None)
    log.record(1, "lead", 1.0, "mql", "marketing", "m-1")
    gc.collect()
    gc.collect()  # a row is untracked once its shared names tuple is
    assert not any(gc.is_tracked(row) for row in log.rows)
    frame = log.to_frame()
    assert list(frame["activity"].astype(str)) == ["created", "mql"]
    assert frame.loc[0, "channel"] == "web" and frame.loc[0, "value"] == 2.5 and pd.isna(frame.loc[1, "value"])


def test_cleanup_and_refusing_to_overwrite(tmp_path) -> None:
    log = ParquetEventLog(tmp_path / "log", chunk_rows=1)
    log.record(1, "lead", 0.0, "created", "marketing")
    assert len(log.parts) == 1
    with pytest.raises(ValueError):
        ParquetEventLog(tmp_path / "log")
    log.cleanup()
    assert not list((tmp_path / "log").glob("*.parquet"))
    assert ParquetEventLog(tmp_path / "empty").to_frame().empty


def _reference_frame(rows: list[tuple]) -> pd.DataFrame:
    """The obvious construction ``rows_to_frame`` must equal: one dict per row, pandas infers."""
    base = pd.DataFrame.from_records([row[:6] for row in rows], columns=["id", "kind", "time", "activity",
                                                                         "department", "staff"])
    attrs = pd.DataFrame.from_records([dict(zip(row[6], row[7:])) for row in rows])
    return pd.concat([base, attrs], axis=1)


@pytest.mark.parametrize("take", [1, 2, 3, 7])
def test_rows_to_frame_matches_pandas_inference_for_every_kind_of_attribute(take: int) -> None:
    from simcoord.log.store import rows_to_frame

    log = EventLog()
    log.record(1, "lead", 0.0, "created", "marketing", None, channel="web", value=2.5, campaign=None, units=3)
    log.record(2, "lead", 0.5, "nurtured", "marketing", None, engaged=True, units=4)
    log.record(1, "lead", 1.0, "first_touch", "sales", "sales-1", work_hours=1, queued_at=0.25, stage=None)
    log.record(3, "order", 1.5, "shipped", "production", "production-2", late=False, units=2.5, all_gaps=None)
    log.record(2, "lead", 2.0, "nurtured", "marketing", None, engaged=False, units=1)
    log.record(1, "lead", 2.5, "released_to_pool", "sales", "sales-1", reason="auto_release", stage="quote")
    log.record(4, "plan", 3.0, "forecast_updated", "production", None)
    rows = log.rows[:take]
    pd.testing.assert_frame_equal(rows_to_frame(rows), _reference_frame(rows))
    coded = rows_to_frame(rows, categorical=True)  # kind, activity, department coded at once
    pd.testing.assert_frame_equal(coded, _reference_frame(rows).astype({c: "category" for c in CATEGORICAL}))


def test_streamed_read_back_equals_the_in_memory_frame_column_for_column(tmp_path) -> None:
    """Parts that differ in columns, integer vs float, gaps, and more categories than int8 codes hold."""
    in_memory, streamed = EventLog(), ParquetEventLog(tmp_path / "log", chunk_rows=50)
    for log in (in_memory, streamed):
        for i in range(400):
            attrs = {"stage": f"stage-{i % 150}"} if i < 200 else {"units": i, "grade": None if i % 3 else "L2"}
            if 120 <= i < 160:
                attrs["hours"] = 0.5 * i
            if i % 5 == 0:
                attrs["flag"] = i % 2 == 0  # neither number nor text: read back as it is
            log.record(i, "lead", float(i // 2), "created" if i % 2 else "mql", "marketing", f"s-{i % 7}", **attrs)
    ours, theirs = in_memory.to_frame(), streamed.to_frame()
    assert list(theirs.columns) == [c for c in ours.columns if c not in NON_KPI_COLUMNS]
    for column in theirs.columns:
        left, right = ours[column], theirs[column]
        assert left.isna().equals(right.isna()), column
        if isinstance(right.dtype, pd.CategoricalDtype):
            assert list(right.cat.categories) == sorted(left.dropna().astype(str).unique()), column
            assert list(left.dropna().astype(str)) == list(right.dropna().astype(str)), column
        else:
            assert left.dtype == right.dtype, column
            pd.testing.assert_series_equal(left, right, check_names=False)


def test_keeping_only_kpis_streams_the_log_and_leaves_no_files(runs, tmp_path, monkeypatch) -> None:
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    in_memory, _, _ = runs
    kpis_only = simulate(load_scenario(BASELINE), seed=4, days=100, keep_events=False)
    pd.testing.assert_series_equal(kpis_only.kpis, in_memory.kpis)
    assert kpis_only.events.empty and list(kpis_only.events.columns)[:3] == ["id", "kind", "time"]
    assert not list(tmp_path.iterdir())  # the temporary log is gone


def test_experiment_runs_past_the_in_memory_horizon_keep_only_kpis(runs, monkeypatch) -> None:
    from simcoord.experiments import evaluators

    seen = []
    real = evaluators.simulate
    monkeypatch.setattr(evaluators, "simulate", lambda *a, **k: seen.append(k["keep_events"]) or real(*a, **k))
    monkeypatch.setattr(evaluators, "IN_MEMORY_LOG_DAYS", 50)
    task = evaluators.RunTask("baseline", 0, load_scenario(BASELINE), 4, 100, 0.0)
    outcome = evaluators.run_task(task)
    assert seen == [False]
    pd.testing.assert_series_equal(outcome.kpis, runs[0].kpis)


@pytest.mark.parametrize("policy, warmup_days", [("baseline", 0.0), ("full-programme", 30.0)])
def test_kpis_from_consecutive_slices_equal_kpis_from_the_whole_log(policy, warmup_days) -> None:
    from simcoord.kpis import compute_kpis

    path = BASELINE if policy == "baseline" else BASELINE.parent / "policies" / f"{policy}.yaml"
    scenario = load_scenario(path)
    model_days = 120
    result = simulate(scenario, seed=2, days=model_days, warmup_days=warmup_days)
    from simcoord.model.company import Model

    calendar = Model(scenario, days=model_days).calendar
    cuts = [0, 1, 500, 4000, 4001, 20000, len(result.events)]
    slices = [result.events.iloc[a:b] for a, b in zip(cuts, cuts[1:])]
    sliced = compute_kpis([result.events.iloc[:0], *slices], scenario, model_days, calendar, warmup_days)
    pd.testing.assert_series_equal(sliced, result.kpis, rtol=1e-9)


def test_a_log_without_events_gives_the_same_kpis_kept_or_not() -> None:
    scenario = load_scenario(BASELINE)
    kept = simulate(scenario, seed=1, days=0.0001)
    streamed = simulate(scenario, seed=1, days=0.0001, keep_events=False)
    assert kept.events.empty and streamed.events.empty
    pd.testing.assert_series_equal(streamed.kpis, kept.kpis)
