"""One comparison formatter: the notebooks' table and the command line's text come from the same rows."""

from __future__ import annotations

import math

import pandas as pd

from simcoord.present import analysis
from simcoord.present.tables import comparison_table, format_comparison, percent_range, signed_percent

NAN = math.nan


def row(policy: str, kpi: str, base: float, mean: float, rel: tuple[float, float, float],
        absolute: tuple[float, float, float], p: float, verdict: str) -> dict:
    return {"policy": policy, "kpi": kpi, "baseline_mean": base, "policy_mean": mean, "n": 4,
            "rel_diff": rel[0], "rel_lo": rel[1], "rel_hi": rel[2],
            "diff": absolute[0], "diff_lo": absolute[1], "diff_hi": absolute[2], "p_holm": p, "verdict": verdict}


DIFFS = pd.DataFrame([
    row("z-policy", "revenue", 100_000, 110_000, (0.1, 0.05, 0.15), (10_000, 5_000, 15_000), 0.01, "better"),
    row("z-policy", "released_to_pool", 0, 12, (NAN, NAN, NAN), (12, 4, 20), 0.03, "worse"),
    row("z-policy", "won", 10, 10, (0.0, 0.0, 0.0), (0, 0, 0), 1.0, "no difference"),
    row("a-policy", "revenue", 100_000, 95_000, (-0.05, -0.2, 0.1), (-5_000, -20_000, 10_000), 0.6,
        "no difference"),
    row("a-policy", "released_to_pool", 0, 0, (NAN, NAN, NAN), (0, 0, 0), 1.0, "no difference"),
    row("a-policy", "won", 10, 9, (-0.1, -0.3, 0.1), (-1, -3, 1), 0.4, "no difference"),
])


def test_signed_percent_and_range():
    assert signed_percent(0.0931) == "+9.3%" and signed_percent(-0.2) == "-20.0%" and signed_percent(NAN) == "n/a"
    assert percent_range(-0.031, 0.111) == "-3.1% to +11.1%"


def test_comparison_table_keeps_the_comparisons_policy_order_and_the_kpis_order_asked():
    table = comparison_table(DIFFS, ["won", "revenue"])
    assert list(table.index) == [("z-policy", "won"), ("z-policy", "revenue"),
                                 ("a-policy", "won"), ("a-policy", "revenue")]
    assert list(table.columns) == ["baseline", "policy mean", "change", "95 % CI", "p (Holm)", "verdict"]
    assert table.loc[("z-policy", "revenue")].tolist() == ["100,000", "110,000", "+10.0%", "+5.0% to +15.0%",
                                                           0.01, "better"]
    assert analysis.comparison_table is comparison_table  # the notebooks' name for it


def test_a_zero_baseline_has_no_relative_change_unless_absolute_is_asked():
    relative = comparison_table(DIFFS, ["released_to_pool"]).loc[("z-policy", "released_to_pool")]
    assert (relative["change"], relative["95 % CI"]) == ("n/a", "n/a to n/a")
    absolute = comparison_table(DIFFS, ["released_to_pool"], absolute_when_baseline_is_zero=True)
    assert absolute.loc[("z-policy", "released_to_pool"), ["change", "95 % CI"]].tolist() == ["+12", "4 to 20"]


def test_text_shows_each_policys_moved_kpis_under_named_columns():
    text = format_comparison(DIFFS, baseline="base")
    z_block, a_block = text.split("\n\n")
    z_lines = z_block.splitlines()
    assert z_lines[0] == "z-policy vs base (n = 4 paired replications)"
    assert z_lines[1].split() == ["KPI", "base", "z-policy", "change", "95", "%", "CI", "p", "(Holm)"]
    revenue = next(line for line in z_lines if line.strip().startswith("revenue"))
    assert revenue.split() == ["revenue", "100,000", "110,000", "+10.0%", "+5.0%", "to", "+15.0%", "0.01",
                               "better", "▲"]
    pool = next(line for line in z_lines if line.strip().startswith("released_to_pool"))
    assert "+12" in pool and "4 to 20" in pool and "worse ▼" in pool
    assert "won" not in z_block  # not moved
    assert "released_to_pool" not in a_block and "won" in a_block


def test_text_says_so_when_a_policy_moves_nothing():
    unmoved = DIFFS[DIFFS["policy"] == "z-policy"].assign(diff=0.0)
    assert format_comparison(unmoved).endswith("no KPI differs from the baseline")
