"""``simcoord kpis LOG --mapping MAP``: the KPI table of a real log, n/a where the log cannot say,
and every bad input one line on stderr with exit code 2 and nothing written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from simcoord.cli import main
from simcoord.kpis import KPIS
from simcoord.kpis.format import display_name
from support import ROOT

BPIC = ROOT / "data" / "bpic2012"
CRM = ROOT / "tests" / "log" / "data"


def kpi_lines(output: str) -> dict[str, str]:
    """KPI name -> its printed value, from the table (whose rows are named by display label)."""
    by_label = {display_name(name): name for name in KPIS}
    rows = [re.match(r"  (.+?)\s{2,}(\S+)", line).groups() for line in output.splitlines() if line.startswith("  ")]
    return {by_label[label]: value for label, value in rows}


def test_bpic_2012_prints_its_kpi_table(capsys):
    assert main(["kpis", str(BPIC / "bpic2012.csv.gz"), "--mapping", str(BPIC / "mapping.yaml")]) == 0
    output = capsys.readouterr().out
    assert output.startswith("bpic2012: ") and "13,087 cases" in output and "from 2011-10-01" in output
    values = kpi_lines(output)
    assert (values["leads_created"], values["mql"], values["won"]) == ("13,087", "7,367", "2,246")
    for unsupported in ("utilisation_sales", "staff_cost", "total_cost", "sla_first_touch_pct", "orders"):
        assert values[unsupported] == "n/a"


def test_the_crm_example_prints_the_hand_computed_kpis(capsys):
    assert main(["kpis", str(CRM / "crm_stage_history.csv"), "--mapping", str(CRM / "crm_mapping.yaml")]) == 0
    values = kpi_lines(capsys.readouterr().out)
    assert (values["won"], values["conversion_mql_to_sql"], values["first_touch_median_hours"]) == ("2", "75.0%",
                                                                                                    "5.0")


def bad_log(tmp_path: Path) -> Path:
    path = tmp_path / "log.csv"
    path.write_text((CRM / "crm_stage_history.csv").read_text().replace("2024-03-25 12:00:00", "noon"))
    return path


def bad_mapping(tmp_path: Path) -> Path:
    path = tmp_path / "mapping.yaml"
    path.write_text((CRM / "crm_mapping.yaml").read_text().replace("time_zone: Europe/Berlin", "time_zone: Berlin"))
    return path


@pytest.mark.parametrize(("log", "mapping", "message"), [
    (bad_log, lambda tmp: CRM / "crm_mapping.yaml", "row 3: cannot read 'noon'"),
    (lambda tmp: CRM / "crm_stage_history.csv", bad_mapping, "time_zone: unknown time zone 'Berlin'"),
    (lambda tmp: tmp / "absent.csv", lambda tmp: CRM / "crm_mapping.yaml", "no such log file"),
    (lambda tmp: CRM / "crm_stage_history.csv", lambda tmp: tmp / "absent.yaml", "file not found"),
])
def test_bad_input_is_one_line_exit_2_and_nothing_written(tmp_path, capsys, log, mapping, message):
    log_path, mapping_path = log(tmp_path), mapping(tmp_path)
    before = sorted(tmp_path.rglob("*"))
    assert main(["kpis", str(log_path), "--mapping", str(mapping_path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1 and message in captured.err
    assert captured.err.startswith("error: ")
    assert sorted(tmp_path.rglob("*")) == before


def test_the_mapping_is_required(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["kpis", str(CRM / "crm_stage_history.csv")])
    assert exited.value.code == 2 and "--mapping" in capsys.readouterr().err
