"""No interval of the shipped comparison (baseline and every policy in scenarios/policies, small
run: 3 replications x 30 days) lies outside what its KPI can be: shares in [0, 1], the rest >= 0."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from simcoord.experiments.experiment import Experiment, kpi_range, run_experiment
from simcoord.kpis import KPIS

from support import BASELINE, SCENARIOS

TOLERANCE = 1e-9


@pytest.fixture(scope="module")
def shipped() -> Experiment:
    files = {"baseline": BASELINE, **{f.stem: f for f in sorted((SCENARIOS / "policies").glob("*.yaml"))}}
    return run_experiment(files, replications=3, days=30, workers=2, progress=False)


def _bounds(kpis: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    ranges = [kpi_range(k) for k in kpis]
    return np.array([r[0] for r in ranges]), np.array([r[1] for r in ranges])


def _inside(values: pd.Series, low: np.ndarray, high: np.ndarray) -> pd.Series:
    """True where the value lies in [low, high] or is NaN (no interval)."""
    v = values.to_numpy(float)
    return pd.Series(np.isnan(v) | ((v >= low - TOLERANCE) & (v <= high + TOLERANCE)), index=values.index)


def test_every_registered_kpi_has_a_known_range():
    # a new unit must be classified on purpose (NONNEGATIVE_UNITS), or its intervals go unchecked
    assert [k for k in KPIS if kpi_range(k)[0] != 0.0] == []


def test_the_shipped_comparison_has_the_baseline_and_seven_policies(shipped):
    assert len(shipped.policies) == 8 and shipped.policies[0] == "baseline"


def test_no_comparison_interval_leaves_its_kpis_range(shipped):
    diffs = shipped.compare()
    low, high = _bounds(diffs["kpi"])
    base = diffs["baseline_mean"]
    for column in ("diff_lo", "diff_hi", "diff_adj_lo", "diff_adj_hi"):
        outside = diffs[~_inside(base + diffs[column], low, high)]
        assert outside.empty, f"{column} puts the policy outside its KPI's range:\n{outside[['policy', 'kpi']]}"
    assert (diffs["rel_lo"].dropna() >= -1).all() and (diffs["rel_hi"].dropna() >= -1).all()
    relative = diffs["scale"] == "relative"
    assert (diffs.loc[relative, ["change_lo", "change_hi"]] >= -1).all().all()
    level = base + diffs["change_lo"].where(~relative, 0.0)
    assert _inside(level, low, high).all()
    assert _inside(base + diffs["change_hi"].where(~relative, 0.0), low, high).all()


def test_no_summary_or_ranking_interval_leaves_its_kpis_range(shipped):
    summary = shipped.summary()
    low, high = _bounds(summary["kpi"])
    assert _inside(summary["ci_lo"], low, high).all() and _inside(summary["ci_hi"], low, high).all()
    for kpi in ("revenue", "sla_first_touch_pct", "backorders", "first_touch_median_hours"):
        ranking = shipped.rank(kpi)
        low, high = kpi_range(kpi)
        assert ((ranking["ci_lo"] >= low) & (ranking["ci_hi"] <= high)).all()
        assert not (ranking["prob_best"] == 1.0).any()  # 3 replications: no bootstrap certainty


def test_every_verdict_follows_its_simultaneous_interval(shipped):
    diffs = shipped.compare()
    assert (diffs.loc[diffs["n"] < 2, "verdict"] == "too few replications").all()
    diffs = diffs[diffs["n"] >= 2]
    excludes_zero = (diffs["change_lo"] > 0) | (diffs["change_hi"] < 0)
    assert ((diffs["verdict"] != "no difference") == excludes_zero).all()
    shares = diffs[diffs["kpi"].map(lambda k: kpi_range(k)[1] == 1.0) & (diffs["n"] >= 2)]
    assert (shares["scale"] == "pp").all()
