"""The paired comparison of policies against a baseline as a readable table: one formatter for
the notebooks (a DataFrame) and the command line (text blocks, one per policy).

Input is ``Experiment.compare()``: one row per (policy, KPI) with the means, the difference
and its 95 % CI (absolute and relative to the baseline's mean), the Holm-adjusted p-value
and a verdict. Values are formatted by each KPI's unit (:func:`simcoord.kpis.format_value`).
"""

from __future__ import annotations

from typing import Sequence

import pandas as pd

from simcoord.kpis import format_value

#: How the command line marks a verdict (a direction-less KPI only goes higher or lower).
MARKS = {"better": "better ▲", "worse": "worse ▼", "higher": "higher", "lower": "lower", "no difference": ""}


def signed_percent(fraction: float) -> str:
    """A relative change as a signed percentage, ``+5.7%``; ``n/a`` when it is undefined (NaN)."""
    return "n/a" if pd.isna(fraction) else f"{fraction:+.1%}"


def percent_range(low: float, high: float) -> str:
    """A range of relative changes, ``-3.1% to +11.1%``."""
    return f"{signed_percent(low)} to {signed_percent(high)}"


def _change_and_interval(row, absolute_when_baseline_is_zero: bool) -> tuple[str, str]:
    """The change and its 95 % CI: relative, or in the KPI's unit when the baseline's mean is 0
    (no relative change exists) and ``absolute_when_baseline_is_zero``."""
    if pd.notna(row.rel_diff) or not absolute_when_baseline_is_zero:
        return signed_percent(row.rel_diff), percent_range(row.rel_lo, row.rel_hi)
    change = "+" * (row.diff > 0) + format_value(row.kpi, row.diff)
    return change, f"{format_value(row.kpi, row.diff_lo)} to {format_value(row.kpi, row.diff_hi)}"


def _in_order(diffs: pd.DataFrame, kpis: Sequence[str] | None) -> pd.DataFrame:
    """The rows of ``kpis`` (all if None): policies in the comparison's order, KPIs in the order given."""
    if kpis is None:
        return diffs
    rows = diffs[diffs["kpi"].isin(kpis)]
    policy_rank = {policy: i for i, policy in enumerate(dict.fromkeys(diffs["policy"]))}
    kpi_rank = {kpi: i for i, kpi in enumerate(kpis)}
    order = rows.assign(policy_rank=rows["policy"].map(policy_rank), kpi_rank=rows["kpi"].map(kpi_rank))
    return rows.loc[order.sort_values(["policy_rank", "kpi_rank"], kind="stable").index]


def comparison_table(diffs: pd.DataFrame, kpis: Sequence[str] | None = None,
                     absolute_when_baseline_is_zero: bool = False) -> pd.DataFrame:
    """An experiment's paired comparison (``Experiment.compare()``) as a slide table: per policy
    and KPI the baseline and policy means, the relative change with its 95 % CI, the
    Holm-adjusted p-value and the verdict (better / worse / higher / lower / no difference).

    ``kpis``: the KPIs to show, in this order (default: every KPI of ``diffs``). Where the
    baseline's mean is 0 the relative change is ``n/a``; ``absolute_when_baseline_is_zero``
    shows the absolute change instead. Index: (policy, kpi)."""
    rows = _in_order(diffs, kpis)
    changes = [_change_and_interval(row, absolute_when_baseline_is_zero) for row in rows.itertuples()]
    return pd.DataFrame({
        "policy": rows["policy"], "kpi": rows["kpi"],
        "baseline": [format_value(k, v) for k, v in zip(rows["kpi"], rows["baseline_mean"])],
        "policy mean": [format_value(k, v) for k, v in zip(rows["kpi"], rows["policy_mean"])],
        "change": [change for change, _ in changes], "95 % CI": [interval for _, interval in changes],
        "p (Holm)": rows["p_holm"].round(3), "verdict": rows["verdict"],
    }).set_index(["policy", "kpi"])


def _policy_block(policy: str, rows: pd.DataFrame, baseline: str) -> str:
    """One policy's KPIs that moved, as text under a title with its number of pairs."""
    pairs = int(rows["n"].max()) if rows["n"].notna().any() else 0
    title = f"{policy} vs {baseline} (n = {pairs} paired replications)"
    moved = rows[rows["diff"].fillna(0) != 0]
    if moved.empty:
        return f"{title}\nno KPI differs from the baseline"
    table = comparison_table(moved, absolute_when_baseline_is_zero=True).droplevel("policy")
    table = table.rename(columns={"baseline": baseline, "policy mean": policy, "verdict": ""})
    table[""] = table[""].map(MARKS)
    return f"{title}\n" + table.rename_axis("KPI").reset_index().to_string(index=False, na_rep="n/a")


def format_comparison(diffs: pd.DataFrame, baseline: str = "baseline") -> str:
    """The paired comparison as text for a terminal: per policy, every KPI it moved, with the
    change, its 95 % CI, the Holm-adjusted p-value and better/worse by the KPI's direction
    (the rows of :func:`comparison_table`; KPIs the policy did not move are left out)."""
    return "\n\n".join(_policy_block(str(policy), rows, baseline)
                       for policy, rows in diffs.groupby("policy", sort=False))
