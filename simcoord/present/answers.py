"""The answer to a comparison, in sentences computed from its numbers.

Every sentence here is built from the rows of ``Experiment.compare()`` (or a Kim-Nelson
:class:`~simcoord.experiments.stats.Selection`) passed in, so a rerun at another size gets the
answer its own numbers support:

- :func:`difference_sentences`: per policy, which differences are real (significantly better,
  significantly worse, both, or none), with the change and its simultaneous interval;
- :func:`recommendation`: which policy to adopt under a stated decision rule, or that the
  replications cannot separate the candidates and about how many more would;
- :func:`run_size_sentence`: what a run of this size can and cannot tell;
- :func:`answer`: the three together for an experiment;
- :func:`sweep_answer`: the best design of a sweep (Kim-Nelson), or which cannot be separated yet;
- :func:`claim_sentences`: each documented claim's verdict beside the lab's change;
- :func:`single_run_sentences`: what one run of one company shows (and that it shows no uncertainty).

"Significant" means that the simultaneous (Bonferroni) interval of ``compare`` excludes 0, the
rule its ``verdict`` follows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Mapping, Sequence

import numpy as np
import pandas as pd

from simcoord.experiments.stats import Selection
from simcoord.kpis import KPIS
from simcoord.kpis.format import display_name, format_value
from simcoord.present.tables import change_and_interval, format_change, unchanged

if TYPE_CHECKING:
    from simcoord.experiments.experiment import Experiment

__all__ = ["adoption_candidates", "answer", "change_text", "claim_sentences", "decision_rule",
           "difference_sentences", "levels_text", "policy_outcome", "recommendation", "run_size",
           "run_size_sentence", "selection_sentence", "single_run_sentences", "sweep_answer",
           "sweep_selection_sentence"]

#: The outcome of one policy over the KPIs with a direction (see :func:`policy_outcome`).
OUTCOMES = ("better", "worse", "mixed", "no difference", "too few replications")


def run_size(replications: int, days: float) -> str:
    """``3 replications x 60 days`` (singular for one)."""
    return f"{replications} replication{'s' * (replications != 1)} x {_days(days)}"


def _days(days: float) -> str:
    return f"{days:g} day{'s' * (days != 1)}"


def _name(kpi: str) -> str:
    """The KPI's display name as it reads inside a sentence (``first touch within SLA``, ``MQL``)."""
    label = display_name(kpi)
    return label if label[:2].isupper() else label[:1].lower() + label[1:]


def _level(rows: pd.DataFrame) -> str:
    """``simultaneous 95 %`` from the comparison's ``confidence`` column."""
    levels = rows["confidence"].dropna().unique() if "confidence" in rows else []
    return f"simultaneous {100 * levels[0]:g} %" if len(levels) else "simultaneous"


def change_text(row: pd.Series) -> str:
    """``+34.7 pp (simultaneous 95 % CI +30.0 pp to +39.0 pp)``: one row's change on its scale."""
    change, interval = change_and_interval(row)
    if _same_every_time(row):  # no noise to bound: the policy sets it (meeting hours of a meeting series)
        return f"{change} (the same in every replication)"
    level = f"{100 * row['confidence']:g} % " if "confidence" in row and pd.notna(row["confidence"]) else ""
    return f"{change} (simultaneous {level}CI {interval})"


def _same_every_time(row: pd.Series) -> bool:
    """Is the paired difference the same in every replication (an interval of no width)?"""
    return bool(row.get("n", 0) >= 2 and "diff_lo" in row and row["diff_lo"] == row["diff_hi"])


def _too_few(rows: pd.DataFrame) -> bool:
    return bool((rows["n"].fillna(0) < 2).all())


def policy_outcome(rows: pd.DataFrame) -> str:
    """One policy's rows of ``compare`` summed up (one of :data:`OUTCOMES`): ``better`` when
    some KPI is significantly better and none worse, ``worse`` the other way round, ``mixed``
    for both, ``no difference`` for neither, ``too few replications`` without an interval."""
    if _too_few(rows):
        return "too few replications"
    better, worse = (rows["verdict"] == "better").any(), (rows["verdict"] == "worse").any()
    return "mixed" if better and worse else "better" if better else "worse" if worse else "no difference"


