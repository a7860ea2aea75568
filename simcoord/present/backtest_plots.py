"""Charts of a backtest (``simcoord.calibration.backtest``): each weekly KPI's real values against
the simulated 95 % band, the log distances of the model beside the naive forecast's, and the hours
of the day of the activities whose hours the model gets most wrong.

Same style as :mod:`simcoord.present.plots` (slide size, large type, Okabe-Ito colours); each
function returns a matplotlib Figure.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from simcoord.calibration.backtest import BacktestResult
from simcoord.experiments.experiment import kpi_range
from simcoord.present.plots import BETTER, NEUTRAL, OKABE_ITO, WORSE, _kpi_formatter, _slide, kpi_label

#: How many activities the hours-of-the-day chart and table show (those adding most to the circadian distance).
HOURS_ACTIVITIES = 6
#: What each distance measures, for its panel's axis (see ``calibration.distances``).
DISTANCE_LABELS = {
    "ngram_3": "3-gram distance (0-1)", "absolute_event": "Absolute event distance (hours)",
    "relative_event": "Relative event distance (hours)", "circadian_event": "Circadian event distance (hours)",
    "case_arrival": "Case arrival distance (hours)", "cycle_time": "Cycle time distance (hours)",
}


def _band_panel(ax, rows: pd.DataFrame, kpi: str) -> None:
    """One KPI's weeks: the simulated band and median, the real values, those outside marked."""
    weeks = pd.to_datetime(rows["week_start"])
    least, most = kpi_range(kpi)  # a band from few replications may reach past what the KPI can be
    ax.fill_between(weeks, rows["low"].clip(least, most), rows["high"].clip(least, most), color=OKABE_ITO[4],
                    alpha=0.35, label="simulated 95 % band")
    ax.plot(weeks, rows["median"], color=OKABE_ITO[0], linestyle="--", label="simulated median")
    ax.plot(weeks, rows["real"], color="black", marker="o", label="real")
    outside = rows["inside"].eq(False).to_numpy()
    ax.plot(weeks[outside], rows["real"][outside], linestyle="none", marker="o", markersize=11,
            markerfacecolor="none", markeredgecolor=WORSE, markeredgewidth=2, label="real, outside the band")
    ax.set_ylabel(kpi_label(kpi))
    ax.yaxis.set_major_formatter(_kpi_formatter(kpi))
    ticks = weeks.iloc[:: max(1, math.ceil(len(weeks) / 6))]  # at most six week starts, readable
    ax.set_xticks(ticks, [day.strftime("%d %b") for day in ticks])


def _share_text(rows: pd.DataFrame) -> str:
    known = rows["inside"].dropna().astype(bool)
    return f"{known.sum()} of {len(known)} weeks inside"


def kpi_band(result: BacktestResult, kpi: str) -> Figure:
    """One weekly KPI over the held-out weeks: the real value against the simulated 95 % band."""
    rows = result.weekly[result.weekly["kpi"] == kpi]
    if rows.empty:
        raise ValueError(f"the backtest has no weekly KPI {kpi!r}; it has {', '.join(result.weekly['kpi'].unique())}")
    with _slide() as (fig, axes):
        _band_panel(axes[0], rows, kpi)
        axes[0].set_xlabel("week starting")
        axes[0].legend(loc="best")
        axes[0].set_title(f"{kpi_label(kpi)}: real weeks against {result.replications} simulations "
                          f"({_share_text(rows)})")
    return fig


def kpi_bands(result: BacktestResult) -> Figure:
    """Every weekly KPI, one panel each: the real value against the simulated 95 % band."""
    kpis = list(dict.fromkeys(result.weekly["kpi"]))
    ncols = 4
    nrows = math.ceil(len(kpis) / ncols)
    with _slide(nrows, ncols, figsize=(16.0, 3.2 * nrows)) as (fig, axes):
        for ax, kpi in zip(axes, kpis):
            rows = result.weekly[result.weekly["kpi"] == kpi]
            _band_panel(ax, rows, kpi)
            ax.set_title(_share_text(rows), fontsize="medium")
            ax.set_ylabel(kpi_label(kpi), fontsize="small")
        for ax in axes[len(kpis):]:
            ax.set_visible(False)
        _legend_aside(axes, len(kpis))
        fig.suptitle(f"Held-out weeks from {result.window.cutoff} against {result.replications} simulations "
                     f"({result.share_inside:.0%} of the values inside the 95 % band)")
    return fig


