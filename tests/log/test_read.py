"""Reading a company's own log through a mapping: a hand-written CRM stage history gives exactly
the KPIs worked out by hand, BPI Challenge 2012 gives the counts plain pandas takes from its CSV,
a simulated log exported to CSV reads back to its own KPIs, and every kind of bad input is one
``ValueError`` that names the problem."""

from __future__ import annotations

import warnings

import sys
from pathlib import Path

import pandas as pd
import pytest

from simcoord.kpis.imported import FROM_THE_LOG, imported_log_kpis, supported
from simcoord.log.export import export_log
from simcoord.log.mapping import LogMapping, load_mapping
from simcoord.log.read import read_log
from simcoord.scenario.loading import ScenarioError
from simcoord.vocabulary import ACTIVITIES, HOURS_PER_DAY
from support import ROOT

DATA = Path(__file__).parent / "data"
CRM_LOG, CRM_MAPPING = DATA / "crm_stage_history.csv", DATA / "crm_mapping.yaml"
BPIC_LOG, BPIC_MAPPING = ROOT / "data" / "bpic2012" / "bpic2012.csv.gz", ROOT / "data" / "bpic2012" / "mapping.yaml"

#: The CRM file's KPIs, worked out by hand from its 28 rows (see the comments in the test).
CRM_KPIS = {
    "leads_created": 6, "mql": 5, "sql": 3, "won": 2, "lost": 1, "open_at_end": 2, "discarded": 2,
    "mql_quality_pct": 4 / 5, "conversion_mql_to_sql": 3 / 4, "conversion_sql_to_won": 2 / 3,
    "conversion_lead_to_won": 2 / 6, "first_touch_median_hours": 5.0, "first_touch_p90_hours": 18.6,
    "revenue": 32_000.0, "sales_cycle_days": (7 + 9 + 5.5 / 24) / 2,
}


@pytest.fixture(scope="session")
def bpic():
    """BPI Challenge 2012 read through its mapping, once per test session (a few seconds)."""
    return read_log(BPIC_LOG, BPIC_MAPPING)


@pytest.fixture(scope="session")
def bpic_raw() -> pd.DataFrame:
    """The raw BPIC CSV as plain pandas reads it, with UTC times."""
    raw = pd.read_csv(BPIC_LOG, dtype={"case_id": str, "resource": str})
    return raw.assign(time=pd.to_datetime(raw["timestamp"], format="ISO8601"))


def test_a_hand_written_crm_history_gives_the_kpis_worked_out_by_hand():
    # 6 opportunities: 1 and 4 won (12,000 and 20,000), 2 lost in the proposal stage, 3 disqualified
    # at first contact, 5 handed over but never contacted, 6 never handed over. Waits from hand-over
    # to contact: 2, 24, 6 and 4 hours (median 5, 90th percentile 6 + 0.7 x 18). Hand-over to won:
    # 7 days (1), and 9 days 5.5 hours (4) in Berlin wall-clock time across the change to summer time.
    kpis = imported_log_kpis(read_log(CRM_LOG, CRM_MAPPING))
    for name, expected in CRM_KPIS.items():
        assert kpis[name] == pytest.approx(expected, rel=1e-12), name
    assert kpis.drop(list(CRM_KPIS)).isna().all()  # everything else is n/a: the log cannot say


def test_the_crm_history_in_the_lab_schema():
    log = read_log(CRM_LOG, CRM_MAPPING)
    events = log.events
    assert (log.start_date.isoformat(), log.days) == ("2024-03-25", 12.0)
    won = events[events["activity"] == "won"].set_index("case")
    assert won.loc["OPP-4", "time"] == pytest.approx(11 * HOURS_PER_DAY + 16)  # wall-clock, not elapsed hours
    assert won.loc["OPP-4", "value"] == 20_000 and won.loc["OPP-4", "department"] == "sales"
    lost = events[events["activity"] == "lost"].iloc[0]
    assert (lost["case"], lost["stage"]) == ("OPP-2", "proposal")
    created = events[events["activity"] == "created"].set_index("case")
    assert created.loc["OPP-1", ["channel", "grade", "department", "staff"]].tolist() == ["web", "L5", "marketing",
                                                                                          "mia"]
    assert events["time"].is_monotonic_increasing and list(events.columns[:6]) == [
        "id", "kind", "time", "activity", "department", "staff"]


