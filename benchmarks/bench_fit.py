"""Fitting a scenario to BPI Challenge 2012 on one core (not a timed test).

Times, best of ``--repeats``, with the process pinned to one CPU core and its numeric libraries to
one thread: reading the log through its mapping (``read_log``), and ``simcoord.fit`` of the read
log until the cut-off (every estimator, the log's own rows read again for the repeated work of
each stage, and the short simulations that find the effective sales head count). Also the CPU
time of the fit, which other work on the machine does not inflate.

Usage::

    python benchmarks/bench_fit.py [--until 2012-01-01] [--repeats 3]
"""

from __future__ import annotations

import argparse
import os
import time

for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):  # before numpy is imported
    os.environ.setdefault(_variable, "1")

from common import ROOT, Row, best_of, format_table  # noqa: E402

DATA = ROOT / "data" / "bpic2012"


def one_core() -> str:
    """Pin this process to one CPU core where the system allows it; says which."""
    if not hasattr(os, "sched_setaffinity"):
        return "not pinned (no sched_setaffinity here)"
    core = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {core})
    return f"pinned to core {core}"


def run(until: str, repeats: int) -> list[Row]:
    """The figures of this benchmark."""
    from simcoord import fit, read_log

    pinned = one_core()
    read_seconds, log = best_of(repeats, lambda: read_log(DATA / "bpic2012.csv.gz", DATA / "mapping.yaml"))
    cpu_start = time.process_time()
    fit_seconds, result = best_of(repeats, lambda: fit(log, until=until))
    cpu_seconds = (time.process_time() - cpu_start) / repeats
    fitted = len(result.estimates) - len(result.assumptions)
    return [Row("read_log", "BPIC 2012 csv.gz", read_seconds, "s", pinned),
            Row("fit", f"until {until}, wall", fit_seconds, "s",
                f"{result.source.cases:,} cases; {fitted} fitted, {len(result.assumptions)} assumed"),
            Row("fit", f"until {until}, CPU (mean)", cpu_seconds, "s",
                f"sales staff {result.scenario.organisation.sales.staff}")]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--until", default="2012-01-01", help="cut-off day (default 2012-01-01)")
    parser.add_argument("--repeats", type=int, default=3, help="timed repeats; the best counts (default 3)")
    arguments = parser.parse_args()
    print(format_table(run(arguments.until, arguments.repeats)))
