"""The paired comparison of policies against a baseline as a readable table: one formatter for
the notebooks (a DataFrame) and the command line (text blocks, one per policy).

Input is ``Experiment.compare()``: one row per (policy, KPI) with the means, the change on its
scale (percentage points, percent of the baseline, or KPI units) with its simultaneous
(Bonferroni) interval, the adjusted p-value and a verdict that follows that interval. Values
are formatted by each KPI's unit (:func:`simcoord.kpis.format_value`).
"""

from __future__ import annotations

from typing import Any, Sequence

import pandas as pd

from simcoord.kpis import format_value
from simcoord.kpis.format import display_name

#: How the command line marks a verdict (a direction-less KPI only goes higher or lower).
MARKS = {"better": "better ▲", "worse": "worse ▼", "higher": "higher", "lower": "lower", "no difference": "",
         "too few replications": "too few replications"}


def readable_number(value: float) -> str:
    """How tables print a float: thousands separated and no decimals from 1,000 up, three
    significant digits below (``1,614,000``, ``17.7``, ``0.729``); for ``display.float_format``."""
    if value != value:  # nan
        return "NaN"
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.3g}"


def signed_percent(fraction: float) -> str:
    """A relative change as a signed percentage, ``+5.7%``; ``n/a`` when it is undefined (NaN)."""
    return "n/a" if pd.isna(fraction) else f"{fraction:+.1%}"


def percent_range(low: float, high: float) -> str:
    """A range of relative changes, ``-3.1% to +11.1%``."""
    return f"{signed_percent(low)} to {signed_percent(high)}"


def signed_points(difference: float) -> str:
    """A difference of two shares in percentage points, ``+34.7 pp``; ``n/a`` when NaN."""
    return "n/a" if pd.isna(difference) else f"{100 * difference:+.1f} pp"


def signed_value(kpi: str, difference: float) -> str:
    """A difference in the KPI's unit with its sign, ``+12`` or ``-3,500``; ``n/a`` when NaN."""
    if pd.isna(difference):
        return "n/a"
    return ("+" if difference > 0 else "") + format_value(kpi, difference)


def format_change(kpi: str, scale: str, value: float) -> str:
    """A change on its scale (``Experiment.compare``'s ``scale``): ``pp`` in percentage points,
    ``relative`` as a percentage of the baseline, ``absolute`` in the KPI's unit."""
    if scale == "pp":
        return signed_points(value)
    return signed_percent(value) if scale == "relative" else signed_value(kpi, value)


def interval_label(diffs: pd.DataFrame) -> str:
    """The heading of the change's interval, e.g. ``simultaneous 95 % CI``, from ``confidence``."""
    levels = diffs["confidence"].dropna().unique() if "confidence" in diffs else []
    return f"simultaneous {100 * levels[0]:g} % CI" if len(levels) == 1 else "simultaneous CI"


def change_and_interval(row: Any, kpi: str | None = None) -> tuple[str, str]:
    """A comparison row's change and its simultaneous interval, both on the row's scale
    (``+4.9 pp``, ``+1.3 pp to +8.5 pp``); ``kpi`` where the row does not carry it."""
    kpi = row.kpi if kpi is None else kpi
    low, high = (format_change(kpi, row.scale, bound) for bound in (row.change_lo, row.change_hi))
    return format_change(kpi, row.scale, row.change), f"{low} to {high}"


def _in_order(diffs: pd.DataFrame, kpis: Sequence[str] | None) -> pd.DataFrame:
    """The rows of ``kpis`` (all if None): policies in the comparison's order, KPIs in the order given."""
    if kpis is None:
        return diffs
    rows = diffs[diffs["kpi"].isin(kpis)]
    policy_rank = {policy: i for i, policy in enumerate(dict.fromkeys(diffs["policy"]))}
    kpi_rank = {kpi: i for i, kpi in enumerate(kpis)}
    order = rows.assign(policy_rank=rows["policy"].map(policy_rank), kpi_rank=rows["kpi"].map(kpi_rank))
    return rows.loc[order.sort_values(["policy_rank", "kpi_rank"], kind="stable").index]


