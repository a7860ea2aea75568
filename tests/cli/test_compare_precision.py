"""``simcoord compare --precision FRACTION``: replications in batches until the chosen KPIs'
differences are precise enough or --max-reps, saying which stopped the run; resumable with --out."""

from __future__ import annotations

import pandas as pd
import pytest

from simcoord.cli import main
from support import BASELINE, SCENARIOS

POLICY = SCENARIOS / "policies" / "shared-platform.yaml"
RUN = ["--days", "5", "--workers", "1", "--quiet", "--kpis", "mql,first_touch_median_hours"]


def test_a_loose_precision_is_reached_with_the_first_batch(tmp_path, capsys):
    out = tmp_path / "runs"
    assert main(["compare", str(BASELINE), str(POLICY), "--precision", "0.5", "--batch", "3", *RUN,
                 "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "replications per policy 3\n" in printed
    assert "- mql: precision reached at 3 replications" in printed
    assert "HEADLINE against baseline (3 replications" in printed
    status = pd.read_csv(out / "precision.csv")
    assert list(status["stopped"]) == ["precision reached"] * 2
    assert set(pd.read_csv(out / "comparison.csv")["policy"]) == {"shared-platform"}


def test_the_maximum_stops_an_unreachable_precision_and_a_rerun_resumes(tmp_path, capsys):
    out = str(tmp_path / "runs")
    arguments = ["compare", str(BASELINE), str(POLICY), "--precision", "1e-9", "--batch", "2", *RUN, "--out", out]
    assert main([*arguments, "--max-reps", "3"]) == 0
    printed = capsys.readouterr().out
    assert "replications per policy 2 -> 3" in printed and "- mql: maximum reached at 3 replications" in printed
    assert main([*arguments, "--max-reps", "4"]) == 0
    assert "reused 6 of 8 runs" in capsys.readouterr().out


@pytest.mark.parametrize(("extra", "message"), [
    (["--reps", "5"], "--reps fixes the replications"),
    (["--kpis", "nope"], "unknown KPI 'nope'"),
    (["--kpis", "revenu"], "unknown KPI 'revenu'; did you mean 'revenue'?"),
    (["--precision", "0"], "precision must be above 0"),
    (["--max-reps", "2"], "below the first batch"),
])
def test_bad_precision_settings_are_one_line_and_exit_2(extra, message, capsys):
    arguments = ["compare", str(BASELINE), str(POLICY), "--precision", "0.05", *RUN, *extra]
    assert main(arguments) == 2
    error = capsys.readouterr().err.strip()
    assert message in error and len(error.splitlines()) == 1


@pytest.mark.parametrize("option", [["--batch", "5"], ["--max-reps", "20"], ["--kpis", "won"]])
def test_precision_options_without_precision_are_refused_not_ignored(option, capsys):
    assert main(["compare", str(BASELINE), "--days", "5", "--reps", "2", *option]) == 2
    error = capsys.readouterr().err
    assert "only work with --precision" in error and error.count("\n") == 1
