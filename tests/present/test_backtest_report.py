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
