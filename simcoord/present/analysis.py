"""Tables the notebooks and reports read off one run's event log or an experiment's results.

Pure functions over DataFrames: no simulation, no plotting. Times in the event log are
clock hours since the scenario start; these helpers report days where a person reads them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

import numpy as np
import pandas as pd
from statsmodels.stats.proportion import confint_proportions_2indep

from simcoord import __version__
from simcoord.experiments.stats import mean_ci
from simcoord.experiments.sweep import variant
from simcoord.kpis import KPIS, format_value
from simcoord.kpis.format import display_name
from simcoord.kpis.queues import queue_kpis
from simcoord.kpis.textbook import stage_theory
from simcoord.present.tables import (SIGNIFICANT, change_and_interval, comparison_table, percent_range,
                                     readable_number, signed_percent)
from simcoord.scenario.calendar import WorkCalendar
from simcoord.scenario.loading import load_scenario
from simcoord.scenario.schema import Scenario
from simcoord.vocabulary import HOURS_PER_DAY, LEAD_STATE, LEAD_STATES

__all__ = [  # comparison_table lives in simcoord.present.tables; notebooks reach it from here
    "cadence_cost_samples", "cadence_costs", "claim_check", "comparison_table", "conversion_by_channel", "example_lead",
    "forecast_staleness_days", "funnel_counts", "lead_journey", "lead_outcomes", "lead_states",
    "lead_states_at_end", "queue_table", "readable_number", "recommendation_table", "run_stamp", "scenario_with",
    "sla_table", "summary_wide", "work_backlog", "workload",
]

#: The SLA KPIs and the scenario timer each one is measured against.
SLA_KPIS = {
    "sla_first_touch_pct": ("first touch", "first_touch"),
    "sla_hot_lead_pct": ("hot-lead first touch", "hot_lead_first_touch"),
    "sla_follow_up_pct": ("follow-up before auto-release", "auto_release"),
    "sla_stage_dwell_pct": ("stage dwell", "stage_dwell"),
}


def _leads(events: pd.DataFrame) -> pd.DataFrame:
    leads = events[events["kind"] == "lead"]
    return leads.assign(activity=leads["activity"].astype(str))


def _ids(leads: pd.DataFrame, activity: str) -> set:
    return set(leads.loc[leads["activity"] == activity, "id"])


def _funnel_steps(leads: pd.DataFrame, stages: Sequence[str]) -> dict[str, set]:
    """The ids of the leads that reached each funnel step, in funnel order."""
    entered = leads[leads["activity"].isin(["sql", "advanced"])]
    steps = {"created": _ids(leads, "created"), "handed to sales (MQL)": _ids(leads, "mql"),
             "first touched": _ids(leads, "first_touch"), "qualified (SQL)": _ids(leads, "sql")}
    for stage in stages:
        steps[f"entered {stage.replace('_', ' ')}"] = set(entered.loc[entered["stage"] == stage, "id"])
    steps["won"] = _ids(leads, "won")
    return steps


def funnel_counts(events: pd.DataFrame, stages: Sequence[str]) -> pd.DataFrame:
    """Distinct leads reaching each step of the funnel, with the conversion from the step before.

    Steps: created, handed to sales (MQL), first touched, qualified (SQL), each sales stage in
    ``stages`` (entered), won. A lead handed over twice counts once. Columns: ``leads`` (count),
    ``conversion`` (fraction of the previous step; NaN for the first).
    """
    steps = _funnel_steps(_leads(events), stages)
    counts = pd.Series({step: len(members) for step, members in steps.items()}, name="leads")
    conversion = counts / counts.shift(1)
    return pd.DataFrame({"leads": counts, "conversion": conversion.replace([np.inf], np.nan)})


def lead_outcomes(events: pd.DataFrame) -> pd.DataFrame:
    """Where every lead created is at the end of the run (its last state), and how many leads
    ever passed through the public pool. Columns: ``leads``, ``share`` (of leads created)."""
    states = lead_states_at_end(events)
    counts = states.value_counts().reindex(list(LEAD_STATES), fill_value=0)
    leads = _leads(events)
    counts["ever in the public pool"] = leads.loc[leads["activity"] == "released_to_pool", "id"].nunique()
    total = max(len(states), 1)
    return pd.DataFrame({"leads": counts.astype(int), "share": counts / total})


def lead_states_at_end(events: pd.DataFrame) -> pd.Series:
    """The state (:data:`~simcoord.vocabulary.LEAD_STATES`) of each lead after its last state-changing event, by lead id."""
    leads = _leads(events)
    moves = leads[leads["activity"].isin(LEAD_STATE)]
    return moves.groupby("id")["activity"].last().map(LEAD_STATE).rename("state")


def lead_states(events: pd.DataFrame, days: float, step_days: float = 1.0) -> pd.DataFrame:
    """Leads in each state (:data:`~simcoord.vocabulary.LEAD_STATES`) at the end of each period
    of ``step_days``.

    Index: day (float, end of the period); one column per state; counts of leads. The open
    states (nurture, sales, public pool) are the work in progress.
    """
    moves = _state_changes(events)
    grid = np.arange(step_days, days + step_days / 2, step_days)
    period = np.searchsorted(grid * HOURS_PER_DAY, moves["time"].to_numpy(), side="left")
    out = pd.DataFrame(0, index=pd.Index(grid, name="day"), columns=list(LEAD_STATES))
    for name in LEAD_STATES:
        enter = np.bincount(period[(moves["state"] == name).to_numpy()], minlength=len(grid) + 1)
        leave = np.bincount(period[(moves["previous"] == name).to_numpy()], minlength=len(grid) + 1)
        out[name] = np.cumsum(enter - leave)[: len(grid)]
    return out


def _state_changes(events: pd.DataFrame) -> pd.DataFrame:
    """Every time a lead changes state: ``time`` (hours), the new ``state`` and the ``previous``
    one (NaN for the lead's first)."""
    leads = _leads(events)
    moves = leads[leads["activity"].isin(LEAD_STATE)]
    state = moves["activity"].map(LEAD_STATE)
    previous = state.groupby(moves["id"]).shift(1)
    changed = (state != previous).to_numpy()
    return pd.DataFrame({"time": moves["time"], "state": state, "previous": previous})[changed]


def work_backlog(events: pd.DataFrame, days: float, step_days: float = 1.0) -> pd.DataFrame:
    """Tasks queued and not yet started, per department, at the end of each period of ``step_days``.

    A task waits from its ``queued_at`` to its start (the event's ``time``). Index: day; one
    column per department with queued work; counts of tasks.
    """
    if "queued_at" not in events:
        return pd.DataFrame(index=pd.Index([], name="day"))
    work = events[events["queued_at"].notna()]
    grid_hours = np.arange(step_days, days + step_days / 2, step_days) * HOURS_PER_DAY
    out = {department: _waiting_at(rows, grid_hours)
           for department, rows in work.groupby(work["department"].astype(str))}
    return pd.DataFrame(out, index=pd.Index(grid_hours / HOURS_PER_DAY, name="day"))


def _waiting_at(work: pd.DataFrame, hours: np.ndarray) -> np.ndarray:
    """Tasks of ``work`` queued by each of ``hours`` and not started by then."""
    queued = np.sort(work["queued_at"].to_numpy(dtype=float))
    started = np.sort(work["time"].to_numpy(dtype=float))
    return np.searchsorted(queued, hours, side="right") - np.searchsorted(started, hours, side="right")


def workload(events: pd.DataFrame) -> pd.DataFrame:
    """Person-hours of work recorded per department (rows) and activity (columns), largest first.

    Work rows carry person-hours: a production run's ``work_hours`` already counts its crew,
    a meeting row is one attendee's hours."""
    work = events[events["work_hours"].notna()] if "work_hours" in events else events.iloc[:0]
    table = work.pivot_table(index=work["department"].astype(str), columns=work["activity"].astype(str),
                             values="work_hours", aggfunc="sum", fill_value=0.0, observed=True)
    table = table.loc[:, table.sum().sort_values(ascending=False).index]
    table.index.name, table.columns.name = "department", "activity"
    return table


def lead_journey(events: pd.DataFrame, lead_id: int) -> pd.DataFrame:
    """One lead's events in order: day, activity, department, staff and the detail that matters
    (stage, grade, reason, team or value), with the hours its work took."""
    rows = events[events["id"] == lead_id]
    work_hours = rows["work_hours"] if "work_hours" in rows else np.nan
    return pd.DataFrame({"day": (rows["time"] / HOURS_PER_DAY).round(2), "activity": rows["activity"].astype(str),
                         "department": rows["department"].astype(str), "staff": rows["staff"].fillna(""),
                         "detail": _journey_detail(rows),
                         "work_hours": pd.Series(work_hours, index=rows.index).round(2)}).reset_index(drop=True)


def _journey_detail(rows: pd.DataFrame) -> pd.Series:
    """Per row, the first attribute that is set of stage, grade, reason, team and value
    (``"stage quote"``, ``"value 20,000"``); empty text if none is."""
    detail = pd.Series("", index=rows.index, dtype=object)
    for column in ("value", "team", "reason", "grade", "stage"):
        if column in rows:
            text = rows[column].map(lambda v, c=column: "" if pd.isna(v) else
                                    (f"{c} {v:,.0f}" if c == "value" else f"{c} {v}"))
            detail = detail.where(text == "", text)
    return detail


def example_lead(events: pd.DataFrame, outcome: str = "won", passed: Sequence[str] = ()) -> int:
    """The lowest id of a lead that reached ``outcome`` after each activity in ``passed``
    (e.g. ``passed=("recycled",)``): a reproducible story to follow."""
    leads = _leads(events)
    candidates = set(leads.loc[leads["activity"] == outcome, "id"])
    for activity in passed:
        candidates &= set(leads.loc[leads["activity"] == activity, "id"])
    if not candidates:
        raise ValueError(f"no lead reached {outcome!r} after {list(passed)}")
    return int(min(candidates))


def sla_table(kpis: pd.Series | pd.DataFrame, sla) -> pd.DataFrame:
    """SLA compliance (fractions) with the timer each is measured against.

    ``kpis``: one run's KPI Series, or a DataFrame with one column per policy (KPIs as rows).
    ``sla``: the scenario's ``policy.sla``. Index: ``"first touch (24 h)"``-style labels.
    """
    frame = kpis.to_frame("value") if isinstance(kpis, pd.Series) else kpis
    labels = {kpi: f"{label} ({getattr(sla, rule).hours:g} h)" for kpi, (label, rule) in SLA_KPIS.items()}
    table = frame.loc[list(labels)].rename(index=labels)
    table.index.name = "SLA"
    return table


def scenario_with(scenario: Scenario, values: dict[str, Any]) -> Scenario:
    """A copy of ``scenario`` with each dotted path in ``values`` set and validated again, e.g.
    ``{"policy.sla.first_touch.hours": 8, "policy.meetings.0.every_days": 7}`` (list items by
    index; a mapping value replaces the whole section). Unknown paths raise ScenarioError."""
    return variant(scenario.model_dump(mode="json"), values, scenario.name)


def _signed_change(kpi: str, change: float) -> str:
    """``+4.2 pp`` for a share, ``+1,234`` (in the KPI's format) for anything else."""
    if change != change:  # nan
        return "n/a"
    if kpi in KPIS and KPIS[kpi].unit == "fraction":
        return f"{100 * change:+.1f} pp"
    return ("+" if change > 0 else "-" if change < 0 else "") + format_value(kpi, abs(change))


def against_base(base: pd.Series, variant: pd.Series, kpis: Sequence[str],
                 labels: tuple[str, str] = ("base case", "with these settings")) -> pd.DataFrame:
    """Chosen KPIs of a variant run beside the base case's (same seed and horizon), formatted,
    with the change; rows named by each KPI's display name."""
    rows = {display_name(k): [format_value(k, float(base[k])), format_value(k, float(variant[k])),
                              _signed_change(k, float(variant[k]) - float(base[k]))] for k in kpis}
    return pd.DataFrame.from_dict(rows, orient="index", columns=[*labels, "change"]).rename_axis("KPI")


def run_stamp(paths: Sequence[str | Path]) -> pd.DataFrame:
    """What a notebook's results depend on: the simcoord version and the content hash of each
    scenario file (resolved, defaults included). Notebooks print it; a test compares the stored
    stamp with the current code and files, so a stale notebook is caught."""
    rows = [{"file": str(path), "scenario": (s := load_scenario(path)).name, "content_hash": s.content_hash()}
            for path in paths]
    return pd.DataFrame(rows).assign(simcoord=__version__).set_index("file")


def _change_with_interval(row: pd.Series) -> str:
    """``+9.3% (-4.8% to +23.4%)``, ``+4.9 pp (...)``: a change on its scale and the simultaneous
    interval its verdict is read from (see ``Experiment.compare``); ``row`` indexed by KPI."""
    change, interval = change_and_interval(row, kpi=row.name)
    return f"{change} ({interval})"


RECOMMENDATIONS = ("adopt", "weigh the trade-off", "no evidence yet", "reject")  # best first


def _recommendation(benefit_verdict: str, cost_verdict: str) -> str:
    if benefit_verdict == "worse":
        return "reject"
    if benefit_verdict == "better":
        return "weigh the trade-off" if cost_verdict == "worse" else "adopt"
    return "no evidence yet"


def _recommendation_row(policy: str, by_kpi: pd.DataFrame, benefit: str, cost: str) -> dict[str, str]:
    """One policy's line of :func:`recommendation_table`; ``by_kpi``: its comparison, indexed by KPI."""
    others = by_kpi.drop(index=[benefit, cost])
    return {
        "policy": policy,
        "recommendation": _recommendation(by_kpi.loc[benefit, "verdict"], by_kpi.loc[cost, "verdict"]),
        benefit: _change_with_interval(by_kpi.loc[benefit]), cost: _change_with_interval(by_kpi.loc[cost]),
        "clearly better": ", ".join(others.index[others["verdict"] == "better"]) or "-",
        "clearly worse": ", ".join(others.index[others["verdict"] == "worse"]) or "-",
    }


def recommendation_table(diffs: pd.DataFrame, benefit: str = "revenue", cost: str = "total_cost") -> pd.DataFrame:
    """One plain-language line per policy from ``Experiment.compare()``: what it does to the
    ``benefit`` and ``cost`` KPIs (change and 95 % CI), which other KPIs clearly improve or
    worsen, and a recommendation:

    - *adopt*: the benefit clearly improves and the cost does not clearly rise;
    - *weigh the trade-off*: the benefit clearly improves and so does the cost;
    - *reject*: the benefit clearly falls;
    - *no evidence yet*: no clear change in the benefit (more replications or a longer horizon
      may settle it)."""
    table = pd.DataFrame([_recommendation_row(policy, group.set_index("kpi"), benefit, cost)
                          for policy, group in diffs.groupby("policy", sort=False)])
    rank = {advice: i for i, advice in enumerate(RECOMMENDATIONS)}
    table = table.sort_values("recommendation", key=lambda advice: advice.map(rank), kind="stable")
    return table.set_index("policy")


def summary_wide(summary: pd.DataFrame, kpis: Sequence[str], policies: Sequence[str]) -> pd.DataFrame:
    """``Experiment.summary()`` as policies x KPIs of "mean ± CI half-width" strings, formatted by unit."""
    rows = summary[summary["kpi"].isin(kpis)]
    text = [f"{format_value(k, m)} ± {format_value(k, (hi - lo) / 2)}"
            for k, m, lo, hi in zip(rows["kpi"], rows["mean"], rows["ci_lo"], rows["ci_hi"])]
    wide = rows.assign(text=text).pivot(index="policy", columns="kpi", values="text")
    return wide.reindex(index=list(policies), columns=list(kpis))


def forecast_staleness_days(events: pd.DataFrame, days: float) -> float:
    """Time-averaged age (days) of the sales information production plans with.

    Production's forecast dates from the last sync (``forecast_updated``, whose ``as_of`` is
    the time of the information it carries); between syncs it ages one day per day. Before
    the first sync production works from its initial forecast, dated the start of the run."""
    horizon = days * HOURS_PER_DAY
    updates = events[events["activity"].astype(str) == "forecast_updated"] if len(events) else events
    times = np.concatenate(([0.0], updates["time"].to_numpy(float) if len(updates) else []))
    as_of = np.concatenate(([0.0], updates["as_of"].to_numpy(float) if len(updates) else []))
    ends = np.append(times[1:], horizon)
    start_age, span = times - as_of, np.clip(ends - times, 0.0, None)
    area = (start_age * span + span**2 / 2).sum()  # the age grows linearly within each span
    return float(area / horizon / HOURS_PER_DAY) if horizon > 0 else float("nan")


def conversion_by_channel(events: pd.DataFrame) -> pd.DataFrame:
    """Leads created, won and won per lead created, per arrival channel (a lead keeps its channel)."""
    leads = _leads(events)
    created = leads[leads["activity"] == "created"].set_index("id")["channel"]
    won_ids = leads.loc[leads["activity"] == "won", "id"].unique()
    table = pd.DataFrame({"created": created.value_counts(),
                          "won": created.reindex(won_ids).value_counts()}).fillna(0).astype(int)
    table["won_per_lead"] = table["won"] / table["created"]
    table.index.name = "channel"
    return table.sort_values("won_per_lead", ascending=False)


def win_rate_ratio(channels: pd.DataFrame, numerator: str, denominator: str) -> tuple[float, float, float]:
    """How many times as often ``numerator``'s leads are won as ``denominator``'s, with its 95 %
    interval (the two channels' leads as independent samples, a score interval for the ratio of
    two proportions): rows of :func:`conversion_by_channel`."""
    a, b = channels.loc[numerator], channels.loc[denominator]
    low, high = confint_proportions_2indep(a["won"], a["created"], b["won"], b["created"], compare="ratio")
    return float(a["won_per_lead"] / b["won_per_lead"]), float(low), float(high)


def cadence_costs(means: pd.DataFrame, backorder_cost: float, margin: float) -> pd.DataFrame:
    """What a meeting cadence costs, per variant (currency over the horizon): meeting time
    (the ``meeting_cost`` KPI), backorders priced at ``backorder_cost`` each (expediting,
    penalties) and the gross margin forgone, ``margin`` x (best variant's revenue - this one's).
    ``backorder_cost`` and ``margin`` are the user's assumptions; ``means`` holds one row per
    variant with the mean ``meeting_cost``, ``backorders`` and ``revenue``."""
    out = pd.DataFrame({"meeting_cost": means["meeting_cost"],
                        "backorder_cost": means["backorders"] * backorder_cost,
                        "margin_forgone": margin * (means["revenue"].max() - means["revenue"])}, index=means.index)
    out["total"] = out.sum(axis=1)
    return out


def cadence_cost_samples(results: pd.DataFrame, backorder_cost: float, margin: float) -> pd.DataFrame:
    """Each replication's cadence cost (currency over the horizon) per variant, as
    :func:`cadence_costs` prices the means: meeting cost + backorders x ``backorder_cost`` +
    ``margin`` x (the best variant's mean revenue - this replication's revenue). Rows are
    replications (paired across variants by common random numbers), columns variants: the input
    of a selection of the cheapest (``stats.select_best(..., higher_is_better=False)``).
    ``results``: ``SweepResult.results`` with the ``meeting_cost``, ``backorders`` and ``revenue`` KPIs."""
    wide = results.pivot_table(index="replication", columns=["kpi", "variant"], values="value", dropna=False)
    revenue = wide["revenue"]
    return wide["meeting_cost"] + backorder_cost * wide["backorders"] + margin * (revenue.mean().max() - revenue)


def sample_intervals(samples: pd.DataFrame, design: pd.DataFrame, kpi: str) -> pd.DataFrame:
    """Each variant's mean and 95 % Student-t interval over the replications of ``samples`` (rows
    replications, columns variants, e.g. :func:`cadence_cost_samples`), as tidy rows named ``kpi``
    with the ``design``'s factor columns: what ``plots.effect_lines`` draws, so a cost priced per
    replication is charted with its noise, not as bare means."""
    rows = [{"variant": name, "kpi": kpi, "mean": ci.mean, "ci_lo": ci.lo, "ci_hi": ci.hi}
            for name, ci in ((name, mean_ci(samples[name].to_numpy(dtype=float))) for name in samples.columns)]
    return design.reset_index().merge(pd.DataFrame(rows), on="variant")


def _claim_verdict(lab: pd.Series, low: float, high: float) -> str:
    """How the lab's paired difference ``lab`` (a row of ``Experiment.compare()``) stands to a
    claimed relative change between ``low`` and ``high`` (see :func:`claim_check`)."""
    overlaps = lab["rel_lo"] <= high and lab["rel_hi"] >= low
    significant = lab["verdict"] in SIGNIFICANT
    if overlaps:
        return "reproduced" if significant else "inconclusive"
    if significant and np.sign(lab["rel_diff"]) == np.sign((low + high) / 2):
        smaller = abs(lab["rel_diff"]) < min(abs(low), abs(high))
        return "same direction, smaller" if smaller else "same direction, larger"
    return "not reproduced"


def _claim_row(claim, diffs: pd.DataFrame) -> dict[str, Any]:
    """One claim (a row of the claims table) beside the lab's paired difference."""
    match = diffs[(diffs["policy"] == claim.policy) & (diffs["kpi"] == claim.kpi)]
    if match.empty:
        raise KeyError(f"no comparison of {claim.policy!r} on {claim.kpi!r}")
    lab = match.iloc[0]
    low, high = claim.claimed_low, claim.claimed_high
    return {"claim": claim.claim, "policy": claim.policy, "kpi": claim.kpi,
            "claimed": signed_percent(low) if low == high else percent_range(low, high),
            "lab": f"{signed_percent(lab['rel_diff'])} ({percent_range(lab['rel_lo'], lab['rel_hi'])})",
            "p (adjusted)": round(float(lab["p_adj"]), 3),
            "verdict": _claim_verdict(lab, low, high)}


def claim_check(diffs: pd.DataFrame, claims: pd.DataFrame) -> pd.DataFrame:
    """Each documented claim against the lab's paired difference.

    ``claims``: rows with ``claim``, ``policy``, ``kpi``, ``claimed_low``, ``claimed_high``
    (relative change as fractions, e.g. -0.30 and -0.20 for "20-30 % shorter").
    ``diffs``: ``Experiment.compare()``. Verdicts, with significance as the comparison's own
    verdict has it (its multiplicity-adjusted p) and the relative change's 95 % Fieller CI:
    *reproduced* when the change is significant and its CI overlaps the claimed range;
    *inconclusive* when the CI overlaps the range but the change is not significant (more
    replications may decide); *same direction, smaller/larger* when it is significant, in the
    claimed direction, but outside the range; otherwise *not reproduced*."""
    return pd.DataFrame([_claim_row(claim, diffs) for claim in claims.itertuples(index=False)]).set_index("claim")


#: Each queue KPI beside its theory value: (heading, simulated column of ``queue_kpis``, theory field).
QUEUE_THEORY_PAIRS = (
    ("mean wait, hours", "mean_wait_hours", "mean_wait_served_hours"),
    ("P(wait > 0)", "waited_pct", "waited_served_pct"),
    ("released share", "released_pct", "released_pct"),
    ("utilisation", "utilisation", "utilisation"),
)


def queue_table(run: Any, scenario: Scenario | None = None, days: float | None = None,
                warmup_days: float = 0.0) -> pd.DataFrame:
    """Every stage's queue as simulated beside queueing theory, and Little's law for each.

    ``run``: a ``simulate(...)`` result, or an event log with its ``scenario`` and ``days``.
    Per stage (rows): arrivals per hour; mean wait (hours) and P(wait > 0) of the work that
    started, the share a timer released and the serving team's utilisation, each beside the
    Erlang C or Erlang A value where the stage is a textbook queue (NaN elsewhere); Little's
    law as L (time-average tasks waiting) and lambda W (tasks); and which theory applies, or why
    none does. Only work queued after ``warmup_days`` counts (see ``simcoord.kpis.queues``)."""
    events, scenario, days = (run, scenario, days) if isinstance(run, pd.DataFrame) else \
        (run.events, scenario or run.scenario, days or run.days)
    calendar = WorkCalendar(scenario.calendar, horizon_days=int(days) + 1)
    simulated = queue_kpis(events, scenario, days, calendar, warmup_days)
    theory = stage_theory(scenario, simulated.index)
    columns = {("arrivals", "per hour"): simulated["arrival_rate_per_hour"]}
    for heading, ours, theirs in QUEUE_THEORY_PAIRS:
        columns[(heading, "simulated")], columns[(heading, "theory")] = simulated[ours], theory[theirs]
    columns[("Little's law", "L, tasks")] = simulated["mean_waiting_tasks"]
    columns[("Little's law", "lambda W, tasks")] = simulated["lambda_w_tasks"]
    columns[("theory", "applies")] = theory["theory"]
    return pd.DataFrame(columns).rename_axis("stage")
