"""Golden answers: presentation-size summaries of the shipped comparison, and the check that a
few fresh replications are statistically consistent with them.

``python -m simcoord.experiments.golden`` (``make golden``) runs the baseline and every policy of
``scenarios/policies/`` for :data:`GOLDEN_REPLICATIONS` x :data:`GOLDEN_DAYS` and writes, per
policy and KPI, the mean, sd and n of the replications and the mean and sd of the paired (common
random numbers) difference from the baseline (:func:`summarise`), with the run's settings
(``meta.json``). Refresh them on purpose, after a model change that is meant to move an answer,
and say so in the commit.

:func:`consistency` tests replications run on another root seed (so independent of the golden
ones) against the golden numbers: per policy and KPI a pooled two-sample t-test of the level and,
for every policy but the baseline, of the paired difference from the baseline. Under an unchanged
model both samples come from the same distribution, so the pooled test is exact for normal
outputs and uses the golden run's 29 degrees of freedom for the variance even when only a few
fresh replications are run. :func:`inconsistencies` keeps the checks significant after a
Bonferroni correction over all of them at :data:`FAMILY_ALPHA`, so that the whole check raises a
false alarm with a probability below about 1 % (see :data:`FAMILY_ALPHA` for how that was measured).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd
from scipy import stats as sps

from simcoord.experiments.experiment import Experiment, run_experiment
from simcoord.kpis import format_value

GOLDEN_REPLICATIONS = 30
GOLDEN_DAYS = 365.0
GOLDEN_SEED = 2026
#: The fresh replications' root seed: not the golden one, so they are independent of it.
CHECK_SEED = 20261
#: The nominal family-wise level of the Bonferroni correction. Some KPIs (rare counts such as
#: backorders) have heavier tails than normal, which makes the nominal level optimistic: splitting
#: the 30 golden replications into 26 golden and 4 fresh 300 times gave a false alarm in 1.7 % of
#: the splits at a nominal 1 %, 0.7 % at 0.3 % and in none at 0.1 %. The check therefore runs at
#: 0.1 % nominal, for a false-alarm rate below about 1 %.
FAMILY_ALPHA = 0.001
SUMMARY_FILE = "comparison.csv"
META_FILE = "meta.json"
LEVEL = "level"
DIFFERENCE = "difference from baseline"
MISSING = "no longer reported"
_NONE = {"mean": np.nan, "sd": np.nan, "n": 0}
#: A KPI whose sd is below this share of its mean never varies (float rounding aside), and two such
#: means are the same when they agree this closely (relative; the summary keeps 10 digits).
CONSTANT_TOLERANCE = 1e-9


def shipped_policies(root: str | Path = ".") -> list[Path]:
    """``scenarios/baseline.yaml`` under ``root`` and every policy of ``scenarios/policies/``, sorted."""
    scenarios = Path(root) / "scenarios"
    return [scenarios / "baseline.yaml", *sorted((scenarios / "policies").glob("*.yaml"))]


def _moments(values: pd.Series) -> dict[str, float]:
    """Mean, sd (ddof 1; NaN below 2 values) and n of the non-NaN ``values``."""
    values = values.dropna()
    sd = float(values.std(ddof=1)) if len(values) > 1 else np.nan
    return {"mean": float(values.mean()) if len(values) else np.nan, "sd": sd, "n": len(values)}


def summarise(experiment: Experiment, baseline: str = "baseline") -> pd.DataFrame:
    """Per policy and KPI: ``mean``, ``sd``, ``n`` of the replications and ``diff_mean``,
    ``diff_sd``, ``diff_n`` of the paired difference from ``baseline`` (NaN for the baseline)."""
    rows = []
    for kpi in dict.fromkeys(experiment.kpis["kpi"]):
        table = experiment.values(kpi)
        for policy in experiment.policies:
            diff = _moments(table[policy] - table[baseline]) if policy != baseline else \
                {"mean": np.nan, "sd": np.nan, "n": 0}
            rows.append({"policy": policy, "kpi": kpi, **_moments(table[policy]),
                         **{f"diff_{key}": value for key, value in diff.items()}})
    return pd.DataFrame(rows)


def write_golden(experiment: Experiment, directory: str | Path, baseline: str = "baseline") -> Path:
    """Write :func:`summarise` of ``experiment`` and its settings to ``directory``; the summary's path."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    replications = int(experiment.kpis.groupby("policy")["replication"].nunique().min())
    meta = {"replications": replications, "days": experiment.days, "warmup_days": experiment.warmup_days,
            "seed": experiment.seed, "baseline": baseline, "policies": list(experiment.policies),
            "refresh": "make golden"}
    (directory / META_FILE).write_text(json.dumps(meta, indent=2) + "\n")
    path = directory / SUMMARY_FILE
    summarise(experiment, baseline).to_csv(path, index=False, float_format="%.10g")
    return path


