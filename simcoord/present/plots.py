"""Charts for notebooks and slides: one function per chart, each returns a matplotlib Figure.

Every chart has a fixed 16:9 size and large type (readable on a slide), a title, units on
its axes and the Okabe-Ito colour-blind-safe palette. Figures are created without pyplot,
so they are not kept alive by it; in a notebook the returned Figure displays itself.
Inputs are the tables of :mod:`simcoord.present.analysis` and of an experiment (tidy DataFrames).
"""

from __future__ import annotations

import math
from contextlib import contextmanager
from typing import Iterator, Sequence

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.ticker import FuncFormatter, PercentFormatter

from simcoord.experiments.experiment import kpi_range
from simcoord.experiments.stats import Selection
from simcoord.experiments.sweep import pareto_front
from simcoord.kpis import KPIS
from simcoord.kpis.format import display_name, display_unit

#: Okabe & Ito (2008): distinguishable with every common colour-vision deficiency.
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#F0E442", "#000000")
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")  # shapes too, so points differ without colour
BETTER, WORSE, NEUTRAL = "#0072B2", "#D55E00", "#7F7F7F"
SLIDE_SIZE = (12.0, 6.75)  # inches, 16:9
FONT_SIZE = 14
STYLE = {
    "font.size": FONT_SIZE, "axes.titlesize": FONT_SIZE + 4, "axes.labelsize": FONT_SIZE + 1,
    "legend.fontsize": FONT_SIZE - 1, "figure.titlesize": FONT_SIZE + 5,
    "axes.prop_cycle": mpl.cycler(color=OKABE_ITO), "axes.spines.top": False, "axes.spines.right": False,
    "axes.grid": True, "grid.alpha": 0.3, "figure.dpi": 100, "savefig.dpi": 100, "savefig.bbox": "tight",
}


@contextmanager
def _slide(nrows: int = 1, ncols: int = 1, figsize: tuple[float, float] = SLIDE_SIZE, **kwargs) -> Iterator[tuple[Figure, np.ndarray]]:
    """A Figure (not registered with pyplot) in the slide style, with its axes as an array."""
    with mpl.rc_context(STYLE):
        fig = Figure(figsize=figsize, layout="constrained")
        axes = np.atleast_1d(fig.subplots(nrows, ncols, squeeze=False, **kwargs)).ravel()
        yield fig, axes
        for ax in fig.axes:
            ax.tick_params(labelsize=FONT_SIZE - 1)


def kpi_label(kpi: str) -> str:
    """Axis label of a KPI: its display name with its unit, e.g. ``"Revenue (money)"``,
    ``"Hot lead within SLA (%)"``."""
    unit = KPIS[kpi].unit if kpi in KPIS else ""
    shown = "%" if unit == "fraction" else display_unit(kpi)
    name = display_name(kpi)
    return f"{name} ({shown})" if shown and not name.endswith(f"({shown})") else name  # "MQL quality (%)"


def _kpi_formatter(kpi: str):
    unit = KPIS[kpi].unit if kpi in KPIS else ""
    if unit == "fraction":
        return PercentFormatter(1.0, decimals=0)
    return FuncFormatter(lambda v, _: f"{v:,.0f}" if abs(v) >= 100 else f"{v:,.3g}")


def _label_bars_with_conversion(ax, values: np.ndarray, rates: np.ndarray) -> None:
    """Each funnel bar's count and, after the first step, its share of the step before."""
    for y, (value, rate) in enumerate(zip(values, rates)):
        note = f"{value:,.0f}" + ("" if math.isnan(rate) else f"  ({rate:.0%} of previous)")
        ax.text(value, y, "  " + note, va="center", fontsize=FONT_SIZE - 1)


def funnel(counts: pd.DataFrame, title: str = "Lead funnel") -> Figure:
    """Horizontal bars of leads per funnel step, annotated with the conversion from the step before.

    ``counts``: :func:`simcoord.present.analysis.funnel_counts` (index step, columns ``leads``, ``conversion``)."""
    with _slide() as (fig, (ax,)):
        values = counts["leads"].to_numpy(float)[::-1]
        ax.barh(list(counts.index)[::-1], values, color=OKABE_ITO[0])
        _label_bars_with_conversion(ax, values, counts["conversion"].to_numpy(float)[::-1])
        ax.set_xlim(0, values.max() * 1.45 if len(values) and values.max() > 0 else 1)
        ax.set_xlabel("leads (distinct, over the horizon)")
        ax.set_ylabel("funnel step")
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
        ax.grid(axis="y", visible=False)
        ax.set_title(title)
    return fig


