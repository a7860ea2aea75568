"""The answer sentences follow from the numbers passed in: significant, not significant, mixed, too few."""

from __future__ import annotations

import pandas as pd
import pytest

from simcoord.experiments.experiment import Experiment
from simcoord.experiments.stats import Selection
from simcoord.present import answers

BASE = [100.0, 110.0, 120.0, 130.0]


def experiment(values: dict[str, dict[str, list[float]]], days: float = 60) -> Experiment:
    """An experiment from given per-replication values: {kpi: {policy: [v_r, ...]}}."""
    rows = [{"policy": p, "replication": r, "seed": r, "kpi": kpi, "value": v}
            for kpi, by_policy in values.items() for p, vs in by_policy.items() for r, v in enumerate(vs)]
    policies = tuple(dict.fromkeys(row["policy"] for row in rows))
    return Experiment(pd.DataFrame(rows), policies, seed=0, days=days)


def shifted(values: list[float], by: float) -> list[float]:
    return [v + by + 0.1 * i for i, v in enumerate(values)]


MIXED = experiment({
    "revenue": {"baseline": BASE, "up": shifted(BASE, 10), "flat": shifted(BASE, 0), "down": shifted(BASE, -10)},
    "total_cost": {"baseline": BASE, "up": shifted(BASE, 8), "flat": shifted(BASE, 0), "down": shifted(BASE, -0.05)},
    "sla_first_touch_pct": {"baseline": [0.28, 0.30, 0.31, 0.29], "up": [0.63, 0.65, 0.64, 0.645],
                            "flat": [0.28, 0.30, 0.31, 0.29], "down": [0.28, 0.30, 0.31, 0.29]},
})


def test_each_policy_is_better_worse_mixed_or_not_different():
    diffs = MIXED.compare()
    outcomes = {p: answers.policy_outcome(rows) for p, rows in diffs.groupby("policy")}
    assert outcomes == {"up": "mixed", "flat": "no difference", "down": "worse"}
    sentences = answers.difference_sentences(diffs)
    up, flat, down = sentences
    assert up.startswith("up is mixed: significantly better on revenue +8.8% (simultaneous 95 % CI")
    assert "first touch within SLA +34.6 pp (simultaneous 95 % CI" in up and "but worse on total cost +7.1%" in up
    assert flat == "flat is neither significantly better nor worse than the baseline on any of the 3 KPIs."
    assert down.startswith("down is significantly worse on revenue -8.6%") and "better on none" in down


def test_a_policy_identical_to_the_baseline_and_a_change_without_noise_are_told_as_such():
    hours = [10.0, 10.0, 10.0, 10.0]
    fixed = experiment({"revenue": {"baseline": BASE, "inactive": BASE, "meets": shifted(BASE, 10)},
                        "meeting_hours": {"baseline": hours, "inactive": hours, "meets": [30.0] * 4}})
    inactive, meets = answers.difference_sentences(fixed.compare())
    assert inactive == ("inactive changes none of the 2 KPIs: each equals the baseline's in every replication "
                        "(nothing it changes acted within the run).")
    assert "meeting hours +200.0% (the same in every replication)" in meets


def test_a_significantly_better_policy_is_adopted_and_its_change_quoted():
    better = experiment({"revenue": {"baseline": BASE, "up": shifted(BASE, 10), "flat": shifted(BASE, 0)}})
    diffs = better.compare()
    assert answers.policy_outcome(diffs[diffs["policy"] == "up"]) == "better"
    assert answers.difference_sentences(diffs)[0] == (
        "up is significantly better on revenue +8.8% (simultaneous 95 % CI +7.3% to +11.2%), "
        "and significantly worse on none.")
    text = answers.recommendation(diffs, "revenue")
    assert text.startswith("Decision rule: adopt the policy with the best revenue among those significantly better")
    assert "Adopt up, the only policy that qualifies: revenue +8.8% (simultaneous 95 % CI" in text


def test_a_guard_kpi_keeps_the_baseline_when_the_better_policy_is_worse_on_it():
    diffs = MIXED.compare()
    assert answers.adoption_candidates(diffs, "revenue") == ["up"]
    assert answers.adoption_candidates(diffs, "revenue", ["total_cost"]) == []
    text = answers.recommendation(diffs, "revenue", ["total_cost"])
    assert "not significantly worse on total cost" in text and text.endswith("Keep the baseline: no policy qualifies.")


def test_several_candidates_need_a_selection_that_picks_one_or_says_how_many_more():
    noise = [0.3, -0.2, 0.25, -0.25]
    close = experiment({"revenue": {"baseline": BASE, "a": shifted(BASE, 10),
                                    "b": [v + e for v, e in zip(shifted(BASE, 10.05), noise)]}})
    diffs = close.compare()
    with pytest.raises(ValueError, match="pass a selection"):
        answers.recommendation(diffs, "revenue")
    undecided = close.select_best("revenue", delta=0.01, among=["a", "b"])
    text = answers.recommendation(diffs, "revenue", selection=undecided)
    assert "2 policies qualify. Cannot separate b and a on revenue within an indifference zone of 0.01 currency units" in text
    assert f"after 4 replications: about {undecided.more_replications:,} more replications per policy needed." in text
    decided = Selection("b", ("b",), 0, 4, 1.0, 0.05)
    assert "Adopt b. b is best on revenue (Kim-Nelson selection" in answers.recommendation(diffs, "revenue",
                                                                                           selection=decided)


