"""The experiment layer: wall time of a policy comparison, speed-up of 2 workers over 1, and
the layer's overhead over pure ``simulate`` calls (scheduling, result collection, Parquet).

The issue's target size is 8 policies x 30 replications x 365 days on 2 cores; the default
here is a quick 8 x 2 x 60 days. Full size:

    .venv/bin/python benchmarks/bench_experiments.py --reps 30 --days 365

Figures go to stdout; nothing is asserted (timings depend on the machine and its load).
"""

from __future__ import annotations

import argparse
import logging
import tempfile
import time
from pathlib import Path

from simcoord.evaluators import run_task
from simcoord.experiment import as_policies, plan_tasks, run_experiment

ROOT = Path(__file__).resolve().parents[1]
POLICY_FILES = [ROOT / "scenarios" / "baseline.yaml", *sorted((ROOT / "scenarios" / "policies").glob("*.yaml"))]


def timed(work) -> tuple[float, object]:
    """Wall seconds of ``work()`` and its result."""
    start = time.perf_counter()
    result = work()
    return time.perf_counter() - start, result


def pure_simulation_seconds(files: list[Path], reps: int, days: float, seed: int) -> float:
    """The same runs as the experiment, as bare ``simulate`` calls in a loop (no layer at all)."""
    tasks = plan_tasks(as_policies(files), reps, seed, days, 0.0)
    return timed(lambda: [run_task(task) for task in tasks])[0]


def measure(files: list[Path], reps: int, days: float, workers: list[int], seed: int = 2026) -> dict[str, float]:
    """Wall seconds per configuration: pure loop, experiment serial, with persistence, N workers."""
    options = {"replications": reps, "days": days, "seed": seed, "progress": False}
    figures = {"pure simulate loop": pure_simulation_seconds(files, reps, days, seed)}
    for n in workers:
        figures[f"run_experiment workers={n}"] = timed(lambda n=n: run_experiment(files, workers=n, **options))[0]
    with tempfile.TemporaryDirectory() as out:
        figures["run_experiment workers=1 out=DIR"] = timed(lambda: run_experiment(files, workers=1, out=out, **options))[0]
        figures["resume, all runs stored"] = timed(lambda: run_experiment(files, workers=1, out=out, **options))[0]
    return figures


def report(figures: dict[str, float], runs: int, workers: list[int]) -> list[str]:
    """Human-readable lines: times, per-run cost, overheads and speed-ups."""
    pure = figures["pure simulate loop"]
    lines = [f"{name:<36}{seconds:>9.2f} s  ({seconds / runs * 1000:8.1f} ms/run)" for name, seconds in figures.items()]
    serial = figures.get("run_experiment workers=1")
    if serial:
        lines.append(f"{'layer overhead, serial':<36}{(serial / pure - 1) * 100:>+9.1f} %  of pure simulate time")
        stored = figures["run_experiment workers=1 out=DIR"]
        lines.append(f"{'layer + Parquet overhead, serial':<36}{(stored / pure - 1) * 100:>+9.1f} %")
        for n in workers:
            if n > 1:
                lines.append(f"{f'speed-up {n} workers vs 1':<36}{serial / figures[f'run_experiment workers={n}']:>9.2f} x")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--policies", type=int, default=len(POLICY_FILES), help="baseline + shipped policies (max 8)")
    parser.add_argument("--reps", type=int, default=2, help="replications per policy (target 30)")
    parser.add_argument("--days", type=float, default=60, help="simulated days (target 365)")
    parser.add_argument("--workers", default="1,2", help="comma-separated worker counts to time")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    files = POLICY_FILES[: args.policies]
    workers = [int(w) for w in args.workers.split(",")]
    runs = len(files) * args.reps
    print(f"{len(files)} policies x {args.reps} replications x {args.days:g} days = {runs} runs")
    for line in report(measure(files, args.reps, args.days, workers), runs, workers):
        print(line)


if __name__ == "__main__":
    main()
