"""The open pipeline at a cut-off: ``snapshot_at`` on simulated and real logs, ``read_open_leads``
on a CRM export, and one clear error per bad input."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
import yaml
from support import BASELINE

import simcoord
from simcoord.log.snapshot import OPEN_STATES, Snapshot, read_open_leads, snapshot_at
from simcoord.vocabulary import LEAD_STATE, TERMINAL

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).resolve().parent / "data"
BPIC_LOG, BPIC_MAPPING = ROOT / "data" / "bpic2012" / "bpic2012.csv.gz", ROOT / "data" / "bpic2012" / "mapping.yaml"
OPEN_LEADS, OPEN_LEADS_SPEC = DATA / "open_leads.csv", DATA / "open_leads.yaml"
CUT_DAY = 25


@pytest.fixture(scope="module")
def simulated() -> simcoord.SimulationResult:
    return simcoord.simulate(simcoord.load_scenario(BASELINE), seed=7, days=CUT_DAY + 5)


@pytest.fixture(scope="module")
def snapshot(simulated) -> Snapshot:
    calendar = simulated.scenario.calendar
    return snapshot_at(simulated.events, calendar.start_date + dt.timedelta(days=CUT_DAY),
                       start_date=calendar.start_date, time_zone=calendar.time_zone)


def open_by_pandas(events: pd.DataFrame, hours: float) -> pd.Series:
    """Leads created before ``hours`` without a terminal row before it, with their LEAD_STATE state."""
    leads = events[(events["kind"] == "lead") & (events["time"] < hours)]
    activity = leads["activity"].astype(str)
    ended = set(leads.loc[activity.isin(TERMINAL), "id"])
    moves = leads[activity.isin(LEAD_STATE)]
    state = moves.groupby("id")["activity"].last().astype(str).map(LEAD_STATE)
    return state[~state.index.isin(ended)]


def test_the_open_cases_of_a_simulated_log_are_those_plain_pandas_finds(simulated, snapshot):
    expected = open_by_pandas(simulated.events, CUT_DAY * 24.0)
    cases = snapshot.to_frame().set_index("case_id")
    assert len(snapshot) == len(expected) > 500
    assert sorted(cases.index) == sorted(expected.index.astype(str))
    stages = {stage.name for stage in simulated.scenario.funnel.stages}
    in_stage = cases["state"].isin(stages)
    lead_state = expected.set_axis(expected.index.astype(str)).reindex(cases.index)
    assert (lead_state[in_stage] == "sales").all()  # a case in a stage is with sales
    assert (lead_state[~in_stage] == cases.loc[~in_stage, "state"]).all()
    assert (cases.loc[in_stage, "stage"] == cases.loc[in_stage, "state"]).all()


def test_a_case_in_a_stage_knows_its_visits_age_and_owner(simulated, snapshot):
    cases = snapshot.to_frame()
    stages = [stage.name for stage in simulated.scenario.funnel.stages]
    in_stage = cases[cases["state"].isin(stages)]
    assert len(in_stage) > 20
    assert all(visits.get(state, 0) >= 1 for state, visits in zip(in_stage["state"], in_stage["stage_visits"]))
    assert (in_stage["owner"].str.startswith(("sales-", "key_accounts-"))).all()
    assert (in_stage["age_hours"] >= in_stage["waiting_since_hours"]).all()
    assert (in_stage["first_touch_hours"] >= 0).all()
    waiting = cases[cases["state"] == "sales"]
    assert (waiting["handed_over_hours"] >= 0).all() and waiting["first_touch_hours"].isna().any()
    assert set(cases["state"]) <= {*OPEN_STATES, *stages}
    assert (cases["age_hours"] > 0).all() and cases["grade"].notna().all() and cases["value"].notna().all()


def test_a_snapshot_is_at_an_aware_instant_of_the_log_zone(snapshot, simulated):
    assert snapshot.at == pd.Timestamp(simulated.scenario.calendar.start_date + dt.timedelta(days=CUT_DAY),
                                       tz=simulated.scenario.calendar.time_zone)
    assert snapshot.time_zone == simulated.scenario.calendar.time_zone
    assert list(snapshot.to_frame().columns[:4]) == ["case_id", "state", "stage", "age_hours"]
    from_result = snapshot_at(simulated, snapshot.at)  # a SimulationResult knows its start date and zone
    assert from_result.cases == snapshot.cases and from_result.at == snapshot.at


@pytest.fixture(scope="module")
def bpic() -> simcoord.ImportedLog:
    return simcoord.read_log(BPIC_LOG, BPIC_MAPPING)


def test_bpic_at_new_year_has_the_open_applications_plain_pandas_counts(bpic):
    snapshot = snapshot_at(bpic, "2012-01-01")
    raw = pd.read_csv(BPIC_LOG, usecols=["case_id", "activity", "timestamp"], dtype={"case_id": str})
    raw = raw[pd.to_datetime(raw["timestamp"], format="ISO8601") < snapshot.at]
    closed = set(raw.loc[raw["activity"].isin(["A_APPROVED", "O_ACCEPTED", "A_DECLINED", "A_CANCELLED"]), "case_id"])
    assert len(snapshot) == len(set(raw["case_id"]) - closed) == 645
    counts = snapshot.counts()
    assert counts["negotiation"] > counts["quote"] > 0 and counts["sales"] > 0 and counts["validation"] > 0
    assert {case.case_id for case in snapshot.cases} == set(raw["case_id"]) - closed  # the bank's own ids
    assert str(snapshot.at) == "2012-01-01 00:00:00+01:00"


def test_bad_cut_offs_and_frames_are_refused(simulated):
    with pytest.raises(ValueError, match="needs its start_date"):
        snapshot_at(simulated.events, "2026-02-01")
    with pytest.raises(ValueError, match="is a number"):
        snapshot_at(simulated.events, 30, start_date="2026-01-05")
    with pytest.raises(ValueError, match="no date or time"):
        snapshot_at(simulated.events, "next tuesday", start_date="2026-01-05")
    with pytest.raises(ValueError, match="no column 'kind'"):
        snapshot_at(simulated.events.drop(columns="kind"), "2026-02-01", start_date="2026-01-05")


# ----------------------------------------------------------------- a CRM export of open leads
def test_a_crm_export_of_open_leads_reads_as_a_snapshot():
    snapshot = read_open_leads(OPEN_LEADS, OPEN_LEADS_SPEC, "2024-04-01")
    cases = {case.case_id: case for case in snapshot.cases}
    assert str(snapshot.at) == "2024-04-01 00:00:00+02:00" and snapshot.time_zone == "Europe/Berlin"
    assert [cases[c].state for c in ("L-1", "L-2", "L-3", "L-4", "L-5")] == \
        ["nurture", "sales", "proposal", "negotiation", "public pool"]
    proposal = cases["L-3"]
    # 2024-03-27 11:00 to 2024-04-01 00:00 in Berlin is 109 wall-clock hours, one of them skipped (31 March)
    assert (proposal.waiting_since_hours, proposal.touches, proposal.owner) == (108.0, 2, "bob")
    assert (proposal.stage, proposal.stage_visits, proposal.grade, proposal.value) == \
        ("proposal", {"proposal": 1}, "L5", 30000.0)
    assert cases["L-1"].waiting_since_hours == cases["L-1"].age_hours  # no stage time: since creation
    assert cases["L-2"].handed_over_hours == cases["L-2"].waiting_since_hours == 80.0
    assert cases["L-5"].grade is None and cases["L-4"].grade == "L1"


@pytest.mark.parametrize("row, column, message", [
    ("L-6,2024-03-20 09:00:00,Won,,,5000,web,Warm,", "status", "stage 'Won' is not in the spec's states"),
    ("L-6,yesterday,New,,,5000,web,Warm,", "created_at", "'yesterday' is no ISO 8601 time"),
    ("L-6,2024-04-02 09:00:00,New,,,5000,web,Warm,", "created_at", "is after the cut-off"),
    ("L-6,2024-03-20 09:00:00,New,,,lots,web,Warm,", "amount", "'lots' is no number"),
    ("L-6,2024-03-20 09:00:00,New,,,5000,web,Lukewarm,", "rating", "'Lukewarm' is no grade"),
    ("L-6,2024-03-20 09:00:00,New,2024-03-19 09:00:00,,5000,web,Warm,", "status_since", "before it was created"),
    ("L-1,2024-03-20 09:00:00,New,,,5000,web,Warm,", "lead", "'L-1' is listed twice"),
    (",2024-03-20 09:00:00,New,,,5000,web,Warm,", "lead", "the lead's id is empty"),
])
def test_a_bad_row_is_one_error_naming_row_and_column(tmp_path, row, column, message):
    export = tmp_path / "open.csv"
    export.write_text(OPEN_LEADS.read_text() + row + "\n")
    with pytest.raises(ValueError, match=f"row 6, column '{column}': .*{message}"):
        read_open_leads(export, OPEN_LEADS_SPEC, "2024-04-01")


def test_a_bad_spec_or_file_is_refused(tmp_path):
    with pytest.raises(ValueError, match="no column 'calls'"):
        read_open_leads(_without_column(tmp_path, "calls"), OPEN_LEADS_SPEC, "2024-04-01")
    with pytest.raises(ValueError, match="states.New"):
        read_open_leads(OPEN_LEADS, {**spec_dict(), "states": {"New": "won"}}, "2024-04-01")
    with pytest.raises(FileNotFoundError):
        read_open_leads(tmp_path / "missing.csv", OPEN_LEADS_SPEC, "2024-04-01")
    naive = {**spec_dict(), "naive_timestamps": None}
    with pytest.raises(ValueError, match="has no zone"):
        read_open_leads(OPEN_LEADS, naive, "2024-04-01")


def spec_dict() -> dict:
    return yaml.safe_load(OPEN_LEADS_SPEC.read_text())


def _without_column(tmp_path: Path, column: str) -> Path:
    frame = pd.read_csv(OPEN_LEADS, dtype=str).drop(columns=column)
    path = tmp_path / "fewer.csv"
    frame.to_csv(path, index=False)
    return path
