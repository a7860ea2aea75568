"""Comparisons run to a precision: batches of replications until each chosen KPI's paired difference
is precise enough, or a maximum; results the same as a fixed run of as many replications, resumable.

Runs are 5 days of the baseline company (a few tenths of a second each): bookkeeping, not the model.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from simcoord.experiments.experiment import Experiment, run_experiment
from simcoord.experiments.precision import (MAXIMUM_REACHED, PRECISION_REACHED, next_replications,
                                            precision_status, run_to_precision)
from support import BASELINE, SCENARIOS

POLICIES = {"baseline": BASELINE, "shared-platform": SCENARIOS / "policies" / "shared-platform.yaml"}
KPIS = ["mql", "first_touch_median_hours"]
FAST = {"days": 5, "workers": 1, "progress": False}


def test_unreachable_precision_stops_at_the_maximum_with_a_fixed_runs_results():
    run = run_to_precision(POLICIES, KPIS, 1e-9, replications=2, batch=1, max_replications=5, **FAST)
    assert run.rounds == (2, 4, 5)  # the first batch doubles (projected need is far beyond), then the cap
    assert list(run.status["stopped"]) == [MAXIMUM_REACHED] * 2
    assert (run.status["replications"] == 5).all()
    fixed = run_experiment(POLICIES, 5, **FAST)
    pd.testing.assert_frame_equal(run.experiment.kpis, fixed.kpis)  # replication r: the same seed in any batch


def test_loose_precision_stops_after_the_first_batch():
    run = run_to_precision(POLICIES, KPIS, 0.5, replications=3, max_replications=30, **FAST)
    assert run.rounds == (3,) and run.replications == 3
    assert list(run.status["stopped"]) == [PRECISION_REACHED] * 2
    assert (run.status["half_width"] <= run.status["target"]).all()


def test_the_half_width_is_the_comparisons_simultaneous_interval():
    run = run_to_precision(POLICIES, ["mql"], 0.5, replications=4, **FAST)
    row = run.experiment.compare("baseline").set_index("kpi").loc["mql"]
    half = run.status.set_index("kpi").loc["mql", "half_width"]
    assert (row["diff_adj_hi"] - row["diff_adj_lo"]) / 2 == pytest.approx(half)
    assert run.status.loc[0, "target"] == pytest.approx(0.5 * row["baseline_mean"])


def test_a_rerun_resumes_from_the_stored_runs(tmp_path):
    first = run_to_precision(POLICIES, KPIS, 1e-9, replications=2, max_replications=3, out=tmp_path, **FAST)
    again = run_to_precision(POLICIES, KPIS, 1e-9, replications=2, max_replications=4, out=tmp_path, **FAST)
    assert first.experiment.reused_runs == 0 and again.experiment.reused_runs == 2 * 3
    pd.testing.assert_frame_equal(again.experiment.kpis, run_experiment(POLICIES, 4, **FAST).kpis)


def _experiment(baseline: list[float], policy: list[float]) -> Experiment:
    rows = [{"policy": name, "replication": r, "seed": r, "kpi": "mql", "value": value}
            for name, values in (("baseline", baseline), ("policy", policy)) for r, value in enumerate(values)]
    return Experiment(pd.DataFrame(rows), ("baseline", "policy"), seed=0, days=1)


def test_precision_of_hand_made_differences():
    experiment = _experiment([10, 10, 10, 10], [11, 9, 11, 9])  # differences +1, -1, +1, -1
    status = precision_status(experiment, "baseline", ["mql"], precision=0.05).iloc[0]
    expected = sps.t.ppf(0.975, 3) * np.std([1, -1, 1, -1], ddof=1) / 2
    assert status["half_width"] == pytest.approx(expected) and status["target"] == pytest.approx(0.5)
    assert not status["reached"]
    assert precision_status(experiment, "baseline", ["mql"], delta=2.0).iloc[0]["reached"]  # 1.84 within 2
    assert precision_status(experiment, "baseline", ["mql"], delta={"mql": 1.0}).iloc[0]["target"] == 1.0


def test_selection_mode_uses_the_default_indifference_zone():
    experiment = _experiment([10, 10, 10, 10], [11, 9, 11, 9])
    status = precision_status(experiment, "baseline", ["mql"], delta="selection").iloc[0]
    assert status["target"] == pytest.approx(0.01 * 10)  # 1 % of the largest mean, as select_best's default


def test_differences_that_never_vary_are_exact_even_on_a_zero_baseline():
    status = precision_status(_experiment([0, 0, 0], [0, 0, 0]), "baseline", ["mql"]).iloc[0]
    assert status["half_width"] == 0 and status["target"] == 0 and status["reached"]


def test_the_next_batch_follows_the_projected_need_within_bounds():
    status = pd.DataFrame({"half_width": [2.0, 0.1], "target": [1.0, 1.0], "reached": [False, True]})
    assert next_replications(status, 10, batch=5, maximum=100) == 20   # 10 x 2^2 = 40, at most doubled
    assert next_replications(status.assign(half_width=[1.1, 0.1]), 10, 5, 100) == 15  # 12.1 -> at least a batch
    assert next_replications(status, 10, batch=5, maximum=12) == 12
    assert next_replications(status.assign(half_width=[np.nan, 0.1]), 10, 5, 100) == 15  # nothing to project


@pytest.mark.parametrize(("arguments", "message"), [
    ({"kpis": ["nope"]}, "unknown KPI 'nope'"),
    ({"kpis": []}, "at least one KPI"),
    ({"precision": 0.0}, "precision must be above 0"),
    ({"replications": 1}, "at least 2 replications"),
    ({"max_replications": 2, "replications": 3}, "below the first batch"),
    ({"baseline": "other"}, "baseline 'other' is not one of the policies"),
])
def test_bad_settings_are_errors_before_any_run(arguments, message):
    settings = {"kpis": KPIS, "precision": 0.05, **arguments}
    with pytest.raises(ValueError, match=message):
        run_to_precision(POLICIES, **settings, **FAST)
