"""Exporting a simulated year of the baseline in each format (``simcoord.log.export``): wall
time of the best of ``repeats`` exports, events exported per second, and the file's size.

    python benchmarks/bench_export.py            # one simulated year
    python benchmarks/bench_export.py --days 91  # a quarter

The simulation itself is not timed; every export reads the same in-memory log.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from common import BASELINE, Row, best_of, main_with_days
from simcoord.log.export import FORMATS, export_log
from simcoord.model.company import simulate
from simcoord.scenario.loading import load_scenario


def run(days: float = 365, repeats: int = 2) -> list[Row]:
    scenario = load_scenario(BASELINE)
    events = simulate(scenario, seed=0, days=days).events
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for fmt in FORMATS:
            seconds, path = best_of(repeats, lambda: export_log(events, scenario, Path(folder) / fmt, fmt))
            note = f"{len(events):,} events, {days:g} days"
            rows += [Row("export", f"{fmt} seconds", seconds, "s", note),
                     Row("export", f"{fmt} events/s", len(events) / seconds, "1/s"),
                     Row("export", f"{fmt} file size", Path(path).stat().st_size / 1e6, "MB")]
    return rows


if __name__ == "__main__":
    main_with_days(run, __doc__)