def comparison_table(diffs: pd.DataFrame, kpis: Sequence[str] | None = None) -> pd.DataFrame:
    """An experiment's paired comparison (``Experiment.compare()``) as a slide table: per policy
    and KPI the baseline and policy means, the change on its scale (percentage points for
    shares, a percentage of the baseline, or KPI units for a baseline near 0 or rare counts)
    with its simultaneous interval, the Bonferroni-adjusted p-value and the verdict (better /
    worse / higher / lower exactly when that interval excludes 0; no difference otherwise).

    ``kpis``: the KPIs to show, in this order (default: every KPI of ``diffs``). Index: (policy, kpi)."""
    rows = _in_order(diffs, kpis)
    changes = [change_and_interval(row) for row in rows.itertuples()]
    return pd.DataFrame({
        "policy": rows["policy"], "kpi": rows["kpi"],
        "baseline": [format_value(k, v) for k, v in zip(rows["kpi"], rows["baseline_mean"])],
        "policy mean": [format_value(k, v) for k, v in zip(rows["kpi"], rows["policy_mean"])],
        "change": [change for change, _ in changes], interval_label(diffs): [interval for _, interval in changes],
        "p (Bonferroni)": rows["p_adj"].round(3), "verdict": rows["verdict"],
    }).set_index(["policy", "kpi"])


def unchanged(rows: pd.DataFrame) -> pd.Series:
    """Per row of ``Experiment.compare()``: is the KPI equal to the baseline's in every replication
    (a mean difference of 0 whose interval has no width)? Differences that cancel out to a mean
    of 0 are not unchanged: their interval has width."""
    return (rows["diff"].fillna(0) == 0) & ~(rows["diff_hi"] > rows["diff_lo"])


def _policy_block(policy: str, rows: pd.DataFrame, baseline: str) -> str:
    """One policy's KPIs that moved in any replication (not :func:`unchanged`), as text under a
    title with its number of pairs."""
    pairs = int(rows["n"].max()) if rows["n"].notna().any() else 0
    title = f"{policy} vs {baseline} (n = {pairs} paired replications)"
    moved = rows[~unchanged(rows)]
    if moved.empty:
        return f"{title}\nno KPI differs from the baseline"
    table = comparison_table(moved).droplevel("policy")
    table = table.rename(columns={"baseline": baseline, "policy mean": policy, "verdict": ""})
    table[""] = table[""].map(MARKS)
    table.index = table.index.map(display_name)
    return f"{title}\n" + table.rename_axis("KPI").reset_index().to_string(index=False, na_rep="n/a")


def format_comparison(diffs: pd.DataFrame, baseline: str = "baseline") -> str:
    """The paired comparison as text for a terminal: per policy, every KPI it moved, with the
    change, its simultaneous interval, the Bonferroni-adjusted p-value and better/worse by the
    KPI's direction (the rows of :func:`comparison_table`; KPIs equal to the baseline's in every
    replication are left out)."""
    return "\n\n".join(_policy_block(str(policy), rows, baseline)
                       for policy, rows in diffs.groupby("policy", sort=False))


#: The verdicts whose simultaneous interval excludes 0 (bold in :func:`markdown_table`).
SIGNIFICANT = frozenset({"better", "worse", "higher", "lower"})


def _markdown_cell(row: pd.Series) -> str:
    """``**+5.7%** [+3.0%, +8.1%]``: the change, bold when its simultaneous interval excludes 0."""
    change, interval = change_and_interval(row)
    mark = "**" if row.verdict in SIGNIFICANT else ""
    return f"{mark}{change}{mark} [{interval.replace(' to ', ', ')}]" if row.n >= 2 else "too few replications"


def markdown_table(diffs: pd.DataFrame, kpis: Sequence[str], labels: Sequence[str] | None = None) -> str:
    """A comparison (``Experiment.compare()``) as a Markdown table for the docs: one row per
    policy, one column per KPI of ``kpis`` (headed by ``labels``, default the KPI names), each
    cell the change on its scale with its simultaneous interval, bold where that interval
    excludes 0 (the verdict is better, worse, higher or lower)."""
    cells = {(row.policy, row.kpi): _markdown_cell(row) for row in _in_order(diffs, kpis).itertuples()}
    policies = list(dict.fromkeys(diffs["policy"]))
    lines = ["| policy | " + " | ".join(labels or kpis) + " |", "|---" * (len(kpis) + 1) + "|"]
    lines += [f"| {p} | " + " | ".join(cells.get((p, k), "n/a") for k in kpis) + " |" for p in policies]
    return "\n".join(lines)
