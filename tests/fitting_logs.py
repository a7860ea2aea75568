"""Logs the estimator tests fit, each made once per test session: a simulated company with known
parameters (what the fit must recover), the same run exported and read back through a mapping
(what a company's own log looks like to the fit), and the real BPI Challenge 2012 log."""

from __future__ import annotations

import functools
import tempfile
from pathlib import Path
from typing import NamedTuple

import pandas as pd

from simcoord import export_log, read_log, simulate
from simcoord.log.mapping import LogMapping
from simcoord.log.read import ImportedLog
from simcoord.scenario.loading import resolve_file, scenario_from_dict
from simcoord.scenario.schema import Scenario
from support import ROOT, overlay

BPIC_LOG, BPIC_MAPPING = ROOT / "data" / "bpic2012" / "bpic2012.csv.gz", ROOT / "data" / "bpic2012" / "mapping.yaml"
BPIC_LIKE = ROOT / "scenarios" / "examples" / "bpic-like.yaml"
#: The simulated company: BPIC-like (Monday to Saturday 07:00-21:00, two holidays, 16 sales staff,
#: 600 applications a week) with a Saturday of its own and a strong, visible response decay.
TRUTH = {"calendar": {"hours": {"sat": [8, 17]}},
         "funnel": {"response_decay": {"half_life_hours": 12, "floor": 0.4}}}
DAYS = 105  # 15 weeks from Monday 2011-10-03: both holidays (26 December, 2 January) inside
SEED = 5
#: Lab steps a simulated lead can go through more than once.
REPEATED_STEPS = ("mql", "first_touch", "sql", "invalid", "lost")
STEPS = ("created", "mql", "first_touch", "sql", "invalid", "won", "lost", "discarded")


class SimulatedLog(NamedTuple):
    scenario: Scenario
    events: pd.DataFrame  # the run's own log
    imported: ImportedLog  # the same run exported to Parquet and read back through a mapping


def truth_scenario(*overrides: dict) -> Scenario:
    """The BPIC-like company with ``TRUTH`` and ``overrides`` laid over it."""
    return scenario_from_dict(overlay(resolve_file(BPIC_LIKE), TRUTH, *overrides), source=BPIC_LIKE)


def export_mapping(events: pd.DataFrame, time_zone: str) -> LogMapping:
    """A mapping for the lab's own export: each object a case, each step its own activity at its start."""
    activities = set(events["activity"].astype(str))
    return LogMapping.model_validate({
        "columns": {"case": "object_id", "activity": "concept:name", "timestamp": "time:timestamp",
                    "lifecycle": "lifecycle:transition", "resource": "org:resource"},
        "time_zone": time_zone,
        "steps": {step: {"activities": [step], "transition": "start", "every": step in REPEATED_STEPS}
                  for step in STEPS},
        "ignore": sorted(activities - set(STEPS))})


@functools.cache
def simulated() -> SimulatedLog:
    """``DAYS`` days of the truth company (about five seconds), and its export read back."""
    scenario = truth_scenario()
    events = simulate(scenario, days=DAYS, seed=SEED).events
    with tempfile.TemporaryDirectory() as folder:
        path = export_log(events, scenario, Path(folder), "parquet")
        imported = read_log(path, export_mapping(events, scenario.calendar.time_zone))
    return SimulatedLog(scenario, events, imported)


@functools.cache
def bpic() -> ImportedLog:
    """BPI Challenge 2012 through its mapping (about a second)."""
    return read_log(BPIC_LOG, BPIC_MAPPING)
