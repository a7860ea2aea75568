"""``make bench``: every benchmark in one run, printed as one table of figures and ratios.

    python benchmarks/run_all.py            # full: 1-year runs, memory for 1 and 10 years
    python benchmarks/run_all.py --quick    # minutes less: shorter horizons, memory for 1 year

Ratios are measured in the same run on the same machine; absolute rates depend on it (and
on whatever else it runs at the time).
"""

from __future__ import annotations

import argparse
import logging
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_baseline  # noqa: E402
import bench_dask  # noqa: E402
import bench_engine  # noqa: E402
import bench_experiments  # noqa: E402
import bench_memory  # noqa: E402
import bench_scaling  # noqa: E402
from common import Row, format_table  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="shorter horizons, memory for 1 year only")
    parser.add_argument("--out", type=Path, help="also write the table to this file")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    days = 91 if args.quick else 365
    start = time.perf_counter()
    sections = [
        ("engine", lambda: bench_engine.run(days=days)),
        ("baseline", lambda: bench_baseline.run(days=days)),
        ("scaling", lambda: bench_scaling.run(days=days)),
        ("experiments", lambda: bench_experiments.run(days=days / 4)),
        ("dask", lambda: bench_dask.run(days=days / 4)),
        ("memory", lambda: bench_memory.run(years=(0.25, 1) if args.quick else (1, 10))),
    ]
    rows: list[Row] = []
    for name, bench in sections:
        print(f"running {name} ...", file=sys.stderr, flush=True)
        rows += bench()
    table = format_table(rows)
    header = f"simcoord benchmarks on {platform.node()} ({platform.processor() or platform.machine()}, " \
             f"Python {platform.python_version()}), {time.perf_counter() - start:.0f} s"
    print(header + "\n" + table)
    if args.out:
        args.out.write_text(header + "\n" + table + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
