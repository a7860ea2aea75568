"""The fit report: every fitted value against the data it came from, and a table of every value.

One self-contained HTML page (its charts embedded as base64 PNG, also saved beside it): for each
fitted estimate with data, a chart in the house style of :mod:`simcoord.present.plots`:

- a distribution (``{"dist": ..}``): the data's histogram against the fitted distribution's
  density (drawn from its sampler), and both empirical distribution functions;
- a profile (weekday, hour of day, month): the observed factors with 95 % intervals against the
  fitted ones;
- a rate per week (leads per week, staff): the weekly values with the fitted line and interval;
- the response decay: the qualification rate in bins of hours to first touch against the curve;
- working hours: work starts by hour of the day with the fitted window;
- any other number with observations: their histogram with the fitted value.

The table lists every estimate: path, value, fitted or assumed, basis, n and interval.
"""

from __future__ import annotations

import base64
import html
import io
import re
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator
from statsmodels.stats.proportion import proportion_confint

from simcoord.calibration.estimates import Estimate
from simcoord.model.sales import response_multiplier
from simcoord.present.plots import FONT_SIZE, NEUTRAL, OKABE_ITO, _slide
from simcoord.present.tables import readable_number
from simcoord.scenario.distributions import Distribution

REPORT_FILE = "fit-report.html"
FITTED_COLOUR, DATA_COLOUR = OKABE_ITO[3], OKABE_ITO[0]
SAMPLER_DRAWS = 20_000
DECAY_BINS = 12
PERIOD_LABELS = {
    "weekly_profile": ("weekday", ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]),
    "hourly_profile": ("hour of the local day", [str(hour) for hour in range(24)]),
    "seasonal_profile": ("month", ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]),
}
WEEKLY_SERIES = {"leads_per_week": "leads arriving in the week", "staff": "people starting work in the week"}
#: Estimates drawn in another's chart (the decay's floor with its half-life, the day's end with its start).
DRAWN_WITH = {"funnel.response_decay.floor", "calendar.day_end_hour"}
PAGE_STYLE = """body{font-family:system-ui,sans-serif;max-width:1200px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;font-size:0.9em}th,td{border:1px solid #ccc;padding:4px 8px;text-align:left;
vertical-align:top}th{background:#f2f2f2}tr.assumed td{background:#fff6e5}img{max-width:100%}
figure{margin:2em 0}figcaption{color:#555;font-size:0.9em}"""


def write_fit_report(estimates: Sequence[Estimate], out_dir: Path, title: str) -> Path:
    """Write the fit report of ``estimates`` to ``out_dir`` (created if missing): the page
    ``fit-report.html`` and one PNG per chart. Returns the page's path."""
    charts = [(estimate, png_bytes(figure)) for estimate in estimates
              if (figure := chart(estimate, estimates)) is not None]  # all drawn before anything is written
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for estimate, png in charts:
        (out_dir / f"{file_name(estimate.path)}.png").write_bytes(png)
    sections = [figure_html(estimate, png) for estimate, png in charts]
    page = out_dir / REPORT_FILE
    partial = page.with_suffix(".html.partial")
    partial.write_text(page_html(title, estimates, sections), encoding="utf-8")
    partial.replace(page)  # whole or not at all
    return page


# --------------------------------------------------------------------------- which chart
def chart(estimate: Estimate, estimates: Sequence[Estimate]) -> Figure | None:
    """The chart of one estimate, or None (assumed, no data, or drawn in another's chart)."""
    if estimate.assumed or estimate.data.size == 0 or estimate.path in DRAWN_WITH:
        return None
    leaf = estimate.path.rsplit(".", 1)[-1]
    if isinstance(estimate.value, dict) and "dist" in estimate.value:
        return distribution_chart(estimate)
    special: dict[str, Callable[[], Figure]] = {
        "half_life_hours": lambda: decay_chart(estimate, sibling(estimates, "funnel.response_decay.floor")),
        "day_start_hour": lambda: hours_chart(estimate, sibling(estimates, "calendar.day_end_hour")),
    }
    if leaf in special:
        return special[leaf]()
    if leaf in PERIOD_LABELS and estimate.data.ndim == 2:
        return profile_chart(estimate, *PERIOD_LABELS[leaf])
    if leaf in WEEKLY_SERIES and estimate.data.ndim == 1:
        return weekly_chart(estimate, WEEKLY_SERIES[leaf])
    if np.isscalar(estimate.value) and estimate.data.ndim == 1:
        return value_chart(estimate)
    return None


