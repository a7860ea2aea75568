"""Scenario files: loading, ``extends:`` overlays, and one clear error per kind of bad input.

Every bad input must raise :class:`ScenarioError` naming the file, the field path and the
problem, and the CLI must turn it into one line on stderr and exit status 2 (no traceback).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest
from support import BASELINE, ROOT

from simcoord import cli
from simcoord.log.store import ParquetEventLog
from simcoord.kpis import KPIS
from simcoord.scenario.loading import ScenarioError, deep_merge, load_scenario, load_yaml, resolve_file, scenario_from_dict


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


# ----------------------------------------------------------------- loading and extends
def test_baseline_carries_the_documented_defaults():
    scenario = load_scenario(BASELINE)
    assert scenario.name == "baseline"
    assert scenario.marketing.behaviour_weight == 0.6  # the brief's 6:4 weighting
    assert scenario.policy.sla.auto_release.hours == 48 and not scenario.policy.sla.auto_release.enforced
    assert scenario.policy.sla.stage_dwell.hours == 72
    assert scenario.policy.sla.wake_up.attempts == 3 and scenario.policy.sla.wake_up.no_interaction_days == 30
    staff = sum(scenario.organisation.department(d).staff for d in ("marketing", "sales", "production", "service"))
    assert staff == 32  # 14 of them in sales (2 key-account reps): see the header of baseline.yaml
    leads_per_year = sum(c.leads_per_week for c in scenario.demand.channels.values()) * 52 + \
        sum(c.extra_leads for c in scenario.demand.campaigns)
    assert 18_000 <= leads_per_year <= 22_000


def test_deep_merge_merges_mappings_and_replaces_everything_else():
    base = {"a": {"x": 1, "y": {"p": 1, "q": 2}}, "l": [1, 2, 3], "s": "keep"}
    merged = deep_merge(base, {"a": {"y": {"q": 20}, "z": 3}, "l": [9]})
    assert merged == {"a": {"x": 1, "y": {"p": 1, "q": 20}, "z": 3}, "l": [9], "s": "keep"}
    assert base["a"]["y"]["q"] == 2  # the base is not mutated


def test_a_distribution_that_names_its_type_replaces_the_base_one_whole():
    base = {"deal_value": {"dist": "lognormal", "mean": 18000, "sd": 12000}}
    assert deep_merge(base, {"deal_value": {"dist": "gamma", "shape": 2, "scale": 5000}}) == {
        "deal_value": {"dist": "gamma", "shape": 2, "scale": 5000}}
    assert deep_merge(base, {"deal_value": {"mean": 20000}}) == {  # no type named: only the mean moves
        "deal_value": {"dist": "lognormal", "mean": 20000, "sd": 12000}}


def test_a_policy_changing_a_distribution_takes_none_of_the_base_ones_numbers(tmp_path):
    policy = tmp_path / "gamma-deals.yaml"
    policy.write_text(f"extends: {BASELINE}\nlead_mix: {{deal_value: {{dist: gamma, shape: 2, scale: 5000}}}}\n")
    deal_value = load_scenario(policy).lead_mix.deal_value
    assert (deal_value.dist, deal_value.mean, deal_value.sd, deal_value.expected) == ("gamma", None, None, 10000)


def test_policy_file_overrides_only_what_it_names():
    baseline = load_scenario(BASELINE)
    enforced = load_scenario(ROOT / "scenarios" / "policies" / "sla-enforced.yaml")
    assert enforced.name == "sla-enforced"
    assert enforced.policy.sla.auto_release.enforced and enforced.policy.sla.auto_release.hours == 48
    assert enforced.policy.sla.wake_up == baseline.policy.sla.wake_up  # sibling keys kept
    assert enforced.policy.meetings == baseline.policy.meetings
    for section in ("calendar", "organisation", "demand", "lead_mix", "funnel", "production", "service"):
        assert getattr(enforced, section) == getattr(baseline, section), section


def test_extends_chain_resolves_paths_relative_to_each_file(tmp_path):
    write(tmp_path / "company" / "base.yaml", """
        organisation:
          sales: {staff: 8, hourly_cost: 50}
        demand:
          campaigns: []
          channels:
            web: {leads_per_week: 100}
            partner: {leads_per_week: 20}
        """)
    write(tmp_path / "policies" / "middle.yaml", """
        extends: ../company/base.yaml
        demand:
          channels:
            web: {leads_per_week: 150}
        funnel:
          stages:
            - {name: need_confirmation, conversion: {L1: 1, L2: 1, L3: 1, L4: 1, L5: 1}}
        """)
    leaf = write(tmp_path / "policies" / "deep" / "leaf.yaml", """
        extends: ../middle.yaml
        organisation:
          sales: {staff: 9}
        """)
    scenario = load_scenario(leaf)
    assert scenario.name == "leaf"
    assert scenario.organisation.sales.staff == 9 and scenario.organisation.sales.hourly_cost == 50
    assert scenario.demand.channels["web"].leads_per_week == 150
    assert scenario.demand.channels["partner"].leads_per_week == 20
    assert [s.name for s in scenario.funnel.stages] == ["need_confirmation"]  # lists replace


def test_scenario_from_dict_names_its_source():
    with pytest.raises(ScenarioError) as err:
        scenario_from_dict({"organisation": {"sales": {"staff": -1, "hourly_cost": 1}}}, source="inline")
    assert err.value.file == "inline" and err.value.field == "organisation.sales.staff"


def test_content_hash_is_stable_and_content_sensitive():
    data = resolve_file(BASELINE)
    changed = deep_merge(data, {"marketing": {"mql_threshold": 60}})
    assert scenario_from_dict(data).content_hash() == scenario_from_dict(resolve_file(BASELINE)).content_hash()
    assert scenario_from_dict(data).content_hash() != scenario_from_dict(changed).content_hash()


# ----------------------------------------------------------------- bad input: one clear message each
BAD_INPUTS = {
    "wrong type": ("organisation:\n  sales: {staff: many, hourly_cost: 55}\n",
                   "organisation.sales.staff", "integer"),
    "unknown key": ("demand:\n  chanels: {}\n", "demand.chanels", "unknown key"),
    "unknown nested key": ("policy:\n  sla:\n    auto_release: {hours: 48, enforce: true}\n",
                           "policy.sla.auto_release.enforce", "unknown key"),
    "negative rate": ("demand:\n  channels:\n    web: {leads_per_week: -5}\n",
                      "demand.channels.web.leads_per_week", "greater than or equal to 0"),
    "negative duration": ("funnel:\n  first_touch_hours: {dist: exponential, mean: -1}\n",
                          "funnel.first_touch_hours.mean", "greater than or equal to 0"),
    "shares not summing to 1": ("lead_mix:\n  tier_shares: {enterprise: 0.5, mid_market: 0.2, small: 0.2}\n",
                                "lead_mix", "tier_shares must sum to 1"),
    "grade shares not summing to 1": ("lead_mix:\n  grade_shares: {L1: 0.5, L2: 0.4}\n",
                                      "lead_mix", "grade_shares must sum to 1"),
    "no working days": ("calendar: {working_days: []}\n", "calendar", "no working time"),
    "day ends before it starts": ("calendar: {day_start_hour: 18, day_end_hour: 9}\n", "calendar", "no working time"),
    "probability above 1": ("funnel:\n  qualification: {L1: 1.5, L2: 0, L3: 0, L4: 0, L5: 0}\n",
                            "funnel.qualification.L1", "less than or equal to 1"),
    "unknown distribution": ("lead_mix:\n  deal_value: {dist: pareto, mean: 3}\n", "lead_mix.deal_value.dist", "'constant'"),
    "campaign on unknown channel": ("demand:\n  campaigns: [{name: tv, channel: tv, start_day: 1, extra_leads: 5}]\n",
                                    "demand", "channel 'tv', which is not in demand.channels"),
    "own channels, default campaigns": ("demand:\n  channels:\n    web: {leads_per_week: 100}\n", "demand",
                                        "campaign 'spring trade fair' runs on channel 'trade_show'"),
    "stage named like an activity": ("funnel:\n  stages:\n    - {name: quote, conversion: {L1: .5, L2: .5, L3: .5, L4: .5, L5: .5}}\n"
                                     "    - {name: closing, conversion: {L1: .5, L2: .5, L3: .5, L4: .5, L5: .5}}\n",
                                     "funnel", "stage name 'closing' is already a lead activity"),
    "dwell stage not in funnel": ("policy:\n  sla: {stage_dwell_stage: demo}\n", "policy.sla.stage_dwell_stage",
                                  "'demo' is not a funnel stage"),
    "weekly profile too short": ("demand:\n  weekly_profile: [1, 2]\n", "demand.weekly_profile",
                                 "needs 7 daily values (Mon..Sun), got 2"),
    "seasonal profile too long": ("demand:\n  seasonal_profile: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n",
                                  "demand.seasonal_profile", "needs 12 monthly values"),
    "key accounts take every rep": ("organisation:\n  sales: {staff: 2, hourly_cost: 55}\n  key_account_staff: 2\n",
                                    "organisation.key_account_staff", "takes every sales rep"),
    "key accounts exceed sales": ("organisation:\n  sales: {staff: 2, hourly_cost: 55}\n  key_account_staff: 3\n",
                                  "organisation.key_account_staff", "cannot exceed sales.staff"),
    "start date beyond the calendar": ("calendar: {start_date: 9999-12-31}\n", "calendar.start_date", "2999-12-31"),
}


@pytest.mark.parametrize("kind", BAD_INPUTS)
def test_bad_input_names_file_field_and_problem(tmp_path, kind):
    text, field, problem = BAD_INPUTS[kind]
    path = write(tmp_path / "bad.yaml", text)
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    assert Path(err.value.file).name == "bad.yaml"
    assert err.value.field == field
    assert problem in err.value.problem
    assert str(err.value).startswith(f"{err.value.file}: {field}: ")


@pytest.mark.parametrize("text", [
    "policy:\n  routing: {key_account_routing: false}\n",  # the key-account reps then work every lead
    "lead_mix:\n  tier_shares: {enterprise: 1, mid_market: 0, small: 0}\n",  # only enterprise leads
])
def test_every_sales_rep_may_be_a_key_account_rep_when_no_lead_misses_out(tmp_path, text):
    all_key_accounts = "organisation:\n  sales: {staff: 2, hourly_cost: 55}\n  key_account_staff: 2\n"
    assert load_scenario(write(tmp_path / "ok.yaml", all_key_accounts + text)).organisation.key_account_staff == 2


@pytest.mark.parametrize("base, child, culprit, field", [
    ("marketing: {mql_threshold: 59}\n", "marketing: {mql_threshold: 150}\n", "child.yaml", "marketing.mql_threshold"),
    ("policy:\n  sla: {stage_dwell_stage: demo}\n", "name: child\n", "base.yaml", "policy.sla.stage_dwell_stage"),
], ids=["set by the child", "cross-field check, set by the parent"])
def test_bad_value_names_the_file_of_the_extends_chain_that_sets_it(tmp_path, base, child, culprit, field):
    write(tmp_path / "base.yaml", base)
    with pytest.raises(ScenarioError) as err:
        load_scenario(write(tmp_path / "child.yaml", "extends: base.yaml\n" + child))
    assert Path(err.value.file).name == culprit and err.value.field == field


@pytest.mark.parametrize(("text", "field", "problem"), [
    ("extends: missing.yaml\n", "extends", "'missing.yaml' not found"),
    ("extends: 5\n", "extends", "relative file name"),
    ("demand:\n  channels: [a\n  b: c\n", None, "malformed YAML at line 3"),
    ("calendar: {holidays: [2026-13-01]}\n", "calendar.holidays.0", "month value is outside expected range"),
    ("calendar: {start_date: 2025-02-30}\n", "calendar.start_date", "day value is outside expected range"),
    ("- a\n- b\n", None, "top level must be a mapping"),
    ("", None, "file is empty"),
    ("name: a\ndescription: b\nname: c\n", None, "line 3, column 1: key 'name' given twice (first at line 1)"),
    ("calendar: " + "[" * 30 + "]" * 30 + "\n", None, "nested more than 20 levels deep"),
    ("calendar: " + "[" * 1000 + "]" * 1000 + "\n", None, "nested more than 20 levels deep"),  # beyond Python's recursion
    ("a: " + "{a: " * 3000 + "1" + "}" * 3000 + "\n", None, "nested more than 20 levels deep"),
    ("demand:\n  weekly_profile: &a [*a]\n", None, "a YAML alias contains itself"),
])
def test_file_level_problems(tmp_path, text, field, problem):
    path = write(tmp_path / "bad.yaml", text) if text else tmp_path / "bad.yaml"
    path.touch()
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    assert Path(err.value.file).name == "bad.yaml"
    assert err.value.field == field
    assert problem in err.value.problem


def test_a_self_containing_alias_in_parent_and_child_is_an_error_not_a_crash(tmp_path):
    write(tmp_path / "parent.yaml", "organisation: &a\n  x: *a\n")
    child = write(tmp_path / "child.yaml", "extends: parent.yaml\norganisation: &a\n  x: *a\n")
    with pytest.raises(ScenarioError, match="a YAML alias contains itself") as err:
        load_scenario(child)
    assert Path(err.value.file).name == "child.yaml"


def test_shared_aliases_are_fine_and_an_alias_bomb_is_refused(tmp_path):
    """Anchors reused many times (a "billion laughs" file) are measured once each, not expanded."""
    ok = write(tmp_path / "ok.yaml", "calendar: &c {always_open: false}\npolicy:\n  meetings: []\n")
    assert load_scenario(ok).policy.meetings == ()
    lines = ["a0: &a0 [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 12)]
    with pytest.raises(ScenarioError, match="expands to more than .* values through YAML aliases"):
        load_scenario(write(tmp_path / "bomb.yaml", "\n".join(lines) + "\n"))


def test_a_merge_key_is_not_a_duplicate(tmp_path):
    path = write(tmp_path / "merge.yaml", "policy:\n  sla:\n    first_touch: &rule {hours: 8, enforced: true}\n"
                                          "    auto_release:\n      <<: *rule\n      hours: 48\n")
    rule = load_scenario(path).policy.sla.auto_release
    assert rule.hours == 48 and rule.enforced


@pytest.mark.parametrize("text, value", [("1e4", 10_000.0), ("2.5e3", 2_500.0), ("-1E-2", -0.01), ("1_000", 1000)])
def test_numbers_in_exponent_form_are_numbers(text, value):
    """YAML 1.1 (PyYAML) reads ``1e4`` as text; scenario files read it as YAML 1.2 does."""
    assert load_yaml(text) == value and type(load_yaml(text)) is type(value)
    assert load_yaml("2026-01-05") == dt.date(2026, 1, 5) and load_yaml("'1e4'") == "1e4"


def test_a_distribution_may_be_a_number_in_exponent_form(tmp_path):
    scenario = load_scenario(write(tmp_path / "ok.yaml", "lead_mix:\n  deal_value: 1e4\n"))
    assert scenario.lead_mix.deal_value.dist == "constant" and scenario.lead_mix.deal_value.value == 10_000


def test_an_overlong_extends_chain_is_an_error(tmp_path):
    write(tmp_path / "f0.yaml", "name: root\n")
    for i in range(1, 60):
        write(tmp_path / f"f{i}.yaml", f"extends: f{i - 1}.yaml\n")
    assert load_scenario(tmp_path / "f40.yaml").name == "f40"
    with pytest.raises(ScenarioError, match="extends chain longer than 50 files"):
        load_scenario(tmp_path / "f59.yaml")


def test_missing_file_and_extends_cycle(tmp_path):
    with pytest.raises(ScenarioError, match="file not found"):
        load_scenario(tmp_path / "nowhere.yaml")
    with pytest.raises(ScenarioError, match="a folder, not a file"):
        load_scenario(tmp_path)
    write(tmp_path / "a.yaml", "extends: b.yaml\n")
    write(tmp_path / "b.yaml", "extends: a.yaml\n")
    with pytest.raises(ScenarioError, match="extends cycle: a.yaml -> b.yaml -> a.yaml") as err:
        load_scenario(tmp_path / "a.yaml")
    assert err.value.field == "extends"


@pytest.mark.parametrize("text", [
    "demand:\n  campaigns: []\n  channels:\n    web: {leads_per_week: .inf}\n",
    "demand:\n  weekly_profile: [.nan, 1, 1, 1, 1, 1, 1]\n",
], ids=["infinite rate", "nan profile"])
def test_infinite_or_nan_numbers_are_rejected(tmp_path, text):
    with pytest.raises(ScenarioError):
        load_scenario(write(tmp_path / "bad.yaml", text))


@pytest.mark.parametrize("text, field", [
    ("organisation:\n  sales: {staff: true, hourly_cost: 55}\n", "organisation.sales.staff"),
    ("policy:\n  incentives:\n    sales: {own_revenue: false}\n", "policy.incentives.sales"),
    ("demand:\n  weekly_profile: [1, 1, true, 1, 1, 1, 1]\n", "demand.weekly_profile"),
], ids=["head count", "incentive weight", "profile entry"])
def test_true_or_false_where_a_number_belongs_is_rejected(tmp_path, text, field):
    with pytest.raises(ScenarioError, match="expected a number, got true/false") as err:
        load_scenario(write(tmp_path / "bad.yaml", text))
    assert err.value.field == field


def test_true_and_false_still_set_switches(tmp_path):
    scenario = load_scenario(write(tmp_path / "ok.yaml", "calendar: {always_open: true}\n"
                                   "policy:\n  sla:\n    first_touch: {hours: 8, enforced: true}\n"))
    assert scenario.calendar.always_open and scenario.policy.sla.first_touch.enforced


# ----------------------------------------------------------------- the CLI
def test_cli_validate_reports_each_file_and_exits_2_on_any_error(tmp_path, capsys):
    bad = write(tmp_path / "bad.yaml", "demand:\n  chanels: {}\n")
    assert cli.main(["validate", str(BASELINE), str(bad)]) == 2
    out, err = capsys.readouterr()
    assert "ok: " in out and "(baseline)" in out
    assert err.strip() == f"error: {bad}: demand.chanels: unknown key (check its spelling and section)"
    assert cli.main(["validate", str(BASELINE)]) == 0


@pytest.mark.parametrize("argv", [
    ["run", "{bad}"],
    ["run", "{missing}"],
    ["run", "{baseline}", "--days", "0"],
    ["run", "{baseline}", "--days", "inf"],
    ["run", "{baseline}", "--days", "nan"],
    ["run", "{baseline}", "--days", "1e12"],
    ["run", "{baseline}", "--seed", "-1"],
    ["run", "{baseline}", "--days", "x"],
    ["run", "{baseline}", "--days", "1", "--stream"],
    ["run", "{baseline}", "--days", "1", "--out", "{a_file}"],
    ["run", "{baseline}", "--days", "1", "--out", "{a_file}/below"],
    ["run", "{deep}"],
    ["validate", "{malformed}"],
    ["compare", "{baseline}", "{baseline}", "--reps", "1"],
    ["compare", "{baseline}", "{baseline}", "--days", "inf"],
    ["sweep", "{baseline}", "--set", "marketing.mql_threshold=50", "--seed", "-1"],
    [],
])
def test_cli_bad_input_exits_2_with_one_line_and_no_traceback(tmp_path, argv):
    files = {"bad": write(tmp_path / "bad.yaml", "calendar: {working_days: []}\n"),
             "missing": tmp_path / "missing.yaml",
             "malformed": write(tmp_path / "malformed.yaml", "a: [1\n"),
             "deep": write(tmp_path / "deep.yaml", "calendar: " + "[" * 1000 + "]" * 1000 + "\n"),
             "a_file": write(tmp_path / "a_file", "not a directory\n"),
             "baseline": BASELINE}
    args = [a.format(**files) for a in argv]
    proc = subprocess.run([sys.executable, "-m", "simcoord", *args], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")


def test_cli_run_prints_kpis_and_writes_the_log_and_kpis(tmp_path, capsys):
    out_dir = tmp_path / "run"
    assert cli.main(["run", str(BASELINE), "--seed", "4", "--days", "14", "--out", str(out_dir)]) == 0
    printed = capsys.readouterr().out
    assert "baseline: 14 days, seed 4" in printed and "Leads created" in printed  # KPIs by display name
    events = pd.read_parquet(out_dir / "events.parquet")
    kpis = json.loads((out_dir / "kpis.json").read_text())
    assert list(kpis) == list(KPIS)
    assert kpis["leads_created"] == int((events["activity"] == "created").sum()) > 0
    assert not math.isnan(kpis["utilisation_sales"])
    assert json.loads((out_dir / "manifest.json").read_text())["seed"] == 4


def test_cli_run_can_stream_the_log_to_parquet_parts(tmp_path, capsys):
    out_dir = tmp_path / "run"
    argv = ["run", str(BASELINE), "--seed", "4", "--days", "14", "--out", str(out_dir), "--stream"]
    assert cli.main(argv) == 0
    assert "events/part-*.parquet" in capsys.readouterr().out
    events = ParquetEventLog.open(out_dir / "events").read()
    assert not (out_dir / "events.parquet").exists()
    assert json.loads((out_dir / "manifest.json").read_text())["events"] == len(events) > 0
    kpis = json.loads((out_dir / "kpis.json").read_text())
    assert kpis["leads_created"] == int((events["activity"] == "created").sum())


def test_cli_run_replaces_a_previous_run_in_its_out_directory(tmp_path, capsys):
    """Whatever the earlier run wrote (in memory or streamed, other seed), the directory ends up
    holding this run only: no stale parts or log of the other format."""
    out_dir = tmp_path / "run"
    run = ["run", str(BASELINE), "--days", "3", "--out", str(out_dir)]
    assert cli.main([*run, "--seed", "1"]) == 0
    assert cli.main([*run, "--seed", "2", "--stream"]) == 0
    assert not (out_dir / "events.parquet").exists()
    streamed = ParquetEventLog.open(out_dir / "events").read()
    assert cli.main([*run, "--seed", "2", "--stream"]) == 0  # the same command again
    again = ParquetEventLog.open(out_dir / "events").read()
    pd.testing.assert_frame_equal(again, streamed)
    assert cli.main([*run, "--seed", "2"]) == 0
    assert not (out_dir / "events").exists()
    in_memory = pd.read_parquet(out_dir / "events.parquet")
    assert json.loads((out_dir / "manifest.json").read_text())["events"] == len(in_memory) == len(streamed)
    capsys.readouterr()


def test_a_new_run_leaves_no_export_of_an_earlier_one(tmp_path, capsys):
    out_dir, elsewhere = tmp_path / "run", tmp_path / "exports"
    run = ["run", str(BASELINE), "--days", "3", "--out", str(out_dir)]
    assert cli.main([*run, "--export", str(out_dir / "export"), "--format", "ocel-json"]) == 0
    (out_dir / "export" / "notes.txt").write_text("the user's own")
    assert cli.main(run) == 0  # no export this time: the earlier one is gone, the user's file stays
    assert [path.name for path in (out_dir / "export").iterdir()] == ["notes.txt"]
    assert cli.main([*run, "--export", str(elsewhere), "--format", "ocel-json"]) == 0
    assert cli.main([*run, "--seed", "2", "--export", str(elsewhere)]) == 0  # another format, same folder
    assert [path.name for path in elsewhere.iterdir()] == ["eventlog.csv"]
    capsys.readouterr()


def test_a_streamed_log_reads_back_every_attribute(tmp_path):
    """A column that first appears in a later part (pandas.read_parquet on the folder drops it)."""
    log = ParquetEventLog(tmp_path / "events", chunk_rows=2)
    log.record(1, "lead", 0.0, "created", "marketing", None, channel="web")
    log.record(1, "lead", 1.0, "mql", "marketing", None, score=61.0)
    log.record(2, "lead", 2.0, "created", "marketing", None, channel="fair", campaign="spring")
    log.flush()
    events = ParquetEventLog.open(tmp_path / "events").read()
    assert list(events["campaign"].fillna("-")) == ["-", "-", "spring"]
    assert len(ParquetEventLog.open(tmp_path / "events")) == 3
    with pytest.raises(FileNotFoundError, match="no event log"):
        ParquetEventLog.open(tmp_path)


def test_an_extending_file_without_a_name_is_named_after_itself(tmp_path):
    """The README's policy example has no ``name:``; it must not inherit its parent's name,
    or results of the policy and the baseline would carry the same label."""
    write(tmp_path / "base.yaml", "name: baseline\ndescription: today\n")
    write(tmp_path / "policy.yaml", "extends: base.yaml\ndescription: Enforce the documented SLAs.\n")
    write(tmp_path / "named.yaml", "extends: policy.yaml\nname: my-policy\n")
    assert load_scenario(tmp_path / "policy.yaml").name == "policy"
    assert load_scenario(tmp_path / "named.yaml").name == "my-policy"
    assert load_scenario(tmp_path / "base.yaml").name == "baseline"


def test_a_bad_value_in_an_extended_file_names_the_file_that_sets_it(tmp_path):
    base = write(tmp_path / "company" / "base.yaml", "demand:\n  chanels: {}\nmarketing: {mql_threshold: 59}\n")
    write(tmp_path / "policy.yaml", "extends: company/base.yaml\nmarketing: {mql_threshold: 61}\n")
    with pytest.raises(ScenarioError) as err:
        load_scenario(tmp_path / "policy.yaml")
    assert Path(err.value.file) == base and err.value.field == "demand.chanels"
    write(tmp_path / "override.yaml", "extends: policy.yaml\nmarketing: {mql_threshold: 150}\n")
    write(tmp_path / "company" / "base.yaml", "marketing: {mql_threshold: 59}\n")
    with pytest.raises(ScenarioError) as err:
        load_scenario(tmp_path / "override.yaml")
    assert Path(err.value.file).name == "override.yaml" and err.value.field == "marketing.mql_threshold"


@pytest.mark.parametrize("override, field", [
    ({"funnel": {"screen": {"by_channel": {"webb": 0.5}}}}, "funnel.screen.by_channel"),
    ({"funnel": {"stages": [{"name": "quote", "customer_days": 1, "work_hours": 1,
                             "conversion_by_channel": {"web": 0.5, "webb": 0.5}}]},
      "policy": {"sla": {"stage_dwell_stage": "quote"}}}, "funnel.stages.0.conversion_by_channel"),
])
def test_a_probability_for_a_channel_no_lead_comes_from_is_an_error(override, field):
    from support import baseline_with

    with pytest.raises(ScenarioError, match=f"{field}: names channel 'webb', which no lead comes from"):
        baseline_with(override)