def _grouped_sla_bars(ax, table: pd.DataFrame) -> None:
    """One bar series per column of ``table`` (SLAs bottom-up), labelled with its value when
    there are at most three series."""
    series = list(table.columns)
    height = 0.8 / max(len(series), 1)
    for i, column in enumerate(series):
        y = np.arange(len(table)) + (i - (len(series) - 1) / 2) * height
        values = table[column].to_numpy(float)[::-1]
        ax.barh(y, values, height=height, label=str(column), color=OKABE_ITO[i % len(OKABE_ITO)])
        if len(series) <= 3:
            for yy, v in zip(y, values):
                # one decimal: 89.9 % rounded to "90%" beside a 90 % target would read as met
                ax.text(0 if math.isnan(v) else v, yy, "  n/a" if math.isnan(v) else f"  {v:.1%}",
                        va="center", fontsize=FONT_SIZE - 2)


def sla_compliance(table: pd.DataFrame, target: float = 0.9, title: str = "SLA compliance vs target") -> Figure:
    """Grouped horizontal bars of SLA compliance (one series per column), a dashed target line.

    ``table``: :func:`simcoord.present.analysis.sla_table` (index SLA label, one column per run or
    policy, fractions in [0, 1]); ``target``: the compliance the company aims for (fraction)."""
    with _slide() as (fig, (ax,)):
        _grouped_sla_bars(ax, table)
        ax.axvline(target, color="black", linestyle="--", linewidth=1.5, label=f"target {target:.0%}")
        ax.set_yticks(np.arange(len(table)), list(table.index)[::-1])
        ax.set_xlim(0, 1.12)
        ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.set_xlabel("timers met within their limit (% of decided timers)")
        ax.grid(axis="y", visible=False)
        ax.legend(loc="lower right", framealpha=0.9)
        ax.set_title(title)
    return fig


def _verdict_colour(verdict: str) -> str:
    return BETTER if verdict == "better" else WORSE if verdict == "worse" else NEUTRAL


def _forest_panel(ax, rows: pd.DataFrame, estimate: str, low: str, high: str, verdict: str) -> None:
    """One KPI's panel: a point and CI bar per policy (``rows``, bottom-up), a line at zero."""
    est = rows[estimate].to_numpy(float)
    err = np.vstack([est - rows[low].to_numpy(float), rows[high].to_numpy(float) - est])
    for y, e, lo, hi, v in zip(range(len(rows)), est, err[0], err[1], rows[verdict]):
        ax.errorbar(e, y, xerr=[[lo], [hi]], fmt="o", color=_verdict_colour(v), capsize=4, markersize=7,
                    linewidth=2)
    ax.axvline(0, color="black", linewidth=1)
    if np.isnan(est).all():
        ax.text(0.5, 0.5, "no change to show\n(baseline mean is 0)", transform=ax.transAxes,
                ha="center", va="center", fontsize=FONT_SIZE - 1, color=NEUTRAL)
    ax.set_yticks(np.arange(len(rows)), list(rows.index))


def _interval_words(diffs: pd.DataFrame) -> str:
    """What the drawn intervals are, from ``Experiment.compare()``'s columns when present."""
    if "confidence" not in diffs or diffs["confidence"].dropna().nunique() != 1:
        return "the CI"
    policies = diffs["policy"].nunique()
    return (f"the simultaneous {100 * diffs['confidence'].dropna().iloc[0]:g} % CI "
            f"(Bonferroni over {policies} {'policy' if policies == 1 else 'policies'})")


def _verdict_legend(fig: Figure, interval: str) -> None:
    """What each colour means: the verdict, which follows whether the drawn interval excludes 0."""
    handles = [Line2D([], [], color=c, marker="o", linewidth=2, label=text) for c, text in
               ((BETTER, "better: CI excludes 0"), (WORSE, "worse: CI excludes 0"),
                (NEUTRAL, "not significant (CI includes 0), or a KPI without a direction"))]
    fig.legend(handles=handles, loc="outside lower center", ncols=3, framealpha=0.9,
               title=f"colour: the verdict, from {interval}", title_fontsize=FONT_SIZE - 1)