def _listed(rows: pd.DataFrame) -> str:
    """``revenue +5.7% (...) and total cost +3.1% (...)``."""
    parts = [f"{_name(row['kpi'])} {change_text(row)}" for _, row in rows.iterrows()]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _policy_sentence(policy: str, rows: pd.DataFrame) -> str:
    """The sentence of :func:`difference_sentences` for one policy."""
    outcome = policy_outcome(rows)
    if outcome == "too few replications":
        return (f"{policy}: with {int(rows['n'].fillna(0).max())} paired replication(s) there is no interval, "
                "so no difference can be told from noise.")
    better, worse = rows[rows["verdict"] == "better"], rows[rows["verdict"] == "worse"]
    if outcome == "no difference":
        judged = rows[rows["n"] >= 2]
        count = int(judged["higher_is_better"].notna().sum()) if "higher_is_better" in judged else len(judged)
        if unchanged(judged).all():
            text = (f"{policy} changes none of the {count} KPIs: each equals the baseline's in every replication "
                    "(nothing it changes acted within the run)")
        else:
            text = f"{policy} is neither significantly better nor worse than the baseline on any of the {count} KPIs"
    elif outcome == "mixed":
        text = f"{policy} is mixed: significantly better on {_listed(better)}, but worse on {_listed(worse)}"
    else:
        moved, other = (better, "worse") if outcome == "better" else (worse, "better")
        text = f"{policy} is significantly {outcome} on {_listed(moved)}, and significantly {other} on none"
    return text + _undirected(rows) + "."


def _undirected(rows: pd.DataFrame) -> str:
    """``; without a direction, mql is higher +17.4% (...)`` for significant moves of KPIs without one."""
    moved = rows[rows["verdict"].isin(["higher", "lower"])]
    if moved.empty:
        return ""
    parts = [f"{_name(row['kpi'])} is {row['verdict']} {change_text(row)}" for _, row in moved.iterrows()]
    return "; of the KPIs without a direction, " + ", ".join(parts)


def difference_sentences(diffs: pd.DataFrame, kpis: Sequence[str] | None = None) -> list[str]:
    """One sentence per policy of ``diffs`` (``Experiment.compare()``) over ``kpis`` (default
    all): which differences are real, i.e. whose simultaneous interval excludes 0."""
    rows = diffs if kpis is None else diffs[diffs["kpi"].isin(kpis)]
    return [_policy_sentence(str(policy), group) for policy, group in rows.groupby("policy", sort=False)]


def decision_rule(benefit: str, guards: Sequence[str]) -> str:
    """The rule :func:`recommendation` applies, in words."""
    guarded = f" and not significantly worse on {', '.join(_name(g) for g in guards)}" if guards else ""
    return (f"adopt the policy with the best {_name(benefit)} among those significantly better than the "
            f"baseline on {_name(benefit)}{guarded}; otherwise keep the baseline")


def adoption_candidates(diffs: pd.DataFrame, benefit: str, guards: Sequence[str] = ()) -> list[str]:
    """The policies significantly better than the baseline on ``benefit`` and not significantly
    worse on any of ``guards``, in the comparison's order."""
    by_policy = diffs.set_index(["policy", "kpi"])["verdict"]
    policies = list(dict.fromkeys(diffs["policy"]))
    return [p for p in policies if by_policy.get((p, benefit)) == "better"
            and not any(by_policy.get((p, g)) == "worse" for g in guards)]


def _amount(kpi: str, value: float) -> str:
    """An amount of ``kpi`` with its unit: ``2.0 pp``, ``5,000 currency units``, ``1.5 hours``."""
    unit = KPIS[kpi].unit if kpi in KPIS else ""
    if unit == "fraction":
        return f"{100 * value:.1f} pp"
    number = f"{value:,.3g}" if abs(value) < 1000 else f"{value:,.0f}"
    return f"{number} {'currency units' if unit == 'currency' else unit}".rstrip()


