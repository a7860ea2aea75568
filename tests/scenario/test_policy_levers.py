"""Each shipped policy says every lever it moves: a section of the scenario that a policy file sets
is named in its description and in its section of docs/policies.md (a policy that also changes
incentives says so, rather than hiding it behind a meeting's name)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from simcoord.scenario.loading import load_scenario, load_yaml

ROOT = Path(__file__).resolve().parents[2]
POLICIES = sorted((ROOT / "scenarios" / "policies").glob("*.yaml"))
#: A lever (a section a policy file sets) -> words of which one must name it.
LEVER_WORDS = {
    "policy.incentives": ("paid", "incentive", "commission", "appraised"),
    "policy.meetings": ("meeting", "review", "sync", "war room"),
    "policy.sla": ("touch", "sla", "timer"),
    "policy.information": ("platform", "liaison"),
    "policy.triggers": ("trigger",),
    "policy.alerts": ("alert",),
    "policy.disputes": ("dispute", "arbitrat"),
    "organisation.coordination_managers": ("manager",),
}


def levers(path: Path) -> list[str]:
    """The sections of ``LEVER_WORDS`` that the policy file itself sets."""
    data = load_yaml(path.read_text(), path)
    return [lever for lever in LEVER_WORDS
            if lever.split(".")[1] in (data.get(lever.split(".")[0]) or {})]


def docs_section(name: str) -> str:
    text = (ROOT / "docs" / "policies.md").read_text()
    match = re.search(rf"^## {re.escape(name)}\n(.*?)(?=^## |\Z)", text, flags=re.M | re.S)
    assert match, f"docs/policies.md has no section for {name}"
    return match.group(1)


@pytest.mark.parametrize("path", POLICIES, ids=lambda p: p.stem)
def test_a_policy_names_every_lever_it_moves(path):
    description = load_scenario(path).description.lower()
    section = docs_section(path.stem).lower()
    for lever in levers(path):
        words = LEVER_WORDS[lever]
        assert any(w in description for w in words), f"{path.name}: the description does not mention {lever}"
        assert any(w in section for w in words), f"docs/policies.md, {path.stem}: {lever} is not mentioned"


def test_the_incentive_levers_of_the_meeting_and_platform_policies_are_found():
    assert "policy.incentives" in levers(ROOT / "scenarios" / "policies" / "weekly-sync.yaml")
    assert "policy.incentives" in levers(ROOT / "scenarios" / "policies" / "shared-platform.yaml")
