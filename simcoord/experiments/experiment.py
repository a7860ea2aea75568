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
import warnings
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


def policies_on_base(base: Scenario | str | Path, policies: Sequence[str | Path],
                     base_name: str | None = None) -> dict[str, Scenario]:
    """Name -> scenario for a comparison on ``base``: the base itself first (named ``base_name``,
    else its file stem or its scenario name), then each policy file applied on it instead of the
    base it extends (:func:`simcoord.scenario.loading.load_scenario` with ``base``), named by stem."""
    base_scenario = base if isinstance(base, Scenario) else load_scenario(base)
    name = base_name or (base_scenario.name if isinstance(base, Scenario) else Path(base).stem)
    names = [name, *(Path(file).stem for file in policies)]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ValueError(f"policy names must be unique (the base is {name!r}), repeated: {', '.join(repeated)}")
    return {name: base_scenario, **{Path(file).stem: load_scenario(file, base=base) for file in policies}}


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


#: Units that count events; a count KPI whose baseline mean is below :data:`RARE_COUNT` gets
#: absolute differences (a ratio of rare counts, 1 against 3, says little).
COUNT_UNITS = frozenset({"leads", "deals", "orders", "customers", "disputes", "cases", "touches"})
RARE_COUNT = 10.0


#: Units whose values cannot be negative: counts, durations and costs.
NONNEGATIVE_UNITS = COUNT_UNITS | {"hours", "days", "currency"}


def kpi_range(kpi: str) -> tuple[float, float]:
    """The values ``kpi`` can take: [0, 1] for a fraction, [0, inf) for a KPI of :data:`KPIS` in
    one of :data:`NONNEGATIVE_UNITS`, unbounded otherwise (a KPI it does not know, another unit)."""
    unit = KPIS[kpi].unit if kpi in KPIS else None
    if unit == "fraction":
        return 0.0, 1.0
    return (0.0, np.inf) if unit in NONNEGATIVE_UNITS else (-np.inf, np.inf)


def change_scale(kpi: str, baseline_mean: float) -> str:
    """How a change of ``kpi`` is told: ``"pp"`` (percentage points, a difference of fractions)
    for a share; ``"absolute"`` (KPI units) when the baseline mean is not above 0 or is a rare
    count (below :data:`RARE_COUNT` events); else ``"relative"`` (ratio of means - 1)."""
    unit = KPIS[kpi].unit if kpi in KPIS else None
    if unit == "fraction":
        return "pp"
    if not baseline_mean > 0 or (unit in COUNT_UNITS and baseline_mean < RARE_COUNT):
        return "absolute"
    return "relative"


def verdict(diff: float, p_adjusted: float, higher_is_better: bool | None, alpha: float = 0.05) -> str:
    """``better`` / ``worse`` for a significant change of a KPI with a direction, ``higher`` /
    ``lower`` for one without, ``no difference`` when not significant (adjusted p)."""
    if not p_adjusted < alpha or diff == 0 or np.isnan(diff):
        return "no difference"
    if higher_is_better is None:
        return "higher" if diff > 0 else "lower"
    return "better" if (diff > 0) == higher_is_better else "worse"


def interval_verdict(low: float, high: float, higher_is_better: bool | None) -> str:
    """The verdict of a change whose (adjusted) interval is ``[low, high]``, 0 meaning no change:
    better / worse (or higher / lower without a direction) exactly when it excludes 0."""
    if not (low > 0 or high < 0):  # NaN bounds included
        return "no difference"
    return verdict(low if low > 0 else high, 0.0, higher_is_better, alpha=1.0)


#: The verdict of a KPI with fewer than 2 paired values: no interval, so no verdict.
TOO_FEW = "too few replications"

PAIRED_COLUMNS = ["policy", "kpi", "baseline_mean", "policy_mean", "diff", "diff_lo", "diff_hi",
                  "rel_diff", "rel_lo", "rel_hi", "p_value", "n", "scale", "change", "change_lo",
                  "change_hi", "diff_adj_lo", "diff_adj_hi", "confidence_adj"]


def _clipped_difference(ci: stats.CI | stats.PairedDiff, kpi: str, base: float) -> tuple[float, float]:
    """A difference's bounds, clipped so that ``base`` + difference stays in the KPI's range."""
    low, high = kpi_range(kpi)
    return stats.clip_interval(ci.lo, ci.hi, low - base, high - base)


def _relative(t: pd.Series, c: pd.Series, kpi: str, confidence: float) -> tuple[float, float, float]:
    """Ratio of means - 1 with its Fieller bounds (a ratio of non-negative KPIs is at least 0)."""
    if not c.mean() > 0:
        return (np.nan,) * 3
    r = stats.fieller_ratio(t, c, confidence)
    lo, hi = stats.clip_interval(r.lo, r.hi, 0.0 if kpi_range(kpi)[0] >= 0 else -np.inf, np.inf)
    return r.ratio - 1.0, lo - 1.0, hi - 1.0


