"""``simcoord compare`` and ``simcoord sweep``: experiments from the command line.

Bad input (an unknown dotted path, a wrong value, zero replications, an unreachable
scheduler) is reported in one line with exit code 2 before anything is written.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from simcoord.cli.app import EXTRA_COMMANDS, UsageError, days_option, seed_option
from simcoord.scenario.loading import load_yaml
from simcoord.model.company import check_settings
from simcoord.experiments.experiment import run_experiment
from simcoord.kpis import KPIS, format_value
from simcoord.experiments.sweep import sweep

MARKS = {"better": "better ▲", "worse": "worse ▼", "higher": "higher", "lower": "lower", "no difference": ""}


def _percent(value: float) -> str:
    return "n/a" if pd.isna(value) else f"{value:+.1%}"


def _change(kpi: str, relative: float, absolute: float) -> str:
    """Relative change, or the absolute one when the baseline is 0."""
    return _percent(relative) if pd.notna(relative) else "+" * (absolute > 0) + format_value(kpi, absolute)


def _interval(row: tuple) -> str:
    if pd.notna(row.rel_diff):
        return f"[{_percent(row.rel_lo)}, {_percent(row.rel_hi)}]"
    return f"[{format_value(row.kpi, row.diff_lo)}, {format_value(row.kpi, row.diff_hi)}]"


def format_comparison(table: pd.DataFrame, baseline: str = "baseline") -> str:
    """The paired-difference table as text: per policy, every KPI it moved, with the relative
    change, its 95 % CI, the Holm-adjusted p-value and better/worse by the KPI's direction."""
    blocks = []
    for policy, rows in table.groupby("policy", sort=False):
        pairs = int(rows["n"].max()) if rows["n"].notna().any() else 0
        title = f"{policy} vs {baseline} (n = {pairs} paired replications)"
        rows = rows[rows["diff"].fillna(0) != 0]  # KPIs the policy did not move are left out
        if rows.empty:
            blocks.append(f"{title}\nno KPI differs from the baseline")
            continue
        lines = pd.DataFrame({
            "KPI": rows["kpi"],
            baseline: [format_value(k, v) for k, v in zip(rows["kpi"], rows["baseline_mean"])],
            policy: [format_value(k, v) for k, v in zip(rows["kpi"], rows["policy_mean"])],
            "change": [_change(r.kpi, r.rel_diff, r.diff) for r in rows.itertuples()],
            "95 % CI": [_interval(r) for r in rows.itertuples()],
            "p (Holm)": rows["p_holm"].map(lambda p: "n/a" if pd.isna(p) else f"{p:.3f}"),
            "": rows["verdict"].map(MARKS),
        })
        blocks.append(f"{title}\n" + lines.to_string(index=False))
    return "\n\n".join(blocks)


def _check_common(args: argparse.Namespace, least_reps: int = 1) -> None:
    if args.reps < least_reps:
        why = " (confidence intervals need two paired replications)" if least_reps == 2 else ""
        raise UsageError(f"--reps must be at least {least_reps}{why}")
    try:  # --seed and --days were checked as they were parsed
        check_settings(args.seed, args.days, args.warmup)
    except ValueError as exc:
        raise UsageError(f"--warmup: {exc}") from None
    if args.workers is not None and args.workers < 1:
        raise UsageError("--workers must be at least 1")


def _run_options(args: argparse.Namespace) -> dict:
    return {"replications": args.reps, "seed": args.seed, "days": args.days, "warmup_days": args.warmup,
            "workers": args.workers, "scheduler": args.scheduler, "out": args.out, "progress": not args.quiet}


def cmd_compare(args: argparse.Namespace) -> int:
    _check_common(args, least_reps=2)
    files = [args.base, *args.policies]
    try:
        experiment = run_experiment(files, **_run_options(args))
    except (ValueError, ConnectionError) as exc:
        raise UsageError(str(exc)) from None
    table = experiment.compare(baseline=Path(args.base).stem)
    print(format_comparison(table, Path(args.base).stem))
    csv = Path(args.csv or (Path(args.out) / "comparison.csv" if args.out else "comparison.csv"))
    table.to_csv(csv, index=False)
    print(f"\nwrote {csv}")
    return 0