def sibling(estimates: Sequence[Estimate], path: str) -> Estimate | None:
    """The estimate of ``path`` among ``estimates``, if any."""
    return next((estimate for estimate in estimates if estimate.path == path), None)


def unit_of(path: str) -> str:
    """The unit a value at ``path`` is in, from its name."""
    leaf = path.rsplit(".", 1)[-1]
    for word, unit in (("hours", "hours"), ("days", "days"), ("value", "money"), ("cost", "money per hour")):
        if word in leaf or word in path.split(".")[-2:-1]:
            return unit
    return "value"


def readable_path(path: str) -> str:
    """``funnel.stages.0.work_hours`` -> ``funnel stages 0 work hours``: a chart's title."""
    return path.replace(".", " › ").replace("_", " ")


# --------------------------------------------------------------------------- charts
def distribution_chart(estimate: Estimate) -> Figure:
    """Histogram and ECDF of the data against the fitted distribution (drawn from its sampler)."""
    data = np.asarray(estimate.data, dtype=float).ravel()
    fitted = Distribution.model_validate(estimate.value)
    sampler, rng = fitted.sampler(), np.random.default_rng(0)
    draws = np.array([sampler(rng) for _ in range(SAMPLER_DRAWS)])
    unit = unit_of(estimate.path)
    with _slide(1, 2) as (fig, (histogram, ecdf)):
        upper = float(np.quantile(np.concatenate([data, draws]), 0.99)) or 1.0
        bins = np.linspace(0.0, upper, 40)
        histogram.hist(data, bins=bins, density=True, color=DATA_COLOUR, alpha=0.6, label=f"data (n = {len(data):,})")
        histogram.hist(draws, bins=bins, density=True, histtype="step", linewidth=2.5, color=FITTED_COLOUR,
                       label=f"fitted: {describe(estimate.value)}")
        histogram.set(xlabel=f"{unit} (up to the 99th percentile)", ylabel=f"density (per {unit})")
        histogram.legend(loc="upper right")
        for values, colour, label in ((data, DATA_COLOUR, "data"), (draws, FITTED_COLOUR, "fitted")):
            ecdf.ecdf(values, color=colour, linewidth=2.2, label=label)
        ecdf.set(xlim=(0, upper), xlabel=unit, ylabel="share of values at or below")
        ecdf.legend(loc="lower right")
        fig.suptitle(readable_path(estimate.path))
    return fig


def profile_chart(estimate: Estimate, axis_label: str, labels: list[str]) -> Figure:
    """Observed factor per period (mean with 95 % interval over its occurrences) against the fitted."""
    period, count = estimate.data[:, 0].astype(int), estimate.data[:, 1].astype(float)
    means = np.array([count[period == p].mean() for p in range(len(labels))])
    errors = np.array([1.96 * count[period == p].std(ddof=1) / np.sqrt(max((period == p).sum(), 1))
                       if (period == p).sum() > 1 else 0.0 for p in range(len(labels))])
    scale = means.mean()
    with _slide() as (fig, (ax,)):
        positions = np.arange(len(labels))
        ax.bar(positions, estimate.value, color=FITTED_COLOUR, alpha=0.35, label="fitted factor")
        ax.errorbar(positions, means / scale, yerr=errors / scale, fmt="o", color=DATA_COLOUR, capsize=4,
                    markersize=7, label="observed (mean and 95 % interval over the days)")
        ax.axhline(1.0, color=NEUTRAL, linestyle="--", linewidth=1.2)
        ax.set_xticks(positions, labels)
        ax.set(xlabel=axis_label, ylabel="relative arrival rate (mean 1)",
               title=f"{readable_path(estimate.path)} (n = {estimate.n:,} arrivals)")
        ax.legend(loc="upper left")
    return fig


