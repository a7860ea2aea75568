"""What the commands print reads as a client reads it: display names and units, a reminder that
one run shows no uncertainty, a headline before a comparison's full table, files only on request."""

from __future__ import annotations

import pandas as pd

from simcoord.cli import main
from simcoord.kpis import KPIS, format_kpis
from simcoord.kpis.format import display_name, display_unit
from support import BASELINE, ROOT

POLICY = ROOT / "scenarios" / "policies" / "sla-enforced.yaml"


def test_every_kpi_has_a_distinct_display_name_without_underscores():
    names = [display_name(name) for name in KPIS]
    assert len(set(names)) == len(names)
    assert not [name for name in names if "_" in name]
    assert display_name("sla_first_touch_pct") == "First touch within SLA"


def test_money_carries_the_currency_or_a_neutral_word_and_shares_no_unit_word():
    assert display_unit("revenue", "EUR") == "EUR" and display_unit("revenue") == "money"
    assert display_unit("sla_first_touch_pct") == "" and display_unit("won") == "deals"


def test_labelled_kpi_table_names_no_code_and_no_unit_codes():
    text = format_kpis(pd.Series({"revenue": 1234567.0, "sla_first_touch_pct": 0.881}), currency="EUR", labels=True)
    assert "Revenue" in text and "1,234,567  EUR" in text and "88.1%" in text
    assert "currency" not in text and "fraction" not in text and "sla_first_touch_pct" not in text


def test_run_prints_display_names_and_says_one_run_shows_no_uncertainty(capsys):
    assert main(["run", str(BASELINE), "--days", "10"]) == 0
    output = capsys.readouterr().out
    assert "First touch within SLA" in output and "  money" in output
    assert "no uncertainty" in output.splitlines()[-1]


def test_compare_prints_a_headline_first_and_writes_nothing_without_out(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["compare", str(BASELINE), str(POLICY), "--reps", "2", "--days", "10", "--workers", "1",
                 "--quiet"]) == 0
    output = capsys.readouterr().out
    assert output.startswith("HEADLINE against baseline (2 replications x 10 days")
    assert output.index("- sla-enforced ") < output.index("sla-enforced vs baseline")
    assert list(tmp_path.iterdir()) == []


def test_compare_writes_its_table_into_out(tmp_path, capsys):
    out = tmp_path / "cmp"
    assert main(["compare", str(BASELINE), str(POLICY), "--reps", "2", "--days", "10", "--workers", "1",
                 "--quiet", "--out", str(out)]) == 0
    assert (out / "comparison.csv").is_file() and f"wrote {out / 'comparison.csv'}" in capsys.readouterr().out
