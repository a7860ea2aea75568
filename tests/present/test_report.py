"""`simcoord report` turns notebook 02 into a self-contained HTML report with its tables."""

from __future__ import annotations

import base64
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from simcoord.cli import main

from support import ROOT
NOTEBOOK = ROOT / "notebooks" / "02-compare-policies.ipynb"
HOSTILE_NAME = "<script>alert('x')</script> & co"


class TableCells(HTMLParser):
    """Text of every cell of every <table>, as a list of rows per table."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self.tables and self.tables[-1]:
            self.tables[-1][-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def html_tables(text: str) -> list[list[list[str]]]:
    parser = TableCells()
    parser.feed(text)
    return parser.tables


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """Notebook 02 at a tiny size: the baseline against one policy whose name is hostile HTML."""
    tmp = tmp_path_factory.mktemp("report")
    policies = tmp / "policies"
    policies.mkdir()
    (policies / "hostile.yaml").write_text(
        f"extends: {ROOT / 'scenarios' / 'policies' / 'sla-enforced.yaml'}\nname: \"{HOSTILE_NAME}\"\n")
    html = tmp / "out" / "compare.html"
    code = main(["report", str(NOTEBOOK), "-p", "REPLICATIONS", "2", "-p", "DAYS", "60", "-p", "WORKERS", "1",
                 "-p", "POLICY_FILES", str(policies / "*.yaml"), "--html", str(html)])
    assert code == 0
    return html, html.read_text(encoding="utf-8")


def test_html_holds_the_comparison_table_and_embedded_images(report):
    _, text = report
    comparison = next(t for t in html_tables(text) if t and "simultaneous 95 % CI" in t[0])
    header = comparison[0]
    rows = [row for row in comparison[1:] if row and row[0] not in ("", "policy")]  # body rows
    assert header[-1] == "verdict" and len(rows) == 8  # one policy, eight KPIs shown
    assert {row[-1] for row in rows} <= {"better", "worse", "higher", "lower", "no difference"}
    cells = {cell for row in comparison for cell in row}
    assert {"hostile", "Revenue", "Total cost", "First touch within SLA"} <= cells  # display names
    assert not {"revenue", "total_cost", "sla_first_touch_pct", "NaN", "nan"} & cells
    images = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', text)
    assert len(images) >= 2  # forest plot and Pareto chart, inline
    assert all(base64.b64decode(i)[:8] == b"\x89PNG\r\n\x1a\n" for i in images)
    assert "<h1" in text and "Compare the coordination policies" in text


def test_the_appendix_closes_the_page(report):
    _, text = report
    appendix = text.index("Appendix: how these numbers were produced")
    assert text.index("content_hash") > appendix and text.index('id="run-manifest"') > appendix
    assert text.index("Paired differences against the baseline") < appendix


def test_code_hidden_and_scenario_strings_escaped(report):
    _, text = report
    assert "run_experiment(" not in text  # code cells left out by default
    assert "<script>alert('x')</script>" not in text
    assert "&lt;script&gt;alert(" in text  # the scenario name shows, escaped
    assert 'id="run-manifest"' in text and "<th>parameter REPLICATIONS</th><td>2 (set for this run)</td>" in text
    assert "Every policy runs 2 independent replications of 60 days" in text  # the method in words
    assert "`REPLICATIONS`" not in text and "simcoord.run_experiment" not in text


def test_tables_exported_as_csv_and_excel_with_a_manifest(report):
    html, _ = report
    tables = html.with_name("compare_tables")
    comparison = pd.read_csv(tables / "comparison.csv")
    assert set(comparison["policy"]) == {"hostile"}  # named by file stem
    assert {"kpi", "change", "simultaneous 95 % CI", "verdict"} <= set(comparison.columns)
    workbook = openpyxl.load_workbook(tables / "tables.xlsx")
    assert workbook.sheetnames[0] == "run manifest" and {"comparison", "replications"} <= set(workbook.sheetnames)
    assert not any(sheet.merged_cells.ranges for sheet in workbook)
    runs = workbook["replications"]
    header = [cell.value for cell in runs[1]]
    assert header[:3] == ["policy", "replication", "seed"] and "Revenue" in header
    revenue = [row[header.index("Revenue")].value for row in runs.iter_rows(min_row=2)]
    assert len(revenue) == 4 and all(isinstance(value, float) for value in revenue)  # 2 policies x 2 replications
    comparison_sheet = workbook["comparison"]
    numbers = [cell.value for row in comparison_sheet.iter_rows(min_row=2, min_col=3, max_col=8) for cell in row]
    assert all(isinstance(value, (int, float)) for value in numbers if value is not None)
    manifest = json.loads((tables / "manifest.json").read_text())
    assert manifest["parameters"]["REPLICATIONS"] == 2 and "comparison" in manifest["tables"]
    assert html.with_suffix(".ipynb").is_file()  # the executed notebook, kept for traceability


def test_show_code_keeps_the_code_and_charts_get_alt_text():
    import nbformat

    from simcoord.present.report import to_html

    notebook = nbformat.read(ROOT / "notebooks" / "01-quickstart.ipynb", as_version=4)
    hidden = to_html(notebook, show_code=False, manifest={"notebook": "01"})
    shown = to_html(notebook, show_code=True, manifest={"notebook": "01"})
    assert "funnel_counts" not in hidden and "funnel_counts" in shown
    assert "<title>01 · Quickstart" in hidden
    charts = re.findall(r'<img alt="([^"]+)"[^>]*src="data:image/png', hidden)
    assert len(charts) == hidden.count("<img ") > 0 and all(alt.startswith("Chart: ") for alt in charts)


def test_a_missing_notebook_raises_file_not_found(tmp_path):
    from simcoord.present.report import build_report

    with pytest.raises(FileNotFoundError, match="no such notebook"):
        build_report(tmp_path / "none.ipynb", tmp_path / "report.html")


def test_an_unknown_parameter_is_refused_with_the_valid_names(tmp_path, capsys):
    html = tmp_path / "r.html"
    assert main(["report", str(NOTEBOOK), "-p", "DAY", "30", "--html", str(html)]) == 2
    error = capsys.readouterr().err
    assert "no parameter DAY" in error and "REPLICATIONS, DAYS" in error
    assert not html.exists() and not html.with_suffix(".ipynb").exists()  # refused before running


@pytest.mark.parametrize("value, given", [("[1", "'[1'"), ("many", "'many'"), ("[1, 2]", "[1, 2]")])
def test_a_value_not_of_the_defaults_kind_is_refused_before_running(tmp_path, capsys, value, given):
    html = tmp_path / "r.html"
    assert main(["report", str(NOTEBOOK), "-p", "REPLICATIONS", value, "--html", str(html)]) == 2
    error = capsys.readouterr().err.strip()
    assert len(error.splitlines()) == 1
    assert "parameter REPLICATIONS takes a number like its default" in error and error.endswith(f"got {given}")
    assert not html.exists() and not html.with_suffix(".ipynb").exists()


def test_a_successful_report_prints_no_kernel_noise(tmp_path, capfd):
    quickstart = ROOT / "notebooks" / "01-quickstart.ipynb"
    assert main(["report", str(quickstart), "-p", "DAYS", "20", "--html", str(tmp_path / "q.html")]) == 0
    out, err = capfd.readouterr()
    assert out.startswith(f"wrote {tmp_path / 'q.html'}")
    assert "IPKernelApp" not in err and "WARNING" not in err and "Alternative text" not in err


def test_progress_weights_cells_by_their_recorded_time():
    import nbformat

    from simcoord.present.report import MIN_CELL_SECONDS, cell_weights

    notebook = nbformat.read(NOTEBOOK, as_version=4)
    weights = cell_weights(notebook)
    assert len(weights) == sum(cell.cell_type == "code" for cell in notebook.cells)
    assert min(weights.values()) >= MIN_CELL_SECONDS and max(weights.values()) > 2 * MIN_CELL_SECONDS


def test_per_replication_rows_hold_dict_valued_sweep_levels():
    from simcoord.present.report import per_replication

    tidy = pd.DataFrame({"variant": ["v0", "v0", "v1", "v1"], "policy.incentives.sales": [{"a": 1}] * 2 + [{"a": 0}] * 2,
                         "replication": [0, 0, 0, 0], "kpi": ["won", "revenue"] * 2, "value": [1.0, 2.0, 3.0, 4.0]})
    wide = per_replication(tidy)
    assert list(wide.columns) == ["won", "revenue"] and wide.loc[("v1", '{"a": 0}', 0), "won"] == 3.0