def read_golden(directory: str | Path) -> tuple[pd.DataFrame, dict]:
    """The golden summary and its settings from ``directory`` (FileNotFoundError naming the file)."""
    directory = Path(directory)
    for name in (SUMMARY_FILE, META_FILE):
        if not (directory / name).is_file():
            raise FileNotFoundError(f"{directory / name}: no golden answers (make golden writes them)")
    return pd.read_csv(directory / SUMMARY_FILE), json.loads((directory / META_FILE).read_text())


def pooled_p_value(golden: dict[str, float], fresh: dict[str, float]) -> float:
    """Two-sided p-value of the pooled two-sample t-test of two samples given by ``mean``, ``sd``
    and ``n``: 1 or 0 when neither varies (equal or not); NaN when either has no value or
    there is no degree of freedom for the variance."""
    if not golden["n"] or not fresh["n"] or golden["n"] + fresh["n"] < 3:
        return np.nan
    sds = [0.0 if np.isnan(s["sd"]) else s["sd"] for s in (golden, fresh)]
    scale = max(abs(golden["mean"]), abs(fresh["mean"]), 1.0)
    if max(sds) <= CONSTANT_TOLERANCE * scale:  # constant up to float rounding (a fixed cost)
        return 1.0 if abs(golden["mean"] - fresh["mean"]) <= CONSTANT_TOLERANCE * scale else 0.0
    return float(sps.ttest_ind_from_stats(golden["mean"], sds[0], golden["n"], fresh["mean"], sds[1],
                                          fresh["n"], equal_var=True).pvalue)


def _check_row(policy: str, kpi: str, measure: str, golden: dict[str, float],
               fresh: dict[str, float]) -> dict[str, object]:
    return {"policy": policy, "kpi": kpi, "measure": measure, "golden_mean": golden["mean"],
            "golden_sd": golden["sd"], "golden_n": golden["n"], "fresh_mean": fresh["mean"],
            "fresh_n": fresh["n"], "p_value": pooled_p_value(golden, fresh)}


def _golden_moments(row: pd.Series, prefix: str = "") -> dict[str, float]:
    return {"mean": row[f"{prefix}mean"], "sd": row[f"{prefix}sd"], "n": int(row[f"{prefix}n"])}


def _fresh_tables(fresh: Experiment) -> dict[str, pd.DataFrame]:
    """Every KPI of ``fresh`` as a replication x policy table."""
    wide = fresh.kpis.pivot_table(index="replication", columns=["kpi", "policy"], values="value", dropna=False)
    return {kpi: wide[kpi] for kpi in dict.fromkeys(fresh.kpis["kpi"])}


def _checks(row: pd.Series, table: pd.DataFrame | None, baseline: str) -> list[dict[str, object]]:
    """The checks of one golden (policy, KPI) row against the fresh ``table`` of its KPI (None: the
    fresh run does not report it, one failed check)."""
    policy, kpi = row["policy"], row["kpi"]
    if table is None:
        return [{**_check_row(policy, kpi, MISSING, _golden_moments(row), _NONE), "p_value": 0.0}]
    checks = [_check_row(policy, kpi, LEVEL, _golden_moments(row), _moments(table[policy]))]
    if policy != baseline and baseline in table:
        checks.append(_check_row(policy, kpi, DIFFERENCE, _golden_moments(row, "diff_"),
                                 _moments(table[policy] - table[baseline])))
    return checks