def _compact(value: float, _=None) -> str:
    """A tick in KPI units, short: ``-250k``, ``1.5M``, ``12``."""
    for size, suffix in ((1e6, "M"), (1e3, "k")):
        if abs(value) >= size:
            return f"{value / size:,.3g}{suffix}"
    return f"{value:,.3g}"


def _scale_axis(ax, kpi: str, scale: str) -> None:
    """The change axis of one KPI's panel in its scale: pp, % of the baseline, or KPI units."""
    if scale == "pp":
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{100 * v:+.0f}"))
        ax.set_xlabel("change (percentage points)")
    elif scale == "absolute":
        ax.xaxis.set_major_formatter(FuncFormatter(_compact))
        ax.set_xlabel(f"change ({KPIS[kpi].unit if kpi in KPIS else 'units'})")
    else:
        ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.set_xlabel("change (% of baseline)")


def forest(diffs: pd.DataFrame, kpis: Sequence[str] | None = None, estimate: str = "change",
           low: str = "change_lo", high: str = "change_hi", verdict: str = "verdict",
           title: str = "Change against the baseline (simultaneous 95 % CI)", ncols: int = 3) -> Figure:
    """Forest plot: one panel per KPI, one row per policy, the change and its interval.

    ``diffs``: ``Experiment.compare()``, or tidy rows per (policy, kpi) with ``estimate``,
    ``low``, ``high`` and ``verdict``; each panel is in its KPI's ``scale`` (percentage points,
    % of the baseline, or KPI units; relative when there is no ``scale`` column). Blue =
    better, vermillion = worse: with the defaults exactly the rows whose simultaneous interval
    excludes 0; grey = the rest. Draw the interval the verdict follows, or the colours lie."""
    kpis = list(dict.fromkeys(diffs["kpi"])) if kpis is None else list(kpis)
    ncols = min(ncols, len(kpis))
    nrows = math.ceil(len(kpis) / ncols)
    policies = list(dict.fromkeys(diffs["policy"]))[::-1]
    size = (SLIDE_SIZE[0], max(SLIDE_SIZE[1], 0.35 * len(policies) * nrows + 1.5))
    with _slide(nrows, ncols, figsize=size, sharey=True) as (fig, axes):
        for ax, kpi in zip(axes, kpis):
            rows = diffs[diffs["kpi"] == kpi].set_index("policy").reindex(policies)
            _forest_panel(ax, rows, estimate, low, high, verdict)
            scales = rows["scale"].dropna() if "scale" in rows else pd.Series(dtype=str)
            _scale_axis(ax, kpi, scales.iloc[0] if len(scales) else "relative")
            ax.set_title(display_name(kpi), fontsize=FONT_SIZE + 1)
        for ax in axes[len(kpis):]:
            ax.set_visible(False)
        _verdict_legend(fig, _interval_words(diffs))
        fig.suptitle(title)
    return fig


def _policy_points(ax, points: pd.DataFrame, x: str, y: str, label: str, xerr: str | None,
                   yerr: str | None) -> None:
    """One marker per policy, in its own colour and shape, with its CI bars if given."""
    for i, (_, row) in enumerate(points.iterrows()):
        ax.errorbar(row[x], row[y], xerr=None if xerr is None else row[xerr],
                    yerr=None if yerr is None else row[yerr], fmt=MARKERS[i % len(MARKERS)],
                    markersize=12, capsize=4, markeredgecolor="white", elinewidth=1.2, alpha=0.9,
                    color=OKABE_ITO[i % len(OKABE_ITO)], label=str(row[label]))


def _identical_points_merged(points: pd.DataFrame, x: str, y: str, label: str) -> pd.DataFrame:
    """One row per distinct (x, y), its label every policy there (``baseline = war-room``): a
    policy that changed nothing would otherwise hide under the baseline's marker."""
    merged = points.groupby([x, y], sort=False, dropna=False, as_index=False).first()
    names = points.groupby([x, y], sort=False, dropna=False)[label].agg(lambda names: " = ".join(map(str, names)))
    return merged.assign(**{label: names.to_numpy()})[points.columns]


