"""Dask scaling: the same experiment (baseline, replications x days) on a Dask LocalCluster
with 2, 4, 8 and 16 single-threaded workers, against 1 worker in-process. Runs only the
worker counts the machine has cores for (``--force`` runs them anyway); nothing in the
project needs a many-core machine (2 workers show the Dask path's overhead on a laptop)."""

from __future__ import annotations

import argparse
import os
import time

from common import BASELINE, Row, format_table
from simcoord.experiments.experiment import run_experiment

WORKER_COUNTS = (2, 4, 8, 16)


def seconds_for(replications: int, days: float, workers: int | None = None, client=None) -> float:
    start = time.perf_counter()
    run_experiment({"baseline": BASELINE}, replications=replications, days=days, workers=workers,
                   scheduler=client, progress=False)
    return time.perf_counter() - start


def run(replications: int = 32, days: float = 91, force: bool = False) -> list[Row]:
    cores = os.cpu_count() or 1
    counts = [w for w in WORKER_COUNTS if force or w <= cores]
    note = f"{replications} replications x {days:g} days, {cores} cores"
    if not counts:
        return [Row("dask", "LocalCluster 2-16 workers", float("nan"), "", f"skipped: {cores} core")]
    from dask.distributed import Client, LocalCluster

    serial = seconds_for(replications, days, workers=1)
    rows = [Row("dask", "1 worker, in-process", replications / serial, "rep/s", note)]
    for workers in counts:
        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
                Client(cluster) as client:
            seconds = seconds_for(replications, days, client=client)
        rows.append(Row("dask", f"LocalCluster {workers} workers", replications / seconds, "rep/s",
                        f"speed-up {serial / seconds:.2f}x vs 1 worker"))
    return rows


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--replications", type=int, default=32)
    parser.add_argument("--days", type=float, default=91)
    parser.add_argument("--force", action="store_true", help="run every worker count whatever the cores")
    args = parser.parse_args()
    print(format_table(run(args.replications, args.days, args.force)))