def _legend_aside(axes: list, used: int) -> None:
    """The first panel's legend in the first empty panel, where it covers no data (else in the first)."""
    if used < len(axes):
        spare = axes[used]
        spare.set_visible(True)
        spare.axis("off")
        spare.legend(*axes[0].get_legend_handles_labels(), loc="center", fontsize="medium")
    else:
        axes[0].legend(loc="best", fontsize="small")


def distances_against_naive(result: BacktestResult) -> Figure:
    """Each log distance (lower is closer to the real log): the model's mean and 95 % interval over
    replications beside the naive forecast's value, one panel each (their units differ)."""
    table = result.distance_table()
    with _slide(2, math.ceil(len(table) / 2), figsize=(16.0, 8.0)) as (fig, axes):
        for ax, (key, row) in zip(axes, table.iterrows()):
            error = np.array([[row["model_mean"] - row["model_low"]], [row["model_high"] - row["model_mean"]]])
            colour = BETTER if row["model_better"] else WORSE
            ax.bar([0, 1], [row["model_mean"], row["naive"]], color=[colour, NEUTRAL], alpha=0.8)
            ax.errorbar([0], [row["model_mean"]], yerr=np.nan_to_num(error), color="black", capsize=8)
            ax.set_xticks([0, 1], ["model", "naive"])
            ax.set_title(DISTANCE_LABELS.get(key, key), fontsize="medium")
        clearly = int(table["clearly_better"].sum())
        fig.suptitle(f"Distance to the real log from {result.window.cutoff} (lower is closer):\nthe model's mean "
                     f"is closer than the naive forecast on {result.distances_better} of {len(table)}, its whole "
                     f"95 % interval on {clearly}\n(model: blue where its mean is closer, orange where further; "
                     f"grey: the naive forecast;\nblack: the model's 95 % interval over {result.replications} "
                     "replications)")
    return fig


def hours_by_activity(result: BacktestResult, activities: int = HOURS_ACTIVITIES) -> Figure:
    """The ``activities`` real activities that add most to the circadian distance (share of the
    real log's times x hours apart), one panel each: the share of the activity's times in each
    hour of the day, real against the replications pooled and the naive forecast."""
    apart = result.hours_by_activity().head(activities)
    profiles = result.hour_profiles().set_index("activity")
    ncols = min(3, len(apart))
    nrows = math.ceil(len(apart) / ncols)
    with _slide(nrows, ncols, figsize=(16.0, 3.6 * nrows)) as (fig, axes):
        for ax, (activity, row) in zip(axes, apart.iterrows()):
            shares = profiles.loc[[activity]]
            ax.plot(shares["hour"], shares["real"], color="black", marker="o", markersize=4, label="real")
            ax.plot(shares["hour"], shares["model"], color=BETTER, linewidth=2.5, label="model")
            ax.plot(shares["hour"], shares["naive"], color=NEUTRAL, linestyle="--", label="naive forecast")
            ax.set_title(f"{activity}: {row['real_share']:.0%} of the real times\nmodel "
                         f"{row['model_hours_apart']:.2f} h apart, naive {row['naive_hours_apart']:.2f} h",
                         fontsize="medium")
            ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=None))
            ax.set_xticks(range(0, 25, 3))
        for ax in axes[len(apart):]:
            ax.set_visible(False)
        for column in range(ncols):  # below the lowest panel shown in each column
            axes[max(range(column, len(apart), ncols))].set_xlabel("hour of the day")
        for ax in axes[::ncols]:
            ax.set_ylabel("share of its times")
        axes[0].legend(loc="best", fontsize="small")
        fig.suptitle(f"When in the day each activity happens, from {result.window.cutoff}:\nthe activities that "
                     f"add most to the model's circadian distance (share of the real times x hours apart)")
    return fig
