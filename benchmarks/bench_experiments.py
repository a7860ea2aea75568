"""The experiment layer: wall time of a policy comparison, speed-up of 2 workers over 1, and
the layer's overhead over pure ``simulate`` calls (scheduling, result collection, Parquet).

The issue's target size is 8 policies x 30 replications x 365 days on 2 cores; the default
here is a quick 8 x 2 x 60 days, best of 2 interleaved rounds. Full size:

    .venv/bin/python benchmarks/bench_experiments.py --reps 30 --days 365 --repeats 1

Figures go to stdout; nothing is asserted (timings depend on the machine and its load).
"""

from __future__ import annotations

import argparse
import logging
import os
import resource
import shutil
import tempfile
import time
from pathlib import Path
from typing import Callable

from common import Row
from simcoord.experiments.evaluators import run_task
from simcoord.experiments.experiment import as_policies, plan_tasks, run_experiment

ROOT = Path(__file__).resolve().parents[1]
PURE = "pure simulate loop"
STORED = "experiment, 1 worker, out=DIR"
RESUME = "resume, every run stored"
POLICY_FILES = [ROOT / "scenarios" / "baseline.yaml", *sorted((ROOT / "scenarios" / "policies").glob("*.yaml"))]


def cpu_seconds() -> float:
    """CPU seconds used so far by this process and its finished children (pool workers)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed(work: Callable[[], object]) -> tuple[float, float]:
    """Wall and CPU seconds of ``work()``. CPU time barely moves when other processes load
    the machine, so the overheads are computed from it; wall time gives the speed-ups."""
    wall, cpu = time.perf_counter(), cpu_seconds()
    work()
    return time.perf_counter() - wall, cpu_seconds() - cpu


def configurations(files: list[Path], reps: int, days: float, workers: list[int], out: str,
                   seed: int = 2026) -> dict[str, Callable[[], object]]:
    """What is timed: the same runs as a bare ``simulate`` loop, through the layer with each
    worker count, with Parquet persistence, and a resume that finds every run stored."""
    options = {"replications": reps, "days": days, "seed": seed, "progress": False}
    tasks = plan_tasks(as_policies(files), reps, seed, days, 0.0)
    configs: dict[str, Callable[[], object]] = {PURE: lambda: [run_task(task) for task in tasks]}
    for n in workers:
        configs[f"experiment, {n} worker{'s' * (n > 1)}"] = lambda n=n: run_experiment(files, workers=n, **options)
    configs[STORED] = lambda: (shutil.rmtree(out, ignore_errors=True), run_experiment(files, workers=1, out=out, **options))
    configs[RESUME] = lambda: run_experiment(files, workers=1, out=out, **options)
    return configs


def measure(files: list[Path], reps: int, days: float, workers: list[int],
            repeats: int) -> dict[str, tuple[float, float]]:
    """Best (wall, CPU) seconds per configuration over ``repeats`` interleaved rounds (the
    best of several rounds filters out load from other processes on a shared machine)."""
    with tempfile.TemporaryDirectory() as out:
        configs = configurations(files, reps, days, workers, str(Path(out) / "runs"))
        best = dict.fromkeys(configs, (float("inf"), float("inf")))
        for _ in range(repeats):
            for name, work in configs.items():
                wall, cpu = timed(work)
                best[name] = (min(best[name][0], wall), min(best[name][1], cpu))
    return best


def rows(figures: dict[str, tuple[float, float]], runs: int, workers: list[int], setting: str) -> list[Row]:
    """Benchmark rows: wall times, CPU overheads of the layer over pure simulation, speed-ups."""
    out = [Row("experiments", name, wall, "s", f"{setting}; {wall / runs * 1000:,.0f} ms/run wall, CPU {cpu:.2f} s")
           for name, (wall, cpu) in figures.items()]
    pure, serial = figures[PURE], figures.get("experiment, 1 worker")
    if serial:
        out.append(Row("experiments", "layer overhead (serial, CPU)", (serial[1] / pure[1] - 1) * 100, "%",
                       f"vs pure simulate loop; wall {(serial[0] / pure[0] - 1) * 100:+.1f} %"))
        stored = figures[STORED]
        out.append(Row("experiments", "overhead incl. Parquet (CPU)", (stored[1] / pure[1] - 1) * 100, "%",
                       f"serial, one file per run; wall {(stored[0] / pure[0] - 1) * 100:+.1f} %"))
        out += [Row("experiments", f"speed-up {n} workers vs 1", serial[0] / figures[f"experiment, {n} workers"][0],
                    "x", f"wall time; {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the end")
                for n in workers if n > 1]
    return out


def run(days: float = 60, reps: int = 2, policies: int = len(POLICY_FILES), workers: tuple[int, ...] = (1, 2),
        repeats: int = 2) -> list[Row]:
    """All figures for ``policies`` x ``reps`` x ``days`` (the entry point of run_all.py)."""
    files = POLICY_FILES[:policies]
    setting = f"{len(files)} policies x {reps} reps x {days:g} days"
    return rows(measure(files, reps, days, list(workers), repeats), len(files) * reps, list(workers), setting)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--policies", type=int, default=len(POLICY_FILES), help="baseline + shipped policies (max 8)")
    parser.add_argument("--reps", type=int, default=2, help="replications per policy (target 30)")
    parser.add_argument("--days", type=float, default=60, help="simulated days (target 365)")
    parser.add_argument("--workers", default="1,2", help="comma-separated worker counts to time")
    parser.add_argument("--repeats", type=int, default=2, help="interleaved rounds; the best of them counts")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    workers = tuple(int(w) for w in args.workers.split(","))
    for row in run(args.days, args.reps, args.policies, workers, args.repeats):
        print(f"{row.metric:<32}{row.value:>10,.2f} {row.unit:<3} {row.note}")


if __name__ == "__main__":
    main()
