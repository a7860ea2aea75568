"""Each chart of simcoord.present.plots returns a Figure with the expected labels and series for a known input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from simcoord.experiments.stats import Selection
from simcoord.present import plots

POLICIES = ["sla-enforced", "weekly-sync", "shared-platform"]


def visible_axes(fig: Figure):
    return [ax for ax in fig.axes if ax.get_visible() and ax.get_label() != "<colorbar>"]


def test_funnel_one_bar_per_step_with_conversion_notes():
    counts = pd.DataFrame({"leads": [100, 40, 10], "conversion": [np.nan, 0.4, 0.25]},
                          index=["created", "qualified (SQL)", "won"])
    fig = plots.funnel(counts)
    (ax,) = visible_axes(fig)
    assert isinstance(fig, Figure)
    assert ax.get_xlabel() == "leads (distinct, over the horizon)"
    assert [p.get_width() for p in ax.patches] == [10, 40, 100]
    assert [t.get_text().strip() for t in ax.texts] == ["10  (25% of previous)", "40  (40% of previous)", "100"]
    assert tuple(fig.get_size_inches()) == plots.SLIDE_SIZE


def test_sla_compliance_one_series_per_column_and_a_target_line():
    table = pd.DataFrame({"baseline": [0.5, 0.8], "sla-enforced": [0.7, 0.95]},
                         index=["first touch (24 h)", "stage dwell (72 h)"])
    fig = plots.sla_compliance(table, target=0.9)
    (ax,) = visible_axes(fig)
    labels = ax.get_legend_handles_labels()[1]
    assert labels == ["target 90%", "baseline", "sla-enforced"]
    assert len(ax.patches) == 4
    assert "%" in ax.get_xlabel()
    assert [t.get_text() for t in ax.get_yticklabels()] == ["stage dwell (72 h)", "first touch (24 h)"]


def test_forest_one_panel_per_kpi_one_point_per_policy():
    rows = [{"policy": p, "kpi": k, "change": d, "change_lo": d - 0.02, "change_hi": d + 0.02,
             "scale": "pp" if k.endswith("_pct") else "relative", "confidence": 0.95,
             "verdict": "better" if d > 0.02 else "worse" if d < -0.02 else "no difference"}
            for k in ("revenue", "sla_first_touch_pct") for p, d in zip(POLICIES, (0.05, -0.01, -0.06))]
    fig = plots.forest(pd.DataFrame(rows))
    axes = visible_axes(fig)
    assert [ax.get_title() for ax in axes] == ["Revenue", "First touch within SLA"]
    assert axes[0].get_xlabel() == "change (% of baseline)"
    assert axes[1].get_xlabel() == "change (percentage points)"
    for ax in axes:
        assert len(ax.containers) == len(POLICIES)  # one errorbar per policy
        assert ax.get_yticks().tolist() == [0, 1, 2]
    assert [t.get_text() for t in axes[0].get_yticklabels()] == POLICIES[::-1]  # shared by the row
    colours = [c.lines[0].get_color() for c in axes[0].containers]
    assert colours == [plots.WORSE, plots.NEUTRAL, plots.BETTER]  # bottom-up: shared-platform first


def test_forest_legend_says_what_each_colour_means():
    rows = [{"policy": p, "kpi": "revenue", "change": 0.0, "change_lo": -0.1, "change_hi": 0.1, "scale": "relative",
             "confidence": 0.95, "verdict": "no difference"} for p in POLICIES]
    legend = plots.forest(pd.DataFrame(rows)).legends[0]
    labels = [t.get_text() for t in legend.get_texts()]
    assert legend.get_title().get_text() == (
        "colour: the verdict, from the simultaneous 95 % CI (Bonferroni over 3 policies)")
    assert labels[:2] == ["better: CI excludes 0", "worse: CI excludes 0"]
    assert labels[2].startswith("not significant (CI includes 0)")


def test_heatmap_outlines_the_best_or_every_contender_and_says_which():
    table = pd.DataFrame({"variant": ["v0", "v1", "v2", "v3"], "first": [8, 8, 24, 24],
                          "release": [24, 48, 24, 48], "mean": [1.0, 2.0, 3.0, 3.1]})
    undecided = Selection(None, ("v3", "v2"), 40, 3, 0.5, 0.05)
    figure = plots.heatmap(table, "revenue", x="first", y="release", selection=undecided)
    assert sum(isinstance(p, Rectangle) and not p.get_fill() for p in figure.axes[0].patches) == 2
    assert figure.legends[0].get_texts()[0].get_text() == (
        "outlined: cannot be separated (indifference zone 0.5, 95%, n = 3); about 40 more replications needed")
    decided = Selection("v3", ("v3",), 0, 10, 13912.3, 0.05)
    figure = plots.heatmap(table, "revenue", x="first", y="release", selection=decided)
    assert sum(isinstance(p, Rectangle) and not p.get_fill() for p in figure.axes[0].patches) == 1
    assert figure.legends[0].get_texts()[0].get_text().startswith(
        "outlined: best (Kim-Nelson selection, indifference zone 13,912, 95%")
    assert not plots.heatmap(table, "revenue", x="first", y="release").legends
    shares = table.assign(mean=[0.1, 0.2, 0.3, 0.31])
    figure = plots.heatmap(shares, "mql_quality_pct", x="first", y="release",
                           selection=undecided._replace(delta=0.00969))
    assert "indifference zone 1.0 pp" in figure.legends[0].get_texts()[0].get_text()


def test_effect_bands_stay_in_the_kpis_range():
    summary = pd.DataFrame({"kpi": "sla_first_touch_pct", "x": [1, 2], "mean": [0.95, 0.99],
                            "ci_lo": [0.85, 0.9], "ci_hi": [1.05, 1.2]})
    ax = plots.effect_lines(summary, "x", ["sla_first_touch_pct"]).axes[0]
    band = ax.collections[0].get_paths()[0].vertices
    assert band[:, 1].max() <= 1.0 and band[:, 1].min() >= 0.85


def test_pareto_points_and_front():
    points = pd.DataFrame({"policy": ["baseline", *POLICIES], "staff_cost": [100, 120, 110, 130],
                           "revenue": [10, 14, 9, 13]})
    fig = plots.pareto(points)
    (ax,) = visible_axes(fig)
    assert ax.get_xlabel() == "Staff cost (money)" and ax.get_ylabel() == "Revenue (money)"
    assert len(ax.containers) == 4
    (front,) = [line for line in ax.get_lines() if line.get_label() == "Pareto front"]
    assert front.get_xdata().tolist() == [100, 120]


def test_a_policy_identical_to_another_shares_its_marker_and_names_both():
    points = pd.DataFrame({"policy": ["baseline", "war-room", "sla-enforced"], "staff_cost": [100, 100, 120],
                           "revenue": [10, 10, 14]})
    (ax,) = visible_axes(plots.pareto(points))
    labels = [container.get_label() for container in ax.containers]
    assert labels == ["baseline = war-room", "sla-enforced"]


def test_heatmap_cells_and_colourbar_units():
    table = pd.DataFrame([{"first": f, "release": r, "mean": 0.1 * f + r / 100} for f in (4, 8, 24) for r in (24, 48)])
    fig = plots.heatmap(table, "sla_first_touch_pct", x="first", y="release")
    ax = visible_axes(fig)[0]
    assert ax.images[0].get_array().shape == (2, 3)
    assert len(ax.texts) == 6
    assert fig.axes[-1].get_ylabel() == "First touch within SLA (%)"
    assert ax.get_xlabel() == "first" and ax.get_ylabel() == "release"


def test_wip_backlog_lines_per_open_state_and_department():
    days = pd.Index([1.0, 2.0, 3.0], name="day")
    states = pd.DataFrame({"nurture": [5, 6, 7], "sales": [1, 2, 1], "public pool": [0, 1, 0],
                           "won": [0, 0, 1], "dormant": 0, "discarded": 0}, index=days)
    backlog = pd.DataFrame({"marketing": [1, 0, 2], "sales": [3, 4, 1]}, index=days)
    fig = plots.wip_backlog(states, backlog)
    top, bottom = visible_axes(fig)
    assert [line.get_label() for line in top.get_lines()] == ["nurture", "sales", "public pool"]
    assert [line.get_label() for line in bottom.get_lines()] == ["marketing", "sales"]
    assert bottom.get_xlabel() == "day of the run (days)"
    assert top.get_ylabel() == "open leads" and bottom.get_ylabel() == "queued tasks"


def test_workload_stacks_top_activities_and_other():
    table = pd.DataFrame({"a": [5.0, 1.0], "b": [2.0, 2.0], "c": [1.0, 0.0]}, index=["sales", "service"])
    fig = plots.workload(table, top=2)
    (ax,) = visible_axes(fig)
    assert ax.get_legend_handles_labels()[1] == ["a", "b", "other"]
    assert len(ax.patches) == 6
    assert "person-hours" in ax.get_xlabel()


def test_effect_lines_one_panel_per_kpi_one_line_per_series():
    summary = pd.DataFrame([{"kpi": k, "cadence": c, "mode": m, "mean": c * (m + 1), "ci_lo": 0, "ci_hi": 1}
                            for k in ("revenue", "meeting_hours") for c in (7.0, 14.0, 30.0) for m in (0, 1)])
    fig = plots.effect_lines(summary, "cadence", ["revenue", "meeting_hours"], series="mode")
    axes = visible_axes(fig)
    assert [ax.get_ylabel() for ax in axes] == ["Revenue (money)", "Meeting hours"]
    assert all(len(ax.get_lines()) == 2 for ax in axes)
    assert all(len([c for c in ax.collections if isinstance(c, PolyCollection)]) == 2 for ax in axes)
    assert axes[0].get_legend().get_title().get_text() == "mode" and axes[1].get_legend() is None
    relabelled = plots.effect_lines(summary.replace({"kpi": {"revenue": "custom"}}), "cadence", ["custom"],
                                    labels={"custom": "custom cost (currency)"})
    assert visible_axes(relabelled)[0].get_ylabel() == "custom cost (currency)"


@pytest.mark.parametrize("kpi, label", [("revenue", "Revenue (money)"), ("sla_hot_lead_pct", "Hot lead within SLA (%)"),
                                        ("mql_quality_pct", "MQL quality (%)"),
                                        ("first_touch_median_hours", "First touch median hours"),
                                        ("unknown_thing", "Unknown thing")])
def test_kpi_label_names_the_unit(kpi, label):
    assert plots.kpi_label(kpi) == label
