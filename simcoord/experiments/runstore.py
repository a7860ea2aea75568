"""Persisted runs: one small Parquet file per finished (policy, replication).

A file's name carries a key hashed from everything that determines the run's result
(the scenario's resolved content, the simcoord version, the run's seed, days and warm-up),
so a changed scenario or a new version never finds a stale result. Files are written to a
temporary name and renamed, so a killed run leaves either a whole file or none.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path

import pandas as pd

from simcoord.experiments.evaluators import RunOutcome, RunTask

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def simcoord_version() -> str:
    """The running simcoord version (read late: this module is imported by the package itself)."""
    import simcoord

    return simcoord.__version__


def run_key(task: RunTask) -> str:
    """16 hex digits identifying the result of ``task`` (content, version, seed, horizon)."""
    identity = {"scenario": task.scenario.content_hash(), "simcoord": simcoord_version(), "seed": task.seed,
                "days": float(task.days), "warmup_days": float(task.warmup_days)}
    return hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()[:16]


class RunStore:
    """A directory of finished runs, looked up by task."""

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)

    def path(self, task: RunTask) -> Path:
        policy = _UNSAFE.sub("_", task.policy)
        return self.directory / f"{policy}__r{task.replication:04d}__{run_key(task)}.parquet"

    def load(self, task: RunTask) -> RunOutcome | None:
        """The stored outcome of ``task``, or ``None`` if it has not finished before."""
        path = self.path(task)
        if not path.is_file():
            return None
        frame = pd.read_parquet(path)
        kpis = pd.Series(frame["value"].to_numpy(), index=frame["kpi"].to_list(), name="value")
        return RunOutcome(task.policy, task.replication, task.seed, kpis, float(frame["seconds"].iloc[0]))

    def save(self, task: RunTask, outcome: RunOutcome) -> Path:
        """Write ``outcome`` atomically (temporary file, then rename)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        frame = pd.DataFrame({
            "policy": outcome.policy, "replication": outcome.replication, "seed": outcome.seed,
            "kpi": outcome.kpis.index.astype(str), "value": outcome.kpis.to_numpy(dtype=float),
            "seconds": outcome.seconds, "scenario_hash": task.scenario.content_hash(),
            "simcoord_version": simcoord_version(), "days": float(task.days), "warmup_days": float(task.warmup_days),
        })
        path = self.path(task)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        frame.to_parquet(temporary, index=False)
        os.replace(temporary, path)
        return path
