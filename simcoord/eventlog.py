"""The event log: the single record of every state change.

Processes append plain tuples; the DataFrame is built once at the end, with one
column per attribute used anywhere (missing attributes are NaN/None). The log can
be exported as Parquet or CSV for process mining (case id = ``id``, activity,
timestamp = ``time`` in hours since the scenario start).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

COLUMNS = ("id", "kind", "time", "activity", "department", "staff")
_NO_ATTRS: dict[str, Any] = {}


class EventLog:
    """Append-only list of ``(id, kind, time, activity, department, staff, attrs)`` rows."""

    def __init__(self) -> None:
        self.rows: list[tuple] = []

    def record(
        self,
        entity_id: int,
        kind: str,
        time: float,
        activity: str,
        department: str,
        staff: str | None = None,
        **attrs: Any,
    ) -> None:
        self.rows.append((entity_id, kind, time, activity, department, staff, attrs or _NO_ATTRS))

    def __len__(self) -> int:
        return len(self.rows)

    def to_frame(self) -> pd.DataFrame:
        """One row per event, sorted by time (stable: simultaneous events keep their order)."""
        if not self.rows:
            return pd.DataFrame({c: pd.Series(dtype="float64" if c == "time" else "object") for c in COLUMNS})
        base = pd.DataFrame.from_records([r[:6] for r in self.rows], columns=list(COLUMNS))
        attrs = pd.DataFrame.from_records([r[6] for r in self.rows])
        frame = pd.concat([base, attrs], axis=1) if len(attrs.columns) else base
        for column in ("kind", "activity", "department"):
            frame[column] = frame[column].astype("category")
        return frame.sort_values("time", kind="stable").reset_index(drop=True)
