"""The ``simcoord`` command: every sub-command registered in one place whichever way it is
started, the library below it free of CLI imports, ``run --warmup`` and the one-line errors."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from simcoord.cli import main
from simcoord.cli.report import parse_parameters
from simcoord.model.company import simulate
from simcoord.scenario.loading import load_scenario
from support import BASELINE, ROOT

COMMANDS = ("run", "validate", "compare", "sweep", "report", "export", "kpis", "fit", "backtest")


def simcoord_script() -> str:
    """The installed ``simcoord`` console script, beside this Python or on the PATH."""
    beside = Path(sys.executable).with_name("simcoord")
    found = str(beside) if beside.is_file() else shutil.which("simcoord")
    if found is None:
        pytest.skip("the simcoord console script is not installed (pip install -e .)")
    return found


@pytest.mark.parametrize("start", ["script", "-m simcoord", "-m simcoord.cli"])
def test_help_lists_every_command_however_the_cli_is_started(start):
    prefix = [simcoord_script()] if start == "script" else [sys.executable, *start.split()]
    proc = subprocess.run([*prefix, "--help"], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    listed = proc.stdout.split("{", 1)[1].split("}", 1)[0].split(",")  # argparse's {run,validate,...}
    assert tuple(listed) == COMMANDS


def test_the_library_layers_do_not_import_the_cli():
    code = ("import sys; import simcoord, simcoord.present.analysis, simcoord.present.plots, "
            "simcoord.present.report, simcoord.present.tables; "
            "print(sorted(m for m in sys.modules if m.startswith('simcoord.cli')))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          env={"MPLBACKEND": "agg", "PATH": ""})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


def test_a_command_module_registers_only_when_asked():
    import argparse

    from simcoord.cli import experiments

    parser = argparse.ArgumentParser()
    subparsers = parser.add_subparsers(dest="command")
    experiments.register(subparsers)
    assert set(subparsers.choices) == {"compare", "sweep"}


def test_run_with_warmup_counts_kpis_after_the_warmup_only(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["run", str(BASELINE), "--seed", "3", "--days", "20", "--warmup", "8", "--out", str(out)]) == 0
    assert "(KPIs after a 8-day warm-up)" in capsys.readouterr().out
    kpis = pd.Series(json.loads((out / "kpis.json").read_text()))
    scenario = load_scenario(BASELINE)
    expected = simulate(scenario, seed=3, days=20, warmup_days=8).kpis
    pd.testing.assert_series_equal(kpis, expected, check_names=False, check_dtype=False)
    assert kpis["leads_created"] < simulate(scenario, seed=3, days=20).kpis["leads_created"]
    assert json.loads((out / "manifest.json").read_text())["warmup_days"] == 8


def exit_code(argv: list[str]) -> int:
    """``main``'s exit code, also where argparse itself exits (a value of the wrong type)."""
    try:
        return main(argv)
    except SystemExit as stop:
        return int(stop.code)


@pytest.mark.parametrize("warmup", ["20", "25", "-1", "nan", "x"])
def test_run_refuses_a_warmup_it_cannot_use_in_one_line(tmp_path, capsys, warmup):
    out = tmp_path / "run"
    assert exit_code(["run", str(BASELINE), "--days", "20", "--warmup", warmup, "--out", str(out)]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "warmup" in lines[0]
    assert not out.exists()  # refused before anything was written


def test_report_of_a_missing_notebook_is_one_line_and_exit_2(tmp_path, capsys):
    assert main(["report", str(tmp_path / "none.ipynb"), "--html", str(tmp_path / "r.html")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and "no such notebook" in err and len(err.splitlines()) == 1


def test_report_parameters_read_as_yaml_and_need_identifier_names(capsys):
    assert parse_parameters([["DAYS", "30"], ["RATE", "0.5"], ["NAME", "a b"], ["LIST", "[1, 2]"],
                             ["BROKEN", "[1"]]) == \
        {"DAYS": 30, "RATE": 0.5, "NAME": "a b", "LIST": [1, 2], "BROKEN": "[1"}
    assert main(["report", "x.ipynb", "--html", "r.html", "-p", "not-a-name", "1"]) == 2
    assert "not a Python identifier" in capsys.readouterr().err


def test_a_reader_that_stops_early_gets_no_traceback():
    """``simcoord run ... | head -1``: the rest of the output goes nowhere, quietly, exit 0."""
    command = [sys.executable, "-m", "simcoord", "run", str(BASELINE), "--days", "5"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    process.stdout.readline()
    process.stdout.close()  # like `head -1` once it has its line
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=120) == 0 and "Traceback" not in stderr


def test_run_prints_money_in_the_scenarios_currency(tmp_path, capsys):
    scenario = tmp_path / "euro.yaml"
    scenario.write_text(f"extends: {BASELINE}\ncurrency: EUR\n")
    assert main(["run", str(scenario), "--days", "3"]) == 0
    revenue = next(line for line in capsys.readouterr().out.splitlines() if line.strip().startswith("Revenue"))
    assert revenue.rstrip().endswith("EUR")
