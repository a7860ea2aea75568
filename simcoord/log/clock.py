"""Wall-clock hours and instants: the one place where the event log's time meets the calendar's.

The model's and the imported logs' ``time`` is wall-clock hours of a time zone since a start day
at 00:00. Two rules settle the hours a daylight-saving change makes odd: in the hour the clocks
repeat, a wall-clock time is read as its first (summer-time) occurrence; a time the change skips
moves forward to the first that exists. Both keep the log's order.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd


def localise(wall: pd.Series, zone: str) -> pd.Series:
    """Wall-clock timestamps (without a zone) as instants in ``zone``, by the rules above."""
    return wall.dt.tz_localize(zone, ambiguous=np.ones(len(wall), dtype=bool), nonexistent="shift_forward")


def wall_hours(instants: Any, zone: str, start: pd.Timestamp) -> np.ndarray:
    """Aware instants as wall-clock hours of ``zone`` since ``start`` (a wall-clock time; NaN where missing)."""
    wall = pd.Series(instants).dt.tz_convert(zone).dt.tz_localize(None)
    return ((wall - start) / pd.Timedelta(hours=1)).to_numpy(dtype=float)
