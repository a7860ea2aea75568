"""Persisted runs: one small Parquet file per finished (policy, replication).

A file's name carries a key hashed from everything that determines the run's result: the
scenario's resolved content, a fingerprint of the model's source code, the run's seed, days and
warm-up. A changed scenario or a changed model never finds a stale result. Files are written to
a temporary name and renamed, so a killed run leaves either a whole file or none.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.resources
import json
import os
import re
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Iterable

import pandas as pd

from simcoord.experiments.evaluators import RunOutcome, RunTask

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")

#: The packages whose code determines a run's KPIs (the experiment layer itself only runs them).
MODEL_PACKAGES = ("simcoord.model", "simcoord.kpis", "simcoord.log", "simcoord.scenario")
#: Single modules that determine them too.
MODEL_MODULES = (("simcoord", "vocabulary.py"),)


def _python_files(root: Traversable) -> list[tuple[str, Traversable]]:
    """``(relative name, file)`` of every ``.py`` file under ``root`` at any depth, by name."""
    found = []
    for entry in root.iterdir():
        if entry.is_dir():
            found += [(f"{entry.name}/{name}", file) for name, file in _python_files(entry)]
        elif entry.name.endswith(".py"):
            found.append((entry.name, entry))
    return sorted(found, key=lambda named: named[0])


def _model_sources() -> list[Traversable]:
    """The model's source files in a fixed order: package by package, by relative name."""
    files = [file for package in MODEL_PACKAGES for _, file in _python_files(importlib.resources.files(package))]
    return files + [importlib.resources.files(package) / name for package, name in MODEL_MODULES]


def source_fingerprint(files: Iterable[Traversable | Path]) -> str:
    """16 hex digits from the contents of ``files`` in the given order (names, times and
    permissions play no part)."""
    digest = hashlib.sha256()
    for file in files:
        digest.update(hashlib.sha256(file.read_bytes()).digest())
    return digest.hexdigest()[:16]


@functools.cache
def model_fingerprint() -> str:
    """The fingerprint of the model's source code in this process (computed once)."""
    return source_fingerprint(_model_sources())


def run_key(task: RunTask) -> str:
    """16 hex digits identifying the result of ``task`` (content, model code, seed, horizon)."""
    identity = {"scenario": task.scenario.content_hash(), "model": model_fingerprint(), "seed": task.seed,
                "days": float(task.days), "warmup_days": float(task.warmup_days)}
    return hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()[:16]


class RunStore:
    """A directory of finished runs, looked up by task."""

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)

    def path(self, task: RunTask) -> Path:
        """Where the outcome of ``task`` is (or will be) stored."""
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
        path = self.path(task)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        _outcome_frame(task, outcome).to_parquet(temporary, index=False)
        os.replace(temporary, path)
        return path


def _outcome_frame(task: RunTask, outcome: RunOutcome) -> pd.DataFrame:
    """One row per KPI, with what identifies the run repeated on each (for a reader of the file)."""
    return pd.DataFrame({
        "policy": outcome.policy, "replication": outcome.replication, "seed": outcome.seed,
        "kpi": outcome.kpis.index.astype(str), "value": outcome.kpis.to_numpy(dtype=float),
        "seconds": outcome.seconds, "scenario_hash": task.scenario.content_hash(),
        "model_fingerprint": model_fingerprint(), "days": float(task.days), "warmup_days": float(task.warmup_days),
    })
