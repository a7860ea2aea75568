"""Replications until the answer is precise enough: a comparison that adds replications in
batches until every chosen KPI's paired difference (policy minus baseline) is known to the
precision asked for, or a maximum is reached, and says which of the two stopped it.

The interval is the comparison's own simultaneous one (:meth:`Experiment.compare`): the t
interval of the paired differences at confidence ``1 - alpha / m`` for ``m`` compared policies
(Bonferroni), before any clipping to the KPI's range. Its half-width must be at most

- ``precision`` x |baseline mean| (a fraction: 0.05 is 5 % of the baseline's mean), or
- the indifference zone ``delta`` (KPI units) when the comparison is a selection of the best.

Replication ``r`` runs on the same seed however the replications are batched
(:func:`simcoord.experiments.experiment.replication_seed`), so a run that stops at ``n``
replications holds exactly the results of a fixed run of ``n``, and with ``out`` every batch
reuses the runs already stored (a rerun resumes).
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Mapping, Sequence

import numpy as np
import pandas as pd

from simcoord.experiments import stats
from simcoord.experiments.evaluators import RunOutcome, RunTask, make_evaluator
from simcoord.experiments.experiment import (Experiment, PolicySpec, as_policies, default_delta, execute,
                                             plan_tasks, stored_outcomes, tidy_kpis)
from simcoord.experiments.runstore import RunStore
from simcoord.kpis import KPIS, unknown_kpi
from simcoord.model.company import check_settings

if TYPE_CHECKING:
    from distributed import Client

logger = logging.getLogger(__name__)

PRECISION_REACHED, MAXIMUM_REACHED = "precision reached", "maximum reached"
#: How much a batch may grow the replications at most, when the half-widths so far project
#: that more are needed than one batch adds (a noisy first estimate must not overshoot far).
MAX_GROWTH = 2.0
Delta = float | Mapping[str, float] | Literal["selection"] | None


@dataclass(frozen=True)
class PrecisionRun:
    """A comparison run until it was precise enough.

    ``experiment`` holds every replication run (the same as a fixed run of that many);
    ``status`` has one row per chosen KPI: ``replications``, the ``policy`` whose interval is
    widest against its target, that interval's ``half_width`` and the ``target`` (KPI units),
    ``reached`` and ``stopped`` (:data:`PRECISION_REACHED` or :data:`MAXIMUM_REACHED`);
    ``rounds`` the replications after each batch."""

    experiment: Experiment
    status: pd.DataFrame
    rounds: tuple[int, ...]

    @property
    def replications(self) -> int:
        """Replications per policy when the run stopped."""
        return self.rounds[-1]


def _target(experiment: Experiment, kpi: str, baseline_mean: float, precision: float, delta: Delta) -> float:
    """The largest half-width accepted for ``kpi``, in KPI units."""
    if delta is None:
        return precision * abs(baseline_mean)
    if isinstance(delta, str):  # "selection": the indifference zone select_best uses by default
        return default_delta(experiment.values(kpi).dropna())
    return float(delta[kpi]) if isinstance(delta, Mapping) else float(delta)


def _widths(experiment: Experiment, baseline: str, kpi: str, alpha: float) -> pd.DataFrame:
    """Per compared policy: the half-width of its simultaneous interval on ``kpi`` (NaN below
    two pairs), the baseline's mean over the same replications, and the pairs counted."""
    table = experiment.values(kpi)
    others = [p for p in experiment.policies if p != baseline]
    rows = []
    for policy in others:
        pairs = table[[policy, baseline]].dropna()
        differences = pairs[policy] - pairs[baseline]
        width = stats.mean_ci(differences, 1.0 - alpha / len(others)).half_width if len(pairs) >= 2 else np.nan
        rows.append({"policy": policy, "half_width": width, "baseline_mean": pairs[baseline].mean(), "n": len(pairs)})
    return pd.DataFrame(rows)


def precision_status(experiment: Experiment, baseline: str, kpis: Sequence[str], precision: float = 0.05,
                     delta: Delta = None, alpha: float = 0.05) -> pd.DataFrame:
    """Per KPI: whether every policy's paired difference with ``baseline`` is as precise as asked
    (see the module's docstring), and the policy farthest from it (columns of :class:`PrecisionRun`'s
    ``status``, ``stopped`` aside). A NaN half-width (fewer than two pairs) is never precise."""
    rows = []
    for kpi in kpis:
        widths = _widths(experiment, baseline, kpi, alpha)
        widths["target"] = [_target(experiment, kpi, m, precision, delta) for m in widths["baseline_mean"]]
        ratio = (widths["half_width"] / widths["target"]).fillna(np.inf)
        ratio[(widths["half_width"] == 0) & (widths["target"] == 0)] = 0.0  # nothing varies: exact
        worst = widths.loc[ratio.idxmax()]
        rows.append({"kpi": kpi, "replications": int(widths["n"].max()), "policy": worst["policy"],
                     "half_width": worst["half_width"], "target": worst["target"],
                     "reached": bool((ratio <= 1.0).all())})
    return pd.DataFrame(rows)


