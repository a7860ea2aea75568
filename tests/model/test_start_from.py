"""Starting a run from the open pipeline (``simulate(..., start_from=snapshot)``).

A baseline run is cut at day 20; its open cases start a second run on the cut-off's day. Every
open case enters once, where it was, with a ``resumed`` row and no ``created`` row; the arrivals
of new leads are those of a run without the snapshot; and the micro company shows that a case
waiting for its first touch is served by its true age.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from support import BASELINE, CERTAIN, micro_scenario

import simcoord
from simcoord.log.snapshot import OpenCase, Snapshot, read_open_leads, snapshot_at
from simcoord.model.company import Model
from simcoord.vocabulary import GRADES, TERMINAL

CUT_DAY, DAYS = 20, 20
ARRIVAL_COLUMNS = ["time", "channel", "tier", "grade", "industry", "value", "campaign"]


def starting_on(scenario: simcoord.Scenario, day: dt.date) -> simcoord.Scenario:
    return scenario.model_copy(update={"calendar": scenario.calendar.model_copy(update={"start_date": day})})


@pytest.fixture(scope="module")
def baseline() -> simcoord.Scenario:
    return simcoord.load_scenario(BASELINE)


@pytest.fixture(scope="module")
def cut(baseline) -> dt.date:
    return baseline.calendar.start_date + dt.timedelta(days=CUT_DAY)


@pytest.fixture(scope="module")
def snapshot(baseline, cut) -> Snapshot:
    history = simcoord.simulate(baseline, seed=3, days=CUT_DAY + 10)
    return snapshot_at(history.events, cut, start_date=baseline.calendar.start_date,
                       time_zone=baseline.calendar.time_zone)


@pytest.fixture(scope="module")
def resumed_run(baseline, cut, snapshot) -> simcoord.SimulationResult:
    return simcoord.simulate(starting_on(baseline, cut), seed=5, days=DAYS, start_from=snapshot)


def lead_rows(result: simcoord.SimulationResult) -> pd.DataFrame:
    events = result.events
    return events[events["kind"] == "lead"].assign(activity=lambda rows: rows["activity"].astype(str))


def test_every_open_case_enters_once_where_it_was(snapshot, resumed_run):
    entered = lead_rows(resumed_run).query("activity == 'resumed'")
    assert len(snapshot) > 100 and len(entered) == len(snapshot)
    assert (entered["time"] == 0).all()
    cases = snapshot.to_frame().set_index("case_id")
    entered = entered.set_index("source_case").loc[cases.index]
    assert (entered["state"] == cases["state"]).all()
    assert entered["stage"].fillna("-").equals(cases["stage"].fillna("-"))
    assert entered["age_hours"].to_numpy() == pytest.approx(cases["age_hours"].to_numpy())
    assert set(cases["state"]) >= {"nurture", "sales", "need_confirmation", "quote"}


def test_a_snapshot_just_after_the_start_finds_the_same_pipeline(snapshot, resumed_run, cut, baseline):
    # the stages named: a second of log has no stage's work row to infer them from
    again = snapshot_at(resumed_run.events, pd.Timestamp(cut) + pd.Timedelta(seconds=1), start_date=cut,
                        time_zone=baseline.calendar.time_zone, stages=[stage.name for stage in baseline.funnel.stages])
    assert again.counts().sort_index().equals(snapshot.counts().sort_index())

    def where(frame: pd.DataFrame, later_hours: float = 0.0) -> list[tuple]:
        ages = (frame["age_hours"] - later_hours).round(6)
        return sorted(zip(frame["state"], frame["stage"].fillna("-"), frame["touches"], ages))

    assert where(again.to_frame(), 1 / 3600) == where(snapshot.to_frame())


def test_open_cases_are_conserved_and_not_counted_as_arrivals(snapshot, resumed_run):
    leads = lead_rows(resumed_run)
    resumed = set(leads.loc[leads["activity"] == "resumed", "id"])
    created = set(leads.loc[leads["activity"] == "created", "id"])
    assert not resumed & created and set(leads["id"]) == resumed | created
    ends = leads[leads["activity"].isin(TERMINAL)]
    assert ends["id"].is_unique
    assert 0 < len(set(ends["id"]) & resumed) < len(resumed)  # some open cases end, some stay open
    kpis = resumed_run.kpis
    assert kpis["leads_created"] == len(created)
    assert kpis["open_at_end"] == len(resumed | created) - len(ends)


def test_new_arrivals_are_those_of_a_run_without_the_snapshot(baseline, cut, resumed_run):
    empty = simcoord.simulate(starting_on(baseline, cut), seed=5, days=DAYS)

    def arrivals(result: simcoord.SimulationResult) -> pd.DataFrame:
        created = lead_rows(result).query("activity == 'created'")
        created = created[~created["channel"].isin(["repurchase", "referral"])]
        return created[ARRIVAL_COLUMNS].reset_index(drop=True)

    assert arrivals(resumed_run).equals(arrivals(empty))
    assert resumed_run.kpis["won"] > empty.kpis["won"]  # the open deals close in the window


def test_same_seed_and_snapshot_give_the_same_log(baseline, cut, snapshot, resumed_run):
    again = simcoord.simulate(starting_on(baseline, cut), seed=5, days=DAYS, start_from=snapshot)
    assert again.events.equals(resumed_run.events)


def test_a_calendar_that_does_not_start_on_the_cut_off_day_is_refused(baseline, snapshot):
    with pytest.raises(ValueError, match=r"calendar.start_date .* set calendar.start_date to"):
        simcoord.simulate(baseline, seed=1, days=5, start_from=snapshot)


def test_another_time_zone_or_an_unknown_stage_is_refused(baseline, cut, snapshot):
    other_zone = Snapshot(snapshot.at.tz_convert("Asia/Tokyo"), "Asia/Tokyo", snapshot.cases)
    with pytest.raises(ValueError, match="time zone is Asia/Tokyo"):
        simcoord.simulate(starting_on(baseline, cut), seed=1, days=5, start_from=other_zone)
    stray = Snapshot(snapshot.at, snapshot.time_zone, (OpenCase("X-1", "proposal", "proposal", 10.0),))
    with pytest.raises(ValueError, match="case X-1 is in 'proposal'"):
        simcoord.simulate(starting_on(baseline, cut), seed=1, days=5, start_from=stray)


# ----------------------------------------------------------------- the micro company, case by case
MONDAY = pd.Timestamp("2026-01-05", tz="UTC")  # the micro company's start: its rep works 09:00-18:00


def run_micro(cases: tuple[OpenCase, ...], *overrides: dict, days: float = 5) -> pd.DataFrame:
    model = Model(micro_scenario(*overrides), seed=0, days=days, start_from=Snapshot(MONDAY, "UTC", cases))
    return model.run().events


def touched_at(events: pd.DataFrame, case: str) -> float:
    lead = events.loc[events["source_case"] == case, "id"].iloc[0]
    rows = events[(events["id"] == lead) & (events["activity"] == "first_touch")]
    return float(rows["time"].iloc[0])


def test_a_case_waiting_for_its_first_touch_is_served_by_its_true_age():
    deal = OpenCase("deal", "need_confirmation", "need_confirmation", 200.0, waiting_since_hours=20.0, touches=1,
                    owner="sales-1", last_event_hours=0.25)  # the oldest case, its touch under way (redone):
    # it has the rep's desk first, both others queue
    recent = OpenCase("recent", "sales", None, 100.0, waiting_since_hours=2.0, owner="sales-1", grade="L3", value=1.0)
    waiting = OpenCase("waiting", "sales", None, 40.0, waiting_since_hours=20.0, owner="sales-1", grade="L3",
                       value=1.0)
    events = run_micro((recent, waiting, deal))
    assert touched_at(events, "waiting") == 9.5  # handed over 20 h before the start: next after the deal
    assert touched_at(events, "recent") == 10.0  # created earlier, but handed over only 2 h before


def test_a_case_left_untouched_past_the_first_touch_hours_is_not_all_served_on_the_first_morning():
    """Without an enforced timer, a case untouched for 200 h (the rule says 24) was left aside: the
    cases like it come back over the following weeks; cases waiting 10 h are served at once, as the one rep can."""
    def first_touches(waited: float) -> pd.Series:
        cases = tuple(OpenCase(f"c{i}", "sales", None, waited + 1, waiting_since_hours=waited, owner="sales-1",
                               grade="L3", value=1.0) for i in range(20))
        events = run_micro(cases, days=60)
        return events.loc[events["activity"] == "first_touch", "time"]

    assert first_touches(10.0).max() < 48.0  # one rep: 18 on the first day, the rest the next morning
    late = first_touches(200.0)
    assert late.median() > 48.0 and late.min() >= 9.0


def test_the_first_touch_sla_counts_the_wait_before_the_start():
    young = OpenCase("young", "sales", None, 3.0, waiting_since_hours=2.0, owner="sales-1")
    old = OpenCase("old", "sales", None, 40.0, waiting_since_hours=30.0, owner="sales-1")
    events = run_micro((young, old), {"policy": {"sla": {"first_touch": {"hours": 24, "enforced": True}}}})
    escalated = events[events["activity"] == "sla_escalated"]
    ids = events.loc[events["activity"] == "resumed"].set_index("source_case")["id"]
    assert list(escalated["id"]) == [ids["old"]]  # 30 h waiting: 6 h overdue at the start
    assert escalated["time"].tolist() == [0.0]
    assert touched_at(events, "young") <= 22.0  # within its 24 h (2 h waited before the start)


def test_a_case_in_a_stage_resumes_its_visit_and_closes_without_a_new_lead():
    quoted = OpenCase("deal", "need_confirmation", "need_confirmation", 100.0, waiting_since_hours=20.0,
                      touches=1, stage_visits={"need_confirmation": 1}, owner="sales-1", grade="L3", value=9000.0,
                      last_event_hours=0.25)  # its touch (0.5 h of work) began 15 minutes before: done again
    events = run_micro((quoted,))
    activities = events.loc[events["kind"] == "lead", "activity"].astype(str).tolist()
    assert activities == ["resumed", "need_confirmation", "advanced", "won"]
    assert events.loc[events["activity"] == "need_confirmation", "time"].iloc[0] == 9.0
    assert events.loc[events["activity"] == "won", "value"].iloc[0] == 9000.0


def test_a_visit_whose_touch_ended_long_ago_is_decided_later_without_redoing_the_touch():
    stale = OpenCase("deal", "need_confirmation", "need_confirmation", 100.0, waiting_since_hours=20.0,
                     touches=1, stage_visits={"need_confirmation": 1}, owner="sales-1", last_event_hours=20.0)
    events = run_micro((stale,), days=60)
    activities = events.loc[events["kind"] == "lead", "activity"].astype(str).tolist()
    assert activities == ["resumed", "advanced", "won"]  # its one touch is not logged twice
    assert events.loc[events["activity"] == "won", "time"].iloc[0] > 0  # a slow case: not at the start


def test_a_pooled_case_stays_in_the_pool_and_is_open_at_the_end():
    pooled = OpenCase("pooled", "public pool", None, 50.0, waiting_since_hours=5.0)
    model = Model(micro_scenario(), seed=0, days=3, start_from=Snapshot(MONDAY, "UTC", (pooled,)))
    result = model.run()
    leads = result.events[result.events["kind"] == "lead"]
    assert leads["activity"].astype(str).tolist() == ["resumed"]
    assert list(model.pool.leads) == [result.events["id"].iloc[0]]
    assert result.kpis["open_at_end"] == 1 and result.kpis["leads_created"] == 0


def test_a_case_in_nurture_is_handed_over_as_a_new_lead_would_be():
    events = run_micro((OpenCase("n", "nurture", None, 10.0, grade="L5", channel="web"),))
    activities = events.loc[events["kind"] == "lead", "activity"].astype(str).tolist()
    assert activities[:4] == ["resumed", "mql", "assigned", "first_touch"]


def test_a_crm_export_of_open_leads_starts_a_forecast():
    export = Path(__file__).resolve().parents[1] / "log" / "data"
    snapshot = read_open_leads(export / "open_leads.csv", export / "open_leads.yaml", "2024-04-01")
    stage = {"customer_days": 0, "work_hours": 0.5, "conversion": {grade: 1.0 for grade in GRADES}}
    scenario = micro_scenario({
        "calendar": {"start_date": "2024-04-01", "time_zone": "Europe/Berlin"},
        "funnel": {"stages": [{"name": "proposal", **stage}, {"name": "negotiation", **stage}]},
        "policy": {"sla": {"stage_dwell_stage": "proposal"}}})
    result = simcoord.simulate(scenario, seed=0, days=60, start_from=snapshot)
    events = result.events
    entered = events[events["activity"] == "resumed"].set_index("source_case")
    assert sorted(entered.index) == ["L-1", "L-2", "L-3", "L-4", "L-5"]
    won = set(events.loc[events["activity"] == "won", "id"])
    # certain conversions close every case within reach (L-3 and L-4 have been in their stage for days, so
    # they are slow cases: 60 days); nobody claims from the pool in the micro company
    assert won == {entered.loc[case, "id"] for case in ("L-1", "L-2", "L-3", "L-4")}
    assert result.kpis["leads_created"] == 0 and result.kpis["open_at_end"] == 1


def test_a_stage_visit_keeps_its_age_for_the_customers_patience_and_the_dwell_timer():
    waiting = OpenCase("deal", "need_confirmation", "need_confirmation", 100.0, waiting_since_hours=48.0,
                       stage_visits={"need_confirmation": 1}, owner="sales-1")
    slow_customer = {"funnel": {"stages": [{"name": "need_confirmation", "customer_days": 10, "work_hours": 0.5,
                                            "conversion": {grade: 1.0 for grade in GRADES}, "patience_days": 5}]}}
    events = run_micro((waiting,), slow_customer, days=10)
    lost = events[events["activity"] == "lost"]
    assert lost["reason"].tolist() == ["cancelled"] and lost["time"].tolist() == [72.0]  # 5 days from its entry
    dwell = {"policy": {"sla": {"stage_dwell": {"hours": 60, "enforced": True}}}}
    events = run_micro((waiting,), slow_customer, dwell, days=10)
    released = events[events["activity"] == "released_to_pool"]
    assert released["time"].tolist() == [12.0] and released["reason"].tolist() == ["stage_dwell"]  # 60 - 48


# ----------------------------------------------------------------- no burst at the start
def test_open_stage_visits_go_on_after_the_rest_of_their_wait_not_all_at_the_start():
    """A steady company whose customers answer in 1-5 days and want 1-5 touches 1-3 days apart:
    cut at a Wednesday, its open visits resume with what is left of their waits, so the first day
    has about as many touches as the uncut run had that day (redoing every touch at once doubled it)."""
    steady = micro_scenario({
        "organisation": {"sales": {"staff": 6}}, "demand": {"channels": {"web": {"leads_per_week": 150}}},
        "funnel": {"stages": [{"name": "need_confirmation", "work_hours": 0.2, "conversion": CERTAIN,
                               "customer_days": {"dist": "uniform", "low": 1, "high": 5},
                               "touches": {"dist": "uniform", "low": 1, "high": 5},
                               "touch_gap_days": {"dist": "uniform", "low": 1, "high": 3}}]}})
    cut_day = 23
    cut = steady.calendar.start_date + dt.timedelta(days=cut_day)
    uncut = simcoord.simulate(steady, seed=3, days=cut_day + 1).events
    snapshot = snapshot_at(uncut, cut, start_date=steady.calendar.start_date, time_zone=steady.calendar.time_zone)
    assert snapshot.counts()["need_confirmation"] > 150
    resumed = simcoord.simulate(starting_on(steady, cut), seed=5, days=1, start_from=snapshot).events

    def touches_on(events: pd.DataFrame, day: int) -> int:
        touches = events[events["activity"].astype(str) == "need_confirmation"]
        return int(touches["time"].between(day * 24, (day + 1) * 24, inclusive="left").sum())

    expected = touches_on(uncut, cut_day)
    assert 0.6 * expected <= touches_on(resumed, 0) <= 1.3 * expected
    waits = resumed[resumed["activity"].astype(str) == "need_confirmation"].groupby("id")["time"].min()
    assert waits.min() >= 9.0 and waits.std() > 1.0  # not all at the opening hour
