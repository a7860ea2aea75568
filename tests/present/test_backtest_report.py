"""The backtest's words follow from its numbers: which distances the model wins, and which clearly."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd

from simcoord.calibration.backtest import distance_summary
from simcoord.present import backtest_report


def result_with(model: dict[str, list[float]], naive: dict[str, float]) -> SimpleNamespace:
    rows = [{"source": "model", "replication": i, "distance": key, "value": value}
            for key, values in model.items() for i, value in enumerate(values)]
    rows += [{"source": "naive", "replication": 0, "distance": key, "value": value} for key, value in naive.items()]
    distances = pd.DataFrame(rows)
    return SimpleNamespace(distance_table=lambda: distance_summary(distances))


def test_a_win_is_clear_only_when_the_whole_interval_lies_below_the_naive_value():
    result = result_with({"ngram_3": [0.100, 0.101, 0.102], "cycle_time": [10.0, 15.0, 20.0], "case_arrival": [9, 9.5, 10]},
                         {"ngram_3": 0.2, "cycle_time": 16.0, "case_arrival": 5.0})
    table = backtest_report.distance_table(result)
    assert list(table["closer"]) == ["model, clearly", "model", "naive"]
    sentence = backtest_report.distance_sentence(result)
    assert "on 2 of 3 distances (target 3: not met)" in sentence
    assert "lies below the naive value on 3-gram distance (0-1)." in sentence
    assert sentence.endswith("The naive forecast is closer on Case arrival distance (hours).")


def test_no_clear_win_is_said_so():
    result = result_with({"cycle_time": [10.0, 15.0, 20.0]}, {"cycle_time": 16.0})
    assert "On none of them does the model's whole 95 % interval lie below" in backtest_report.distance_sentence(result)


def test_a_few_replications_make_a_band_too_wide_to_pass_a_model_on():
    from simcoord.calibration.backtest import band_widening, replications_to_judge
    assert band_widening(10) < 1.25 < band_widening(8) and replications_to_judge() == 9
    few = SimpleNamespace(replications=2, share_inside=1.0, distances_better=6)
    assert backtest_report.overall_sentence(few).startswith("At 2 replications this backtest cannot tell")
    enough = SimpleNamespace(replications=10, share_inside=1.0, distances_better=6)
    assert backtest_report.overall_sentence(enough).startswith("The model passes this backtest")
    failed = SimpleNamespace(replications=2, share_inside=0.5, distances_better=6)
    assert backtest_report.overall_sentence(failed).startswith("The model does not pass")
    assert "needs at least 9 replications" in backtest_report.chance_sentence(2)
    assert "needs at least" not in backtest_report.chance_sentence(10)
