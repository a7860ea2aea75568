"""The cost formulas (currency)."""

from __future__ import annotations

import pytest

from simcoord.kpis.cost import bonus_cost
from simcoord.scenario.loading import load_scenario

from support import BASELINE, SCENARIOS


def test_bonus_cost_grows_with_cross_department_weights() -> None:
    siloed = load_scenario(BASELINE).policy.incentives
    shared = load_scenario(SCENARIOS / "policies" / "shared-kpis.yaml").policy.incentives
    assert bonus_cost(1_000_000, 100_000, siloed) == pytest.approx(20_000)
    # 2 % bonus + 5 % of event revenue + 2 % x (0.3 + 0.2) joint pool
    assert bonus_cost(1_000_000, 100_000, shared) == pytest.approx(20_000 + 5_000 + 10_000)