def pareto(points: pd.DataFrame, x: str = "staff_cost", y: str = "revenue", label: str = "policy",
           xerr: str | None = None, yerr: str | None = None, title: str | None = None) -> Figure:
    """Scatter of two KPIs (one point per policy), the Pareto front drawn as a step line.

    ``points``: one row per policy with columns ``label``, ``x``, ``y`` (and optionally the CI
    half-widths ``xerr``/``yerr``). Directions come from :data:`simcoord.KPIS`
    (:func:`simcoord.experiments.sweep.pareto_front`)."""
    points = _identical_points_merged(points, x, y, label)
    on_front = pareto_front(points, x, y)
    with _slide() as (fig, (ax,)):
        _policy_points(ax, points, x, y, label, xerr, yerr)
        ax.plot(on_front[x], on_front[y], color="black", linestyle="--", linewidth=1.5, label="Pareto front",
                drawstyle="steps-post" if len(on_front) > 1 else "default")
        ax.set_xlabel(kpi_label(x))
        ax.set_ylabel(kpi_label(y))
        ax.xaxis.set_major_formatter(_kpi_formatter(x))
        ax.yaxis.set_major_formatter(_kpi_formatter(y))
        ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), framealpha=0.9)
        ax.set_title(title or f"{kpi_label(y)} vs {kpi_label(x)}")
    return fig


def _cell_format(grid: pd.DataFrame, kpi: str) -> str:
    """Percent for a fraction KPI, whole numbers from 100 up, else two decimals."""
    unit = KPIS[kpi].unit if kpi in KPIS else ""
    return "{:.0%}" if unit == "fraction" else "{:,.0f}" if grid.abs().max().max() >= 100 else "{:,.2f}"


def _label_cells(ax, values: np.ndarray, fmt: str) -> None:
    """Each cell's value, dark on the light cells (above the mean) and light on the dark ones."""
    middle = np.nanmean(values) if np.isfinite(values).any() else 0.0
    for (i, j), v in np.ndenumerate(values):
        ax.text(j, i, "n/a" if math.isnan(v) else fmt.format(v), ha="center", va="center",
                fontsize=FONT_SIZE - 1, color="black" if v >= middle else "white")


def _tick_labels(levels: pd.Index) -> list[str]:
    return [f"{c:g}" if isinstance(c, float) else str(c) for c in levels]


def _mark_selection(ax, table: pd.DataFrame, grid: pd.DataFrame, x: str, y: str, selection: Selection,
                    kpi: str) -> None:
    """Outline the cells of the selected variant, or of every contender when none is selected:
    inside each cell, so a cell left out never looks outlined by its neighbours' edges."""
    chosen = [selection.best] if selection.best is not None else list(selection.contenders)
    cells = table[table["variant"].isin(chosen)]
    for xv, yv in zip(cells[x], cells[y]):
        i, j = list(grid.index).index(yv), list(grid.columns).index(xv)
        ax.add_patch(Rectangle((j - 0.44, i - 0.44), 0.88, 0.88, fill=False, edgecolor=WORSE, linewidth=4))
    ax.figure.legend(handles=[Rectangle((0, 0), 1, 1, fill=False, edgecolor=WORSE, linewidth=3,
                                        label=selection_caption(selection, kpi))],
                     loc="outside lower center", framealpha=0.9)


def selection_caption(selection: Selection, kpi: str | None = None) -> str:
    """What an outlined heatmap cell means, from the Kim-Nelson selection (``delta``: the
    indifference zone in KPI units, as passed; written in ``kpi``'s format when given)."""
    if kpi in KPIS and KPIS[kpi].unit == "fraction":
        delta = f"{100 * selection.delta:.1f} pp"
    else:  # whole units where they are large: 13,912, not 1.39e+04
        delta = f"{selection.delta:,.0f}" if abs(selection.delta) >= 100 else f"{selection.delta:.3g}"
    zone = f"indifference zone {delta}, {1 - selection.alpha:.0%}, n = {selection.n}"
    if selection.best is not None:
        return f"outlined: best (Kim-Nelson selection, {zone})"
    more = (f"about {selection.more_replications:,} more replications needed" if selection.more_replications
            else "identical results, more replications will not separate them")
    return f"outlined: cannot be separated ({zone}); {more}"