def parse_setting(text: str) -> tuple[str, list | tuple]:
    """``PATH=V1,V2,...`` (levels) or ``PATH=LOW:HIGH`` (a range for LHS); values are YAML scalars."""
    path, sep, values = text.partition("=")
    if not sep or not path or not values:
        raise UsageError(f"--set expects PATH=V1,V2,... or PATH=LOW:HIGH, got {text!r}")
    if ":" in values and "," not in values:
        low, high = (load_yaml(v) for v in values.split(":", 1))
        return path, (low, high)
    return path, [load_yaml(v) for v in values.split(",")]


def cmd_sweep(args: argparse.Namespace) -> int:
    _check_common(args)
    factors = dict(parse_setting(text) for text in args.set)
    try:
        result = sweep(args.base, factors, design=args.design, samples=args.samples, **_run_options(args))
    except (ValueError, ConnectionError) as exc:
        raise UsageError(str(exc)) from None
    kpis = [k for k in args.kpis.split(",") if k]
    unknown = [k for k in kpis if k not in KPIS]
    if unknown:
        raise UsageError(f"unknown KPI {unknown[0]!r} in --kpis")
    print(result.means(kpis).to_string(float_format=lambda v: f"{v:,.0f}" if abs(v) >= 1000 else f"{v:.4g}"))
    csv = Path(args.csv or (Path(args.out) / "sweep.csv" if args.out else "sweep.csv"))
    result.summary().to_csv(csv, index=False)
    print(f"\nwrote {csv}")
    return 0


def _add_run_arguments(parser: argparse.ArgumentParser, reps: int) -> None:
    parser.add_argument("--reps", type=int, default=reps, help=f"replications per policy (default {reps})")
    parser.add_argument("--days", type=days_option, default=365, help="simulated days (default 365)")
    parser.add_argument("--warmup", type=float, default=0.0, help="warm-up days left out of the KPIs")
    parser.add_argument("--seed", type=seed_option, default=2026, help="root seed (default 2026)")
    parser.add_argument("--workers", type=int, help="local processes (default: one per core; 1: serial)")
    parser.add_argument("--scheduler", help="Dask scheduler address, e.g. tcp://host:8786")
    parser.add_argument("--out", help="directory for finished runs (a rerun resumes from it)")
    parser.add_argument("--csv", help="where to write the table (default: OUT/ or the current directory)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``compare`` and ``sweep`` to the ``simcoord`` command."""
    compare = subparsers.add_parser("compare", help="paired comparison of policies against a baseline")
    compare.add_argument("base", help="baseline scenario file")
    compare.add_argument("policies", nargs="+", help="policy scenario files")
    _add_run_arguments(compare, reps=30)
    compare.set_defaults(func=cmd_compare)

    sweep_parser = subparsers.add_parser("sweep", help="run a factorial or Latin hypercube sweep")
    sweep_parser.add_argument("base", help="base scenario file")
    sweep_parser.add_argument("--set", action="append", required=True, metavar="PATH=V1,V2,...",
                              help="a factor: dotted path and levels (or LOW:HIGH for --design lhs)")
    sweep_parser.add_argument("--design", choices=["full", "lhs"], default="full")
    sweep_parser.add_argument("--samples", type=int, help="variants of an LHS design (default 10 per factor)")
    sweep_parser.add_argument("--kpis", default="revenue,won,sla_first_touch_pct,total_cost",
                              help="KPIs to print (comma-separated)")
    _add_run_arguments(sweep_parser, reps=5)
    sweep_parser.set_defaults(func=cmd_sweep)


EXTRA_COMMANDS.append(register)
