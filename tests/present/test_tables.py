"""One comparison formatter: the notebooks' table and the command line's text come from the same rows."""

from __future__ import annotations

import math

import pandas as pd

from simcoord.present import analysis
from simcoord.present.tables import (comparison_table, format_change, format_comparison, markdown_table,
                                     percent_range, signed_percent, signed_points)

NAN = math.nan


def row(policy: str, kpi: str, base: float, mean: float, scale: str, change: tuple[float, float, float],
        p: float, verdict: str) -> dict:
    return {"policy": policy, "kpi": kpi, "baseline_mean": base, "policy_mean": mean, "n": 4,
            "diff": mean - base, "diff_lo": mean - base, "diff_hi": mean - base, "scale": scale, "change": change[0], "change_lo": change[1],
            "change_hi": change[2], "p_adj": p, "confidence": 0.95, "verdict": verdict}


DIFFS = pd.DataFrame([
    row("z-policy", "revenue", 100_000, 110_000, "relative", (0.1, 0.05, 0.15), 0.01, "better"),
    row("z-policy", "released_to_pool", 0, 12, "absolute", (12, 4, 20), 0.03, "worse"),
    row("z-policy", "sla_first_touch_pct", 0.295, 0.642, "pp", (0.347, 0.30, 0.39), 0.001, "better"),
    row("z-policy", "won", 10, 10, "relative", (0.0, 0.0, 0.0), 1.0, "no difference"),
    row("a-policy", "revenue", 100_000, 95_000, "relative", (-0.05, -0.2, 0.1), 0.6, "no difference"),
    row("a-policy", "released_to_pool", 0, 0, "absolute", (0, 0, 0), 1.0, "no difference"),
    row("a-policy", "sla_first_touch_pct", 0.295, 0.295, "pp", (0, 0, 0), 1.0, "no difference"),
    row("a-policy", "won", 10, 9, "relative", (-0.1, -0.3, 0.1), 0.4, "no difference"),
])


def test_signed_percent_points_and_range():
    assert signed_percent(0.0931) == "+9.3%" and signed_percent(-0.2) == "-20.0%" and signed_percent(NAN) == "n/a"
    assert percent_range(-0.031, 0.111) == "-3.1% to +11.1%"
    assert signed_points(0.642 - 0.295) == "+34.7 pp" and signed_points(NAN) == "n/a"
    assert format_change("released_to_pool", "absolute", -3) == "-3"


def test_comparison_table_keeps_the_comparisons_policy_order_and_the_kpis_order_asked():
    table = comparison_table(DIFFS, ["won", "revenue"])
    assert list(table.index) == [("z-policy", "won"), ("z-policy", "revenue"),
                                 ("a-policy", "won"), ("a-policy", "revenue")]
    assert list(table.columns) == ["baseline", "policy mean", "change", "simultaneous 95 % CI", "p (Bonferroni)",
                                   "verdict"]
    assert table.loc[("z-policy", "revenue")].tolist() == ["100,000", "110,000", "+10.0%", "+5.0% to +15.0%",
                                                           0.01, "better"]
    assert analysis.comparison_table is comparison_table  # the notebooks' name for it


def test_each_change_is_told_on_its_scale():
    table = comparison_table(DIFFS, ["sla_first_touch_pct", "released_to_pool"])
    sla = table.loc[("z-policy", "sla_first_touch_pct")]
    assert (sla["change"], sla["simultaneous 95 % CI"]) == ("+34.7 pp", "+30.0 pp to +39.0 pp")
    pool = table.loc[("z-policy", "released_to_pool")]
    assert (pool["change"], pool["simultaneous 95 % CI"]) == ("+12", "+4 to +20")


def test_text_shows_each_policys_moved_kpis_under_named_columns():
    text = format_comparison(DIFFS, baseline="base")
    z_block, a_block = text.split("\n\n")
    z_lines = z_block.splitlines()
    assert z_lines[0] == "z-policy vs base (n = 4 paired replications)"
    assert z_lines[1].split() == ["KPI", "base", "z-policy", "change", "simultaneous", "95", "%", "CI", "p",
                                  "(Bonferroni)"]
    revenue = next(line for line in z_lines if line.strip().startswith("Revenue"))  # KPIs by display name
    assert revenue.split() == ["Revenue", "100,000", "110,000", "+10.0%", "+5.0%", "to", "+15.0%", "0.010",
                               "better", "▲"]
    pool = next(line for line in z_lines if line.strip().startswith("Released to pool"))
    assert "+12" in pool and "+4 to +20" in pool and "worse ▼" in pool
    assert "Won" not in z_block  # not moved
    assert "Released to pool" not in a_block and "Won" in a_block


def test_text_keeps_a_kpi_whose_differences_cancel_out():
    cancelled = DIFFS[DIFFS["policy"] == "a-policy"].copy()
    lost = cancelled["kpi"] == "released_to_pool"  # 0 on average, -4.3 to +4.3 across replications
    cancelled.loc[lost, ["diff_lo", "diff_hi"]] = (-4.3, 4.3)
    assert "Released to pool" in format_comparison(cancelled)


def test_text_says_so_when_a_policy_moves_nothing():
    unmoved = DIFFS[DIFFS["policy"] == "z-policy"].assign(diff=0.0, diff_lo=0.0, diff_hi=0.0)
    assert format_comparison(unmoved).endswith("no KPI differs from the baseline")


def test_markdown_table_bolds_exactly_the_changes_whose_interval_excludes_zero():
    text = markdown_table(DIFFS, ["revenue", "sla_first_touch_pct"], ["revenue", "first-touch SLA"])
    lines = text.splitlines()
    assert lines[:2] == ["| policy | revenue | first-touch SLA |", "|---|---|---|"]
    assert lines[2] == "| z-policy | **+10.0%** [+5.0%, +15.0%] | **+34.7 pp** [+30.0 pp, +39.0 pp] |"
    assert lines[3] == "| a-policy | -5.0% [-20.0%, +10.0%] | +0.0 pp [+0.0 pp, +0.0 pp] |"


def test_markdown_table_says_when_there_are_too_few_replications():
    few = DIFFS.assign(n=1)
    assert "too few replications" in markdown_table(few, ["revenue"]).splitlines()[2]


def test_signed_value_takes_numpy_numbers():
    import numpy as np

    from simcoord.present.tables import signed_value

    assert signed_value("won", np.float64(3.0)) == "+3" and signed_value("won", np.float64(-2.0)) == "-2"
