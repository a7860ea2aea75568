"""The experiment layer: CRN seeds, identical results on every back end, resume, analyses, CLI.

Runs are short (a 20-day horizon of the baseline company, 3 replications): these tests check
bookkeeping and arithmetic, not the model's long-run behaviour.
"""

from __future__ import annotations

import multiprocessing

import numpy as np
import pandas as pd
import pytest

from simcoord.experiments import evaluators, runstore, stats
from simcoord.cli.app import main
from simcoord.experiments.experiment import Experiment, replication_seed, run_experiment
from simcoord.cli.experiments import format_comparison
from simcoord.scenario.loading import deep_merge, load_scenario, resolve_file, scenario_from_dict
from simcoord.model.company import simulate
from simcoord.experiments.warmup import daily_counts, suggest_warmup

from support import BASELINE, SCENARIOS

DAYS = 20
REPS = 3
FAST = {"days": DAYS, "replications": REPS, "progress": False}


def _variant(override: dict) -> object:
    data = deep_merge(resolve_file(BASELINE), override)
    return scenario_from_dict(data)


@pytest.fixture(scope="module")
def policies() -> dict:
    return {"baseline": _variant({}),
            "more-sales": _variant({"organisation": {"sales": {"staff": 16}}}),  # the baseline has 14
            "fast-sla": _variant({"policy": {"sla": {"first_touch": {"hours": 4, "enforced": True}}}})}


@pytest.fixture(scope="module")
def serial(policies) -> Experiment:
    return run_experiment(policies, workers=1, **FAST)


class CountingSimulate:
    """Stands in for ``simulate`` in the evaluator module: counts calls, fails on one of them."""

    def __init__(self, fail_on_call: int | None = None) -> None:
        self.calls, self.fail_on_call = 0, fail_on_call

    def __call__(self, *args, **kwargs):
        self.calls += 1
        if self.calls == self.fail_on_call:
            raise RuntimeError("worker killed")
        return simulate(*args, **kwargs)


# ---------------------------------------------------------------------------- seeds and back ends
def test_replication_r_of_every_policy_runs_on_the_same_seed(serial):
    seeds = serial.kpis.groupby(["replication", "policy"])["seed"].first().unstack()
    assert (seeds.nunique(axis=1) == 1).all()
    assert seeds["baseline"].nunique() == REPS
    assert list(seeds["baseline"]) == [replication_seed(2026, r) for r in range(REPS)]


def test_policy_that_changes_nothing_has_identical_kpis(policies):
    twin = {"baseline": policies["baseline"], "twin": _variant({})}
    exp = run_experiment(twin, workers=1, **FAST)
    table = exp.values("revenue")
    assert table["twin"].tolist() == table["baseline"].tolist()
    diffs = exp.compare()
    assert (diffs.loc[diffs["n"] >= 2, "verdict"] == "no difference").all()
    assert (diffs.loc[diffs["n"] < 2, "verdict"] == "too few replications").all()  # KPIs undefined in 20 days


def test_two_processes_give_bitwise_identical_kpis(policies, serial):
    parallel = run_experiment(policies, workers=2, **FAST)
    pd.testing.assert_frame_equal(parallel.kpis, serial.kpis, check_exact=True)


def test_dask_local_cluster_gives_bitwise_identical_kpis(policies, serial):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        on_dask = run_experiment(policies, scheduler=client, **FAST)
    pd.testing.assert_frame_equal(on_dask.kpis, serial.kpis, check_exact=True)


def test_adding_a_policy_leaves_the_others_unchanged(policies, serial):
    two = run_experiment({k: policies[k] for k in ("baseline", "fast-sla")}, workers=1, **FAST)
    kept = serial.kpis[serial.kpis["policy"].isin(["baseline", "fast-sla"])].reset_index(drop=True)
    pd.testing.assert_frame_equal(two.kpis, kept, check_exact=True)


def test_unreachable_scheduler_fails_fast_and_writes_nothing(policies, tmp_path, monkeypatch):
    monkeypatch.setattr(evaluators, "DASK_CONNECT_TIMEOUT_S", 1.0)
    with pytest.raises(ConnectionError, match="cannot reach the Dask scheduler"):
        run_experiment(policies, scheduler="tcp://127.0.0.1:1", out=tmp_path / "runs", **FAST)
    assert not (tmp_path / "runs").exists()


