"""The naive forecast a backtest must beat: the recent past, repeated.

The training period's last whole weeks are copied forward by whole weeks until they cover the
held-out window (weekdays and hours of the day stay as they were), and cut to it. A model that
cannot beat this has not learnt more than "next quarter looks like last quarter".
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from simcoord.calibration.weekly import WEEK_HOURS


def naive_forecast(training: pd.DataFrame, cutoff_hours: float, window_hours: float) -> pd.DataFrame:
    """Rows of ``training`` (a lab log, ``time`` in hours, rows before ``cutoff_hours``) in its last
    whole weeks before the cut-off, shifted forward by whole multiples of that block until they
    cover ``[cutoff_hours, cutoff_hours + window_hours)``, and cut to it. Each copy's cases get
    ids of their own (``id + copy * (largest id + 1)``). Raises ValueError without a whole week."""
    weeks = int(np.floor(cutoff_hours / WEEK_HOURS))
    if weeks < 1:
        raise ValueError(f"the naive forecast needs at least one whole week before the cut-off, got "
                         f"{cutoff_hours / 24:g} days")
    block_hours = weeks * WEEK_HOURS
    block = training[(training["time"] >= cutoff_hours - block_hours) & (training["time"] < cutoff_hours)]
    stride = int(training["id"].max()) + 1
    copies = [_shifted(block, copy * block_hours, copy * stride)
              for copy in range(1, int(np.ceil(window_hours / block_hours)) + 1)]
    shifted = pd.concat(copies, ignore_index=True)
    return shifted[shifted["time"] < cutoff_hours + window_hours].reset_index(drop=True)


def _shifted(rows: pd.DataFrame, hours: float, id_offset: int) -> pd.DataFrame:
    """``rows`` moved ``hours`` later (their queue times too), their case ids moved by ``id_offset``."""
    moved = rows.assign(time=rows["time"] + hours, id=rows["id"] + id_offset)
    if "queued_at" in moved:
        moved["queued_at"] = moved["queued_at"] + hours
    return moved
