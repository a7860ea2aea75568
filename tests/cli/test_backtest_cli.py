"""``simcoord backtest``: a short run on the shipped BPIC 2012 writes its tables, logs and charts;
bad input is one line and exit code 2, with nothing written."""

from __future__ import annotations

import pytest

from simcoord.calibration.fit import fit
from simcoord.cli.app import main
from support import ROOT

BPIC = ROOT / "data" / "bpic2012"
LOG, MAPPING = str(BPIC / "bpic2012.csv.gz"), str(BPIC / "mapping.yaml")


@pytest.fixture(scope="module")
def fitted(tmp_path_factory):
    path = tmp_path_factory.mktemp("fit") / "bpic.yaml"
    fit(LOG, MAPPING, until="2011-11-01").write(path)
    return str(path)


def backtest_args(scenario: str, out: str, *, cutoff: str = "2011-11-01", days: str = "7") -> list[str]:
    return ["backtest", scenario, LOG, "--mapping", MAPPING, "--from", cutoff, "--days", days, "--reps", "1",
            "--workers", "1", "--out", out]


def test_a_backtest_prints_its_verdict_and_writes_tables_logs_and_charts(fitted, tmp_path, capsys):
    assert main(backtest_args(fitted, str(tmp_path))) == 0
    printed = capsys.readouterr().out
    assert "real weekly KPI values inside their 95 % band" in printed
    assert "than the naive forecast on" in printed
    assert "Activities whose hours of the day differ most" in printed
    for name in ("weekly_kpis.csv", "distance_summary.csv", "logs/real.csv", "logs/simulated-0.csv",
                 "hours_by_activity.csv", "charts/leads_created.png", "charts/distances.png",
                 "charts/hours_by_activity.png"):
        assert (tmp_path / name).is_file(), name


@pytest.mark.parametrize(("change", "problem"), [
    ({"cutoff": "2013-01-01"}, "outside the log"),
    ({"cutoff": "2012-02-25", "days": "14"}, "beyond the log's last arrival day"),
    ({"days": "2"}, "at least one whole week"),
])
def test_a_window_the_log_cannot_score_is_one_line_and_exit_2(fitted, tmp_path, capsys, change, problem):
    out = tmp_path / "out"
    assert main(backtest_args(fitted, str(out), **change)) == 2
    error = capsys.readouterr().err
    assert problem in error and error.count("\n") == 1
    assert not out.exists()


@pytest.mark.parametrize("args", [
    ["--from", "1 Dec"],
    ["--reps", "0"],
])
def test_a_malformed_option_is_one_line_and_exit_2(fitted, tmp_path, capsys, args):
    with pytest.raises(SystemExit) as stop:
        main([*backtest_args(fitted, str(tmp_path)), *args])
    assert stop.value.code == 2 and capsys.readouterr().err.count("\n") == 1


def test_a_missing_scenario_is_one_line_and_exit_2(tmp_path, capsys):
    assert main(backtest_args(str(tmp_path / "none.yaml"), str(tmp_path / "out"))) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_an_out_that_is_a_file_is_refused_before_any_simulation(fitted, tmp_path, capsys):
    taken = tmp_path / "taken"
    taken.write_text("not a folder")
    with pytest.raises(SystemExit) as stop:
        main(backtest_args(fitted, str(taken)))
    error = capsys.readouterr().err
    assert stop.value.code == 2 and "is a file, not a folder" in error and error.count("\n") == 1


def test_the_replications_go_to_the_dask_scheduler_given(fitted, tmp_path, capsys, monkeypatch):
    import simcoord.cli.backtest as command
    given = {}

    def unreachable(*args, **options):
        given.update(options)
        raise OSError("Timed out trying to connect to tcp://nowhere:8786")

    monkeypatch.setattr(command, "backtest", unreachable)
    assert main([*backtest_args(fitted, str(tmp_path / "out")), "--scheduler", "tcp://nowhere:8786"]) == 2
    assert given["scheduler"] == "tcp://nowhere:8786"
    assert capsys.readouterr().err.count("\n") == 1 and not (tmp_path / "out").exists()