@pytest.mark.parametrize("suffix", [".csv.gz", ".parquet"])
def test_gzipped_csv_and_parquet_read_like_the_csv(tmp_path, suffix):
    raw = pd.read_csv(CRM_LOG, dtype=str)
    path = tmp_path / f"history{suffix}"
    raw.to_parquet(path) if suffix == ".parquet" else raw.to_csv(path, index=False)
    expected = read_log(CRM_LOG, CRM_MAPPING).events
    pd.testing.assert_frame_equal(read_log(path, CRM_MAPPING).events, expected)


@pytest.mark.parametrize("zone", ["UTC", None])
def test_parquet_with_typed_timestamps_reads_like_the_csv(tmp_path, zone):
    raw = pd.read_csv(CRM_LOG, dtype=str)
    naive = pd.to_datetime(raw["changed_at"])
    raw["changed_at"] = naive.dt.tz_localize("Europe/Berlin").dt.tz_convert(zone) if zone else naive
    raw.to_parquet(tmp_path / "typed.parquet")
    expected = read_log(CRM_LOG, CRM_MAPPING).events
    pd.testing.assert_frame_equal(read_log(tmp_path / "typed.parquet", CRM_MAPPING).events, expected)


def test_the_hour_the_clocks_repeat_reads_as_wall_clock_hours(tmp_path):
    # Amsterdam, 2011-10-30: 00:30 UTC is 02:30 summer time, 01:30 UTC is 02:30 winter time
    path = tmp_path / "autumn.csv"
    path.write_text("case,what,at\nC1,open,2011-10-29T22:00:00Z\nC1,first,2011-10-30T00:30:00Z\n"
                    "C1,second,2011-10-30T01:30:00Z\n")
    mapping = LogMapping.model_validate({
        "columns": {"case": "case", "activity": "what", "timestamp": "at"}, "time_zone": "Europe/Amsterdam",
        "steps": {"created": {"activities": ["open"]}, "mql": {"activities": ["first"]},
                  "first_touch": {"activities": ["second"]}}})
    log = read_log(path, mapping)
    assert log.start_date.isoformat() == "2011-10-30"
    assert log.events.set_index("activity")["time"].to_dict() == {"created": 0.0, "mql": 2.5, "first_touch": 2.5}


def test_a_csv_read_in_small_chunks_gives_the_same_log(monkeypatch):
    whole = read_log(CRM_LOG, CRM_MAPPING).events
    monkeypatch.setattr("simcoord.log.sources.CHUNK_ROWS", 3)
    pd.testing.assert_frame_equal(read_log(CRM_LOG, CRM_MAPPING).events, whole)


def test_bpic_counts_match_plain_pandas(bpic, bpic_raw):
    raw, events = bpic_raw, bpic.events
    first = {activity: raw[raw["activity"] == activity].groupby("case_id")["time"].min()
             for activity in ("A_SUBMITTED", "A_PREACCEPTED", "A_ACCEPTED")}
    declined = raw[raw["activity"].isin(["A_DECLINED", "A_CANCELLED"])]
    after_sql = declined["time"] >= first["A_ACCEPTED"].reindex(declined["case_id"]).to_numpy()
    won_cases = raw.loc[raw["activity"].isin(["A_APPROVED", "O_ACCEPTED"]), "case_id"].unique()
    counts = events["activity"].value_counts()
    assert events["id"].nunique() == raw["case_id"].nunique() == 13_087
    assert counts["created"] == len(first["A_SUBMITTED"])
    assert counts["mql"] == len(first["A_PREACCEPTED"])
    assert counts["sql"] == len(first["A_ACCEPTED"])
    assert counts["won"] == len(won_cases)
    assert counts["lost"] == declined.loc[after_sql, "case_id"].nunique()
    assert counts["discarded"] == declined["case_id"].nunique()
    value = raw.groupby("case_id")["amount_requested"].first()
    assert imported_log_kpis(bpic)["revenue"] == pytest.approx(value[won_cases].sum())


