"""Sweeps: dotted paths validated against the schema, designs, tornado, Pareto front, CLI."""

from __future__ import annotations

import pandas as pd
import pytest

from simcoord.cli.app import main
from simcoord.scenario.loading import ScenarioError, resolve_file
from simcoord.experiments.sweep import (design_table, full_factorial, latin_hypercube, pareto_front, sweep,
                            tornado, variant)

from support import BASELINE

FAST = {"replications": 2, "days": 10, "workers": 1, "progress": False}


@pytest.mark.parametrize("settings, field, problem", [
    ({"policy.sla.first_touch.hourz": 4}, "policy.sla.first_touch.hourz", "unknown key"),
    ({"policy.sla.missing.hours": 4}, "policy.sla.missing.hours", "unknown field path"),
    ({"organisation.sales.staff": "many"}, "organisation.sales.staff", "valid integer"),
    ({"organisation.sales.staff": -2}, "organisation.sales.staff", "greater than or equal to 0"),
])
def test_bad_paths_and_values_name_the_field(settings, field, problem):
    with pytest.raises(ScenarioError, match=problem) as caught:
        variant(resolve_file(BASELINE), settings, "baseline.yaml")
    assert caught.value.field == field


def test_a_variant_sets_exactly_its_fields():
    scenario = variant(resolve_file(BASELINE), {"policy.sla.first_touch.hours": 4.0,
                                                "organisation.sales.staff": 9}, "baseline.yaml")
    assert scenario.policy.sla.first_touch.hours == 4.0 and scenario.organisation.sales.staff == 9


def test_full_factorial_has_every_combination():
    table = full_factorial({"a": [1, 2, 3], "b": ["x", "y"]})
    assert len(table) == 6 and len(table.drop_duplicates()) == 6
    assert sorted(table["a"].value_counts().tolist()) == [2, 2, 2]


def test_latin_hypercube_puts_one_sample_in_every_stratum():
    table = latin_hypercube({"x": (0.0, 10.0), "level": [1, 2, 3, 4], "n": (10, 20)}, samples=8, seed=1)
    assert sorted((table["x"] // 1.25).astype(int)) == list(range(8))
    assert table["level"].value_counts().tolist() == [2, 2, 2, 2]
    assert table["n"].between(10, 20).all() and table["n"].dtype.kind == "i"
    assert table.equals(latin_hypercube({"x": (0.0, 10.0), "level": [1, 2, 3, 4], "n": (10, 20)}, samples=8, seed=1))


def test_design_names_variants_and_rejects_bad_designs():
    table = design_table({"a": [1, 2]})
    assert list(table.index) == ["v000", "v001"]
    with pytest.raises(ValueError, match="full' or 'lhs"):
        design_table({"a": [1]}, design="grid")
    with pytest.raises(ValueError, match="lists of levels"):
        design_table({"a": (1, 2)}, design="full")


def test_sweep_results_have_one_column_per_factor_and_share_random_numbers():
    result = sweep(BASELINE, {"organisation.sales.staff": [12, 14], "policy.sla.first_touch.hours": [24]}, **FAST)
    results = result.results
    assert {"variant", "organisation.sales.staff", "policy.sla.first_touch.hours", "replication", "kpi",
            "value"} <= set(results.columns)
    leads = results[results["kpi"] == "leads_created"].pivot(index="replication", columns="variant", values="value")
    assert (leads["v000"] == leads["v001"]).all()  # demand does not depend on sales staff: same arrivals
    cost = result.means(["staff_cost"])["staff_cost"]
    assert cost["v001"] > cost["v000"]
    # two more sales reps cost more in every replication: the cheaper level is selected at once
    cheapest = result.best("staff_cost", delta=1.0)
    assert cheapest.best == "v000" and result.design.loc[cheapest.best, "organisation.sales.staff"] == 12


def test_tornado_ranks_factors_by_swing():
    table = tornado(BASELINE, {"organisation.sales.staff": (8, 16), "organisation.service.staff": (3, 4)},
                    "staff_cost", **FAST)
    assert table["factor"].tolist() == ["organisation.sales.staff", "organisation.service.staff"]
    assert table.loc[0, "kpi_low"] < table.loc[0, "kpi_base"] < table.loc[0, "kpi_high"]


def test_pareto_front_follows_kpi_directions():
    frame = pd.DataFrame({"revenue": [10, 12, 9, 15, 15], "staff_cost": [5, 6, 4, 9, 10]},
                         index=["a", "b", "c", "d", "e"])
    front = pareto_front(frame, "revenue", "staff_cost")
    assert list(front.index) == ["c", "a", "b", "d"]  # e: same revenue as d at a higher cost
    assert list(pareto_front(frame, "revenue", "staff_cost", maximize=(True, True)).index) == ["e"]


def test_cli_sweep_runs_and_writes_csv(tmp_path, capsys):
    csv = tmp_path / "sweep.csv"
    code = main(["sweep", str(BASELINE), "--set", "organisation.sales.staff=12,14", "--reps", "2", "--days", "10",
                 "--workers", "1", "--quiet", "--csv", str(csv), "--kpis", "staff_cost"])
    assert code == 0
    assert "staff_cost" in capsys.readouterr().out
    assert set(pd.read_csv(csv)["organisation.sales.staff"]) == {12, 14}


def test_cli_sweep_with_out_says_how_many_stored_runs_it_reused(tmp_path, capsys):
    out = tmp_path / "runs"
    command = ["sweep", str(BASELINE), "--set", "organisation.sales.staff=12,14", "--reps", "2", "--days", "5",
               "--workers", "1", "--quiet", "--kpis", "staff_cost", "--out", str(out)]
    assert main(command) == 0
    assert f"reused 0 of 4 runs stored in {out}" in capsys.readouterr().out
    assert main([*command[:3], "organisation.sales.staff=12,16", *command[4:]]) == 0  # one variant kept
    assert f"reused 2 of 4 runs stored in {out}" in capsys.readouterr().out
    assert (out / "sweep.csv").is_file()


@pytest.mark.parametrize("setting, message", [
    ("policy.sla.first_touch.hourz=4,8", "policy.sla.first_touch.hourz: unknown key"),
    ("organisation.sales.staff=10,abc", "organisation.sales.staff: Input should be a valid integer"),
    ("organisation.sales.staff", "--set expects PATH=V1,V2"),
    ("organisation.sales.staff=[12,14", "a value is not valid YAML"),
])
def test_cli_sweep_bad_input_exits_2_and_writes_nothing(tmp_path, capsys, setting, message):
    code = main(["sweep", str(BASELINE), "--set", setting, "--reps", "2", "--days", "5", "--quiet",
                 "--out", str(tmp_path / "runs")])
    assert code == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "runs").exists()