def heatmap(table: pd.DataFrame, kpi: str, x: str, y: str, value: str = "mean", title: str | None = None,
            fmt: str | None = None, selection: Selection | None = None) -> Figure:
    """Heatmap of a KPI over two sweep factors, each cell annotated with its value.

    ``table``: tidy rows with columns ``x``, ``y`` (factor values) and ``value`` (e.g. the mean
    over replications) for ``kpi``. Colour map cividis (colour-blind safe, light = high).
    ``selection``: ``SweepResult.best(kpi, ...)``; with a ``variant`` column in ``table`` it
    outlines the best cell, or every cell the replications cannot yet separate from it, and
    says which in a legend. No cell is marked best without it."""
    grid = table.pivot_table(index=y, columns=x, values=value, aggfunc="mean").sort_index(ascending=False)
    with _slide() as (fig, (ax,)):
        image = ax.imshow(grid.to_numpy(float), cmap="cividis", aspect="auto")
        bar = fig.colorbar(image, ax=ax)
        bar.set_label(kpi_label(kpi))
        bar.ax.yaxis.set_major_formatter(_kpi_formatter(kpi))
        _label_cells(ax, grid.to_numpy(float), fmt or _cell_format(grid, kpi))
        ax.set_xticks(range(grid.shape[1]), _tick_labels(grid.columns))
        ax.set_yticks(range(grid.shape[0]), _tick_labels(grid.index))
        ax.set_xlabel(_factor_label(x))
        ax.set_ylabel(_factor_label(y))
        ax.grid(False)
        if selection is not None and "variant" in table:
            _mark_selection(ax, table, grid, x, y, selection, kpi)
        ax.set_title(title or f"{kpi_label(kpi)} by {_factor_label(x)} and {_factor_label(y)}")
    return fig


def _factor_label(path: str) -> str:
    """``policy.sla.first_touch.hours`` -> ``first touch (hours)``,
    ``policy.meetings.0.every_days`` -> ``meetings every (days)``."""
    parts = [p for p in path.split(".") if p not in ("policy", "sla", "incentives") and not p.isdigit()]
    label = " ".join(parts[-2:]).replace("_", " ")
    for unit in ("hours", "days"):
        if label.endswith(f" {unit}"):
            return f"{label[: -len(unit) - 1]} ({unit})"
    return label


def _open_leads_panel(ax, states: pd.DataFrame) -> None:
    """Leads open in nurture, sales and the public pool (the states that ever hold one)."""
    open_states = [s for s in ("nurture", "sales", "public pool") if s in states and states[s].any()]
    for i, state in enumerate(open_states):
        ax.plot(states.index, states[state], label=state, linewidth=2.2, color=OKABE_ITO[i])
    ax.set_ylabel("open leads")
    ax.legend(loc="upper left", ncols=3, framealpha=0.9)
    ax.set_title("leads open, by where they wait", fontsize=FONT_SIZE + 1)


def _backlog_panel(ax, backlog: pd.DataFrame) -> None:
    """Tasks queued per department, in colours other than the open-leads panel's."""
    for i, department in enumerate(backlog.columns):
        ax.plot(backlog.index, backlog[department], label=department, linewidth=2,
                color=OKABE_ITO[(i + 3) % len(OKABE_ITO)])
    ax.set_ylabel("queued tasks")
    ax.legend(loc="upper left", ncols=4, framealpha=0.9)
    ax.set_title("tasks waiting for staff, per department", fontsize=FONT_SIZE + 1)


def wip_backlog(states: pd.DataFrame, backlog: pd.DataFrame | None = None,
                title: str = "Work in progress and backlog") -> Figure:
    """Time series: open leads by state (top) and queued tasks per department (bottom).

    ``states``: :func:`simcoord.present.analysis.lead_states` (index day); only the open states
    (nurture, sales, public pool) are drawn. ``backlog``: :func:`simcoord.present.analysis.work_backlog`."""
    with _slide(1 if backlog is None else 2, 1, sharex=True) as (fig, axes):
        _open_leads_panel(axes[0], states)
        if backlog is not None:
            _backlog_panel(axes[1], backlog)
        axes[-1].set_xlabel("day of the run (days)")
        fig.suptitle(title)
    return fig


