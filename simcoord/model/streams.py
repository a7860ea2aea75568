"""Randomness of one run: named random streams, the scenario's samplers, and share draws.

Every decision point asks for its stream by name (``"arrivals.web"``,
``"duration.quote"``). A stream's seed is derived from the root seed and the
name alone, so adding a stream, or drawing more from one, never shifts another:
that is what keeps common random numbers aligned between policies.
"""

from __future__ import annotations

import zlib
from bisect import bisect_right
from itertools import accumulate
from typing import Callable

import numpy as np

from simcoord.scenario.paths import get_path


def stream_seed(root_seed: int, name: str) -> np.random.SeedSequence:
    """The seed sequence of stream ``name`` under ``root_seed`` (stable across runs and machines)."""
    return np.random.SeedSequence(root_seed, spawn_key=(zlib.crc32(name.encode("utf-8")),))


class Streams(dict):
    """Lazily created, independent ``numpy.random.Generator`` per name: ``streams[name]``
    is one dict lookup (a missing name creates its stream; ``get`` does not, as on any dict)."""

    def __init__(self, seed: int) -> None:
        super().__init__()
        self.seed = int(seed)

    def __missing__(self, name: str) -> np.random.Generator:
        rng = self[name] = np.random.Generator(np.random.PCG64(stream_seed(self.seed, name)))
        return rng

    def names(self) -> list[str]:
        """Names of the streams used so far."""
        return sorted(self)


class Samplers(dict):
    """The sampler of each distribution in a scenario, by dotted path (``"funnel.first_touch_hours"``),
    made on first use: ``samplers[path](rng)`` draws one value in the distribution's units."""

    def __init__(self, scenario: object) -> None:
        super().__init__()
        self.scenario = scenario

    def __missing__(self, path: str) -> Callable[[np.random.Generator], float]:
        sampler = self[path] = get_path(self.scenario, path).sampler()
        return sampler


class Choices:
    """Draws one key of a share table with those probabilities (one uniform per draw).

    The cumulative table of each mapping is made once and cached by the mapping's identity, so
    pass only mappings that live as long as the model (scenario fields, model attributes)."""

    def __init__(self) -> None:
        self._tables: dict[int, tuple[list[str], list[float]]] = {}

    def __call__(self, rng: np.random.Generator, shares: dict[str, float]) -> str:
        table = self._tables.get(id(shares))
        if table is None:
            names = list(shares)
            table = self._tables[id(shares)] = (names, list(accumulate(shares[n] for n in names)))
        names, cumulative = table
        index = bisect_right(cumulative, rng.random() * cumulative[-1])
        return names[min(index, len(names) - 1)]