def consistency(golden: pd.DataFrame, fresh: Experiment, baseline: str = "baseline") -> pd.DataFrame:
    """One test per golden (policy, KPI) that ``fresh`` ran: the level and, but for ``baseline``,
    the paired difference from it (when ``fresh`` ran the baseline too); a golden KPI ``fresh``
    does not report at all is one failed check (p = 0). Columns: policy, kpi, measure,
    golden_mean, golden_sd, golden_n, fresh_mean, fresh_n, p_value (pooled t-test,
    :func:`pooled_p_value`; NaN when untestable)."""
    tables = _fresh_tables(fresh)
    rows = [check for _, row in golden[golden["policy"].isin(fresh.policies)].iterrows()
            for check in _checks(row, tables.get(row["kpi"]), baseline)]
    return pd.DataFrame(rows)


def inconsistencies(checks: pd.DataFrame, family_alpha: float = FAMILY_ALPHA) -> pd.DataFrame:
    """The rows of :func:`consistency` significant after a Bonferroni correction over every
    testable check (adjusted p-value ``p_adj`` below ``family_alpha``), smallest p first."""
    testable = checks.dropna(subset=["p_value"])
    adjusted = testable.assign(p_adj=np.minimum(testable["p_value"] * len(testable), 1.0))
    return adjusted[adjusted["p_adj"] < family_alpha].sort_values("p_value", kind="stable")


def describe(row: pd.Series, checks: int) -> str:
    """One failed check in words: which KPI of which policy moved, by how much, how sure."""
    fresh, golden, sd = (format_value(row["kpi"], row[c]) if pd.notna(row[c]) else "n/a"
                         for c in ("fresh_mean", "golden_mean", "golden_sd"))
    what = f"{row['kpi']} of {row['policy']}" + (f" ({row['measure']})" if row["measure"] != LEVEL else "")
    return (f"{what}: {row['fresh_n']} fresh replications average {fresh}, the golden {row['golden_n']} "
            f"{golden} (sd {sd}); p = {row['p_value']:.2g}, adjusted over {checks} checks {row['p_adj']:.2g}")


def check_against_golden(fresh: Experiment, directory: str | Path,
                         family_alpha: float = FAMILY_ALPHA) -> list[str]:
    """Every inconsistency of ``fresh`` with the golden answers in ``directory``, in words (empty
    when consistent). ``fresh`` must have the golden run's horizon and warm-up (ValueError)."""
    golden, meta = read_golden(directory)
    if (fresh.days, fresh.warmup_days) != (meta["days"], meta["warmup_days"]):
        raise ValueError(f"the golden answers are for {meta['days']:g} days with {meta['warmup_days']:g} days "
                         f"of warm-up, not {fresh.days:g} and {fresh.warmup_days:g}")
    checks = consistency(golden, fresh, meta["baseline"])
    testable = int(checks["p_value"].notna().sum())
    return [describe(row, testable) for _, row in inconsistencies(checks, family_alpha).iterrows()]


def run_fresh(directory: str | Path, replications: int, policies: Sequence[str] | None = None,
              root: str | Path = ".", workers: int | None = None) -> Experiment:
    """``replications`` fresh replications (root seed :data:`CHECK_SEED`) of the golden run's
    policies (or of ``policies`` among them), at its horizon and warm-up."""
    _, meta = read_golden(directory)
    files = {path.stem: path for path in shipped_policies(root)}
    chosen = policies if policies is not None else meta["policies"]
    return run_experiment({name: files[name] for name in chosen}, replications, CHECK_SEED, meta["days"],
                          meta["warmup_days"], workers=workers, progress=False)


def main(argv: Sequence[str] | None = None) -> int:
    """Refresh the golden answers: run the shipped comparison at presentation size and write it."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--out", default="tests/golden", help="directory of the golden answers")
    parser.add_argument("--root", default=".", help="the repository root (holding scenarios/)")
    parser.add_argument("--reps", type=int, default=GOLDEN_REPLICATIONS)
    parser.add_argument("--days", type=float, default=GOLDEN_DAYS)
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args(argv)
    experiment = run_experiment(shipped_policies(args.root), args.reps, GOLDEN_SEED, args.days,
                                workers=args.workers)
    print(f"wrote {write_golden(experiment, args.out)}: commit it saying the golden answers were refreshed")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
