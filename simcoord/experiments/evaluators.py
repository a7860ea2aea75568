"""Where simulation runs execute: one interface, three back ends.

An evaluator (EMA Workbench style) is ``initialize()``d, ``evaluate(tasks)`` yields one
:class:`RunOutcome` per :class:`RunTask` as each finishes (in completion order), and
``finalize()`` releases its workers; ``with evaluator:`` does both. The experiment never
cares where runs execute: every task carries its own seed, so the outcomes are the same
to the bit whichever evaluator ran them.

- :class:`SequentialEvaluator`: in this process, one run after another (debugging).
- :class:`ProcessEvaluator`: a local ``ProcessPoolExecutor`` (default: one per core).
- :class:`DaskEvaluator`: a ``dask.distributed`` cluster, by address or ``Client``.
"""

from __future__ import annotations

import logging
import os
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import TYPE_CHECKING, Any, Iterable, Iterator, NamedTuple

import pandas as pd

from simcoord.model.company import simulate
from simcoord.scenario.schema import Scenario

if TYPE_CHECKING:
    from distributed import Client

logger = logging.getLogger(__name__)

DASK_CONNECT_TIMEOUT_S = 5.0
#: Longer runs stream their log to a temporary directory (KPIs only come back anyway): a worker's
#: memory then stays under 0.5 GB instead of ~2.2 GB for ten simulated years, for ~3 % more time.
IN_MEMORY_LOG_DAYS = 2 * 365


class RunTask(NamedTuple):
    """One simulation run to do: which policy and replication, with everything it needs."""

    policy: str
    replication: int
    scenario: Scenario
    seed: int
    days: float
    warmup_days: float


class RunOutcome(NamedTuple):
    """What a run sends back: its identity, its KPIs and its wall time (s). Small on purpose:
    the event log stays in the worker."""

    policy: str
    replication: int
    seed: int
    kpis: pd.Series
    seconds: float


def run_task(task: RunTask) -> RunOutcome:
    """Simulate one task (a module-level function, so process pools and Dask can pickle it)."""
    start = time.perf_counter()
    result = simulate(task.scenario, seed=task.seed, days=task.days, warmup_days=task.warmup_days,
                      keep_events=task.days <= IN_MEMORY_LOG_DAYS)
    return RunOutcome(task.policy, task.replication, task.seed, result.kpis, time.perf_counter() - start)


class Evaluator:
    """Runs tasks somewhere. Subclasses fill in :meth:`evaluate` and, if they hold
    resources, :meth:`initialize` / :meth:`finalize`."""

    def initialize(self) -> None:
        """Acquire workers (connect, start a pool)."""

    def evaluate(self, tasks: Iterable[RunTask]) -> Iterator[RunOutcome]:
        """Yield one outcome per task, in completion order."""
        raise NotImplementedError

    def finalize(self) -> None:
        """Release workers."""

    def __enter__(self) -> "Evaluator":
        self.initialize()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.finalize()


class SequentialEvaluator(Evaluator):
    """Runs every task in this process, in the given order."""

    def evaluate(self, tasks: Iterable[RunTask]) -> Iterator[RunOutcome]:
        for task in tasks:
            yield run_task(task)


class ProcessEvaluator(Evaluator):
    """Runs tasks on ``workers`` local processes (``None``: one per CPU core)."""

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or os.cpu_count() or 1
        self._pool: ProcessPoolExecutor | None = None

    def initialize(self) -> None:
        self._pool = ProcessPoolExecutor(max_workers=self.workers)

    def evaluate(self, tasks: Iterable[RunTask]) -> Iterator[RunOutcome]:
        if self._pool is None:
            raise RuntimeError("ProcessEvaluator used before initialize()")
        futures = [self._pool.submit(run_task, task) for task in tasks]
        try:
            for future in as_completed(futures):
                yield future.result()
        finally:
            for future in futures:
                future.cancel()

    def finalize(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


class DaskEvaluator(Evaluator):
    """Runs tasks on a Dask cluster: ``scheduler`` is an address (``"tcp://host:8786"``),
    which this evaluator connects to and closes, or a ``distributed.Client`` it borrows."""

    def __init__(self, scheduler: "str | Client", timeout_s: float | None = None) -> None:
        self.scheduler = scheduler
        self.timeout_s = timeout_s or DASK_CONNECT_TIMEOUT_S
        self._client: Any = None
        self._owns_client = isinstance(scheduler, str)

    def initialize(self) -> None:
        if not self._owns_client:
            self._client = self.scheduler
            return
        from distributed import Client

        try:
            self._client = Client(self.scheduler, timeout=f"{self.timeout_s}s")
        except (OSError, TimeoutError) as exc:
            raise ConnectionError(f"cannot reach the Dask scheduler at {self.scheduler} "
                                  f"within {self.timeout_s:g} s ({type(exc).__name__})") from None

    def evaluate(self, tasks: Iterable[RunTask]) -> Iterator[RunOutcome]:
        from distributed import as_completed as dask_completed

        futures = self._client.map(run_task, list(tasks), pure=False)
        try:
            for future in dask_completed(futures):
                yield future.result()
        finally:
            self._client.cancel(futures)

    def finalize(self) -> None:
        if self._owns_client and self._client is not None:
            self._client.close()
        self._client = None


def make_evaluator(workers: int | None = None, scheduler: "str | Client | None" = None) -> Evaluator:
    """The evaluator for these settings: Dask when ``scheduler`` is given, in-process when
    ``workers == 1``, else local processes (``None``: one per core)."""
    if scheduler is not None:
        return DaskEvaluator(scheduler)
    if workers is not None and workers < 1:
        raise ValueError("workers must be at least 1")
    return SequentialEvaluator() if workers == 1 else ProcessEvaluator(workers)
