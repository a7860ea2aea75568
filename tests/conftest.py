"""Shared fixtures (helpers are in ``support``, imported by name)."""

from __future__ import annotations

import pytest

from support import BASELINE


@pytest.fixture(scope="session")
def baseline_90_days():
    """One 90-day baseline run shared by the invariant tests (about a second)."""
    from simcoord import load_scenario, simulate

    return simulate(load_scenario(BASELINE), seed=3, days=90)
