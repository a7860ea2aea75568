"""Shared fixtures (helpers are in ``support``, imported by name), and the hypothesis profile."""

from __future__ import annotations

import os

import pytest
from hypothesis import settings

from support import BASELINE

# CI explores the same examples on every run, so a red build names a change, not a lucky draw;
# a developer's runs keep exploring new examples (and keep the failures they find in .hypothesis/).
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI") == "true":
    settings.load_profile("ci")


@pytest.fixture(scope="session")
def baseline_90_days():
    """One 90-day baseline run shared by the invariant tests (about a second)."""
    from simcoord import load_scenario, simulate

    return simulate(load_scenario(BASELINE), seed=3, days=90)
