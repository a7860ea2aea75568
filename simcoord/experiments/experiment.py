"""Policy experiments: independent replications with common random numbers, and their analysis.

``run_experiment(policies, replications, seed, ...)`` runs every (policy, replication) and
returns an :class:`Experiment` holding the tidy KPI table. Replication ``r`` of every policy
runs on the same seed, drawn from the root seed by ``SeedSequence`` keyed on ``r`` alone:
common random numbers, and adding or removing a policy changes no other result. Results are
sorted by (policy, replication) before any analysis, so they are the same to the bit
whether the runs executed serially, on local processes or on a Dask cluster.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
from tqdm.auto import tqdm
from tqdm.contrib.logging import logging_redirect_tqdm

from simcoord.experiments import stats
from simcoord.experiments.evaluators import Evaluator, RunOutcome, RunTask, make_evaluator
from simcoord.kpis import KPIS
from simcoord.scenario.loading import load_scenario
from simcoord.model.company import check_settings
from simcoord.experiments.runstore import RunStore
from simcoord.scenario.schema import Scenario

if TYPE_CHECKING:
    from distributed import Client

logger = logging.getLogger(__name__)

PolicySpec = Mapping[str, "Scenario | str | Path"] | Sequence["str | Path"]


def replication_seed(root_seed: int, replication: int) -> int:
    """The simulation seed of ``replication`` under ``root_seed`` (the same for every policy)."""
    state = np.random.SeedSequence(root_seed, spawn_key=(replication,)).generate_state(1, dtype=np.uint32)
    return int(state[0])


def as_policies(policies: PolicySpec) -> dict[str, Scenario]:
    """Name -> scenario. A mapping's values may be scenarios or files; a list of files is
    named by file stem (so ``baseline.yaml`` becomes ``"baseline"``)."""
    if isinstance(policies, Mapping):
        items = list(policies.items())
    else:
        items = [(Path(file).stem, file) for file in policies]
    names = [name for name, _ in items]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise ValueError(f"policy names must be unique, repeated: {', '.join(duplicates)}")
    if not items:
        raise ValueError("no policies given")
    return {name: spec if isinstance(spec, Scenario) else load_scenario(spec) for name, spec in items}


def plan_tasks(policies: Mapping[str, Scenario], replications: int, seed: int, days: float,
               warmup_days: float) -> list[RunTask]:
    """Every (policy, replication) run, in (policy, replication) order."""
    seeds = [replication_seed(seed, r) for r in range(replications)]
    return [RunTask(name, r, scenario, seeds[r], days, warmup_days)
            for name, scenario in policies.items() for r in range(replications)]


def _check_settings(replications: int, seed: int, days: float, warmup_days: float) -> None:
    """The experiment's own setting (replications); seed, days and warm-up are the model's to check."""
    if int(replications) != replications or replications < 1:
        raise ValueError(f"replications must be a whole number of at least 1, got {replications}")
    check_settings(seed, days, warmup_days)


def _run_id(task: RunTask | RunOutcome) -> tuple[str, int]:
    return task.policy, task.replication


def stored_outcomes(tasks: Iterable[RunTask], store: RunStore | None) -> dict[tuple[str, int], RunOutcome]:
    """The outcomes of ``tasks`` already in ``store``, by (policy, replication)."""
    if store is None:
        return {}
    loaded = {_run_id(task): store.load(task) for task in tasks}
    return {run_id: outcome for run_id, outcome in loaded.items() if outcome is not None}


def _progress_bar(total: int, initial: int, progress: bool) -> tqdm:
    # tqdm.auto's notebook bar ignores TQDM_DISABLE, so CI's switch is honoured here too
    quiet = not progress or os.environ.get("TQDM_DISABLE", "").lower() in ("1", "true", "yes")
    return tqdm(total=total, initial=initial, unit="run", desc="simulating", disable=quiet)


def execute(tasks: list[RunTask], evaluator: Evaluator, store: RunStore | None = None, progress: bool = True,
            stored: Mapping[tuple[str, int], RunOutcome] | None = None) -> list[RunOutcome]:
    """Run the tasks not in ``stored`` (outcomes already in ``store``, by (policy, replication);
    looked up when not given), saving each as it finishes; all outcomes in the order of ``tasks``."""
    done = dict(stored_outcomes(tasks, store) if stored is None else stored)
    todo = [task for task in tasks if _run_id(task) not in done]
    if done:
        logger.info("resuming: %d of %d runs already in %s", len(done), len(tasks), store.directory)
    with _progress_bar(len(tasks), len(done), progress) as bar, logging_redirect_tqdm():
        if todo:
            _simulate(todo, evaluator, store, done, bar)
    return [done[_run_id(task)] for task in tasks]


def _simulate(todo: list[RunTask], evaluator: Evaluator, store: RunStore | None,
              done: dict[tuple[str, int], RunOutcome], bar: tqdm) -> None:
    """Run ``todo`` on ``evaluator``, putting each outcome in ``store`` and ``done`` as it finishes."""
    by_id = {_run_id(task): task for task in todo}
    with evaluator:
        for outcome in evaluator.evaluate(todo):
            if store:
                store.save(by_id[_run_id(outcome)], outcome)
            done[_run_id(outcome)] = outcome
            bar.update(1)


def tidy_kpis(outcomes: Iterable[RunOutcome]) -> pd.DataFrame:
    """Long table ``policy, replication, seed, kpi, value`` in the order of ``outcomes``."""
    frames = [pd.DataFrame({"policy": o.policy, "replication": o.replication, "seed": o.seed,
                            "kpi": o.kpis.index.astype(str), "value": o.kpis.to_numpy(dtype=float)})
              for o in outcomes]
    return pd.concat(frames, ignore_index=True)


def run_experiment(policies: PolicySpec, replications: int = 30, seed: int = 2026, days: float = 365,
                   warmup_days: float = 0.0, workers: int | None = None,
                   scheduler: "str | Client | None" = None, out: str | Path | None = None,
                   progress: bool = True) -> "Experiment":
    """Run every policy ``replications`` times for ``days`` days and collect the KPIs.

    Parameters
    ----------
    policies : mapping or sequence
        Name -> :class:`Scenario` (or scenario file), or a list of files named by stem.
    replications : int
        Independent replications per policy (common random numbers across policies).
    seed : int
        Root seed; replication ``r`` runs on ``SeedSequence(seed, spawn_key=(r,))``.
    days, warmup_days : float
        Simulated horizon and the initial transient left out of every KPI (days).
    workers : int, optional
        Local processes (``None``: one per core; ``1``: serially in this process).
    scheduler : str or distributed.Client, optional
        Run on a Dask cluster instead (``"tcp://host:8786"`` or a client).
    out : path, optional
        Directory where each finished run is saved; a rerun resumes from it (runs of another
        scenario content, horizon or model code are recomputed).
    progress : bool
        Show a tqdm progress bar (``TQDM_DISABLE=1`` also silences it).
    """
    _check_settings(replications, seed, days, warmup_days)
    scenarios = as_policies(policies)
    tasks = plan_tasks(scenarios, int(replications), seed, days, warmup_days)
    store = RunStore(out) if out is not None else None
    stored = stored_outcomes(tasks, store)
    outcomes = execute(tasks, make_evaluator(workers, scheduler), store, progress, stored)
    return Experiment(tidy_kpis(outcomes), tuple(scenarios), seed, days, warmup_days, reused_runs=len(stored))


def _direction(kpi: str) -> bool | None:
    spec = KPIS.get(kpi)
    return spec.higher_is_better if spec else None


def verdict(diff: float, p_adjusted: float, higher_is_better: bool | None, alpha: float = 0.05) -> str:
    """``better`` / ``worse`` for a significant change of a KPI with a direction, ``higher`` /
    ``lower`` for one without, ``no difference`` when not significant (Holm-adjusted p)."""
    if not p_adjusted < alpha or diff == 0 or np.isnan(diff):
        return "no difference"
    if higher_is_better is None:
        return "higher" if diff > 0 else "lower"
    return "better" if (diff > 0) == higher_is_better else "worse"


PAIRED_COLUMNS = ["policy", "kpi", "baseline_mean", "policy_mean", "diff", "diff_lo", "diff_hi",
                  "rel_diff", "rel_lo", "rel_hi", "p_value", "n"]


def _paired_row(treatment: pd.Series, control: pd.Series) -> dict[str, float]:
    pairs = pd.concat([treatment, control], axis=1, keys=["t", "c"]).dropna()
    if len(pairs) < 2:
        return {"n": len(pairs)}
    d = stats.paired_difference(pairs["t"], pairs["c"])
    return {"baseline_mean": pairs["c"].mean(), "policy_mean": pairs["t"].mean(), "diff": d.mean_diff,
            "diff_lo": d.lo, "diff_hi": d.hi, "rel_diff": d.rel_diff, "rel_lo": d.rel_lo,
            "rel_hi": d.rel_hi, "p_value": d.p_value, "n": d.n}


@dataclass(frozen=True)
class Experiment:
    """The KPIs of every (policy, replication) and the analyses over them.

    ``kpis`` is tidy: one row per ``policy, replication, seed, kpi, value``. ``reused_runs``
    counts the runs taken from the run store (``out``) instead of simulated."""

    kpis: pd.DataFrame
    policies: tuple[str, ...]
    seed: int
    days: float
    warmup_days: float = 0.0
    reused_runs: int = 0

    @property
    def runs(self) -> int:
        """How many (policy, replication) runs the experiment holds."""
        return len(self.kpis[["policy", "replication"]].drop_duplicates())

    def values(self, kpi: str) -> pd.DataFrame:
        """One KPI as a replication x policy table (columns in policy order)."""
        if kpi not in set(self.kpis["kpi"]):
            raise KeyError(f"unknown KPI {kpi!r}")
        rows = self.kpis[self.kpis["kpi"] == kpi]
        return rows.pivot(index="replication", columns="policy", values="value")[list(self.policies)]

    def summary(self, confidence: float = 0.95) -> pd.DataFrame:
        """Mean, sd, t confidence interval and n per policy and KPI (NaN replications left out)."""
        def describe(values: pd.Series) -> pd.Series:
            values = values.dropna()
            if values.empty:
                return pd.Series({"mean": np.nan, "sd": np.nan, "ci_lo": np.nan, "ci_hi": np.nan, "n": 0})
            ci = stats.mean_ci(values, confidence)
            return pd.Series({"mean": ci.mean, "sd": ci.sd, "ci_lo": ci.lo, "ci_hi": ci.hi, "n": ci.n})

        grouped = self.kpis.groupby(["policy", "kpi"], sort=False)["value"].apply(describe).unstack()
        return grouped.reset_index().astype({"n": int})

    def compare(self, baseline: str = "baseline", alpha: float = 0.05) -> pd.DataFrame:
        """Paired (CRN) differences of every other policy against ``baseline``, per KPI.

        Columns: policy, kpi, baseline_mean, policy_mean, diff (policy - baseline) with its
        95 % CI, rel_diff (over the baseline mean) with its CI, p_value, p_holm (Holm-adjusted
        across the compared policies, per KPI), n, higher_is_better and verdict."""
        if baseline not in self.policies:
            raise KeyError(f"baseline {baseline!r} is not one of the policies: {', '.join(self.policies)}")
        result = self._paired_differences(baseline)
        result["p_holm"] = result.groupby("kpi", sort=False)["p_value"].transform(stats.holm_adjust)
        result["higher_is_better"] = result["kpi"].map(_direction)
        result["verdict"] = [verdict(d, p, h, alpha) for d, p, h in
                             zip(result["diff"], result["p_holm"], result["higher_is_better"])]
        return result

    def _paired_differences(self, baseline: str) -> pd.DataFrame:
        """One row per (KPI, policy other than ``baseline``): the paired difference, unadjusted."""
        others = [p for p in self.policies if p != baseline]
        rows = []
        for kpi in dict.fromkeys(self.kpis["kpi"]):
            table = self.values(kpi)
            rows += [{"policy": p, "kpi": kpi, **_paired_row(table[p], table[baseline])} for p in others]
        return pd.DataFrame(rows).reindex(columns=PAIRED_COLUMNS)

    def rank(self, kpi: str, n_boot: int = 2000) -> pd.DataFrame:
        """Policies ordered best first on ``kpi`` (by its direction; higher first when it has
        none), with mean, 95 % CI and the bootstrap probability of being best (paired rows)."""
        table = self.values(kpi).dropna()
        higher = _direction(kpi) is not False
        cis = {p: stats.mean_ci(table[p]) for p in table.columns}
        frame = pd.DataFrame({"mean": [c.mean for c in cis.values()], "ci_lo": [c.lo for c in cis.values()],
                              "ci_hi": [c.hi for c in cis.values()]}, index=pd.Index(list(cis), name="policy"))
        frame["prob_best"] = stats.prob_best(table, higher_is_better=higher, n_boot=n_boot)
        return frame.sort_values("mean", ascending=not higher, kind="stable")

    def required_replications(self, kpi: str, rel_precision: float = 0.05,
                              confidence: float = 0.95) -> pd.Series:
        """Replications per policy for a CI half-width of ``rel_precision`` x |mean| on ``kpi``
        (Law & Kelton's sequential procedure on these replications as the pilot)."""
        table = self.values(kpi)
        needed = {}
        for policy in table.columns:
            values = table[policy].dropna()
            ok = len(values) >= 2 and values.mean() != 0
            needed[policy] = stats.required_replications(values, rel_precision, confidence) if ok else np.nan
        return pd.Series(needed, name="required_replications")