def test_bpic_first_touch_is_a_work_row_with_its_start_complete_span(bpic):
    # case 173688: handed over at 22:39:37.906 UTC, W_Completeren aanvraag scheduled 22:39:38.875,
    # started 09:36:46.437 and completed 09:45:13.917 the next morning
    touch = bpic.events[(bpic.events["case"] == "173688") & (bpic.events["activity"] == "first_touch")].iloc[0]
    assert touch["work_hours"] * 3600 == pytest.approx(8 * 60 + 27.48)
    assert touch["time"] - touch["queued_at"] == pytest.approx((10 * 3600 + 57 * 60 + 7.562) / 3600)
    assert bpic.start_date.isoformat() == "2011-10-01"  # 22:38 UTC on 30 September is after midnight in Amsterdam


def test_bpic_kpis_the_log_cannot_support_are_n_a(bpic):
    kpis, names = imported_log_kpis(bpic), supported(bpic)
    assert kpis[["utilisation_sales", "staff_cost", "total_cost", "sla_first_touch_pct", "orders"]].isna().all()
    assert set(names) <= set(FROM_THE_LOG) and "revenue" in names and "mql_quality_pct" not in names  # no grades
    assert kpis[names].notna().all() and kpis.drop(names).isna().all()


def test_start_and_end_columns_make_work_rows(tmp_path):
    path = tmp_path / "tickets.csv"
    path.write_text("ticket,what,began,ended,agent\n"
                    "T1,opened,2024-05-02T08:00:00Z,2024-05-02T08:00:00Z,\n"
                    "T1,answer,2024-05-02T09:30:00Z,2024-05-02T10:00:00Z,sam\n")
    mapping = LogMapping.model_validate({
        "columns": {"case": "ticket", "activity": "what", "start": "began", "end": "ended", "resource": "agent"},
        "steps": {"ticket_opened": {"activities": ["opened"]}, "ticket_response": {"activities": ["answer"],
                                                                                   "transition": "start"}}})
    log = read_log(path, mapping)
    answer = log.events[log.events["activity"] == "ticket_response"].iloc[0]
    assert (answer["kind"], answer["time"], answer["work_hours"], answer["department"]) == ("ticket", 9.5, 0.5,
                                                                                            "service")
    assert imported_log_kpis(log)["service_response_hours"] == 1.5


# ----------------------------------------------------------------------------- bad input
def crm_text() -> str:
    return CRM_LOG.read_text()


def read_text(tmp_path: Path, text: str, mapping: LogMapping | Path = CRM_MAPPING):
    path = tmp_path / "log.csv"
    path.write_text(text)
    return read_log(path, mapping)


def crm_mapping(**changes) -> LogMapping:
    return load_mapping(CRM_MAPPING).model_copy(update=changes)


def test_a_misnamed_column_is_named_with_its_field_and_a_close_match(tmp_path):
    with pytest.raises(ValueError, match=r"column 'stage' \(mapping columns.activity\) is not in the log; "
                                         r"did you mean 'Stage'\?"):
        read_text(tmp_path, crm_text().replace(",stage,", ",Stage,", 1))


def test_an_unparseable_timestamp_names_its_row_and_value(tmp_path):
    text = crm_text().replace("2024-03-25 12:00:00", "25/03/2024 noon")
    with pytest.raises(ValueError, match=r"row 3: cannot read '25/03/2024 noon' in column 'changed_at'"):
        read_text(tmp_path, text)


def test_a_missing_timestamp_names_its_row(tmp_path):
    with pytest.raises(ValueError, match=r"row 2: no timestamp in column 'changed_at'"):
        read_text(tmp_path, crm_text().replace("2024-03-25 10:00:00", ""))


def test_timestamps_with_and_without_a_zone_are_refused(tmp_path):
    text = crm_text().replace("2024-03-25 12:00:00", "2024-03-25T12:00:00+01:00")
    with pytest.raises(ValueError, match=r"mixes timestamps with a time zone \(row 3: '2024-03-25T12:00:00\+01:00'\) "
                                         r"and without one \(row 1: '2024-03-25 09:00:00'\)"):
        read_text(tmp_path, text)


def test_timestamps_without_a_zone_need_one_in_the_mapping(tmp_path):
    with pytest.raises(ValueError, match=r"without a time zone \(row 1: '2024-03-25 09:00:00'\); say which zone"):
        read_text(tmp_path, crm_text(), crm_mapping(naive_timestamps=None))


