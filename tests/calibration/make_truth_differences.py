"""The truth's answers for the parameter-recovery test: the shipped policies applied on the truth
scenario (``truth.yaml``), each one's mean paired difference from the truth on the headline KPIs,
estimated with many replications (common random numbers), written with the run's settings to
``truth_differences.json``.

The test compares a fitted model's 95 % interval of each difference with these means, so they must
be much more precise than that interval: at the default 200 replications their standard errors are
about a fifth of a 10-replication interval's half-width. Refresh after a model change that moves
them (``make truth-differences``, about 15 minutes on 2 cores) and commit the file saying so.

Run: ``.venv/bin/python tests/calibration/make_truth_differences.py [--reps N] [--workers W]``
"""

from __future__ import annotations

import argparse
import json
import warnings
from pathlib import Path

import numpy as np

from simcoord.experiments.experiment import policies_on_base, run_experiment
from simcoord.scenario.levers import IdleLeverWarning

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
TRUTH = HERE / "truth.yaml"
OUT = HERE / "truth_differences.json"
POLICIES = sorted((ROOT / "scenarios" / "policies").glob("*.yaml"))
#: The headline KPIs: revenue, deals won, median first touch, first-touch SLA, cycle time, cost.
HEADLINE_KPIS = ("revenue", "won", "first_touch_median_hours", "sla_first_touch_pct", "sales_cycle_days",
                 "total_cost")
DAYS = 182.0  # 26 whole weeks: as many working days whichever weekday a run starts on
SEED = 917
REPLICATIONS = 200


def policy_differences(experiment, base: str, kpis: tuple[str, ...]) -> dict[str, dict[str, dict[str, float]]]:
    """policy -> KPI -> mean, sd and n of the paired differences from ``base``."""
    table = experiment.kpis.pivot_table(index=["policy", "replication"], columns="kpi", values="value")
    differences = {}
    for policy in experiment.policies:
        if policy == base:
            continue
        paired = (table.loc[policy, list(kpis)] - table.loc[base, list(kpis)]).dropna(how="all")
        differences[policy] = {kpi: {"mean": float(paired[kpi].mean()), "sd": float(paired[kpi].std(ddof=1)),
                                     "n": int(paired[kpi].notna().sum())} for kpi in kpis}
    return differences


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=REPLICATIONS)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", IdleLeverWarning)
        scenarios = policies_on_base(TRUTH, POLICIES)
    experiment = run_experiment(scenarios, args.reps, SEED, DAYS, workers=args.workers)
    result = {"truth": TRUTH.name, "seed": SEED, "replications": args.reps, "days": DAYS,
              "kpis": list(HEADLINE_KPIS), "differences": policy_differences(experiment, "truth", HEADLINE_KPIS)}
    args.out.write_text(json.dumps(result, indent=1, allow_nan=True) + "\n")
    print(f"wrote {args.out}: {len(result['differences'])} policies x {len(HEADLINE_KPIS)} KPIs, "
          f"{args.reps} replications x {DAYS:g} days (seed {SEED}); mean sd of a difference "
          f"{np.nanmean([d['sd'] for p in result['differences'].values() for d in p.values()]):.4g}")


if __name__ == "__main__":
    main()
