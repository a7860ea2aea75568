"""``simcoord compare --base BASE POLICY...``: every policy applied on BASE, which is the baseline;
bad input is one line and exit 2 naming file and field."""

from __future__ import annotations

import pandas as pd
import pytest

from simcoord.cli import main
from simcoord.experiments.experiment import policies_on_base
from simcoord.scenario.loading import load_scenario
from support import BASELINE, SCENARIOS

BANK = SCENARIOS / "examples" / "bpic-like.yaml"
SLA = SCENARIOS / "policies" / "sla-enforced.yaml"
WAR_ROOM = SCENARIOS / "policies" / "war-room.yaml"
RUN = ["--reps", "2", "--days", "5", "--workers", "1", "--quiet"]


def test_compare_on_another_base_runs_the_base_and_each_policy_on_it(tmp_path, capsys):
    csv = tmp_path / "comparison.csv"
    assert main(["compare", "--base", str(BANK), str(SLA), str(WAR_ROOM), *RUN, "--csv", str(csv)]) == 0
    captured = capsys.readouterr()
    assert "HEADLINE against bpic-like" in captured.out
    table = pd.read_csv(csv)
    assert set(table["policy"]) == {"sla-enforced", "war-room"}
    # levers of the war room with nothing to act on in a bank are told, once per policy
    notes = [line for line in captured.err.splitlines() if line.startswith("note: ")]
    assert len(notes) == 1 and "war-room.yaml" in notes[0] and "policy.meetings.0.attendees.production" in notes[0]


@pytest.mark.filterwarnings("ignore::simcoord.scenario.levers.IdleLeverWarning")
def test_the_scenarios_compared_are_the_base_and_the_policies_applied_on_it():
    scenarios = policies_on_base(BANK, [SLA, WAR_ROOM])
    assert list(scenarios) == ["bpic-like", "sla-enforced", "war-room"]
    assert scenarios["bpic-like"] == load_scenario(BANK)
    assert scenarios["sla-enforced"] == load_scenario(SLA, base=BANK)
    assert scenarios["sla-enforced"].funnel == load_scenario(BANK).funnel


def test_without_base_the_first_file_is_the_baseline_as_before(tmp_path):
    csv = tmp_path / "comparison.csv"
    assert main(["compare", str(BASELINE), str(SLA), *RUN, "--csv", str(csv)]) == 0
    assert set(pd.read_csv(csv)["policy"]) == {"sla-enforced"}


def error_line(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    return err


def test_a_missing_base_is_one_line_and_exit_2(tmp_path, capsys):
    missing = tmp_path / "ourco.yaml"
    assert main(["compare", "--base", str(missing), str(SLA), *RUN]) == 2
    assert error_line(capsys) == f"error: {missing}: file not found"


def test_a_base_that_does_not_validate_names_its_file_and_field(tmp_path, capsys):
    bad = tmp_path / "ourco.yaml"
    bad.write_text("funnel: {response_decay: {half_life_hours: -3}}\n")
    assert main(["compare", "--base", str(bad), str(SLA), *RUN]) == 2
    assert error_line(capsys).startswith(f"error: {bad}: funnel.response_decay.half_life_hours: ")


def test_a_policy_that_does_not_fit_the_base_names_policy_and_field(tmp_path, capsys):
    policy = tmp_path / "dwell.yaml"
    policy.write_text("policy: {sla: {stage_dwell_stage: need_confirmation}}\n")
    assert main(["compare", "--base", str(BANK), str(policy), *RUN]) == 2
    line = error_line(capsys)
    assert line.startswith(f"error: {policy}: policy.sla.stage_dwell_stage: 'need_confirmation' is not a funnel stage")
    assert str(BANK) in line


def test_a_policy_named_like_the_base_is_refused(capsys):
    assert main(["compare", "--base", str(BASELINE), str(BASELINE), *RUN]) == 2
    assert "repeated: baseline" in error_line(capsys)


def test_a_comparison_needs_a_policy(capsys):
    assert main(["compare", str(BASELINE), *RUN]) == 2
    assert "at least one policy" in error_line(capsys)
