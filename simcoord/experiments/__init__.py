"""Policy experiments: replications with common random numbers, where they run, stored runs,
parameter sweeps, warm-up choice and output analysis (:mod:`simcoord.experiments.stats`).

``simcoord.experiments.sweep`` is the :func:`sweep` function; its helpers are imported from
the module by name (``from simcoord.experiments.sweep import variant``).
"""

from simcoord.experiments.evaluators import (DaskEvaluator, Evaluator, ProcessEvaluator, RunOutcome, RunTask,
                                             SequentialEvaluator, make_evaluator)
from simcoord.experiments.experiment import Experiment, replication_seed, run_experiment
from simcoord.experiments.runstore import RunStore, model_fingerprint
from simcoord.experiments.sweep import SweepResult, design_table, pareto_front, sweep, tornado
from simcoord.experiments.warmup import suggest_warmup

__all__ = ["DaskEvaluator", "Evaluator", "Experiment", "ProcessEvaluator", "RunOutcome", "RunStore", "RunTask",
           "SequentialEvaluator", "SweepResult", "design_table", "make_evaluator", "model_fingerprint",
           "pareto_front", "replication_seed", "run_experiment", "suggest_warmup", "sweep", "tornado"]