def test_settings_are_checked_before_running(policies):
    with pytest.raises(ValueError, match="replications"):
        run_experiment(policies, replications=0, days=DAYS)
    with pytest.raises(ValueError, match="warmup_days"):
        run_experiment(policies, replications=2, days=DAYS, warmup_days=DAYS)
    for bad in ({"seed": -1}, {"seed": 1.5}, {"days": float("inf")}, {"days": float("nan")}, {"days": 1e12}):
        with pytest.raises(ValueError, match=next(iter(bad))):
            run_experiment(policies, replications=2, **{"days": DAYS, **bad})
        with pytest.raises(ValueError, match=next(iter(bad))):
            simulate(load_scenario(BASELINE), **{"days": DAYS, **bad})


# ---------------------------------------------------------------------------- persistence and resume
def test_interrupted_run_resumes_with_only_the_missing_runs(policies, serial, tmp_path, monkeypatch):
    out = tmp_path / "runs"
    interrupted = CountingSimulate(fail_on_call=5)
    monkeypatch.setattr(evaluators, "simulate", interrupted)
    with pytest.raises(RuntimeError, match="worker killed"):
        run_experiment(policies, workers=1, out=out, **FAST)
    assert len(list(out.glob("*.parquet"))) == 4
    assert not list(out.glob(".*tmp"))  # no half-written file

    resumed = CountingSimulate()
    monkeypatch.setattr(evaluators, "simulate", resumed)
    exp = run_experiment(policies, workers=1, out=out, **FAST)
    assert resumed.calls == len(policies) * REPS - 4
    assert exp.reused_runs == 4 and exp.runs == len(policies) * REPS
    pd.testing.assert_frame_equal(exp.kpis, serial.kpis, check_exact=True)

    again = CountingSimulate()
    monkeypatch.setattr(evaluators, "simulate", again)
    unchanged = run_experiment(policies, workers=1, out=out, **FAST)
    assert again.calls == 0 and unchanged.reused_runs == len(policies) * REPS
    pd.testing.assert_frame_equal(unchanged.kpis, serial.kpis, check_exact=True)


def _fail_one_run(scenario, seed, **kwargs):
    """``simulate`` that dies on replication 1 of fast-sla (inherited by forked pool workers)."""
    if scenario.policy.sla.first_touch.hours == 4 and seed == replication_seed(2026, 1):
        raise RuntimeError("worker process failed")
    return simulate(scenario, seed, **kwargs)


@pytest.mark.skipif(multiprocessing.get_start_method() != "fork", reason="patch reaches workers only by fork")
def test_failure_in_a_worker_process_keeps_finished_runs_and_resumes(policies, serial, tmp_path, monkeypatch):
    out = tmp_path / "runs"
    monkeypatch.setattr(evaluators, "simulate", _fail_one_run)
    with pytest.raises(RuntimeError, match="worker process failed"):
        run_experiment(policies, workers=2, out=out, **FAST)
    finished = len(list(out.glob("*.parquet"))) if out.exists() else 0
    assert finished < len(policies) * REPS
    monkeypatch.setattr(evaluators, "simulate", simulate)
    exp = run_experiment(policies, workers=2, out=out, **FAST)
    pd.testing.assert_frame_equal(exp.kpis, serial.kpis, check_exact=True)
    assert len(list(out.glob("*.parquet"))) == len(policies) * REPS


def test_changed_scenario_or_horizon_is_never_served_stale(policies, tmp_path, monkeypatch):
    out = tmp_path / "runs"
    run_experiment({"p": policies["baseline"]}, workers=1, out=out, **FAST)
    counter = CountingSimulate()
    monkeypatch.setattr(evaluators, "simulate", counter)
    changed = run_experiment({"p": policies["more-sales"]}, workers=1, out=out, **FAST)
    assert counter.calls == REPS
    assert changed.values("staff_cost")["p"].iloc[0] > 0
    run_experiment({"p": policies["baseline"]}, workers=1, out=out, **{**FAST, "days": DAYS - 1})
    assert counter.calls == 2 * REPS


@pytest.fixture
def model_code_copy(tmp_path, monkeypatch) -> list:
    """The model's source files copied to ``tmp_path``, standing in for the real ones in the run
    store's fingerprint (recomputed with the copies from the next run on)."""
    copies = []
    for index, source in enumerate(runstore._model_sources()):
        copies.append(tmp_path / "model_code" / f"{index:02d}_{source.name}")
        copies[-1].parent.mkdir(exist_ok=True)
        copies[-1].write_bytes(source.read_bytes())
    monkeypatch.setattr(runstore, "_model_sources", lambda: copies)
    runstore.model_fingerprint.cache_clear()
    yield copies
    runstore.model_fingerprint.cache_clear()