def _top_activities(table: pd.DataFrame, top: int) -> pd.DataFrame:
    """The ``top`` first columns, and the rest summed as ``other``."""
    kept = list(table.columns[:top])
    data = table[kept].copy()
    if table.shape[1] > top:
        data["other"] = table.drop(columns=kept).sum(axis=1)
    return data


def _stacked_bars(ax, data: pd.DataFrame) -> None:
    """One horizontal bar per row, stacked by column; ``other`` in grey."""
    left = np.zeros(len(data))
    for i, activity in enumerate(data.columns):
        values = data[activity].to_numpy(float)
        ax.barh(list(data.index), values, left=left, label=activity.replace("_", " "),
                color=NEUTRAL if activity == "other" else OKABE_ITO[i % len(OKABE_ITO)])
        left += values


def workload(table: pd.DataFrame, top: int = 7, title: str = "Workload per department") -> Figure:
    """Stacked horizontal bars of work hours per department, by activity (the ``top`` largest;
    the rest summed as "other"). ``table``: :func:`simcoord.present.analysis.workload`."""
    with _slide() as (fig, (ax,)):
        _stacked_bars(ax, _top_activities(table, top))
        ax.set_xlabel("work (person-hours over the horizon)")
        ax.set_ylabel("department")
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
        ax.grid(axis="y", visible=False)
        ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), framealpha=0.9)
        ax.set_title(title)
    return fig


def _series_name(name) -> str | None:
    if name is None:
        return None
    return f"{name:g}" if isinstance(name, (int, float, np.number)) else str(name)


def _effect_panel(ax, rows: pd.DataFrame, x: str, series: str | None, mean: str, low: str, high: str) -> None:
    """The mean against ``x`` with its CI band, one line per value of ``series`` (or one line)."""
    groups = [(None, rows)] if series is None else list(rows.groupby(series, sort=True))
    for i, (name, group) in enumerate(groups):
        group = group.sort_values(x)
        colour = OKABE_ITO[i % len(OKABE_ITO)]
        ax.plot(group[x], group[mean], marker=MARKERS[i % len(MARKERS)], linewidth=2, color=colour,
                markersize=8, label=_series_name(name))
        band_low, band_high = kpi_range(str(rows["kpi"].iloc[0])) if len(rows) else (-np.inf, np.inf)
        ax.fill_between(group[x], group[low].clip(band_low, band_high), group[high].clip(band_low, band_high),
                        color=colour, alpha=0.12)


def effect_lines(summary: pd.DataFrame, x: str, kpis: Sequence[str], series: str | None = None,
                 mean: str = "mean", low: str = "ci_lo", high: str = "ci_hi",
                 title: str = "Effect of the factor (mean, 95 % CI)", labels: dict[str, str] | None = None) -> Figure:
    """One panel per KPI: the mean over replications against factor ``x``, with its CI band;
    one line per value of ``series`` (a second factor) if given.

    ``summary``: tidy rows with columns ``kpi``, ``x``, ``mean``, ``low``, ``high`` (and ``series``).
    Bands are clipped to the KPI's possible range (shares in [0, 1], other KPIs at least 0;
    :func:`simcoord.experiments.experiment.kpi_range`); a cell without an interval (NaN
    bounds: too few replications) leaves a gap in the band.
    ``labels``: axis labels (with units) for rows whose ``kpi`` is not one of :data:`simcoord.KPIS`."""
    labels = labels or {}
    with _slide(1, len(kpis)) as (fig, axes):
        for ax, kpi in zip(axes, kpis):
            _effect_panel(ax, summary[summary["kpi"] == kpi], x, series, mean, low, high)
            ax.set_xlabel(_factor_label(x))
            ax.set_ylabel(labels.get(kpi, kpi_label(kpi)))
            ax.yaxis.set_major_formatter(_kpi_formatter(kpi))
            ax.set_title(display_name(kpi), fontsize=FONT_SIZE + 1)
        if series is not None:  # one legend serves every panel
            axes[0].legend(title=_factor_label(series), framealpha=0.9, title_fontsize=FONT_SIZE - 1)
        fig.suptitle(title)
    return fig