def weekly_chart(estimate: Estimate, what: str) -> Figure:
    """Values per week of the window with the fitted value and its 95 % interval."""
    weeks = np.arange(1, len(estimate.data) + 1)
    with _slide() as (fig, (ax,)):
        ax.plot(weeks, estimate.data, "o-", color=DATA_COLOUR, linewidth=1.5, markersize=6, label=what)
        ax.axhline(float(estimate.value), color=FITTED_COLOUR, linewidth=2.5, label=f"fitted: {describe(estimate.value)}")
        if estimate.interval is not None:
            ax.axhspan(*estimate.interval, color=FITTED_COLOUR, alpha=0.15, label="95 % interval")
        ax.set(xlabel="week of the window", ylabel=what, title=readable_path(estimate.path))
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylim(bottom=0)
        ax.legend(loc="lower left")
    return fig


#: The response-decay chart's axis is linear over this many half-lives (at most 1 h), log beyond.
DECAY_LINEAR_HALF_LIVES = 5


def decay_chart(half_life: Estimate, floor: Estimate | None) -> Figure:
    """Qualification rate per bin of hours to first touch (95 % Wilson intervals) and the fitted
    curve, scaled to the data's mean rate (the chance at an immediate touch is not a scenario value)."""
    hours, qualified = half_life.data[:, 0], half_life.data[:, 1]
    floor_value = float(floor.value) if floor is not None else 0.0
    multiplier = np.vectorize(lambda t: response_multiplier(t, float(half_life.value), floor_value))
    at_once = qualified.mean() / multiplier(hours).mean()
    edges = np.unique(np.quantile(hours, np.linspace(0, 1, DECAY_BINS + 1)))
    which = np.clip(np.searchsorted(edges, hours, side="right") - 1, 0, len(edges) - 2)
    with _slide() as (fig, (ax,)):
        for b in range(len(edges) - 1):
            successes, total = int(qualified[which == b].sum()), int((which == b).sum())
            low, high = proportion_confint(successes, total, method="wilson")
            centre = float(np.median(hours[which == b]))
            ax.errorbar(centre, successes / total, yerr=[[successes / total - low], [high - successes / total]],
                        fmt="o", color=DATA_COLOUR, capsize=4, markersize=7, label="observed" if b == 0 else None)
        top = max(float(np.quantile(hours, 0.99)), 1.0)
        linear = float(np.clip(DECAY_LINEAR_HALF_LIVES * float(half_life.value), 0.01, 1.0))
        grid = np.concatenate([np.linspace(0, linear, 100), np.geomspace(linear, top, 200)])
        ax.plot(grid, at_once * multiplier(grid), color=FITTED_COLOUR, linewidth=2.5,
                label=f"fitted (scaled to the data's mean): half-life {half_life.value:.3g} h, levels off at "
                      f"{floor_value:.2f} x the share at once ({at_once * floor_value:.0%})")
        ax.set_xscale("symlog", linthresh=linear)  # linear over the decay itself, log over the long waits
        ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
        ax.set(xlabel=f"hours from hand-over to first touch (log scale above {linear:.2g} h)",
               ylabel="share qualified",
               title=f"Response decay (n = {half_life.n:,} leads; points: bins of equal size)")
        ax.legend(loc="best")
    return fig


def hours_chart(start: Estimate, end: Estimate | None) -> Figure:
    """Work starts by hour of the local day, with the fitted working window shaded."""
    with _slide() as (fig, (ax,)):
        ax.hist(np.asarray(start.data, dtype=float), bins=np.arange(25), color=DATA_COLOUR, alpha=0.75,
                label=f"work starts (n = {start.n:,})")
        window_end = float(end.value) if end is not None else 24.0
        ax.axvspan(float(start.value), window_end, color=FITTED_COLOUR, alpha=0.12,
                   label=f"fitted working window {start.value:g}-{window_end:g} h")
        ax.set_xticks(range(0, 25, 2))
        ax.set(xlabel="hour of the local day", ylabel="work starts in the hour", xlim=(0, 24),
               title="Working hours: when work is started")
        ax.legend(loc="upper left")
    return fig


