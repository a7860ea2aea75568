"""Shared pieces of the benchmarks: result rows, timing, scenario loading."""

from __future__ import annotations

import argparse
import math
import time
from pathlib import Path
from typing import Callable, NamedTuple

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
MMC = ROOT / "scenarios" / "validation" / "mmc.yaml"


class Row(NamedTuple):
    """One benchmark figure."""

    benchmark: str
    metric: str
    value: float
    unit: str
    note: str = ""


def format_table(rows: list[Row]) -> str:
    """Rows as an aligned text table (the one ``make bench`` prints)."""
    lines = [f"{'benchmark':<24}{'metric':<28}{'value':>14}  {'unit':<6}note", "-" * 106]
    for row in rows:
        value = "n/a" if math.isnan(row.value) else f"{row.value:,.2f}"
        lines.append(f"{row.benchmark:<24}{row.metric:<28}{value:>14}  {row.unit:<6}{row.note}")
    return "\n".join(lines)


def main_with_days(run: Callable[[float], list[Row]], description: str | None) -> None:
    """Command line of a benchmark whose only setting is the simulated horizon."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--days", type=float, default=365, help="simulated days (default 365)")
    print(format_table(run(parser.parse_args().days)))


def best_of(repeats: int, work: Callable[[], object],
            clock: Callable[[], float] = time.perf_counter) -> tuple[float, object]:
    """Fewest seconds of ``repeats`` calls of ``work`` on ``clock`` (wall time by default;
    ``time.process_time`` for CPU time, which barely moves when others load a shared machine),
    and its last result."""
    best, result = float("inf"), None
    for _ in range(repeats):
        start = clock()
        result = work()
        best = min(best, clock() - start)
    return best, result
