"""The pairs of real logs on which simcoord's log distances are checked against the
``log-distance-measures`` package: plain pandas (2 or 3), so both the reference script (run in the
package's own environment, pandas < 3) and the tests (simcoord's environment) read the same inputs.

Every log here is a frame of activity instances: ``case``, ``activity``, ``start``, ``end`` (UTC).

- ``bpic_october_vs_november``: the BPIC 2012 applications submitted in the week from Monday
  2011-10-03 against those submitted in the week from Monday 2011-11-07.
- ``simulated_vs_bpic``: a simulated week of the lab's baseline (``data/simulated_week.csv.gz``,
  the scenario's calendar moved to 2011-10-03 in Amsterdam, seed 1), its steps named as BPIC names
  them, against the BPIC week from 2011-10-03.

``.venv/bin/python tests/calibration/ldm_inputs.py`` writes the simulated week again (only needed
if the pair's definition changes: the committed file keeps the reference values independent of
changes to the model).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
BPIC = HERE.parents[1] / "data" / "bpic2012" / "bpic2012.csv.gz"
SIMULATED_WEEK = HERE / "data" / "simulated_week.csv.gz"
#: The lab's steps under the names BPIC 2012 gives them (data/bpic2012/mapping.yaml, read backwards).
BPIC_NAMES = {"created": "A_SUBMITTED", "mql": "A_PREACCEPTED", "first_touch": "W_Afhandelen leads",
              "sql": "A_ACCEPTED", "invalid": "A_DECLINED", "lost": "A_CANCELLED", "quote": "O_SENT",
              "negotiation": "W_Nabellen offertes", "won": "A_APPROVED"}
BPIC_WEEKS = {"october": ("2011-10-03", "2011-10-10"), "november": ("2011-11-07", "2011-11-14")}
PAIRS = {
    "bpic_october_vs_november": ("BPIC 2012, applications submitted 2011-10-03 to 2011-10-10 (UTC)",
                                 "BPIC 2012, applications submitted 2011-11-07 to 2011-11-14 (UTC)"),
    "simulated_vs_bpic": ("BPIC 2012, applications submitted 2011-10-03 to 2011-10-10 (UTC)",
                          "tests/calibration/data/simulated_week.csv.gz, steps under BPIC's names"),
}


def _utc(text: pd.Series) -> pd.Series:
    return pd.to_datetime(text, utc=True, format="ISO8601")


def _paired_starts(rows: pd.DataFrame) -> pd.Series:
    """Each COMPLETE row's start: the k-th START of its case and activity for its k-th COMPLETE,
    else the completion itself (an instantaneous event)."""
    rows = rows.assign(nth=rows.groupby(["case", "activity", "lifecycle"]).cumcount())
    starts = rows[rows["lifecycle"] == "START"].set_index(["case", "activity", "nth"])["timestamp"]
    completes = rows[rows["lifecycle"] == "COMPLETE"]
    keys = pd.MultiIndex.from_frame(completes[["case", "activity", "nth"]])
    start = pd.Series(starts.reindex(keys).to_numpy(), index=completes.index)
    return start.where(start.notna() & (start <= completes["timestamp"]), completes["timestamp"])


@lru_cache(maxsize=1)
def _bpic_rows() -> pd.DataFrame:
    rows = pd.read_csv(BPIC, usecols=["case_id", "activity", "lifecycle", "timestamp"], dtype={"case_id": str})
    return rows.rename(columns={"case_id": "case"}).assign(timestamp=lambda frame: _utc(frame["timestamp"]))


def bpic_week(name: str) -> pd.DataFrame:
    """The activity instances of the BPIC 2012 applications submitted in the week ``name``."""
    first, last = (pd.Timestamp(day, tz="UTC") for day in BPIC_WEEKS[name])
    rows = _bpic_rows()
    submitted = rows.groupby("case")["timestamp"].transform("min")
    rows = rows[(submitted >= first) & (submitted < last)].reset_index(drop=True)
    completes = rows["lifecycle"] == "COMPLETE"
    instances = pd.DataFrame({"case": rows["case"], "activity": rows["activity"],
                              "start": _paired_starts(rows), "end": rows["timestamp"]})
    return instances[completes].reset_index(drop=True)


def simulated_week() -> pd.DataFrame:
    """The committed simulated week's activity instances, its steps under BPIC's names."""
    log = pd.read_csv(SIMULATED_WEEK, dtype={"case": str, "activity": str})
    return log.assign(activity=log["activity"].replace(BPIC_NAMES), start=_utc(log["start"]), end=_utc(log["end"]))


def pair(name: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The (real, simulated) logs of the pair ``name`` of :data:`PAIRS`."""
    if name == "bpic_october_vs_november":
        return bpic_week("october"), bpic_week("november")
    return bpic_week("october"), simulated_week()


def write_simulated_week() -> None:
    """Simulate the baseline's week and keep its activity instances (run in simcoord's environment)."""
    import datetime

    import simcoord
    from simcoord.log.export import activity_instances, full_frame

    scenario = simcoord.load_scenario(HERE.parents[1] / "scenarios" / "baseline.yaml")
    calendar = scenario.calendar.model_copy(update={"start_date": datetime.date(2011, 10, 3),
                                                    "time_zone": "Europe/Amsterdam"})
    scenario = scenario.model_copy(update={"calendar": calendar})
    instances = activity_instances(full_frame(simcoord.simulate(scenario, seed=1, days=7).events), scenario)
    instances = instances.dropna(subset=["started_timestamp", "completed_timestamp"])
    week = pd.DataFrame({"case": instances["case"], "activity": instances["activity"],
                         "start": instances["started_timestamp"].dt.tz_convert("UTC"),
                         "end": instances["completed_timestamp"].dt.tz_convert("UTC")})
    SIMULATED_WEEK.parent.mkdir(exist_ok=True)
    week.to_csv(SIMULATED_WEEK, index=False, date_format="%Y-%m-%dT%H:%M:%S.%fZ")


if __name__ == "__main__":
    write_simulated_week()