def test_unknown_activities_are_listed_most_frequent_first_with_counts(tmp_path):
    extra = "OPP-1,Lunch,2024-03-25 13:00:00,ann,,,\n" * 2 + "OPP-2,Call,2024-03-25 14:00:00,bob,,,\n"
    extra = extra.replace("Lunch,2024-03-25 13:00:00,ann", "Lunch,2024-03-25 13:0{}:00,ann")
    extra = extra.format(0, 1)
    with pytest.raises(ValueError, match=r"2 activities the mapping does not know: 'Lunch' \(2 events\), "
                                         r"'Call' \(1 events\); map each"):
        read_text(tmp_path, crm_text() + extra)


def test_an_activity_spelled_otherwise_in_the_mapping_is_named_on_both_sides(tmp_path):
    misspelled = CRM_MAPPING.read_text().replace("[Proposal]", "[Propsal]")
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(misspelled)
    with pytest.raises(ValueError, match=r"does not know: 'Proposal' \(\d+ events\); map each to a step or stage, "
                                         r"or list it under ignore; the mapping's 'Propsal' matches no activity"):
        read_text(tmp_path, crm_text(), mapping)


def test_events_of_a_case_before_its_creation_are_out_of_order(tmp_path):
    text = crm_text().replace("OPP-3,Contacted,2024-03-26 15:00:00", "OPP-3,Contacted,2024-03-26 07:00:00")
    with pytest.raises(ValueError, match=r"events of case 'OPP-3' out of order: 'Contacted' \(first_touch, row 17"):
        read_text(tmp_path, text)


def test_an_end_before_its_start_is_out_of_order(tmp_path):
    path = tmp_path / "work.csv"
    path.write_text("case,what,began,ended\nC1,call,2024-05-02T10:00:00Z,2024-05-02T09:00:00Z\n")
    mapping = LogMapping.model_validate({"columns": {"case": "case", "activity": "what", "start": "began",
                                                     "end": "ended"}, "steps": {"created": {"activities": ["call"]}}})
    with pytest.raises(ValueError, match=r"row 1: events out of order: 'call' of case 'C1' ends"):
        read_log(path, mapping)


def test_duplicate_rows_are_refused(tmp_path):
    lines = crm_text().splitlines(keepends=True)
    with pytest.raises(ValueError, match=r"1 row repeats an earlier row exactly \(the first at row 29\)"):
        read_text(tmp_path, "".join(lines) + lines[4])


@pytest.mark.parametrize("text", ["opportunity,stage,changed_at,owner,amount,source,rating\n",
                                  "opportunity,stage,changed_at,owner,amount,source,rating\n"
                                  "OPP-1,Note,2024-03-25 09:00:00,ann,,,\n"])
def test_an_empty_selection_is_refused(tmp_path, text):
    with pytest.raises(ValueError, match="no events left"):
        read_text(tmp_path, text)


def test_a_selection_no_step_matches_is_refused(tmp_path):
    # Contacted is mapped, but only after a hand-over, and no case is handed over
    data = load_mapping(CRM_MAPPING).model_dump(exclude={"steps", "stages", "ignore"})
    mapping = LogMapping.model_validate({**data, "steps": {
        "mql": {"activities": ["Assigned"]}, "first_touch": {"activities": ["Contacted"], "after": "mql"}}})
    text = "opportunity,stage,changed_at,owner,amount,source,rating\nOPP-1,Contacted,2024-03-25 09:00:00,ann,,,\n"
    with pytest.raises(ValueError, match="the mapping selects no events"):
        read_text(tmp_path, text, mapping)


def test_a_deal_value_that_is_no_number_names_its_row(tmp_path):
    with pytest.raises(ValueError, match=r"row 9: 'lots' in column 'amount' is not a number"):
        read_text(tmp_path, crm_text().replace("OPP-2,New,2024-03-25 11:00:00,mia,5000", "OPP-2,New,2024-03-25 "
                                               "11:00:00,mia,lots"))


def test_a_grade_the_mapping_cannot_translate_is_named(tmp_path):
    with pytest.raises(ValueError, match=r"column 'rating' holds grade 'Lukewarm'"):
        read_text(tmp_path, crm_text().replace("OPP-6,New,2024-03-29 10:00:00,mia,1000,web,Cold",
                                               "OPP-6,New,2024-03-29 10:00:00,mia,1000,web,Lukewarm"))


@pytest.mark.parametrize("name", ["log.txt", "log.json"])
def test_an_unknown_format_is_refused(tmp_path, name):
    (tmp_path / name).write_text("x")
    with pytest.raises(ValueError, match="unknown log format"):
        read_log(tmp_path / name, CRM_MAPPING)


