"""The auto-release timer as a random patience (``policy.sla.auto_release.patience``)."""

from __future__ import annotations

import pandas as pd
import pytest
from support import MMC

from simcoord.model.company import simulate
from simcoord.scenario.loading import deep_merge, load_scenario, resolve_file, scenario_from_dict
from simcoord.scenario.schema import Scenario

DAYS = 5


def mmc_with(auto_release: dict, **extra) -> Scenario:
    sla = {"auto_release": auto_release, "pool_claim_probability": 0.0}
    return scenario_from_dict(deep_merge(resolve_file(MMC), {"policy": {"sla": sla}, **extra}), source=MMC)


def waits_until_release(events: pd.DataFrame) -> pd.Series:
    """Hours from hand-over to release, per released lead."""
    handed = events[events["activity"] == "mql"].set_index("id")["time"]
    released = events[events["activity"] == "released_to_pool"].set_index("id")["time"]
    return released - handed.reindex(released.index)


def test_a_scenario_without_patience_dumps_as_before() -> None:
    dumped = load_scenario(MMC).model_dump(mode="json")["policy"]["sla"]["auto_release"]
    assert dumped == {"hours": 48.0, "enforced": False}
    with_patience = mmc_with({"hours": 48, "enforced": True, "patience": {"dist": "exponential", "mean": 3}})
    assert scenario_from_dict(with_patience.model_dump(mode="json")) == with_patience


def test_a_constant_patience_is_the_fixed_timer_and_shifts_no_other_randomness() -> None:
    fixed = simulate(mmc_with({"hours": 2.0, "enforced": True}), seed=4, days=DAYS).events
    drawn = simulate(mmc_with({"hours": 48.0, "enforced": True, "patience": 2.0}), seed=4, days=DAYS).events
    pd.testing.assert_frame_equal(fixed, drawn)
    assert (fixed["activity"] == "released_to_pool").sum() > 0


def test_with_nobody_to_serve_every_lead_leaves_after_its_own_patience() -> None:
    scenario = mmc_with({"hours": 48.0, "enforced": True, "patience": {"dist": "exponential", "mean": 3.0}},
                        organisation={"sales": {"staff": 0}})
    waits = waits_until_release(simulate(scenario, seed=1, days=DAYS).events).dropna()
    assert len(waits) > 200
    assert waits.mean() == pytest.approx(3.0, rel=0.1)
    assert waits.std() == pytest.approx(3.0, rel=0.15)  # exponential: sd = mean