def next_replications(status: pd.DataFrame, replications: int, batch: int, maximum: int) -> int:
    """Replications per policy after the next batch: at least ``batch`` more; more if the
    half-widths so far project that more are needed (half-width ~ 1/sqrt(n)), at most
    :data:`MAX_GROWTH` times as many; never above ``maximum``."""
    open_ = status[~status["reached"]]
    ratio = (open_["half_width"] / open_["target"]).to_numpy(dtype=float)
    projected = replications * float(np.nanmax(ratio)) ** 2 if np.isfinite(ratio).any() else 0.0
    grown = min(math.ceil(projected) if np.isfinite(projected) else 0, int(MAX_GROWTH * replications))
    return min(maximum, max(replications + batch, grown))


def _check_precision_settings(precision: float, replications: int, batch: int, maximum: int) -> None:
    if not precision > 0:
        raise ValueError(f"precision must be above 0 (a fraction of the baseline mean), got {precision}")
    if int(replications) != replications or replications < 2:
        raise ValueError(f"the first batch needs at least 2 replications for an interval, got {replications}")
    if int(batch) != batch or batch < 1:
        raise ValueError(f"a batch must add at least 1 replication, got {batch}")
    if maximum < replications:
        raise ValueError(f"the maximum replications ({maximum}) is below the first batch ({replications})")


def _check_kpis(kpis: Sequence[str], baseline: str, policies: Sequence[str]) -> None:
    if not kpis:
        raise ValueError("choose at least one KPI whose difference must be precise")
    unknown = [kpi for kpi in kpis if kpi not in KPIS]
    if unknown:
        raise ValueError(unknown_kpi(unknown[0]))
    if baseline not in policies:
        raise ValueError(f"baseline {baseline!r} is not one of the policies: {', '.join(policies)}")
    if len(policies) < 2:
        raise ValueError("a comparison needs the baseline and at least one policy")


@dataclass
class _Runs:
    """The runs done so far, by (policy, replication), and how many came from the store."""

    store: RunStore | None
    workers: int | None
    scheduler: "str | Client | None"
    progress: bool
    done: dict[tuple[str, int], RunOutcome]
    reused: int = 0

    def complete(self, tasks: list[RunTask]) -> list[RunOutcome]:
        """The outcomes of ``tasks``: those done, those stored, and the rest simulated now."""
        todo = [task for task in tasks if (task.policy, task.replication) not in self.done]
        stored = stored_outcomes(todo, self.store)
        if stored:
            logger.info("resuming: %d of %d runs already in %s", len(stored), len(tasks), self.store.directory)
        self.reused += len(stored)
        self.done.update(stored)
        fresh = [task for task in todo if (task.policy, task.replication) not in self.done]
        if fresh:
            evaluator = make_evaluator(self.workers, self.scheduler)
            for outcome in execute(fresh, evaluator, self.store, self.progress, stored={}):
                self.done[(outcome.policy, outcome.replication)] = outcome
        return [self.done[(task.policy, task.replication)] for task in tasks]


def _stopped(status: pd.DataFrame) -> pd.DataFrame:
    return status.assign(stopped=np.where(status["reached"], PRECISION_REACHED, MAXIMUM_REACHED))


def run_to_precision(policies: PolicySpec, kpis: Sequence[str], precision: float = 0.05, *,
                     baseline: str | None = None, delta: Delta = None, replications: int = 10,
                     batch: int | None = None, max_replications: int = 100, seed: int = 2026,
                     days: float = 365, warmup_days: float = 0.0, workers: int | None = None,
                     scheduler: "str | Client | None" = None, out: str | Path | None = None,
                     progress: bool = True, alpha: float = 0.05) -> PrecisionRun:
    """Compare ``policies`` against ``baseline`` (default: the first), adding replications in
    batches until every KPI of ``kpis`` is precise (module docstring) or ``max_replications``.

    ``replications`` is the first batch, ``batch`` each later one's least size (default: the
    first batch's); ``delta`` (KPI units, one for all, per KPI, or ``"selection"`` for
    :meth:`Experiment.select_best`'s default) replaces the relative ``precision`` as the target.
    The other arguments are :func:`simcoord.experiments.experiment.run_experiment`'s."""
    batch = replications if batch is None else batch
    _check_precision_settings(precision, replications, batch, max_replications)
    check_settings(seed, days, warmup_days)
    scenarios = as_policies(policies)
    baseline = next(iter(scenarios)) if baseline is None else baseline
    _check_kpis(list(kpis), baseline, list(scenarios))
    runs = _Runs(RunStore(out) if out is not None else None, workers, scheduler, progress, {})
    rounds, size = [], int(replications)
    while True:
        outcomes = runs.complete(plan_tasks(scenarios, size, seed, days, warmup_days))
        experiment = Experiment(tidy_kpis(outcomes), tuple(scenarios), seed, days, warmup_days, runs.reused)
        status, rounds = precision_status(experiment, baseline, kpis, precision, delta, alpha), rounds + [size]
        if status["reached"].all() or size >= max_replications:
            return PrecisionRun(experiment, _stopped(status), tuple(rounds))
        size = next_replications(status, size, batch, max_replications)