@pytest.mark.parametrize(("name", "content"), [("log.csv", ""), ("log.parquet", "not parquet"),
                                              ("log.csv", 'opportunity,stage\nOPP-1,"New\n')])
def test_a_file_that_is_no_log_names_itself(tmp_path, name, content):
    (tmp_path / name).write_text(content)
    with pytest.raises(ValueError, match=rf"{name}: cannot read the file: "):
        read_log(tmp_path / name, CRM_MAPPING)


def test_a_missing_file_is_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such log file"):
        read_log(tmp_path / "absent.csv", CRM_MAPPING)


XES = """<?xml version="1.0" encoding="UTF-8"?>
<log xes.version="1.0">
  <trace><string key="concept:name" value="L1"/><string key="AMOUNT_REQ" value="5000"/>
    <event><string key="concept:name" value="submitted"/><string key="lifecycle:transition" value="complete"/>
      <date key="time:timestamp" value="2024-05-02T09:00:00.000+02:00"/></event>
    <event><string key="concept:name" value="approved"/><string key="lifecycle:transition" value="complete"/>
      <string key="org:resource" value="ann"/><date key="time:timestamp" value="2024-05-03T11:00:00.000+02:00"/></event>
  </trace>
</log>
"""
XES_MAPPING = {"columns": {"case": "case:concept:name", "activity": "concept:name", "timestamp": "time:timestamp",
                           "lifecycle": "lifecycle:transition", "resource": "org:resource", "value": "case:AMOUNT_REQ"},
               "time_zone": "Europe/Amsterdam",
               "steps": {"created": {"activities": ["submitted"]}, "won": {"activities": ["approved"]}}}


def test_xes_reads_through_pm4py(tmp_path, capfd):
    pytest.importorskip("pm4py")
    (tmp_path / "log.xes").write_text(XES)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # pm4py's advice on faster parsers is no warning of ours
        log = read_log(tmp_path / "log.xes", LogMapping.model_validate(XES_MAPPING))
    assert "parsing log" not in capfd.readouterr().err  # no progress bar
    won = log.events[log.events["activity"] == "won"].iloc[0]
    assert (won["time"], won["value"], won["staff"], won["case"]) == (35.0, 5000.0, "ann", "L1")


def test_xes_without_pm4py_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "pm4py", None)  # as if it were not installed
    (tmp_path / "log.xes").write_text(XES)
    with pytest.raises(ValueError, match=r"reading XES needs pm4py \(pip install pm4py\)"):
        read_log(tmp_path / "log.xes", LogMapping.model_validate(XES_MAPPING))


# ----------------------------------------------------------------------------- the mapping file
@pytest.mark.parametrize(("change", "field", "problem"), [
    ("time_zone: Europe/Berlin", "time_zone", "unknown time zone 'Mars/Olympus'"),
    ("ignore: [Note]", "ignore", "'Qualified' is both ignored and mapped"),
    ("  sql: {activities: [Qualified]}", "steps.sql.after", "Input should be"),
    ("  marketing: [mia]", "teams.sales", "resource 'mia' is already in team 'marketing'"),
    ("  - {name: negotiation, activities: [Negotiation]}", "stages.1.name", "already a lead activity"),
    ("  timestamp: changed_at", "columns.end", "start and end go together"),
])
def test_a_bad_mapping_names_file_field_and_problem(tmp_path, change, field, problem):
    replacement = {"time_zone": "time_zone: Mars/Olympus", "ignore": "ignore: [Note, Qualified]",
                   "steps.sql.after": "  sql: {activities: [Qualified], after: nowhere}",
                   "teams.sales": "  marketing: [mia]\n  sales_: []", "stages.1.name": "  - {name: won, activities: "
                   "[Negotiation]}", "columns.end": "  start: changed_at"}[field]
    text = CRM_MAPPING.read_text().replace(change, replacement)
    if field == "teams.sales":
        text = text.replace("  sales: [ann, bob]", "  sales: [ann, bob, mia]").replace("\n  sales_: []", "")
    path = tmp_path / "mapping.yaml"
    path.write_text(text)
    with pytest.raises(ScenarioError) as caught:
        load_mapping(path)
    assert str(caught.value).startswith(f"{path}: {field}: ") and problem in str(caught.value)


