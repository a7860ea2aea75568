"""Parameter sweeps over a base scenario: full factorial, Latin hypercube, tornado, Pareto.

A factor is a dotted path into the scenario (``policy.sla.first_touch.hours``) with a list
of levels, or for Latin hypercube designs a ``(low, high)`` tuple (a continuous range;
whole numbers when both ends are ints). Every variant is validated against the schema
before anything runs, so a typo or a wrong type fails at once, naming the path. All
variants of one sweep run as one experiment with common random numbers.

``simcoord.experiments.sweep`` is the :func:`sweep` function (exported by the package), so take the
helpers with ``from simcoord.experiments.sweep import pareto_front``, not ``import simcoord.experiments.sweep as m``.
"""

from __future__ import annotations

import copy
import itertools
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy.stats import qmc

from simcoord.experiments.experiment import Experiment, run_experiment
from simcoord.experiments.stats import Selection
from simcoord.kpis import KPIS
from simcoord.scenario.loading import ScenarioError, resolve_file, scenario_from_dict
from simcoord.scenario.paths import set_path
from simcoord.scenario.schema import Scenario

if TYPE_CHECKING:
    from distributed import Client

Factors = Mapping[str, "Sequence[Any] | tuple[float, float]"]


def base_mapping(base: "Scenario | str | Path | Mapping[str, Any]") -> tuple[dict[str, Any], str]:
    """The raw mapping of ``base`` (a scenario, a file or a mapping) and a name for errors."""
    if isinstance(base, Scenario):
        return base.model_dump(mode="json"), base.name
    if isinstance(base, Mapping):
        return copy.deepcopy(dict(base)), "<sweep base>"
    data = resolve_file(base)
    data.setdefault("name", Path(base).stem)
    return data, str(base)


def _complete(data: dict[str, Any], source: str) -> dict[str, Any]:
    """``data`` validated and dumped back, so every schema field (defaults too) is present."""
    return scenario_from_dict(data, source).model_dump(mode="json")


def variant(data: dict[str, Any], settings: Mapping[str, Any], source: str) -> Scenario:
    """The scenario of ``data`` with each dotted path of ``settings`` set; unknown paths and
    invalid values raise :class:`ScenarioError` naming the path."""
    complete = _complete(data, source)
    for path, value in settings.items():
        if path.split(".")[0] == "name":
            continue
        try:
            complete = set_path(complete, path, value)
        except KeyError:
            raise ScenarioError(source, "unknown field path (check its spelling and section)", field=path) from None
    return scenario_from_dict(complete, f"{source} with {dict(settings)}")


def full_factorial(factors: Factors) -> pd.DataFrame:
    """Every combination of the factors' levels, one row per variant."""
    if any(isinstance(levels, tuple) for levels in factors.values()):
        raise ValueError("a full factorial design needs lists of levels, not (low, high) ranges")
    return pd.DataFrame(list(itertools.product(*factors.values())), columns=list(factors))


def latin_hypercube(factors: Factors, samples: int, seed: int = 2026) -> pd.DataFrame:
    """``samples`` variants from a Latin hypercube (scipy.stats.qmc): a ``(low, high)``
    range is sampled continuously, a list of levels by equal-probability strata."""
    if samples < 1:
        raise ValueError("a Latin hypercube needs at least 1 sample")
    unit = qmc.LatinHypercube(d=len(factors), seed=np.random.default_rng(seed)).random(samples)
    columns = {}
    for j, (path, levels) in enumerate(factors.items()):
        if isinstance(levels, tuple):
            low, high = levels
            values = low + unit[:, j] * (high - low)
            columns[path] = np.round(values).astype(int) if isinstance(low, int) and isinstance(high, int) else values
        else:
            columns[path] = [levels[int(u * len(levels))] for u in unit[:, j]]
    return pd.DataFrame(columns)


def design_table(factors: Factors, design: str = "full", samples: int | None = None, seed: int = 2026) -> pd.DataFrame:
    """The variants of a ``"full"`` factorial or ``"lhs"`` design, indexed by variant name."""
    if not factors:
        raise ValueError("a sweep needs at least one factor")
    if design == "full":
        table = full_factorial(factors)
    elif design == "lhs":
        table = latin_hypercube(factors, samples or 10 * len(factors), seed)
    else:
        raise ValueError(f"design must be 'full' or 'lhs', got {design!r}")
    table.index = pd.Index([f"v{i:03d}" for i in range(len(table))], name="variant")
    return table


