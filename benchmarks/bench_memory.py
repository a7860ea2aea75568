"""Peak memory of the baseline for 1 and 10 simulated years, in both modes:

- ``in-memory``: the default :class:`~simcoord.eventlog.EventLog` keeps every event;
- ``streamed``: :class:`~simcoord.eventlog.ParquetEventLog` writes the log to Parquet in
  chunks and reads back only the KPI columns; KPIs are still computed from the log.

Each measurement runs in a fresh process (peak resident set size, ``ru_maxrss``), so runs
never share memory; ``imports only`` is the floor every run starts from.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import BASELINE, Row

MODES = ("in-memory", "streamed")


def measure_here(mode: str, years: float) -> dict:
    """Run the baseline once in this process and report time, events and peak memory."""
    from simcoord.eventlog import ParquetEventLog
    from simcoord.loading import load_scenario
    from simcoord.model import simulate

    scenario = load_scenario(BASELINE)
    start = time.perf_counter()
    if mode == "imports only":
        events, kpis_ok = 0, True
    elif mode == "streamed":
        with tempfile.TemporaryDirectory() as folder:
            log = ParquetEventLog(Path(folder) / "log")
            result = simulate(scenario, seed=0, days=365 * years, log=log)
            events, kpis_ok = len(log), bool(result.kpis.notna().any())
            log.cleanup()
    else:
        result = simulate(scenario, seed=0, days=365 * years)
        events, kpis_ok = len(result.events), bool(result.kpis.notna().any())
    return {"mode": mode, "years": years, "seconds": time.perf_counter() - start, "events": events,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "kpis": kpis_ok}


def measure(mode: str, years: float) -> dict:
    """``measure_here`` in a fresh Python process."""
    done = subprocess.run([sys.executable, __file__, "--one", mode, str(years)], capture_output=True, text=True,
                          check=True, cwd=Path(__file__).parent)
    return json.loads(done.stdout.strip().splitlines()[-1])


def run(years: tuple[float, ...] = (1, 10)) -> list[Row]:
    floor = measure("imports only", 0)
    rows = [Row("memory", "imports only", floor["peak_mb"], "MB", "python + simcoord + pandas/pyarrow")]
    for span in years:
        for mode in MODES:
            m = measure(mode, span)
            rows.append(Row("memory", f"{mode}, {span:g} y", m["peak_mb"], "MB",
                            f"{m['events']:,} events, {m['seconds']:.0f} s"))
    return rows


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--one", nargs=2, metavar=("MODE", "YEARS"), help="measure one run in this process")
    parser.add_argument("--years", type=float, nargs="+", default=[1, 10])
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure_here(args.one[0], float(args.one[1]))))
    else:
        for row in run(tuple(args.years)):
            print(f"{row.metric:<22}{row.value:>10,.0f} {row.unit:<3} {row.note}")