def test_losses_the_mapping_marks_as_cancelled_say_so(tmp_path):
    text = CRM_MAPPING.read_text().replace("  lost: {activities: [Closed Lost]}",
                                           "  lost: {activities: [Closed Lost], cancelled: [Closed Lost]}")
    path = tmp_path / "mapping.yaml"
    path.write_text(text)
    plain, marked = read_log(CRM_LOG, CRM_MAPPING).events, read_log(CRM_LOG, path).events
    lost = marked[marked["activity"] == "lost"]
    assert len(lost) == 1 and (lost["reason"] == "cancelled").all()
    assert "reason" not in plain and marked.drop(columns="reason").equals(plain)


@pytest.mark.parametrize(("rule", "field", "problem"), [
    ("lost: {activities: [Closed Lost], cancelled: [Gone]}", "steps.lost.cancelled", "'Gone' is not one of"),
    ("won: {activities: [Closed Won], cancelled: [Closed Won]}", "steps.won", "only the lost step"),
])
def test_cancelled_activities_belong_to_the_lost_step(tmp_path, rule, field, problem):
    step = rule.split(":")[0]
    text = CRM_MAPPING.read_text()
    old = next(line for line in text.splitlines() if line.startswith(f"  {step}:"))
    path = tmp_path / "mapping.yaml"
    path.write_text(text.replace(old, f"  {rule}"))
    with pytest.raises(ScenarioError) as caught:
        load_mapping(path)
    assert str(caught.value).startswith(f"{path}: {field}") and problem in str(caught.value)


def test_a_folder_of_zones_is_no_time_zone(tmp_path):
    path = tmp_path / "mapping.yaml"
    path.write_text(CRM_MAPPING.read_text().replace("time_zone: Europe/Berlin", "time_zone: Europe"))
    with pytest.raises(ScenarioError, match=r"time_zone: unknown time zone 'Europe'"):
        load_mapping(path)


def test_a_mapping_needs_one_clock(tmp_path):
    path = tmp_path / "mapping.yaml"
    path.write_text(CRM_MAPPING.read_text().replace("  timestamp: changed_at\n", ""))
    with pytest.raises(ScenarioError, match=r"mapping.yaml: columns: give either timestamp, or start and end"):
        load_mapping(path)


def test_a_step_after_an_unmapped_step_is_named(tmp_path):
    path = tmp_path / "mapping.yaml"
    path.write_text(CRM_MAPPING.read_text().replace("  first_touch: {activities: [Contacted]}",
                                                    "  first_touch: {activities: [Contacted], after: order_created}"))
    with pytest.raises(ScenarioError, match=r"steps.first_touch: refers to step 'order_created', which the mapping"):
        load_mapping(path)


# ----------------------------------------------------------------------------- round trip
#: Lab steps a lead can go through more than once (handed over again after nurture, lost again...).
REPEATED_STEPS = ("mql", "first_touch", "sql", "invalid", "lost", "recycled")


def export_mapping(scenario) -> LogMapping:
    """A mapping for the lab's own CSV export: each object is a case, each step its own activity."""
    steps = ("created", "mql", "first_touch", "sql", "invalid", "won", "lost", "discarded", "recycled", "dormant",
             "order_created", "delivered", "ticket_opened", "ticket_response")
    every_activity = {a for activities in ACTIVITIES.values() for a in activities}
    every_activity |= {stage.name for stage in scenario.funnel.stages}
    return LogMapping.model_validate({
        "columns": {"case": "object_id", "activity": "concept:name", "timestamp": "time:timestamp",
                    "lifecycle": "lifecycle:transition", "resource": "org:resource"},
        "steps": {step: {"activities": [step], "transition": "start", "every": step in REPEATED_STEPS}
                  for step in steps},
        "ignore": sorted(every_activity - set(steps))})


def test_a_simulated_log_exported_to_csv_reads_back_to_the_same_kpis(baseline_90_days, tmp_path):
    run = baseline_90_days
    path = export_log(run.events, run.scenario, tmp_path, "csv")
    log = read_log(path, export_mapping(run.scenario))
    kpis, names = imported_log_kpis(log), supported(log)
    assert len(names) >= 15  # everything but what needs grades, deal values or the scenario
    pd.testing.assert_series_equal(kpis[names], run.kpis[names], rtol=1e-9, check_names=False)