def _change(pairs: pd.DataFrame, kpi: str, adjusted: stats.CI, confidence_adj: float) -> dict[str, object]:
    """The change told on its scale (:func:`change_scale`) with its adjusted interval; a
    relative change whose adjusted interval is unbounded falls back to absolute."""
    scale = change_scale(kpi, pairs["c"].mean())
    if scale == "relative":
        rel = _relative(pairs["t"], pairs["c"], kpi, confidence_adj)
        if not np.isnan(rel[1]):
            return dict(zip(("scale", "change", "change_lo", "change_hi"), ("relative", *rel)))
        scale = "absolute"
    lo, hi = _clipped_difference(adjusted, kpi, pairs["c"].mean())
    return {"scale": scale, "change": adjusted.mean, "change_lo": lo, "change_hi": hi}


def _paired_row(treatment: pd.Series, control: pd.Series, kpi: str, family: int,
                alpha: float) -> dict[str, object]:
    """One policy's paired comparison on ``kpi``: unadjusted 1 - alpha intervals, and the change
    with its Bonferroni-adjusted (1 - alpha / family) interval."""
    pairs = pd.concat([treatment, control], axis=1, keys=["t", "c"]).dropna()
    if len(pairs) < 2:
        return {"n": len(pairs)}
    base, confidence_adj = pairs["c"].mean(), 1.0 - alpha / max(family, 1)
    d = stats.paired_difference(pairs["t"], pairs["c"], 1.0 - alpha)
    adjusted = stats.mean_ci(pairs["t"] - pairs["c"], confidence_adj)
    rel = _relative(pairs["t"], pairs["c"], kpi, 1.0 - alpha)
    adj_lo, adj_hi = _clipped_difference(adjusted, kpi, base)
    return {"baseline_mean": base, "policy_mean": pairs["t"].mean(), "diff": d.mean_diff,
            **dict(zip(("diff_lo", "diff_hi"), _clipped_difference(d, kpi, base))),
            "rel_diff": rel[0], "rel_lo": rel[1], "rel_hi": rel[2], "p_value": d.p_value, "n": d.n,
            **_change(pairs, kpi, adjusted, confidence_adj), "diff_adj_lo": adj_lo, "diff_adj_hi": adj_hi,
            "confidence_adj": confidence_adj}


#: Below this many paired replications the bootstrap P(best) is not reported (NaN).
MIN_BOOTSTRAP_REPLICATIONS = 10
#: The default indifference zone: this share of the largest absolute mean, in KPI units.
DEFAULT_DELTA_SHARE = 0.01


def default_delta(table: pd.DataFrame) -> float:
    """The default indifference zone for selecting the best column of ``table`` (KPI units):
    :data:`DEFAULT_DELTA_SHARE` of the largest absolute column mean (1.0 if every mean is 0)."""
    largest = float(np.nanmax(np.abs(table.mean().to_numpy(dtype=float)))) if table.size else 0.0
    return DEFAULT_DELTA_SHARE * largest if largest > 0 else 1.0


def _selection_label(policy: str, selection: stats.Selection | None) -> str:
    if selection is None:
        return TOO_FEW
    if policy == selection.best:
        return "best"
    return "contender" if policy in selection.contenders else "eliminated"


