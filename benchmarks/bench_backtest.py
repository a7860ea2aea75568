"""A backtest on BPI Challenge 2012: fit until the cut-off, then 10 replications of the held-out
window from the pipeline open at the cut-off, on two local processes (not a timed test).

Prints the wall time of each part: reading the log, the fit, the backtest (snapshot, simulations,
weekly KPIs, log distances), and its headline numbers.

Usage::

    python benchmarks/bench_backtest.py [--cutoff 2012-01-01] [--days 60] [--reps 10] [--workers 2]
"""

from __future__ import annotations

import argparse
import time

from common import ROOT

DATA = ROOT / "data" / "bpic2012"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cutoff", default="2012-01-01", help="cut-off day (default 2012-01-01)")
    parser.add_argument("--days", type=float, default=60, help="held-out days (default 60: to the last arrival)")
    parser.add_argument("--reps", type=int, default=10, help="replications (default 10)")
    parser.add_argument("--workers", type=int, default=2, help="local processes (default 2)")
    args = parser.parse_args()

    import simcoord

    start = time.perf_counter()
    log = simcoord.read_log(DATA / "bpic2012.csv.gz", DATA / "mapping.yaml")
    read = time.perf_counter()
    scenario = simcoord.fit(log, until=args.cutoff).scenario
    fitted = time.perf_counter()
    result = simcoord.backtest(scenario, log, args.cutoff, args.days, args.reps, workers=args.workers)
    done = time.perf_counter()
    print(f"read the log      {read - start:7.1f} s")
    print(f"fit until {args.cutoff} {fitted - read:7.1f} s")
    print(f"backtest          {done - fitted:7.1f} s  ({args.reps} replications of {args.days:g} days "
          f"on {args.workers} processes)")
    print(f"weekly KPI values inside the band: {result.share_inside:.0%}; "
          f"distances better than the naive forecast: {result.distances_better} of 6")


if __name__ == "__main__":
    main()
