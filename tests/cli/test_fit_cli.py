"""``simcoord fit LOG --mapping MAP --until DATE --out FILE``: writes a scenario that loads and runs,
prints a summary and every assumption as a warning; bad input is one line, exit code 2, nothing
written."""

from __future__ import annotations

from pathlib import Path

import pytest

from simcoord import load_scenario
from simcoord.cli import main
from support import ROOT

BPIC = ROOT / "data" / "bpic2012"
LOG, MAPPING = str(BPIC / "bpic2012.csv.gz"), str(BPIC / "mapping.yaml")
CRM = ROOT / "tests" / "log" / "data"  # a small log: bad input need not read BPIC
CRM_LOG, CRM_MAPPING = str(CRM / "crm_stage_history.csv"), str(CRM / "crm_mapping.yaml")


def fit_args(out: Path, until: str = "2012-01-01", log: str = LOG, mapping: str = MAPPING) -> list[str]:
    return ["fit", log, "--mapping", mapping, "--until", until, "--out", str(out)]


def test_bpic_2012_fits_to_a_scenario_that_runs(tmp_path, capsys):
    out = tmp_path / "bank.yaml"
    assert main(fit_args(out)) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith(f"fitted {LOG}, 2011-10-01 to 2012-01-01 (exclusive; 92 days), 7,455 cases")
    assert "funnel: quote -> negotiation -> validation" in captured.out and f"wrote {out}" in captured.out
    warnings = captured.err.splitlines()
    assert warnings and all(line.startswith("warning: assumed ") for line in warnings)
    assert any(line.startswith("warning: assumed policy.meetings: the log shows no meetings") for line in warnings)
    assert load_scenario(out).calendar.start_date.isoformat() == "2012-01-01"
    assert main(["run", str(out), "--days", "3"]) == 0


@pytest.mark.parametrize("args, message", [
    (lambda tmp: fit_args(tmp / "x.yaml", "2013-01-01", CRM_LOG, CRM_MAPPING), "cut-off 2013-01-01 is outside the log"),
    (lambda tmp: fit_args(tmp / "x.yaml", "soon", CRM_LOG, CRM_MAPPING),
     "argument --until: expected a date YYYY-MM-DD, got 'soon'"),
    (lambda tmp: fit_args(tmp / "x.yaml", log=str(tmp / "missing.csv")), "missing.csv"),
    (lambda tmp: fit_args(tmp / "x.yaml", mapping=str(tmp / "missing.yaml")), "missing.yaml"),
    (lambda tmp: fit_args(tmp / "no-folder" / "x.yaml"), "does not exist"),
    (lambda tmp: fit_args(tmp), "is a folder, not a file"),
])
def test_bad_input_is_one_line_and_writes_nothing(tmp_path, capsys, args, message):
    assert exit_code(args(tmp_path)) == 2
    error = capsys.readouterr().err
    assert len(error.strip().splitlines()) == 1 and message in error
    assert not any(tmp_path.rglob("*.yaml")) and not any(tmp_path.rglob("*.part"))


def exit_code(argv: list[str]) -> int:
    """What ``simcoord ARGV`` exits with: main's return value, or argparse's exit for a bad option."""
    try:
        return main(argv)
    except SystemExit as exit:
        return int(exit.code)


def test_a_small_crm_log_fits_with_its_report_and_runs(tmp_path, capsys):
    out, report = tmp_path / "crm.yaml", tmp_path / "report"
    assert main(["fit", CRM_LOG, "--mapping", CRM_MAPPING, "--out", str(out), "--report", str(report)]) == 0
    printed = capsys.readouterr()
    assert f"and the fit report {report / 'fit-report.html'}" in printed.out
    assert "staff: sales 2" in printed.out  # ann and bob work the leads; the log has no work durations
    assert "too few to fit" in printed.err  # six cases: most distributions are assumptions, and say so
    assert (report / "fit-report.html").is_file() and load_scenario(out).funnel.stages[0].name == "proposal"
    assert main(["run", str(out), "--days", "14"]) == 0


def test_a_report_path_that_is_a_file_is_refused(tmp_path, capsys):
    taken = tmp_path / "taken"
    taken.write_text("")
    assert exit_code(["fit", CRM_LOG, "--mapping", CRM_MAPPING, "--out", str(tmp_path / "x.yaml"),
                      "--report", str(taken)]) == 2
    assert "is a file, not a folder" in capsys.readouterr().err and not (tmp_path / "x.yaml").exists()
