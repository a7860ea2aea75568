"""Every instance of a stage's work, not only the first: an imported log read as a simulated one.

A mapping enters a stage at the first event of its activities, so the lab's rows of a company's
log hold one row per stage and case. The company's people often work a stage several times (the
bank calls about an offer again and again): the model's repeated touches (``touches``,
``touch_gap_days``). :func:`with_repeated_work` reads the log's own rows again and adds a lab row
for each later instance of a work stage's activities (one started, within the visit: before the
case's next stage or its end), with its work time, as a simulated log has one row per touch. The
estimators then read touches, the customer's time between them and the whole workload from
either log alike.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from simcoord.log.clock import wall_hours
from simcoord.log.read import ImportedLog
from simcoord.log.sources import read_rows
from simcoord.log.steps import LIFECYCLE_ORDER

#: Lab activities that end a stage visit (another stage's row ends it too).
VISIT_ENDS = ("won", "lost", "discarded", "invalid")


def with_repeated_work(log: ImportedLog) -> pd.DataFrame:
    """``log.events`` with a row for each later instance of every work stage (a stage entered at
    the ``start`` of its activities) of a log with lifecycle transitions; the events unchanged
    otherwise."""
    stages = [stage for stage in log.mapping.stages if stage.transition == "start"]
    if not stages or log.mapping.columns.lifecycle is None or not Path(log.source).is_file():
        return log.events
    rows = read_rows(Path(log.source), log.mapping)
    ids = log.events.drop_duplicates("case").set_index("case")["id"]
    extra = [later_instances(rows, stage.name, stage.activities, ids, log) for stage in stages]
    extra = [frame for frame in extra if len(frame)]
    if not extra:
        return log.events
    events = pd.concat([log.events.astype({"activity": object, "kind": object}), *extra], ignore_index=True)
    return events.sort_values(["time", "id"], kind="stable", ignore_index=True)


def instance_spans(rows: pd.DataFrame, activities: tuple[str, ...]) -> pd.DataFrame:
    """Each started instance of ``activities``: ``case``, ``instant`` (its start), ``done`` (the next
    complete of the same activity in the case) and ``resource``."""
    picked = rows[rows["activity"].isin(activities) & rows["lifecycle"].isin(["start", "complete"])]
    picked = picked.assign(order=picked["lifecycle"].map(LIFECYCLE_ORDER))
    picked = picked.sort_values(["case", "activity", "instant", "order", "row"], kind="stable")
    group = picked.groupby(["case", "activity"], sort=False)
    following = group["lifecycle"].shift(-1) == "complete"
    done = group["instant"].shift(-1).where(following)
    starts = picked["lifecycle"] == "start"
    resource = picked["resource"] if "resource" in picked else pd.Series(None, index=picked.index)
    return pd.DataFrame({"case": picked["case"], "instant": picked["instant"], "done": done,
                         "resource": resource})[starts.to_numpy()]


def later_instances(rows: pd.DataFrame, stage: str, activities: tuple[str, ...], ids: pd.Series,
                    log: ImportedLog) -> pd.DataFrame:
    """Lab rows of ``stage`` for its second and later instances in each case's visit."""
    spans = instance_spans(rows, activities)
    spans = spans[spans["case"].isin(ids.index)]
    start = pd.Timestamp(log.start_date)
    zone = log.mapping.time_zone
    hours = wall_hours(spans["instant"], zone, start)
    frame = pd.DataFrame({"id": ids.reindex(spans["case"]).to_numpy(), "kind": "lead", "time": hours,
                          "activity": stage, "department": "sales", "staff": spans["resource"].to_numpy(),
                          "case": spans["case"].to_numpy(), "stage": stage,
                          "work_hours": wall_hours(spans["done"], zone, start) - hours, "queued_at": np.nan})
    frame = frame.sort_values(["id", "time"], kind="stable")
    frame = frame[frame.groupby("id").cumcount() > 0]  # the first instance is the stage's own row already
    return frame[frame["time"] < visit_ends(log.events, stage).reindex(frame["id"]).fillna(np.inf).to_numpy()]


def visit_ends(events: pd.DataFrame, stage: str) -> pd.Series:
    """Per case (id): when its visit of ``stage`` ended: its first row after entering the stage
    that belongs to another stage or ends the case."""
    leads = events[events["kind"] == "lead"].astype({"activity": object, "stage": object})
    entered = leads[leads["activity"] == stage].drop_duplicates("id")[["id", "time"]]
    ends = leads[leads["activity"].isin(VISIT_ENDS) |
                 (leads["stage"].notna() & (leads["stage"] != stage) & (leads["activity"] == leads["stage"]))]
    found = pd.merge_asof(entered.sort_values("time"), ends[["id", "time"]].rename(columns={"time": "end"})
                          .sort_values("end"), left_on="time", right_on="end", by="id", direction="forward",
                          allow_exact_matches=False)
    return found.set_index("id")["end"]
