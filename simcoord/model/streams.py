"""Randomness of one run: named random streams, the scenario's samplers, and share draws.

Every decision point asks for its stream by name (``"arrivals.web"``,
``"duration.quote"``). A stream's seed is derived from the root seed and the
name alone, so adding a stream, or drawing more from one, never shifts another:
that is what keeps common random numbers aligned between policies. A stream hands out its
single draws from blocks it draws from its own generator (:class:`BlockStream`).
"""

from __future__ import annotations

import math
import zlib
from bisect import bisect_right
from itertools import accumulate
from typing import Any, Callable

import numpy as np

from simcoord.scenario.paths import get_path


def stream_seed(root_seed: int, name: str) -> np.random.SeedSequence:
    """The seed sequence of stream ``name`` under ``root_seed`` (stable across runs and machines)."""
    return np.random.SeedSequence(root_seed, spawn_key=(zlib.crc32(name.encode("utf-8")),))


BLOCK = 1024  # draws a stream makes at a time for the single draws it hands out


class BlockStream:
    """A named stream's ``numpy.random.Generator`` that hands out single draws (``random()``,
    ``exponential(scale)``, ``normal(loc, scale)``, ``lognormal(mean, sigma)``) from blocks of
    :data:`BLOCK` standard draws made at once: one NumPy call per draw costs several times the draw.
    Everything else (draws of a ``size``, ``gamma``, ``integers``, ``poisson``, ``choice``...) goes
    to the generator itself. Which draw serves which decision changes, not their distribution."""

    __slots__ = ("generator", "_uniform", "_exponential", "_normal")

    def __init__(self, generator: np.random.Generator) -> None:
        self.generator = generator
        self._uniform: list[float] = []
        self._exponential: list[float] = []
        self._normal: list[float] = []

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or name == "generator":  # not set yet (copy, pickle): no recursion
            raise AttributeError(name)
        return getattr(self.generator, name)

    def random(self, size: Any = None) -> Any:
        """One uniform draw on [0, 1) (or ``size`` of them, straight from the generator)."""
        if size is not None:
            return self.generator.random(size)
        if not self._uniform:
            self._uniform = self.generator.random(BLOCK).tolist()
        return self._uniform.pop()

    def exponential(self, scale: float = 1.0, size: Any = None) -> Any:
        """One exponential draw of mean ``scale``."""
        if size is not None:
            return self.generator.exponential(scale, size)
        if not self._exponential:
            self._exponential = self.generator.standard_exponential(BLOCK).tolist()
        return scale * self._exponential.pop()

    def normal(self, loc: float = 0.0, scale: float = 1.0, size: Any = None) -> Any:
        """One normal draw of mean ``loc`` and standard deviation ``scale``."""
        if size is not None:
            return self.generator.normal(loc, scale, size)
        if not self._normal:
            self._normal = self.generator.standard_normal(BLOCK).tolist()
        return loc + scale * self._normal.pop()

    def lognormal(self, mean: float = 0.0, sigma: float = 1.0, size: Any = None) -> Any:
        """One lognormal draw whose logarithm has mean ``mean`` and standard deviation ``sigma``."""
        if size is not None:
            return self.generator.lognormal(mean, sigma, size)
        return math.exp(self.normal(mean, sigma))


class Streams(dict):
    """Lazily created, independent stream per name (a :class:`BlockStream` over a
    ``numpy.random.Generator`` seeded by the name): ``streams[name]`` is one dict lookup (a
    missing name creates its stream; ``get`` does not, as on any dict)."""

    def __init__(self, seed: int) -> None:
        super().__init__()
        self.seed = int(seed)

    def __missing__(self, name: str) -> BlockStream:
        rng = self[name] = BlockStream(np.random.Generator(np.random.PCG64(stream_seed(self.seed, name))))
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