def value_chart(estimate: Estimate) -> Figure:
    """Histogram of the observations with the fitted value (and its interval)."""
    unit = unit_of(estimate.path)
    with _slide() as (fig, (ax,)):
        ax.hist(np.asarray(estimate.data, dtype=float), bins=30, color=DATA_COLOUR, alpha=0.7,
                label=f"observations (n = {len(estimate.data):,})")
        ax.axvline(float(estimate.value), color=FITTED_COLOUR, linewidth=2.5, label=f"fitted: {describe(estimate.value)}")
        if estimate.interval is not None:
            ax.axvspan(*estimate.interval, color=FITTED_COLOUR, alpha=0.15, label="95 % interval")
        ax.set(xlabel=unit, ylabel="count", title=readable_path(estimate.path))
        ax.legend(loc="upper right")
    return fig


# --------------------------------------------------------------------------- the page
def describe(value: object) -> str:
    """A value as the table shows it: numbers readable, distributions by their parameters,
    long lists shortened."""
    if isinstance(value, dict) and "dist" in value:
        return value["dist"] + " " + ", ".join(f"{k} {describe(v)}" for k, v in value.items() if k != "dist")
    if isinstance(value, dict):
        return ", ".join(f"{k}: {describe(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        shown = [describe(v) for v in value]
        return "[" + ", ".join(shown if len(shown) <= 12 else shown[:6] + [f"… {len(shown)} values"]) + "]"
    if isinstance(value, (bool, np.bool_)) or value is None:
        return str(value)
    if isinstance(value, (int, float, np.number)):
        return readable_number(float(value)) if isinstance(value, (float, np.floating)) else f"{int(value):,}"
    return str(value)


def table_html(estimates: Sequence[Estimate]) -> str:
    """Every estimate, one row each; assumed rows are shaded."""
    head = "".join(f"<th>{word}</th>" for word in ("scenario path", "value", "fitted or assumed", "basis", "n", "95 % interval"))
    rows = []
    for e in estimates:
        interval = "" if e.interval is None else f"{describe(float(e.interval[0]))} to {describe(float(e.interval[1]))}"
        cells = (e.path, describe(e.value), e.source, e.basis, f"{e.n:,}" if e.n else "", interval)
        rows.append(f'<tr class="{e.source}">' + "".join(f"<td>{html.escape(str(c))}</td>" for c in cells) + "</tr>")
    return f"<table><tr>{head}</tr>{''.join(rows)}</table>"


def figure_html(estimate: Estimate, png: bytes) -> str:
    """One chart, embedded, with its basis as the caption."""
    source = base64.b64encode(png).decode("ascii")
    return (f'<figure><img alt="{html.escape(estimate.path)}" src="data:image/png;base64,{source}">'
            f"<figcaption>{html.escape(estimate.path)}: {html.escape(estimate.basis)}</figcaption></figure>")


def page_html(title: str, estimates: Sequence[Estimate], sections: list[str]) -> str:
    """The whole page: the count of fitted and assumed values, the charts, the table."""
    assumed = sum(estimate.assumed for estimate in estimates)
    summary = (f"{len(estimates)} values: {len(estimates) - assumed} fitted from the log, {assumed} assumed "
               f"(shaded in the table, each with why the log cannot tell).")
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f"<style>{PAGE_STYLE}</style></head><body><h1>{html.escape(title)}</h1><p>{html.escape(summary)}</p>"
            f"<h2>Fitted values against the data</h2>{''.join(sections) or '<p>No fitted value has data to show.</p>'}"
            f"<h2>Every value</h2>{table_html(estimates)}</body></html>")


def png_bytes(figure: Figure) -> bytes:
    """The figure as PNG."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def file_name(path: str) -> str:
    """A safe file name for a dotted path."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", path)