def test_runs_of_another_model_code_are_recomputed(policies, serial, tmp_path, monkeypatch, model_code_copy):
    out = tmp_path / "runs"
    run_experiment(policies, workers=1, out=out, **FAST)
    company = next(copy for copy in model_code_copy if copy.name.endswith("_company.py"))
    company.write_bytes(company.read_bytes() + b"\n")  # one byte more: another model, as far as the store knows
    runstore.model_fingerprint.cache_clear()
    counter = CountingSimulate()
    monkeypatch.setattr(evaluators, "simulate", counter)
    changed = run_experiment(policies, workers=1, out=out, **FAST)
    assert counter.calls == len(policies) * REPS and changed.reused_runs == 0
    pd.testing.assert_frame_equal(changed.kpis, serial.kpis, check_exact=True)  # the code itself is the same
    assert len(list(out.glob("*.parquet"))) == 2 * len(policies) * REPS


# ---------------------------------------------------------------------------- analyses
def _synthetic(values: dict[str, dict[str, list[float]]]) -> Experiment:
    """An experiment from given per-replication values: {kpi: {policy: [v_r, ...]}}."""
    rows = [{"policy": p, "replication": r, "seed": r, "kpi": kpi, "value": v}
            for kpi, by_policy in values.items() for p, vs in by_policy.items() for r, v in enumerate(vs)]
    frame = pd.DataFrame(rows).sort_values(["policy", "replication"], kind="stable")
    return Experiment(frame.reset_index(drop=True), ("baseline", "a", "b"), seed=0, days=1)


SYNTHETIC = _synthetic({
    "revenue": {"baseline": [100, 110, 120, 130], "a": [106, 117, 126, 137], "b": [101, 109, 121, 131]},
    "total_cost": {"baseline": [50, 52, 54, 56], "a": [55, 57, 60, 61], "b": [50, 52, 54, 56]},
    "mql": {"baseline": [10, 11, 12, 13], "a": [12, 13, 14, 15], "b": [10, 11, 12, 13]},
})


def test_compare_pairs_by_replication_and_applies_holm_across_policies():
    table = SYNTHETIC.compare().set_index(["kpi", "policy"])
    a = table.loc[("revenue", "a")]
    expected = stats.paired_difference([106, 117, 126, 137], [100, 110, 120, 130])
    assert a["diff"] == pytest.approx(6.5) and a["diff_lo"] == pytest.approx(expected.lo)
    assert a["rel_diff"] == pytest.approx(6.5 / 115)
    raw = table.loc["revenue", "p_value"]
    assert table.loc["revenue", "p_holm"].tolist() == pytest.approx(stats.holm_adjust(raw.to_numpy()).tolist())
    assert a["p_holm"] == pytest.approx(min(1.0, 2 * min(raw)))  # the smaller of 2 p-values doubles


def test_verdict_follows_each_kpis_direction():
    table = SYNTHETIC.compare().set_index(["kpi", "policy"])["verdict"]
    assert table[("revenue", "a")] == "better"      # higher is better, went up
    assert table[("total_cost", "a")] == "worse"    # higher is worse, went up
    assert table[("mql", "a")] == "higher"          # a volume: no direction
    assert table[("revenue", "b")] == "no difference"


def test_rank_orders_by_direction_and_selects_with_kim_nelson():
    revenue = SYNTHETIC.rank("revenue")
    assert list(revenue.index) == ["a", "b", "baseline"]
    assert revenue["selection"].tolist() == ["best", "eliminated", "eliminated"]
    assert revenue.attrs["selection"].best == "a" and revenue.attrs["selection"].n == 4
    assert revenue["prob_best"].isna().all()  # 4 replications: too few to bootstrap
    cost = SYNTHETIC.rank("total_cost")
    assert cost.index[-1] == "a" and cost.loc["a", "selection"] == "eliminated"
    # baseline and b cost the same in every replication: nothing can separate them
    tied = SYNTHETIC.select_best("total_cost", delta=1.0)
    assert tied.best is None and set(tied.contenders) == {"baseline", "b"} and tied.more_replications == 0


