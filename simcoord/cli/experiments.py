"""``simcoord compare`` and ``simcoord sweep``: experiments from the command line.

Bad input (an unknown dotted path, a wrong value, zero replications, an unreachable
scheduler) is reported in one line with exit code 2 before anything is written.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path
from typing import Any

import yaml

from simcoord.cli.options import UsageError, add_warmup_argument, check_warmup, days_option, seed_option
from simcoord.experiments.experiment import Experiment, policies_on_base, run_experiment
from simcoord.experiments.precision import PrecisionRun, run_to_precision
from simcoord.experiments.sweep import sweep
from simcoord.kpis import KPIS, unknown_kpi
from simcoord.present.answers import difference_sentences, policy_outcome, run_size
from simcoord.present.tables import format_comparison
from simcoord.scenario.levers import IdleLeverWarning
from simcoord.scenario.loading import load_yaml
from simcoord.scenario.schema import Scenario

__all__ = ["cmd_compare", "cmd_sweep", "format_comparison", "headlines", "parse_setting", "register"]

#: The KPIs a comparison's headline speaks of, before the full table.
HEADLINE_KPIS = ("revenue", "total_cost", "won", "sla_first_touch_pct")
#: The options that size a run to precision (option: argument name) and their defaults with --precision.
PRECISION_OPTIONS = {"--batch": "batch", "--max-reps": "max_reps", "--kpis": "kpis"}
PRECISION_DEFAULTS = {"batch": 10, "max_reps": 100, "kpis": ",".join(HEADLINE_KPIS)}
#: Replications per policy of a comparison without --precision.
COMPARE_REPS = 30


def _check_common(args: argparse.Namespace, least_reps: int = 1) -> None:
    if args.reps < least_reps:
        why = " (confidence intervals need two paired replications)" if least_reps == 2 else ""
        raise UsageError(f"--reps must be at least {least_reps}{why}")
    check_warmup(args)
    if args.workers is not None and args.workers < 1:
        raise UsageError("--workers must be at least 1")


def _run_options(args: argparse.Namespace) -> dict[str, Any]:
    return {"replications": args.reps, "seed": args.seed, "days": args.days, "warmup_days": args.warmup,
            "workers": args.workers, "scheduler": args.scheduler, "out": args.out, "progress": not args.quiet}


def _csv_path(args: argparse.Namespace, default_name: str) -> Path | None:
    """``--csv``, else ``default_name`` in ``--out``, else None (nothing is written)."""
    if args.csv:
        return Path(args.csv)
    return Path(args.out) / default_name if args.out else None


def headlines(table, baseline: str, replications: int, days: float) -> str:
    """One line per policy of a comparison ``table``: what it does to the headline KPIs
    (which differences are real) and its verdict over every KPI."""
    outcomes = {policy: policy_outcome(rows) for policy, rows in table.groupby("policy", sort=False)}
    sentences = difference_sentences(table, [k for k in HEADLINE_KPIS if k in set(table["kpi"])])
    lines = [f"- {sentence} Over all KPIs: {outcome}." for sentence, outcome in zip(sentences, outcomes.values())]
    return (f"HEADLINE against {baseline} ({run_size(replications, days)}, paired; the full table follows)\n"
            + "\n".join(lines))


def _compared(args: argparse.Namespace) -> tuple[str, dict[str, Scenario] | list[str]]:
    """The baseline's name and what to compare: with ``--base``, every file is a policy applied
    on that base (levers with nothing to act on there are printed as notes); else the first file
    is the baseline and the others the policies they are."""
    if args.base is None:
        if len(args.scenarios) < 2:
            raise UsageError("compare needs a baseline and at least one policy file (or --base BASE and policies)")
        return Path(args.scenarios[0]).stem, args.scenarios
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", IdleLeverWarning)
        try:
            policies = policies_on_base(args.base, args.scenarios)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
    for warning in caught:
        print(f"note: {warning.message}", file=sys.stderr)
    return Path(args.base).stem, policies


def cmd_compare(args: argparse.Namespace) -> int:
    """Run the baseline and the policies, print the paired comparison and write it as CSV."""
    if args.precision is not None:
        return _compare_to_precision(args)
    _refuse_precision_options(args)
    args.reps = COMPARE_REPS if args.reps is None else args.reps
    _check_common(args, least_reps=2)
    baseline, policies = _compared(args)
    try:
        experiment = run_experiment(policies, **_run_options(args))
    except (ValueError, ConnectionError) as exc:
        raise UsageError(str(exc)) from None
    return _report_comparison(args, experiment, baseline)


def _refuse_precision_options(args: argparse.Namespace) -> None:
    """--batch, --max-reps and --kpis size a run to precision: without --precision they would do
    nothing, so they are refused rather than silently ignored."""
    given = [option for option, name in PRECISION_OPTIONS.items() if getattr(args, name) is not None]
    if given:
        raise UsageError(f"{', '.join(given)} only work with --precision (a fixed run takes --reps)")


def _report_comparison(args: argparse.Namespace, experiment: Experiment, baseline: str) -> int:
    """Print the headline and the comparison table of ``experiment`` and write the table as CSV."""
    if args.out:
        print(f"reused {experiment.reused_runs} of {experiment.runs} runs stored in {args.out}")
    table = experiment.compare(baseline=baseline)
    print(headlines(table, baseline, args.reps, args.days) + "\n")
    print(format_comparison(table, baseline))
    _write_csv(table, _csv_path(args, "comparison.csv"))
    return 0


def precision_lines(run: PrecisionRun, precision: float) -> str:
    """What stopped a comparison run to precision, per KPI, and the replications after each batch."""
    lines = [f"PRECISION: each difference's simultaneous 95 % interval within +/- {precision * 100:g} % of the "
             f"baseline mean; replications per policy {' -> '.join(map(str, run.rounds))}"]
    for row in run.status.itertuples():
        widest = f"half-width {_readable(row.half_width)} against {_readable(row.target)}, widest for {row.policy}"
        lines.append(f"- {row.kpi}: {row.stopped} at {row.replications} replications ({widest})")
    return "\n".join(lines)


def _compare_to_precision(args: argparse.Namespace) -> int:
    """``compare --precision``: replications in batches until the chosen KPIs are precise enough."""
    if args.reps is not None:
        raise UsageError("--reps fixes the replications; with --precision give --batch and --max-reps")
    for name, default in PRECISION_DEFAULTS.items():
        setattr(args, name, default if getattr(args, name) is None else getattr(args, name))
    args.reps = max(args.batch, 2)  # the first batch's own size is run_to_precision's to check
    _check_common(args, least_reps=2)
    baseline, policies = _compared(args)
    options = {key: value for key, value in _run_options(args).items() if key != "replications"}
    try:
        run = run_to_precision(policies, _kpis_to_print(args.kpis), args.precision, baseline=baseline,
                               replications=args.batch, max_replications=args.max_reps, **options)
    except (ValueError, ConnectionError) as exc:
        raise UsageError(str(exc)) from None
    print(precision_lines(run, args.precision) + "\n")
    if args.out:
        run.status.to_csv(Path(args.out) / "precision.csv", index=False)
    args.reps = run.replications
    return _report_comparison(args, run.experiment, baseline)


def _write_csv(table, csv: Path | None) -> None:
    """Write ``table`` to ``csv`` and say so; without a path (no --out, no --csv) write nothing."""
    if csv is None:
        print("\n(no file written: give --out DIR or --csv FILE to keep the table)")
        return
    table.to_csv(csv, index=False)
    print(f"\nwrote {csv}")


def parse_setting(text: str) -> tuple[str, list | tuple]:
    """``PATH=V1,V2,...`` (levels) or ``PATH=LOW:HIGH`` (a range for LHS); values are YAML scalars."""
    path, sep, values = text.partition("=")
    if not sep or not path or not values:
        raise UsageError(f"--set expects PATH=V1,V2,... or PATH=LOW:HIGH, got {text!r}")
    try:
        if ":" in values and "," not in values:
            low, high = (load_yaml(v) for v in values.split(":", 1))
            return path, (low, high)
        return path, [load_yaml(v) for v in values.split(",")]
    except yaml.YAMLError as exc:
        problem = str(exc).splitlines()[0]
        raise UsageError(f"--set {text!r}: a value is not valid YAML ({problem})") from None


def _kpis_to_print(text: str) -> list[str]:
    kpis = [k for k in text.split(",") if k]
    unknown = [k for k in kpis if k not in KPIS]
    if unknown:
        raise UsageError(f"--kpis: {unknown_kpi(unknown[0])}")
    return kpis


def _readable(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"


def cmd_sweep(args: argparse.Namespace) -> int:
    """Run every variant of the design, print the chosen KPIs' means and write the summary as CSV."""
    _check_common(args)
    factors = dict(parse_setting(text) for text in args.set)
    kpis = _kpis_to_print(args.kpis)
    try:
        result = sweep(args.base, factors, design=args.design, samples=args.samples, **_run_options(args))
    except (ValueError, ConnectionError) as exc:
        raise UsageError(str(exc)) from None
    if args.out:
        print(f"reused {result.experiment.reused_runs} of {result.experiment.runs} runs stored in {args.out}")
    print(result.means(kpis).to_string(float_format=_readable))
    _write_csv(result.summary(), _csv_path(args, "sweep.csv"))
    return 0


