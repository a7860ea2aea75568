"""Shared pieces of the benchmarks: result rows, timing, scenario loading."""

from __future__ import annotations

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


def best_of(repeats: int, work: Callable[[], object]) -> tuple[float, object]:
    """Fastest wall time (seconds) of ``repeats`` calls of ``work``, and its last result."""
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = work()
        best = min(best, time.perf_counter() - start)
    return best, result