def test_rank_bootstraps_the_probability_of_best_from_ten_replications():
    rng = np.random.default_rng(5)
    base = rng.normal(100, 10, 12)
    many = _synthetic({"revenue": {"baseline": list(base), "a": list(base + 30), "b": list(base + 1)}})
    ranking = many.rank("revenue")
    assert ranking.loc["a", "prob_best"] == 1.0 and ranking["prob_best"].sum() == pytest.approx(1.0)


def test_compare_tells_shares_in_points_rare_counts_in_units_and_the_rest_as_ratios():
    exp = _synthetic({
        "sla_first_touch_pct": {"baseline": [0.28, 0.30, 0.31, 0.29], "a": [0.63, 0.65, 0.64, 0.645],
                                "b": [0.28, 0.30, 0.31, 0.29]},
        "backorders": {"baseline": [1, 0, 2, 1], "a": [0, 0, 1, 0], "b": [3, 1, 2, 2]},
        "revenue": {"baseline": [100, 110, 120, 130], "a": [106, 117, 126, 137], "b": [101, 109, 121, 131]},
    })
    table = exp.compare().set_index(["kpi", "policy"])
    sla = table.loc[("sla_first_touch_pct", "a")]
    assert sla["scale"] == "pp" and sla["change"] == pytest.approx(0.64125 - 0.295) and sla["verdict"] == "better"
    assert table.loc[("backorders", "a"), "scale"] == "absolute"
    assert table.loc[("revenue", "a"), "scale"] == "relative"
    assert table.loc[("revenue", "a"), "change"] == pytest.approx(121.5 / 115 - 1)


def test_verdicts_agree_with_the_simultaneous_intervals():
    table = SYNTHETIC.compare()
    excludes_zero = (table["change_lo"] > 0) | (table["change_hi"] < 0)
    assert ((table["verdict"] != "no difference") == excludes_zero).all()
    assert ((table["p_adj"] < 0.05) == excludes_zero).all()
    assert table["confidence_adj"].tolist() == pytest.approx([1 - 0.05 / 2] * 6) and (table["confidence"] == 0.95).all()
    adjusted = stats.mean_ci(np.array([106, 117, 126, 137]) - np.array([100, 110, 120, 130]), 1 - 0.05 / 2)
    a = table.set_index(["kpi", "policy"]).loc[("revenue", "a")]
    assert (a["diff_adj_lo"], a["diff_adj_hi"]) == pytest.approx((adjusted.lo, adjusted.hi))


def test_no_interval_leaves_the_kpis_range():
    exp = _synthetic({
        "sla_first_touch_pct": {"baseline": [0.97, 0.99, 1.0, 0.98], "a": [1.0, 0.96, 1.0, 1.0], "b": [0.9, 1.0, 0.8, 1.0]},
        "backorders": {"baseline": [4, 0, 0, 0], "a": [0, 0, 0, 0], "b": [0, 1, 0, 0]},
    })
    summary = exp.summary()
    assert (summary["ci_lo"] >= 0).all() and (summary.loc[summary["kpi"] == "sla_first_touch_pct", "ci_hi"] <= 1).all()
    table = exp.compare()
    assert (table["baseline_mean"] + table["diff_lo"] >= -1e-12).all()
    pct = table[table["kpi"] == "sla_first_touch_pct"]
    assert (pct["baseline_mean"] + pct["diff_hi"] <= 1 + 1e-12).all()
    assert (table["rel_lo"].dropna() >= -1).all()


def test_summary_warns_instead_of_an_interval_for_one_replication():
    one = _synthetic({"revenue": {"baseline": [100], "a": [110], "b": [90]}})
    with pytest.warns(UserWarning, match="fewer than 2 replications: no confidence interval"):
        summary = one.summary()
    assert summary["ci_lo"].isna().all() and summary["note"].str.contains("n = 1").all()
    assert one.rank("revenue")["selection"].eq("too few replications").all()
    assert one.compare()["verdict"].eq("too few replications").all()


def test_summary_and_required_replications_use_the_replications():
    summary = SYNTHETIC.summary().set_index(["policy", "kpi"])
    ci = stats.mean_ci([100, 110, 120, 130])
    assert summary.loc[("baseline", "revenue"), "ci_lo"] == pytest.approx(ci.lo)
    assert summary.loc[("baseline", "revenue"), "n"] == 4
    needed = SYNTHETIC.required_replications("revenue", rel_precision=0.05)
    assert needed["baseline"] == stats.required_replications([100, 110, 120, 130], 0.05)
    with pytest.raises(KeyError, match="baseline 'nope'"):
        SYNTHETIC.compare(baseline="nope")


