"""``analysis.queue_table``: the per-stage queue KPIs beside queueing theory."""

from __future__ import annotations

import pandas as pd
import pytest
from support import MMC

from simcoord.model.company import simulate
from simcoord.present import analysis
from simcoord.scenario.loading import load_scenario


@pytest.fixture(scope="module")
def mmc_run():
    return simulate(load_scenario(MMC), seed=2, days=80)  # 20 days of a queue 80 % busy: a mean wait off by 65 %


def test_the_textbook_queue_shows_erlang_c_beside_the_simulation(mmc_run) -> None:
    table = analysis.queue_table(mmc_run, warmup_days=1)
    assert list(table.index) == ["first_touch"]
    row = table.loc["first_touch"]
    assert row[("theory", "applies")] == "Erlang C"
    assert row[("utilisation", "theory")] == pytest.approx(0.8)
    assert row[("mean wait, hours", "simulated")] == pytest.approx(row[("mean wait, hours", "theory")], rel=0.5)
    assert row[("Little's law", "L, tasks")] == pytest.approx(row[("Little's law", "lambda W, tasks")], rel=0.02)


def test_an_event_log_with_its_scenario_gives_the_same_table(mmc_run) -> None:
    from_log = analysis.queue_table(mmc_run.events, mmc_run.scenario, mmc_run.days, warmup_days=1)
    pd.testing.assert_frame_equal(from_log, analysis.queue_table(mmc_run, warmup_days=1))


def test_every_stage_of_the_baseline_says_why_no_theory_applies(baseline_90_days) -> None:
    table = analysis.queue_table(baseline_90_days)
    assert table[("theory", "applies")].str.startswith("no: ").all()
    assert table[("mean wait, hours", "theory")].isna().all() and table[("mean wait, hours", "simulated")].gt(0).all()
