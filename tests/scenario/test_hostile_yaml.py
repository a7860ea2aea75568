"""Bounded work on any input: a few hundred bytes of nested anchors and aliases (a "billion
laughs" file) are refused while the YAML is read, wherever the aliases land, in well under a
second; ordinary reuse of anchors still loads."""

from __future__ import annotations

import time

import pytest

from simcoord import cli
from simcoord.scenario.loading import (EXPANDED_VALUES_PER_CHARACTER, MIN_EXPANDED_VALUES, ScenarioError,
                                       load_scenario, load_yaml)

LEVELS = 9  # ten aliases per level: about 10 ** 9 values once expanded
BOUND_SECONDS = 1.0  # a bound on the work, not a benchmark


def laughs(name: str = "a") -> str:
    """A flow list whose anchored items each hold ten aliases of the one before."""
    items = [f"&{name}0 [{', '.join(['1'] * 10)}]"]
    items += [f"&{name}{i} [{', '.join([f'*{name}{i - 1}'] * 10)}]" for i in range(1, LEVELS)]
    return f"[{', '.join(items)}]"


def mapping_laughs() -> str:
    """The same with mappings of numbers: ten keys per level, each an alias of the level before."""
    items = ["k0: &m0 {" + ", ".join(f"k{j}: 1" for j in range(10)) + "}"]
    items += [f"k{i}: &m{i} {{" + ", ".join(f"k{j}: *m{i - 1}" for j in range(10)) + "}" for i in range(1, LEVELS)]
    return "{" + ", ".join(items) + "}"


def merge_laughs() -> str:
    """Merge keys: each level merges the one before ten times over."""
    lines = ["x-merges:", "  m0: &m0 {a: 1, b: 2}"]
    lines += [f"  m{i}: &m{i} {{<<: [{', '.join([f'*m{i - 1}'] * 10)}]}}" for i in range(1, LEVELS)]
    return "\n".join(lines) + "\n"


BOMBS = {
    "number": f"marketing:\n  mql_threshold: {laughs()}\n",
    "list of numbers": f"demand:\n  weekly_profile: {laughs()}\n",
    "mapping of numbers": f"lead_mix:\n  tier_value_multiplier: {mapping_laughs()}\n",
    "distribution": f"lead_mix:\n  deal_value: {{dist: empirical, values: {laughs()}}}\n",
    "text": f"description: {laughs()}\n",
    "unknown key": f"surprise: {laughs()}\n",
    "merge keys": merge_laughs(),
}


@pytest.mark.parametrize("kind", list(BOMBS))
def test_an_alias_bomb_is_refused_within_a_second(tmp_path, kind, capsys):
    path = tmp_path / "bomb.yaml"
    path.write_text(BOMBS[kind], encoding="utf-8")
    assert path.stat().st_size < 1_000
    start = time.perf_counter()
    with pytest.raises(ScenarioError, match="expands to more than .* values through YAML aliases") as error:
        load_scenario(path)
    assert time.perf_counter() - start < BOUND_SECONDS
    assert error.value.file == str(path)
    capsys.readouterr()
    start = time.perf_counter()
    assert cli.main(["validate", str(path)]) == 2
    assert time.perf_counter() - start < BOUND_SECONDS
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and "bomb.yaml" in err and "through YAML aliases" in err


def test_yaml_text_outside_files_has_the_same_bound():
    """Values given on the command line (``--set``, report parameters) are read by the same loader."""
    start = time.perf_counter()
    with pytest.raises(ScenarioError, match="YAML text: expands to more than"):
        load_yaml(laughs())
    with pytest.raises(ScenarioError, match="a YAML alias contains itself"):
        load_yaml("&x [*x]")
    with pytest.raises(ScenarioError, match="nested more than 20 levels deep"):
        load_yaml("[" * 5000 + "]" * 5000)
    assert time.perf_counter() - start < BOUND_SECONDS


def test_the_bound_is_a_floor_plus_a_share_per_character():
    reused = "a: &a [" + ", ".join(["1"] * 1_000) + "]\nb: [" + ", ".join(["*a"] * 12) + "]\n"
    assert len(load_yaml(reused)["b"]) == 12  # about 13,000 values from 3,000 characters
    bomb = "a: &a [" + ", ".join(["1"] * 100) + "]\nb: [" + ", ".join(["*a"] * 200) + "]\n"
    limit = MIN_EXPANDED_VALUES + EXPANDED_VALUES_PER_CHARACTER * len(bomb)
    with pytest.raises(ScenarioError, match=f"YAML text: expands to more than {limit:,} values through YAML aliases"):
        load_yaml(bomb)  # about 20,000 values from 1,100 characters


def test_a_scenario_that_reuses_anchors_loads(tmp_path):
    path = tmp_path / "shared.yaml"
    path.write_text("""
funnel:
  stages:
    - name: first_call
      conversion: &even {L1: 0.5, L2: 0.5, L3: 0.5, L4: 0.5, L5: 0.5}
      work_hours: &short {dist: triangular, low: 0.5, mode: 1.0, high: 2.0}
    - name: offer
      conversion: *even
      work_hours: *short
policy:
  sla:
    stage_dwell_stage: offer
    first_touch: &rule {hours: 8, enforced: true}
    hot_lead_first_touch:
      <<: *rule
      hours: 4
""", encoding="utf-8")
    scenario = load_scenario(path)
    first, offer = scenario.funnel.stages
    assert first.conversion == offer.conversion == dict.fromkeys(("L1", "L2", "L3", "L4", "L5"), 0.5)
    assert first.work_hours == offer.work_hours
    hot = scenario.policy.sla.hot_lead_first_touch
    assert hot.hours == 4 and hot.enforced