def test_comparison_table_marks_better_and_worse_and_skips_unmoved_kpis():
    text = format_comparison(SYNTHETIC.compare())
    a_block, b_block = text.split("\n\n")
    assert a_block.startswith("a vs baseline (n = 4 paired replications)")
    revenue = next(line for line in a_block.splitlines() if line.strip().startswith("Revenue"))
    assert "+5.7%" in revenue and "better" in revenue
    assert "worse" in next(line for line in a_block.splitlines() if "Total cost" in line)
    assert "Total cost" not in b_block and "MQL" not in b_block  # b moved neither


# ---------------------------------------------------------------------------- warm-up
def test_warmup_leaves_the_transient_out_of_every_kpi(policies):
    scenario = policies["baseline"]
    full = simulate(scenario, seed=3, days=40)
    late = simulate(scenario, seed=3, days=40, warmup_days=15)
    events = full.events
    assert late.kpis["leads_created"] == (events.loc[events["activity"] == "created", "time"] >= 15 * 24).sum()
    assert late.kpis["staff_cost"] < full.kpis["staff_cost"]
    counts = daily_counts(events, "created", 40)
    assert counts.sum() == full.kpis["leads_created"] and counts.size == 40


def test_suggested_warmup_is_within_the_pilot(policies):
    days = suggest_warmup(policies["baseline"], activity="created", days=30, replications=2)
    assert 0 <= days <= 15 and days % 5 == 0


# ---------------------------------------------------------------------------- CLI
def test_cli_compare_prints_the_table_and_writes_csv(tmp_path, capsys):
    csv = tmp_path / "comparison.csv"
    code = main(["compare", str(BASELINE), str(SCENARIOS / "policies" / "sla-enforced.yaml"), "--reps", "2",
                 "--days", "10", "--workers", "1", "--quiet", "--csv", str(csv)])
    assert code == 0
    printed = capsys.readouterr().out
    assert "sla-enforced vs baseline (n = 2 paired replications)" in printed
    table = pd.read_csv(csv)
    assert set(table["policy"]) == {"sla-enforced"} and {"diff_lo", "p_holm", "verdict"} <= set(table.columns)


SLA_ENFORCED = SCENARIOS / "policies" / "sla-enforced.yaml"


def test_cli_compare_says_how_many_stored_runs_it_reused(tmp_path, capsys):
    out = tmp_path / "runs"
    command = ["compare", str(BASELINE), str(SLA_ENFORCED), "--reps", "2", "--days", "5", "--workers", "1",
               "--quiet", "--out", str(out)]
    assert main(command) == 0
    assert f"reused 0 of 4 runs stored in {out}" in capsys.readouterr().out
    assert main(command) == 0
    assert f"reused 4 of 4 runs stored in {out}" in capsys.readouterr().out


@pytest.mark.parametrize("policy_files, extra, message", [
    ([SLA_ENFORCED], ["--reps", "0"], "--reps must be at least 2"),
    ([SLA_ENFORCED], ["--reps", "1"], "--reps must be at least 2"),
    ([SLA_ENFORCED], ["--reps", "2", "--warmup", "nan"], "--warmup: warmup_days must be at least 0"),
    ([SLA_ENFORCED], ["--reps", "2", "--scheduler", "tcp://127.0.0.1:1"], "cannot reach the Dask scheduler"),
    ([SLA_ENFORCED, BASELINE], ["--reps", "2"], "policy names must be unique"),
    ([SCENARIOS / "missing.yaml"], ["--reps", "2"], "file not found"),
])
def test_cli_compare_bad_input_exits_2_and_writes_nothing(tmp_path, capsys, monkeypatch, policy_files, extra, message):
    monkeypatch.setattr(evaluators, "DASK_CONNECT_TIMEOUT_S", 1.0)
    csv = tmp_path / "c.csv"
    code = main(["compare", str(BASELINE), *map(str, policy_files), "--days", "5", "--quiet", "--csv", str(csv),
                 "--out", str(tmp_path / "runs"), *extra])
    assert code == 2
    assert message in capsys.readouterr().err
    assert not csv.exists() and not (tmp_path / "runs").exists()


def test_seed_sequence_keys_on_the_replication_only():
    seeds = [replication_seed(7, r) for r in range(50)]
    assert len(set(seeds)) == 50
    assert seeds[3] == int(np.random.SeedSequence(7, spawn_key=(3,)).generate_state(1)[0])
