"""Export of the event log: aware timestamps (daylight-saving days included), one activity
instance per row of the log, the flat log with pm4py's columns, OCEL 2.0 in JSON and SQLite,
and a log that stays as it was. The pm4py checks run where the optional extra is installed
(always under CI=true, where the test extra brings it)."""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3

import numpy as np
import pandas as pd
import pytest

from simcoord.log import export
from simcoord.log.export import FORMATS, activity_instances, export_log, to_model_hours, to_timestamps
from simcoord.log.store import ParquetEventLog
from simcoord.model.company import simulate
from simcoord.scenario.calendar import WorkCalendar
from simcoord.scenario.loading import load_scenario
from simcoord.scenario.schema import CalendarSpec
from support import BASELINE

AMSTERDAM = "Europe/Amsterdam"
DAYS = 45


def pm4py_or_skip():
    """pm4py, or a skip where the optional extra is absent (a failure under CI=true)."""
    try:
        import pm4py
    except ImportError:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip("pm4py (the optional extra) is not installed")
    return pm4py


def utc(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


# --------------------------------------------------------------------------- time
def test_autumn_change_reads_the_repeated_hour_as_summer_time():
    calendar = CalendarSpec(start_date=dt.date(2011, 10, 30), time_zone=AMSTERDAM)
    stamps = to_timestamps([0.0, 1.0, 2.0, 2.5, 3.0, 4.0], calendar)
    assert list(stamps.tz_convert("UTC")) == [utc("2011-10-29 22:00"), utc("2011-10-29 23:00"),
                                              utc("2011-10-30 00:00"), utc("2011-10-30 00:30"),
                                              utc("2011-10-30 02:00"), utc("2011-10-30 03:00")]
    assert stamps.is_monotonic_increasing
    np.testing.assert_allclose(to_model_hours(stamps, calendar), [0.0, 1.0, 2.0, 2.5, 3.0, 4.0], atol=1e-9)


def test_spring_change_moves_the_skipped_hour_to_its_end():
    calendar = CalendarSpec(start_date=dt.date(2012, 3, 25), time_zone=AMSTERDAM)
    stamps = to_timestamps([1.0, 2.0, 2.5, 3.0, 4.0], calendar)
    assert list(stamps.tz_convert("UTC")) == [utc("2012-03-25 00:00"), utc("2012-03-25 01:00"),
                                              utc("2012-03-25 01:00"), utc("2012-03-25 01:00"),
                                              utc("2012-03-25 02:00")]
    assert [stamp.hour for stamp in stamps] == [1, 3, 3, 3, 4]  # local wall clock: no 02:xx that day
    assert stamps.is_monotonic_increasing


def test_default_time_zone_is_utc_and_hours_round_trip():
    calendar = CalendarSpec(start_date=dt.date(2026, 1, 5))
    hours = np.array([0.0, 0.25, 13.123456789, 8759.999])
    stamps = to_timestamps(hours, calendar)
    assert str(stamps.tz) == "UTC" and stamps[0] == utc("2026-01-05")
    np.testing.assert_allclose(to_model_hours(stamps, calendar), hours, atol=1e-9)
    assert to_timestamps([np.inf, np.nan], calendar).isna().all()


# --------------------------------------------------------------------------- a simulated run across a DST change
@pytest.fixture(scope="module")
def run():
    scenario = load_scenario(BASELINE)
    calendar = scenario.calendar.model_copy(update={"start_date": dt.date(2011, 10, 3), "time_zone": AMSTERDAM})
    scenario = scenario.model_copy(update={"calendar": calendar})
    return scenario, simulate(scenario, seed=3, days=DAYS).events


@pytest.fixture(scope="module")
def instances(run):
    scenario, events = run
    return activity_instances(events, scenario)


@pytest.fixture(scope="module")
def exported(run, tmp_path_factory):
    scenario, events = run
    before = events.copy()
    folder = tmp_path_factory.mktemp("export")
    paths = {fmt: export_log(events, scenario, folder, fmt) for fmt in FORMATS}
    pd.testing.assert_frame_equal(events, before)  # the log is left as it was
    return paths


def test_one_instance_per_row_and_work_ends_on_the_calendar(run, instances):
    scenario, events = run
    assert len(instances) == len(events)
    calendar = WorkCalendar(scenario.calendar, horizon_days=DAYS + 1)
    work = events["queued_at"].notna().to_numpy()
    expected = [calendar.add_work_hours(t, h) for t, h in zip(events["time"][work], events["work_hours"][work])]
    np.testing.assert_allclose(instances["completed"][work], expected, rtol=0, atol=1e-9)
    np.testing.assert_array_equal(instances["queued"][work], events["queued_at"][work])
    moments = instances.loc[~work & events["work_hours"].isna().to_numpy(), ["queued", "started", "completed"]]
    assert (moments.nunique(axis=1) == 1).all()  # instantaneous rows
    assert (instances["completed"] >= instances["started"]).all()
    assert (instances["started"] >= instances["queued"]).all()


def test_qualification_ends_exactly_when_the_mql_is_logged(run, instances):
    _, events = run
    qualified = instances.loc[instances["activity"] == "qualification", ["object_id", "completed"]]
    mql = instances.loc[instances["activity"] == "mql", ["object_id", "started"]]
    # a recycled lead is qualified again, so each MQL must match one of its lead's qualifications exactly
    matched = mql.merge(qualified, left_on=["object_id", "started"], right_on=["object_id", "completed"])
    assert len(mql) > 10
    assert len(matched) == len(mql)  # no float drift: hand-offs keep their order


def test_cases_follow_orders_customers_and_tickets_to_their_lead(run, instances):
    _, events = run
    orders = events[events["activity"] == "order_created"]
    assert len(orders) > 0
    for order, lead in zip(orders["id"], orders["lead"]):
        assert set(instances.loc[instances["object_id"] == f"order-{order}", "case"]) == {f"lead-{int(lead)}"}
    tickets = instances[instances["object_type"] == "ticket"]
    assert len(tickets) > 0 and tickets["case"].str.startswith("lead-").all()


def test_flat_log_has_pm4py_columns_and_a_start_and_complete_per_instance(exported, instances):
    flat = pd.read_parquet(exported["parquet"])
    assert list(flat.columns[:5]) == ["case:concept:name", "concept:name", "time:timestamp", "lifecycle:transition",
                                      "org:resource"]
    assert len(flat) == 2 * len(instances)
    transitions = flat["lifecycle:transition"].value_counts().to_dict()
    assert transitions == {"start": len(instances), "complete": len(instances)}
    assert flat["time:timestamp"].is_monotonic_increasing and str(flat["time:timestamp"].dt.tz) == AMSTERDAM
    first = flat.groupby("concept:instance")["lifecycle:transition"].first()
    assert (first == "start").all()


def test_csv_timestamps_round_trip_to_model_hours(run, exported, instances):
    scenario, _ = run
    flat = pd.read_csv(exported["csv"])
    stamps = pd.to_datetime(flat["time:timestamp"], utc=True, format="ISO8601")
    assert stamps.dt.tz_convert(AMSTERDAM).dt.strftime("%z").nunique() == 2  # summer and winter time
    complete = flat["lifecycle:transition"] == "complete"
    hours = pd.Series(to_model_hours(stamps[complete], scenario.calendar), index=flat["concept:instance"][complete])
    np.testing.assert_allclose(hours.sort_index().to_numpy(), instances["completed"].to_numpy(), rtol=0, atol=1e-9)


def test_streamed_log_exports_the_same_file(run, exported, tmp_path):
    scenario, _ = run
    log = ParquetEventLog(tmp_path / "log", chunk_rows=4000)
    simulate(scenario, seed=3, days=DAYS, log=log)
    path = export_log(log, scenario, tmp_path / "out", "csv")
    assert path.read_bytes() == exported["csv"].read_bytes()


def test_ocel_json_follows_the_standard_layout(run, exported):
    _, events = run
    document = json.loads(exported["ocel-json"].read_text())
    assert set(document) == {"eventTypes", "objectTypes", "events", "objects"}
    assert [t["name"] for t in document["objectTypes"]] == ["lead", "order", "customer", "ticket"]
    orders = [{r["qualifier"] for r in o["relationships"]} for o in document["objects"] if o["type"] == "order"]
    assert all("lead" in links for links in orders) and {"lead", "customer"} in orders
    event = document["events"][0]
    assert set(event) == {"id", "type", "time", "attributes", "relationships"} and event["time"].endswith("Z")


def test_ocel_sqlite_has_the_standard_tables(exported):
    with sqlite3.connect(exported["ocel-sqlite"]) as db:
        tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        mapped = dict(db.execute("SELECT ocel_type, ocel_type_map FROM event_map_type"))
        dangling = db.execute("PRAGMA foreign_key_check").fetchall()
    db.close()
    assert dangling == []  # every relation and attribute row refers to an event or object that exists
    assert {"event", "object", "event_object", "object_object", "event_map_type", "object_map_type",
            "object_Lead", "object_Order", "object_Customer", "object_Ticket"} <= tables
    assert mapped["first_touch"] == "FirstTouch" and {f"event_{name}" for name in mapped.values()} <= tables


def expected_counts(events: pd.DataFrame) -> tuple[int, dict[str, int]]:
    ours = events[events["kind"].isin(export.OBJECT_TYPES)]
    return len(ours), ours.groupby("kind", observed=True)["id"].nunique().to_dict()


@pytest.mark.parametrize("fmt", ["ocel-json", "ocel-sqlite"])
def test_ocel_loads_in_pm4py_with_the_simulated_counts(run, exported, fmt):
    pm4py = pm4py_or_skip()
    _, events = run
    read = pm4py.read_ocel2_json if fmt == "ocel-json" else pm4py.read_ocel2_sqlite
    ocel = read(str(exported[fmt]))
    n_events, objects = expected_counts(events)
    assert len(ocel.events) == n_events
    assert ocel.objects.groupby("ocel:type").size().to_dict() == objects
    links = set(ocel.o2o[["ocel:oid", "ocel:oid_2"]].itertuples(index=False, name=None))
    orders = events[events["activity"] == "order_created"]
    assert all((f"order-{o}", f"lead-{int(lead)}") in links for o, lead in zip(orders["id"], orders["lead"]))
    graded = events.loc[(events["kind"] == "lead") & events["grade"].notna(), ["id", "grade"]]
    moved = graded["grade"].ne(graded.groupby("id")["grade"].shift()) & graded["id"].duplicated()
    changes = ocel.object_changes
    assert (changes["ocel:field"] == "grade").sum() == moved.sum() > 0  # a lead's grade over its life


def test_ocel_sqlite_meets_the_standards_constraints(exported):
    pm4py_or_skip()
    from pm4py.objects.ocel.validation import ocel20_rel_validation

    _, unsatisfied = ocel20_rel_validation.apply(str(exported["ocel-sqlite"]))
    assert unsatisfied == []


def test_pm4py_directly_follows_graph_shows_the_hand_offs(exported):
    pm4py = pm4py_or_skip()
    flat = pd.read_csv(exported["csv"])
    flat["time:timestamp"] = pd.to_datetime(flat["time:timestamp"], utc=True, format="ISO8601")
    complete = flat[flat["lifecycle:transition"] == "complete"]
    dfg, _, _ = pm4py.discover_dfg(complete)
    for hand_off in [("qualification", "mql"), ("mql", "assigned"), ("assigned", "first_touch"),
                     ("won", "order_created"), ("delivered", "onboarding")]:
        assert dfg.get(hand_off, 0) > 0, hand_off


def test_a_spring_change_in_a_run_keeps_the_log_in_order(tmp_path):
    scenario = load_scenario(BASELINE)
    calendar = scenario.calendar.model_copy(update={"start_date": dt.date(2012, 3, 22), "time_zone": AMSTERDAM})
    scenario = scenario.model_copy(update={"calendar": calendar})
    events = simulate(scenario, seed=5, days=6).events
    flat = pd.read_parquet(export_log(events, scenario, tmp_path, "parquet"))
    assert flat["time:timestamp"].notna().all() and flat["time:timestamp"].is_monotonic_increasing
    skipped = ((events["time"] >= 3 * 24 + 2) & (events["time"] < 3 * 24 + 3)).sum()  # 02:00-03:00 on the 25th
    at_three = flat[(flat["lifecycle:transition"] == "start")
                    & (flat["time:timestamp"] == pd.Timestamp("2012-03-25 03:00", tz=AMSTERDAM))]
    assert skipped > 0 and len(at_three) >= skipped  # the skipped hour's events moved to its end


# --------------------------------------------------------------------------- bad input
def test_unknown_format_writes_nothing(run, tmp_path):
    scenario, events = run
    with pytest.raises(ValueError, match="unknown export format 'xes'"):
        export_log(events, scenario, tmp_path / "out", "xes")
    assert not (tmp_path / "out").exists()


def test_a_failed_write_leaves_nothing_behind(run, tmp_path, monkeypatch):
    scenario, events = run

    def broken(instances, log, path):
        path.write_text("half")
        raise OSError("disk full")

    monkeypatch.setitem(export.WRITERS, "csv", broken)
    with pytest.raises(OSError, match="disk full"):
        export_log(events.head(50), scenario, tmp_path / "new", "csv")
    assert not (tmp_path / "new").exists()
    (tmp_path / "kept").mkdir()
    with pytest.raises(OSError):
        export_log(events.head(50), scenario, tmp_path / "kept", "csv")
    assert list((tmp_path / "kept").iterdir()) == []
