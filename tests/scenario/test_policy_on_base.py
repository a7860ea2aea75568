"""A policy file applied on another base than the one it extends: the base's resolved data with only
what the policy writes laid over it; bad bases and overrides that do not fit the base are one
ScenarioError naming file and field; levers with nothing to act on are warned about, not errors."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from simcoord.scenario.levers import IdleLeverWarning, idle_levers
from simcoord.scenario.loading import ScenarioError, load_scenario, policy_overrides
from support import BASELINE, SCENARIOS

POLICIES = sorted((SCENARIOS / "policies").glob("*.yaml"))
BANK = SCENARIOS / "examples" / "bpic-like.yaml"


def quietly_applied(policy: Path, base) -> tuple:
    """``policy`` on ``base`` and the idle-lever warnings it gave."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        scenario = load_scenario(policy, base=base)
    return scenario, [w for w in caught if issubclass(w.category, IdleLeverWarning)]


@pytest.mark.parametrize("policy", POLICIES, ids=lambda p: p.stem)
def test_a_policy_on_the_base_it_extends_is_the_policy_as_loaded(policy):
    applied, idle = quietly_applied(policy, BASELINE)
    assert applied == load_scenario(policy) and not idle


def test_a_policy_on_another_base_overrides_only_what_it_writes():
    bank = load_scenario(BANK)
    applied, _ = quietly_applied(SCENARIOS / "policies" / "sla-enforced.yaml", bank)
    assert applied.name == "sla-enforced"
    assert applied.policy.sla.first_touch.enforced and applied.policy.sla.auto_release.hours == 48
    assert applied.policy.incentives.sales["sla_speed"] == 0.3
    # everything the policy does not write is the bank's, down to nested fields next to the policy's
    assert applied.funnel == bank.funnel and applied.demand == bank.demand and applied.calendar == bank.calendar
    assert applied.policy.sla.stage_dwell_stage == "application"
    assert applied.policy.incentives.bonus_rate == bank.policy.incentives.bonus_rate == 0
    assert not applied.production.enabled and applied.organisation == bank.organisation


def test_a_base_given_as_file_or_as_scenario_gives_the_same_scenario():
    policy = SCENARIOS / "policies" / "shared-platform.yaml"
    assert quietly_applied(policy, BANK)[0] == quietly_applied(policy, load_scenario(BANK))[0]


def test_a_policy_extending_a_policy_brings_both_layers_but_not_their_base(tmp_path):
    (tmp_path / "base.yaml").write_text("organisation: {sales: {staff: 3, hourly_cost: 50}}\n")
    (tmp_path / "first.yaml").write_text("extends: base.yaml\npolicy: {triggers: {enabled: true}}\n")
    (tmp_path / "second.yaml").write_text("extends: first.yaml\npolicy: {alerts: {enabled: true}}\n")
    assert policy_overrides(tmp_path / "second.yaml") == {
        "policy": {"triggers": {"enabled": True}, "alerts": {"enabled": True}}}
    applied = load_scenario(tmp_path / "second.yaml", base=BASELINE)
    assert applied.policy.triggers.enabled and applied.policy.alerts.enabled
    assert applied.organisation.sales.staff == load_scenario(BASELINE).organisation.sales.staff


def test_a_base_that_does_not_exist_is_named(tmp_path):
    with pytest.raises(ScenarioError, match="missing.yaml: file not found"):
        load_scenario(POLICIES[0], base=tmp_path / "missing.yaml")


def test_a_base_that_does_not_validate_is_named_with_its_field(tmp_path):
    bad = tmp_path / "ourco.yaml"
    bad.write_text("organisation: {sales: {staff: -1, hourly_cost: 50}}\n")
    with pytest.raises(ScenarioError) as raised:
        load_scenario(POLICIES[0], base=bad)
    assert raised.value.file == str(bad) and raised.value.field == "organisation.sales.staff"


def test_an_override_that_does_not_fit_the_base_names_policy_field_and_base(tmp_path):
    policy = tmp_path / "dwell.yaml"
    policy.write_text("extends: x.yaml\npolicy: {sla: {stage_dwell_stage: need_confirmation}}\n")
    (tmp_path / "x.yaml").write_text("name: x\n")
    with pytest.raises(ScenarioError) as raised:
        load_scenario(policy, base=BANK)
    message = str(raised.value)
    assert raised.value.file == str(policy) and raised.value.field == "policy.sla.stage_dwell_stage"
    assert "'need_confirmation' is not a funnel stage" in message and str(BANK) in message
    assert "\n" not in message


def test_a_channel_the_base_lacks_is_refused_naming_the_field(tmp_path):
    policy = tmp_path / "screen.yaml"
    policy.write_text("funnel: {screen: {by_channel: {events: 0.5}}}\n")
    with pytest.raises(ScenarioError, match=r"funnel\.screen\.by_channel: names channel 'events'"):
        load_scenario(policy, base=BANK)


def test_levers_with_nothing_to_act_on_are_warned_about_not_refused():
    applied, idle = quietly_applied(SCENARIOS / "policies" / "weekly-sync.yaml", BANK)
    assert len(idle) == 1
    message = str(idle[0].message)
    assert "weekly-sync.yaml" in message and str(BANK) in message
    assert "policy.meetings.0.attendees.production: no production staff" in message
    assert "policy.meetings.0.syncs: forecast: production is switched off" in message
    assert applied.policy.meetings[0].name == "data-review"  # applied as written: the model seats no one


def test_idle_levers_name_only_what_the_policy_sets():
    bank = load_scenario(BANK)
    assert idle_levers({"policy": {"sla": {"first_touch": {"hours": 4}}}}, bank) == []
    assert idle_levers({"policy": {"triggers": {"enabled": False}}}, bank) == []
    assert idle_levers({"policy": {"triggers": {"enabled": True}}}, bank) == [
        "policy.triggers.enabled: no nurture on this base"]
    assert idle_levers({"policy": {"alerts": {"enabled": True}}}, load_scenario(BASELINE)) == []