def _add_run_arguments(parser: argparse.ArgumentParser, reps: int) -> None:
    parser.add_argument("--reps", type=int, default=reps, help=f"replications per policy (default {reps})")
    parser.add_argument("--days", type=days_option, default=365, help="simulated days (default 365)")
    add_warmup_argument(parser)
    parser.add_argument("--seed", type=seed_option, default=2026, help="root seed (default 2026)")
    parser.add_argument("--workers", type=int, help="local processes (default: one per core; 1: serial)")
    parser.add_argument("--scheduler", help="Dask scheduler address, e.g. tcp://host:8786")
    parser.add_argument("--out", help="directory for finished runs (a rerun resumes from it)")
    parser.add_argument("--csv", help="where to write the table as CSV (default: in OUT; without --out: not written)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def _register_sweep(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("sweep", help="run a factorial or Latin hypercube sweep")
    parser.add_argument("base", help="base scenario file")
    parser.add_argument("--set", action="append", required=True, metavar="PATH=V1,V2,...",
                        help="a factor: dotted path and levels (or LOW:HIGH for --design lhs)")
    parser.add_argument("--design", choices=["full", "lhs"], default="full")
    parser.add_argument("--samples", type=int, help="variants of an LHS design (default 10 per factor)")
    parser.add_argument("--kpis", default="revenue,won,sla_first_touch_pct,total_cost",
                        help="KPIs to print (comma-separated)")
    _add_run_arguments(parser, reps=5)
    parser.set_defaults(func=cmd_sweep)


def _add_precision_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--precision", type=float, metavar="FRACTION",
                        help="add replications in batches until each --kpis difference's simultaneous 95 %% "
                             "interval is within +/- FRACTION of the baseline mean (e.g. 0.05); replaces --reps")
    parser.add_argument("--batch", type=int, help="with --precision: replications of the first "
                                                  "batch, and the least each later one adds (default 10)")
    parser.add_argument("--max-reps", type=int, help="with --precision: the most replications "
                                                     "per policy (default 100)")
    parser.add_argument("--kpis", help="with --precision: the KPIs whose differences must be precise "
                                       "(comma-separated; default: the headline KPIs)")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``compare`` and ``sweep`` to the ``simcoord`` command."""
    compare = subparsers.add_parser("compare", help="paired comparison of policies against a baseline")
    compare.add_argument("scenarios", nargs="+", metavar="FILE",
                         help="the baseline scenario file, then policy files; with --base, policy files only")
    compare.add_argument("--base", help="a base to apply every policy file on instead of the base it extends "
                                        "(e.g. a fitted company); it is the comparison's baseline")
    _add_run_arguments(compare, reps=COMPARE_REPS)
    _add_precision_arguments(compare)
    compare.set_defaults(func=cmd_compare, reps=None)  # None: not given (--precision then sizes the run)
    _register_sweep(subparsers)