class SweepResult:
    """A sweep's design, its experiment and tidy results with one column per factor."""

    def __init__(self, design: pd.DataFrame, experiment: Experiment) -> None:
        self.design = design
        self.experiment = experiment

    @property
    def results(self) -> pd.DataFrame:
        """``variant, <factors...>, replication, kpi, value``."""
        kpis = self.experiment.kpis.rename(columns={"policy": "variant"})
        return self.design.reset_index().merge(kpis, on="variant")

    def summary(self) -> pd.DataFrame:
        """Mean and 95 % CI per variant and KPI, with the factor columns."""
        table = self.experiment.summary().rename(columns={"policy": "variant"})
        return self.design.reset_index().merge(table, on="variant")

    def means(self, kpis: Sequence[str]) -> pd.DataFrame:
        """One row per variant: its factors and the mean of each of ``kpis``."""
        wide = self.summary().pivot(index="variant", columns="kpi", values="mean")[list(kpis)]
        return self.design.join(wide)

    def best(self, kpi: str, delta: float | None = None, alpha: float = 0.05) -> Selection:
        """The best variant on ``kpi`` by Kim and Nelson's procedure (``delta``: indifference
        zone in KPI units; see :meth:`Experiment.select_best`), or the variants it cannot yet
        separate and about how many more replications would; their levels are
        ``self.design.loc[list(selection.contenders)]``."""
        return self.experiment.select_best(kpi, delta, alpha)


def sweep(base: "Scenario | str | Path | Mapping[str, Any]", factors: Factors, design: str = "full",
          samples: int | None = None, replications: int = 5, seed: int = 2026, days: float = 365,
          warmup_days: float = 0.0, workers: int | None = None, scheduler: "str | Client | None" = None,
          out: str | Path | None = None, progress: bool = True) -> SweepResult:
    """Run every variant of ``base`` in a full factorial or Latin hypercube design.

    ``factors`` maps dotted scenario paths to levels (or ``(low, high)`` ranges for
    ``design="lhs"``, ``samples`` variants, default 10 per factor). Every variant is
    validated before the first run; the rest is as in :func:`run_experiment`."""
    data, source = base_mapping(base)
    table = design_table(factors, design, samples, seed)
    variants = {name: variant(data, row.to_dict(), source) for name, row in table.iterrows()}
    experiment = run_experiment(variants, replications, seed, days, warmup_days, workers, scheduler, out, progress)
    return SweepResult(table, experiment)


def tornado(base: "Scenario | str | Path | Mapping[str, Any]", factors: Mapping[str, tuple[Any, Any]], kpi: str,
            replications: int = 5, seed: int = 2026, days: float = 365, **run_options: Any) -> pd.DataFrame:
    """One-at-a-time sensitivity of ``kpi``: each factor at its low and high value, the rest
    at base. One row per factor (kpi_low, kpi_high, swing = |high - low|), widest swing first."""
    data, source = base_mapping(base)
    variants = {"base": scenario_from_dict(data, source)}
    for path, (low, high) in factors.items():
        variants[f"{path}=low"] = variant(data, {path: low}, source)
        variants[f"{path}=high"] = variant(data, {path: high}, source)
    means = run_experiment(variants, replications, seed, days, **run_options).values(kpi).mean()
    rows = [{"factor": path, "low": low, "high": high, "kpi_low": means[f"{path}=low"],
             "kpi_high": means[f"{path}=high"], "kpi_base": means["base"]}
            for path, (low, high) in factors.items()]
    frame = pd.DataFrame(rows)
    frame["swing"] = (frame["kpi_high"] - frame["kpi_low"]).abs()
    return frame.sort_values("swing", ascending=False, kind="stable").reset_index(drop=True)


def pareto_front(frame: pd.DataFrame, x: str, y: str, maximize: tuple[bool, bool] | None = None) -> pd.DataFrame:
    """The rows of ``frame`` no other row dominates on columns ``x`` and ``y``.

    ``maximize`` says per column whether more is better; by default it follows each KPI's
    declared direction (e.g. revenue up, staff_cost down). Sorted by ``x``."""
    if maximize is None:
        maximize = tuple(KPIS[c].higher_is_better is not False for c in (x, y))
    points = frame[[x, y]].to_numpy(dtype=float) * np.where(maximize, 1.0, -1.0)
    keep = [not np.any(np.all(points >= p, axis=1) & np.any(points > p, axis=1)) for p in points]
    return frame[keep].sort_values(x, kind="stable")