def _describe(values: pd.Series, confidence: float, kpi: str) -> pd.Series:
    """Mean, sd, confidence interval clipped to ``kpi``'s range, n and a note (NaN left out)."""
    values = values.dropna()
    if len(values) < 2:
        note = f"too few replications for an interval (n = {len(values)})"
        return pd.Series({"mean": values.mean() if len(values) else np.nan, "sd": np.nan, "ci_lo": np.nan,
                          "ci_hi": np.nan, "n": len(values), "note": note})
    ci = stats.mean_ci(values, confidence)
    lo, hi = stats.clip_interval(ci.lo, ci.hi, *kpi_range(kpi))
    return pd.Series({"mean": ci.mean, "sd": ci.sd, "ci_lo": lo, "ci_hi": hi, "n": ci.n, "note": ""})


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
        """Mean, sd, t confidence interval and n per policy and KPI (NaN replications left out).

        Bounds are clipped to the KPI's possible range (:func:`kpi_range`: shares in [0, 1],
        other KPIs at least 0). A cell with fewer than 2 values (replications, or a KPI undefined
        in most of them) has no interval: NaN bounds and a ``note`` saying so; a policy with
        fewer than 2 replications also raises a warning."""
        grouped = self.kpis.groupby(["policy", "kpi"], sort=False)["value"]
        table = grouped.apply(lambda v: _describe(v, confidence, v.name[1])).unstack().reset_index()
        table = table.astype({"n": int, "mean": float, "sd": float, "ci_lo": float, "ci_hi": float})
        if self.kpis.groupby("policy")["replication"].nunique().min() < 2:
            warnings.warn("a policy has fewer than 2 replications: no confidence interval", stacklevel=2)
        return table

    def compare(self, baseline: str = "baseline", alpha: float = 0.05) -> pd.DataFrame:
        """Paired (CRN) differences of every other policy against ``baseline``, per KPI.

        Columns: policy, kpi, baseline_mean, policy_mean; diff (policy - baseline, KPI units)
        with its 1 - ``alpha`` CI diff_lo/diff_hi; rel_diff, the ratio of means - 1, with its
        Fieller CI rel_lo/rel_hi (never below -100 %; NaN when the baseline mean is not above 0);
        p_value (paired t), p_holm (Holm) and p_adj (Bonferroni), each adjusted across the
        compared policies per KPI; n; higher_is_better.

        The decision uses simultaneous intervals: per KPI, each policy's interval has confidence
        ``confidence_adj = 1 - alpha / m`` for ``m`` compared policies (Bonferroni), so together
        they hold with at least 1 - ``alpha`` (the ``confidence`` column). ``scale`` says how
        the change is told (:func:`change_scale`): ``pp`` (difference of shares), ``relative``
        (ratio - 1, Fieller) or ``absolute`` (KPI units); change, change_lo and change_hi give
        it with its simultaneous interval, diff_adj_lo/diff_adj_hi the difference's. ``verdict``
        is better/worse (higher/lower) exactly when that interval excludes 0, i.e. when
        ``p_adj < alpha``; ``too few replications`` where fewer than 2 pairs have the KPI (no
        interval: NaN bounds). Difference bounds are clipped so that the policy's mean stays in the
        KPI's range (:func:`kpi_range`)."""
        if baseline not in self.policies:
            raise KeyError(f"baseline {baseline!r} is not one of the policies: {', '.join(self.policies)}")
        result = self._paired_differences(baseline, alpha)
        by_kpi = result.groupby("kpi", sort=False)["p_value"]
        result["p_holm"] = by_kpi.transform(stats.holm_adjust)
        result["p_adj"] = by_kpi.transform(stats.bonferroni_adjust)
        result["confidence"] = 1.0 - alpha
        result["higher_is_better"] = result["kpi"].map(_direction)
        result["verdict"] = [interval_verdict(lo, hi, h) for lo, hi, h in
                             zip(result["change_lo"], result["change_hi"], result["higher_is_better"])]
        result.loc[result["n"] < 2, "verdict"] = TOO_FEW
        return result

    def _paired_differences(self, baseline: str, alpha: float) -> pd.DataFrame:
        """One row per (KPI, policy other than ``baseline``): the paired difference."""
        others = [p for p in self.policies if p != baseline]
        rows = []
        for kpi in dict.fromkeys(self.kpis["kpi"]):
            table = self.values(kpi)
            rows += [{"policy": p, "kpi": kpi, **_paired_row(table[p], table[baseline], kpi, len(others), alpha)}
                     for p in others]
        return pd.DataFrame(rows).reindex(columns=PAIRED_COLUMNS)

    def select_best(self, kpi: str, delta: float | None = None, alpha: float = 0.05,
                    among: Sequence[str] | None = None) -> stats.Selection:
        """The best policy on ``kpi`` (by its direction; higher when it has none) by Kim and
        Nelson's procedure (:func:`stats.select_best`) over the replications every policy has,
        or which policies it cannot yet separate and about how many more replications would.
        ``delta``: the indifference zone in KPI units (default :func:`default_delta`);
        ``among``: the policies to choose from (default all)."""
        table = self.values(kpi)[list(among) if among is not None else list(self.policies)].dropna()
        delta = default_delta(table) if delta is None else delta
        return stats.select_best(table, delta, _direction(kpi) is not False, alpha)

    def rank(self, kpi: str, n_boot: int = 2000, delta: float | None = None, alpha: float = 0.05) -> pd.DataFrame:
        """Policies ordered best first on ``kpi`` (by its direction; higher first when it has
        none), with mean and 95 % CI (clipped to the KPI's range), ``selection`` from
        :meth:`select_best` (``best``, ``contender``: not separable from the best yet, or
        ``eliminated``; the :class:`stats.Selection` is in ``attrs["selection"]``) and the
        bootstrap probability of being best, NaN below :data:`MIN_BOOTSTRAP_REPLICATIONS`
        paired replications (too few rows to resample: it reads 1.0 from noise)."""
        table = self.values(kpi).dropna()
        higher = _direction(kpi) is not False
        cis = {p: _describe(table[p], 0.95, kpi) for p in table.columns}
        frame = pd.DataFrame({column: [c[column] for c in cis.values()] for column in ("mean", "ci_lo", "ci_hi")},
                             index=pd.Index(list(cis), name="policy"))
        selection = self.select_best(kpi, delta, alpha) if len(table) >= 2 else None
        frame["selection"] = [_selection_label(p, selection) for p in frame.index]
        enough = len(table) >= MIN_BOOTSTRAP_REPLICATIONS
        frame["prob_best"] = stats.prob_best(table, higher, n_boot) if enough else np.nan
        frame = frame.sort_values("mean", ascending=not higher, kind="stable")
        frame.attrs["selection"] = selection
        return frame

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