def _joined(names: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def selection_sentence(selection: Selection, kpi: str, each: str = "policy") -> str:
    """What a Kim-Nelson selection on ``kpi`` says: the best, or which cannot yet be separated
    and about how many more replications per ``each`` (policy, design) would."""
    zone = f"an indifference zone of {_amount(kpi, selection.delta)}"
    if selection.best is not None:
        return (f"{selection.best} is best on {_name(kpi)} (Kim-Nelson selection: within {zone} of the best "
                f"with probability {1 - selection.alpha:.0%}, {selection.n} replications).")
    names = _joined(selection.contenders)
    if selection.more_replications == 0:
        return f"{names} gave the same {_name(kpi)} in every replication: more replications cannot separate them."
    return (f"Cannot separate {names} on {_name(kpi)} within {zone} after {selection.n} replications: "
            f"about {selection.more_replications:,} more replications per {each} needed.")


def recommendation(diffs: pd.DataFrame, benefit: str, guards: Sequence[str] = (),
                   selection: Selection | None = None) -> str:
    """Which policy to adopt under :func:`decision_rule`, from ``diffs`` (``compare()``) and,
    when several qualify, ``selection``: a Kim-Nelson selection on ``benefit`` among exactly
    :func:`adoption_candidates` (``Experiment.select_best(benefit, among=...)``)."""
    rule = f"Decision rule: {decision_rule(benefit, guards)}."
    if _too_few(diffs):
        return f"{rule} With fewer than 2 paired replications no difference is significant: no recommendation."
    candidates = adoption_candidates(diffs, benefit, guards)
    if not candidates:
        return f"{rule} Keep the baseline: no policy qualifies."
    if len(candidates) == 1:
        row = diffs[(diffs["policy"] == candidates[0]) & (diffs["kpi"] == benefit)].iloc[0]
        return f"{rule} Adopt {candidates[0]}, the only policy that qualifies: {_name(benefit)} {change_text(row)}."
    if selection is None or set(selection.contenders) - set(candidates):
        raise ValueError(f"several policies qualify ({', '.join(candidates)}): pass a selection among them")
    verdict = f"Adopt {selection.best}. " if selection.best is not None else ""
    return f"{rule} {len(candidates)} policies qualify. {verdict}{selection_sentence(selection, benefit)}"


def _half_width(rows: pd.DataFrame) -> str:
    """``±12.3%``: the median half-width of the rows' simultaneous intervals, on their scale."""
    half = float(np.nanmedian((rows["change_hi"] - rows["change_lo"]) / 2))
    kpi, scale = rows["kpi"].iloc[0], rows["scale"].iloc[0]
    return "±" + (_amount(kpi, half) if scale == "absolute" else format_change(kpi, scale, half).lstrip("+"))


def run_size_sentence(diffs: pd.DataFrame, replications: int, days: float, kpis: Sequence[str] = ()) -> str:
    """What a run of ``replications`` x ``days`` can and cannot tell, from ``diffs``: how many
    differences are significant and, per KPI of ``kpis``, the smallest change it resolves
    (the median half-width of that KPI's simultaneous intervals)."""
    size = run_size(replications, days)
    if replications < 2 or _too_few(diffs):
        return (f"With {size} there is no confidence interval: no difference can be called real or ruled out. "
                "Run at least 2 replications.")
    significant = int(diffs["verdict"].isin(["better", "worse", "higher", "lower"]).sum())
    text = (f"With {size} per policy, {significant} of {len(diffs)} differences are significant "
            f"({_level(diffs)} intervals).")
    for kpi in kpis:
        rows = diffs[(diffs["kpi"] == kpi) & diffs["change_lo"].notna()]
        if len(rows):
            text += f" A change in {_name(kpi)} smaller than about {_half_width(rows)} cannot be told from noise."
    return text + f" The run covers {_days(days)}: effects that take longer to show are not measured."


def answer(experiment: "Experiment", benefit: str, guards: Sequence[str] = (), baseline: str = "baseline",
           delta: float | None = None, kpis: Sequence[str] | None = None, alpha: float = 0.05) -> list[str]:
    """The answer to an experiment: the recommendation (:func:`recommendation`, with a
    Kim-Nelson selection among the candidates when several qualify; ``delta`` in units of
    ``benefit``), the differences per policy over ``kpis`` and what the run size can tell."""
    diffs = experiment.compare(baseline, alpha)
    candidates = adoption_candidates(diffs, benefit, guards)
    several = len(candidates) > 1 and not _too_few(diffs)
    selection = experiment.select_best(benefit, delta, alpha, among=candidates) if several else None
    replications = int(experiment.kpis.groupby("policy")["replication"].nunique().min())
    return [recommendation(diffs, benefit, guards, selection), *difference_sentences(diffs, kpis),
            run_size_sentence(diffs, replications, experiment.days, [benefit, *guards])]


def levels_text(design: pd.DataFrame, variant: str, labels: Mapping[str, str] | None = None) -> str:
    """A sweep variant by its factor levels, ``first touch 24 h, auto-release 48 h``: each factor
    column of ``design`` (a sweep's design, indexed by variant) named by ``labels`` (default
    the column name), followed by its level."""
    labels = labels or {}
    levels = design.loc[variant].items()
    return ", ".join(f"{labels.get(column, column)} {_level_text(value)}" for column, value in levels)


def _level_text(value: object) -> str:
    return f"{value:g}" if isinstance(value, (int, float, np.number)) else str(value)


def sweep_selection_sentence(selection: Selection, design: pd.DataFrame, kpi: str,
                             labels: Mapping[str, str] | None = None) -> str:
    """:func:`selection_sentence` for a sweep's :class:`Selection` (``SweepResult.best``), its
    variants told by their levels (:func:`levels_text`)."""
    def told(variants: Sequence[str]) -> list[str]:
        return [f"({levels_text(design, v, labels)})" for v in variants]

    contenders = told(selection.contenders)
    if selection.best is None and len(design) > LISTED_DESIGNS:  # a long list reads as none: name the fewer
        left_out = [v for v in design.index if v not in selection.contenders]
        if not left_out:
            contenders = [f"any of the {len(design)} designs"]
        elif len(left_out) < len(contenders):
            contenders = [f"all designs but {_joined(told(left_out))}"]
    named = selection._replace(best=levels_text(design, selection.best, labels) if selection.best else None,
                               contenders=tuple(contenders))
    if named.best is not None:
        named = named._replace(best=f"The design with {named.best}")
    return selection_sentence(named, kpi, each="design")


#: Up to this many designs, those that cannot be separated are listed, not summed up.
LISTED_DESIGNS = 3


def sweep_answer(selection: Selection, design: pd.DataFrame, kpi: str, days: float,
                 labels: Mapping[str, str] | None = None) -> list[str]:
    """The answer to a sweep on ``kpi``: the best design by Kim-Nelson selection, or which designs
    cannot yet be separated and about how many more replications would, and the run size."""
    size = run_size(selection.n, days)
    return [sweep_selection_sentence(selection, design, kpi, labels),
            f"{len(design)} designs x {size}; with probability {1 - selection.alpha:.0%}, a design outside those "
            f"above is beaten by more than the indifference zone. The run covers {_days(days)}: effects that take "
            "longer are not measured."]


def claim_sentences(verdicts: pd.DataFrame, replications: int, days: float) -> list[str]:
    """One sentence per claim and condition of ``analysis.claim_check`` (a ``condition`` column
    optional): the verdict and the lab's change beside the claimed one, then the run size."""
    sentences = []
    for claim, row in verdicts.reset_index().set_index("claim").iterrows():
        where = f" ({row['condition']})" if "condition" in row.index else ""
        sentences.append(f"{claim}{where}: {row['verdict']}; the lab measures {row['lab']} against the claimed "
                         f"{row['claimed']}.")
    return sentences + [f"Each verdict rests on {run_size(replications, days)} per policy; an inconclusive one "
                        "needs more replications, not a conclusion."]


def single_run_sentences(kpis: pd.Series, funnel: pd.DataFrame, states: pd.Series, days: float,
                         seed: int) -> list[str]:
    """What one run shows, in numbers: how far leads get, where the rest are at the end, how
    well the first-touch SLA is kept and how loaded sales is, how many leads are won.

    ``funnel``: ``analysis.funnel_counts`` (leads per step); ``states``: ``analysis.lead_states_at_end``."""
    created, share = funnel["leads"].iloc[0], states.value_counts(normalize=True)
    reached = funnel.loc["handed to sales (MQL)", "leads"] / created if created else float("nan")
    return [
        f"Of the {created:,} leads created in {_days(days)}, {reached:.0%} reached sales (an MQL hand-over); "
        f"at the end {share.get('nurture', 0.0):.0%} were still in nurture and {share.get('dormant', 0.0):.0%} "
        "had gone dormant.",
        f"The first-touch SLA was met for {format_value('sla_first_touch_pct', kpis['sla_first_touch_pct'])} of "
        f"the hand-overs (the hot-lead SLA for {format_value('sla_hot_lead_pct', kpis['sla_hot_lead_pct'])}), "
        f"while sales was busy {format_value('utilisation_sales', kpis['utilisation_sales'])} of its paid hours.",
        f"{format_value('won', kpis['won'])} deals were won, {format_value('conversion_lead_to_won', kpis['conversion_lead_to_won'])} "
        f"of the leads created, for a revenue of {format_value('revenue', kpis['revenue'])}.",
        f"This is one run (seed {seed}): it shows no uncertainty. Whether a policy changes these numbers, "
        "and by how much, takes replications: the next notebooks compare them.",
    ]