def test_identical_contenders_are_never_separable():
    same = Selection(None, ("a", "b"), 0, 3, 1.0, 0.05)
    assert answers.selection_sentence(same, "revenue") == (
        "a and b gave the same revenue in every replication: more replications cannot separate them.")


def test_the_run_size_is_in_the_text_with_what_it_can_resolve():
    diffs = MIXED.compare()
    text = answers.run_size_sentence(diffs, 4, 60, ["revenue", "sla_first_touch_pct"])
    assert text.startswith("With 4 replications x 60 days per policy, 4 of 9 differences are significant")
    assert "A change in revenue smaller than about ±" in text and "A change in first touch within SLA smaller than about ±" in text
    assert text.endswith("The run covers 60 days: effects that take longer to show are not measured.")


def test_too_few_replications_give_a_warning_not_a_number():
    one = experiment({"revenue": {"baseline": [100.0], "up": [120.0]}}, days=30)
    sentences = answers.answer(one, "revenue")
    recommendation, difference, size = sentences
    assert recommendation.endswith("With fewer than 2 paired replications no difference is significant: "
                                   "no recommendation.")
    assert difference == "up: with 1 paired replication(s) there is no interval, so no difference can be told from noise."
    assert size.startswith("With 1 replication x 30 days there is no confidence interval")
    assert "%" not in " ".join(sentences)


def test_answer_runs_the_whole_chain():
    sentences = answers.answer(MIXED, "sla_first_touch_pct", ["revenue"], kpis=["sla_first_touch_pct", "revenue"])
    assert "Adopt up, the only policy that qualifies: first touch within SLA +34.6 pp" in sentences[0]
    assert sentences[-1].startswith("With 4 replications x 60 days per policy")


DESIGN = pd.DataFrame({"first touch h": [8, 24], "auto-release h": [48, 96]},
                      index=pd.Index(["v000", "v001"], name="variant"))


def test_a_sweeps_best_design_is_told_by_its_levels():
    best = Selection("v001", ("v001",), 0, 20, 1000.0, 0.05)
    text = answers.sweep_answer(best, DESIGN, "revenue", 365)
    assert text[0].startswith("The design with first touch h 24, auto-release h 96 is best on revenue (Kim-Nelson")
    assert "20 replications" in text[0] and text[1].startswith("2 designs x 20 replications x 365 days")


def test_a_sweep_that_cannot_separate_its_designs_says_how_many_more_replications():
    open_ = Selection(None, ("v001", "v000"), 37, 2, 1000.0, 0.05)
    text = answers.sweep_selection_sentence(open_, DESIGN, "revenue", {"first touch h": "first touch (h)"})
    assert text == ("Cannot separate (first touch (h) 24, auto-release h 96) and "
                    "(first touch (h) 8, auto-release h 48) on revenue within an indifference zone of "
                    "1,000 currency units after 2 replications: "
                    "about 37 more replications per design needed.")


def test_a_sweep_of_many_designs_names_the_fewer_of_those_in_and_out():
    design = pd.DataFrame({"first touch h": [8, 24, 48, 72, 96]}, index=pd.Index([f"v{i}" for i in range(5)],
                                                                               name="variant"))
    everything = Selection(None, tuple(design.index), 37, 2, 1000.0, 0.05)
    assert answers.sweep_selection_sentence(everything, design, "revenue").startswith(
        "Cannot separate any of the 5 designs on revenue")
    most = Selection(None, ("v0", "v1", "v2", "v3"), 37, 2, 1000.0, 0.05)
    assert answers.sweep_selection_sentence(most, design, "revenue").startswith(
        "Cannot separate all designs but (first touch h 96) on revenue")
    assert "with probability 95%, a design outside those above is beaten" in answers.sweep_answer(
        most, design, "revenue", 60)[1]


def test_claim_sentences_quote_each_verdict_and_the_run_size():
    verdicts = pd.DataFrame({"claim": ["push doubles conversion"], "condition": ["today"], "claimed": ["+100.0%"],
                             "lab": ["+12.0% (+5.0% to +19.0%)"], "verdict": ["same direction, smaller"]}
                            ).set_index(["claim", "condition"])
    text = answers.claim_sentences(verdicts, 3, 60)
    assert text[0] == ("push doubles conversion (today): same direction, smaller; the lab measures +12.0% "
                       "(+5.0% to +19.0%) against the claimed +100.0%.")
    assert text[1].startswith("Each verdict rests on 3 replications x 60 days per policy")


def test_single_run_sentences_state_the_runs_numbers_and_that_one_run_shows_no_uncertainty():
    kpis = pd.Series({"sla_first_touch_pct": 0.515, "sla_hot_lead_pct": 0.539, "utilisation_sales": 0.626,
                      "won": 178.0, "conversion_lead_to_won": 0.035, "revenue": 3_475_687.0})
    funnel = pd.DataFrame({"leads": [5129, 1603]}, index=["created", "handed to sales (MQL)"])
    states = pd.Series(["nurture"] * 68 + ["dormant"] * 11 + ["sales"] * 21)
    text = " ".join(answers.single_run_sentences(kpis, funnel, states, days=90, seed=1))
    assert "Of the 5,129 leads created in 90 days, 31% reached sales" in text
    assert "68% were still in nurture and 11% had gone dormant" in text
    assert "met for 51.5% of the hand-overs (the hot-lead SLA for 53.9%)" in text and "busy 62.6%" in text
    assert "178 deals were won, 3.5% of the leads created" in text and "(seed 1): it shows no uncertainty" in text
