"""Peak memory of the baseline for 1 and 10 simulated years, in three modes:

- ``in-memory``: the default :class:`~simcoord.eventlog.EventLog` keeps every event;
- ``streamed``: :class:`~simcoord.eventlog.ParquetEventLog` writes the log to Parquet in
  chunks and reads back only the KPI columns as one frame; KPIs are still computed from the log;
- ``KPIs only``: ``simulate(..., keep_events=False)``: streamed as above, and the KPIs read
  the parts one at a time (no events frame is kept).

Each measurement runs in a fresh process and reads its peak resident set size (``VmHWM``,
which a new process starts afresh; ``ru_maxrss`` would inherit the parent's). Two peaks per
run: at the end of the simulation (what the event log held) and after the KPIs (which
read the log back); ``imports only`` is the floor every run starts from.
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

from common import BASELINE, Row, format_table

MODES = ("in-memory", "streamed", "KPIs only")


def peak_mb() -> float:
    """This process's peak resident set size so far (MB)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # not Linux: best effort


def measure_here(mode: str, years: float) -> dict:
    """Run the baseline once in this process: time, events and the two memory peaks.

    The steps are ``Model.run``'s (simulate, then KPIs from the log), split to read the peak
    in between."""
    from simcoord.log.store import ParquetEventLog
    from simcoord.kpis import compute_kpis
    from simcoord.scenario.loading import load_scenario
    from simcoord.model.company import HOURS_PER_DAY, Model

    scenario = load_scenario(BASELINE)
    start = time.perf_counter()
    if mode == "imports only":
        return {"mode": mode, "years": 0, "seconds": 0.0, "events": 0, "sim_peak_mb": peak_mb(), "peak_mb": peak_mb()}
    with tempfile.TemporaryDirectory() as folder:
        log = ParquetEventLog(Path(folder) / "log") if mode != "in-memory" else None
        model = Model(scenario, seed=0, days=365 * years, log=log)
        model.start()
        model.env.run(until=model.days * HOURS_PER_DAY)
        sim_peak = peak_mb()
        events = model.log.to_frame() if mode != "KPIs only" else model.log.frames()
        kpis = compute_kpis(events, scenario, model.days, model.calendar)
        assert kpis.notna().any()
        count = len(model.log)
    return {"mode": mode, "years": years, "seconds": time.perf_counter() - start, "events": count,
            "sim_peak_mb": sim_peak, "peak_mb": peak_mb()}


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
            rows.append(Row("memory", f"{mode}, {span:g} y, simulating", m["sim_peak_mb"], "MB",
                            f"{m['events']:,} events, {m['seconds']:.0f} s in all"))
            rows.append(Row("memory", f"{mode}, {span:g} y, with KPIs", m["peak_mb"], "MB", "KPIs read the log"))
    return rows


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--one", nargs=2, metavar=("MODE", "YEARS"), help="measure one run in this process")
    parser.add_argument("--years", type=float, nargs="+", default=[1, 10])
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure_here(args.one[0], float(args.one[1]))))
    else:
        print(format_table(run(tuple(args.years))))
