"""Named random streams: one independent numpy generator per source of randomness.

Every decision point asks for its stream by name (``"arrivals.web"``,
``"duration.quote"``). A stream's seed is derived from the root seed and the
name alone, so adding a stream, or drawing more from one, never shifts another:
that is what keeps common random numbers aligned between policies.
"""

from __future__ import annotations

import zlib

import numpy as np


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
