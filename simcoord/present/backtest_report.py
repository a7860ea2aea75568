"""A backtest in words and readable tables, computed from its numbers (``calibration.backtest``).

:func:`verdict` says whether the two targets a backtest is held to are met, so a rerun at another
size or cut-off gets the sentences its own numbers support:

- the share of the real weekly KPI values inside the simulated 95 % band (:data:`BAND_TARGET`);
- on how many log distances the model is closer to the real log than the naive forecast
  (:data:`DISTANCE_TARGET`).
"""

from __future__ import annotations

import pandas as pd

from simcoord.calibration.backtest import BAND_LEVEL, BacktestResult, band_widening, replications_to_judge
from simcoord.kpis.format import display_name
from simcoord.present.backtest_plots import DISTANCE_LABELS, HOURS_ACTIVITIES

BAND_TARGET = 0.80  # share of real weekly values inside the simulated 95 % band
DISTANCE_TARGET = 3  # distances on which the model must beat the naive forecast


def distance_table(result: BacktestResult) -> pd.DataFrame:
    """Per distance: the model's mean with its 95 % interval, the naive forecast's value, and which
    is closer to the real log, as text."""
    table = result.distance_table()
    return pd.DataFrame({
        "model (mean, 95 % CI)": [f"{row.model_mean:.4g} ({row.model_low:.4g} to {row.model_high:.4g})"
                                  for row in table.itertuples()],
        "naive forecast": [f"{value:.4g}" for value in table["naive"]],
        "closer": [("model, clearly" if clearly else "model") if better else "naive"
                   for better, clearly in zip(table["model_better"], table["clearly_better"])],
    }, index=pd.Index([DISTANCE_LABELS.get(key, key) for key in table.index], name="distance"))


def hours_table(result: BacktestResult, activities: int = HOURS_ACTIVITIES) -> pd.DataFrame:
    """The ``activities`` real activities that add most to the circadian distance, as text: their
    share of the real log's times, mean hour of the day real and simulated, and how many hours
    apart the model's and the naive forecast's hours lie from the real ones."""
    table = result.hours_by_activity().head(activities)

    def hours(values: pd.Series) -> list[str]:
        return ["absent" if pd.isna(value) else f"{value:.2f}" for value in values]

    return pd.DataFrame({"share of real times": [f"{share:.0%}" for share in table["real_share"]],
                         "mean hour real": hours(table["real_mean_hour"]),
                         "mean hour model": hours(table["model_mean_hour"]),
                         "model h apart": hours(table["model_hours_apart"]),
                         "naive h apart": hours(table["naive_hours_apart"])}, index=table.index)


def kpi_table(result: BacktestResult) -> pd.DataFrame:
    """Per weekly KPI: weeks compared, weeks inside the simulated band, and the share, as text."""
    summary = result.kpi_summary()
    return pd.DataFrame({"weeks": summary["weeks"].to_numpy(), "inside the band": summary["inside"].to_numpy(),
                         "share": [f"{share:.0%}" for share in summary["share_inside"]]},
                        index=pd.Index([display_name(kpi) for kpi in summary.index], name="weekly KPI"))


def _met(ok: bool) -> str:
    return "met" if ok else "not met"


def band_sentence(result: BacktestResult) -> str:
    """How many real weekly values fall inside the simulated band, against the target, and where
    the model misses most."""
    summary = result.kpi_summary()
    share, values = result.share_inside, int(summary["weeks"].sum())
    text = (f"From the pipeline open on {result.window.cutoff}, {result.replications} simulations of "
            f"{result.window.days:g} days put {share:.0%} of the {values} real weekly KPI values inside their "
            f"95 % band (target {BAND_TARGET:.0%}: {_met(share >= BAND_TARGET)}).")
    text += " " + chance_sentence(result.replications)
    worst = summary[summary["share_inside"] < BAND_TARGET].sort_values("share_inside")
    if len(worst):
        misses = ", ".join(f"{display_name(row.Index)} ({row.inside} of {row.weeks} weeks inside)"
                           for row in worst.itertuples())
        text += f" Below the target: {misses}."
    return text


def chance_sentence(reps: int) -> str:
    """What the band is, what a model that is exactly right would score in it, and whether this
    many replications make a band narrow enough for the check to say something."""
    percentiles = (reps - 1) / (reps + 1) * BAND_LEVEL
    text = (f"The band is the {BAND_LEVEL:.0%} prediction interval of one more week from the {reps} "
            f"replications (their mean and spread, Student's t), which a model that is exactly right fills to about "
            f"{BAND_LEVEL:.0%} at any number of replications; the replications' own 2.5-97.5 percentiles would "
            f"hold only about {percentiles:.0%} of its values.")
    if reps < replications_to_judge():
        text += (f" From {reps} replications the band is {band_widening(reps):.1f} times as wide as the model's "
                 f"own 95 % range, so a week inside it says little: the check needs at least "
                 f"{replications_to_judge()} replications.")
    return text


def distance_sentence(result: BacktestResult) -> str:
    """On which distances the model beats the naive forecast, against the target."""
    table = result.distance_table()
    better = [DISTANCE_LABELS.get(key, key) for key in table.index[table["model_better"]]]
    worse = [DISTANCE_LABELS.get(key, key) for key in table.index[~table["model_better"]]]
    text = (f"The model is closer to the real log than the naive forecast on {len(better)} of {len(table)} "
            f"distances (target {DISTANCE_TARGET}: {_met(len(better) >= DISTANCE_TARGET)})")
    text += f": {', '.join(better)}." if better else "."
    if better:
        clear = [DISTANCE_LABELS.get(key, key) for key in table.index[table["clearly_better"]]]
        text += (f" Of those, the model's whole 95 % interval lies below the naive value on {', '.join(clear)}."
                 if clear else " On none of them does the model's whole 95 % interval lie below the naive value.")
    return text + (f" The naive forecast is closer on {', '.join(worse)}." if worse else "")


def verdict(result: BacktestResult) -> list[str]:
    """The backtest's verdict: both targets, then whether the model passes."""
    return [band_sentence(result), distance_sentence(result), overall_sentence(result)]


def overall_sentence(result: BacktestResult) -> str:
    """Whether the model passes both targets, and whether its replications are enough to say so."""
    passed = result.share_inside >= BAND_TARGET and result.distances_better >= DISTANCE_TARGET
    if passed and result.replications < replications_to_judge():
        return (f"At {result.replications} replications this backtest cannot tell whether the model reproduces "
                f"the held-out period (its band is too wide): run at least {replications_to_judge()} before "
                "using its what-if answers.")
    return ("The model passes this backtest: it reproduces the held-out period well enough to be "
            "used for what-if questions about it." if passed else
            "The model does not pass this backtest: read its what-if answers with the misses above in mind.")
