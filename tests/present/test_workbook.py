"""The report's Excel workbook holds numbers a client can sort, filter and sum."""

from __future__ import annotations

import numpy as np
import openpyxl
import pandas as pd

from simcoord.present.workbook import cell_value, sheet_columns, write_workbook


def test_numeric_text_becomes_numbers_with_formats():
    assert cell_value("4.4%") == (0.044, "+0.0%;-0.0%;0.0%")
    assert cell_value("+1.5 pp")[0] == 1.5 and cell_value("9,669,090") == (9669090, "#,##0")
    assert cell_value(True) == ("yes", None) and cell_value(np.nan) == (None, None)
    assert cell_value("sla-enforced") == ("sla-enforced", None) and cell_value("revenue") == ("Revenue", None)


def test_compound_text_is_split_into_numeric_columns():
    table = pd.DataFrame({"revenue": ["9,669,090 ± 875,444", "n/a"], "change": ["+9.3% (-4.8% to +23.4%)", "n/a"]},
                         index=pd.Index(["a", "b"], name="policy"))
    headers = [header for header, _, _ in sheet_columns(table)]
    assert headers == ["policy", "Revenue", "Revenue ± (95 % CI half-width)", "change", "change, CI low",
                       "change, CI high"]


def test_workbook_sheets_have_numbers_a_frozen_bold_filtered_header_and_no_merged_cells(tmp_path):
    comparison = pd.DataFrame({"mean": ["1,234 ± 56", "2,000 ± 10"], "share": ["4.4%", "5.0%"], "adopt": [True, False]},
                              index=pd.MultiIndex.from_tuples([("p", "revenue"), ("p", "won")], names=["policy", "kpi"]))
    runs = pd.DataFrame({"revenue": [1.5e6, 1.6e6], "sla_first_touch_pct": [0.8, 0.9]},
                        index=pd.MultiIndex.from_tuples([("base", 0), ("base", 1)], names=["policy", "replication"]))
    path = write_workbook({"comparison": comparison, "replications": runs}, tmp_path / "t.xlsx",
                          [("notebook", "02.ipynb"), ("parameter DAYS", "30 (set for this run)")])
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames == ["run manifest", "comparison", "replications"]
    for sheet in workbook:
        assert not sheet.merged_cells.ranges and sheet.freeze_panes == "A2" and sheet.auto_filter.ref
        assert all(cell.font.bold for cell in sheet[1])
    sheet = workbook["comparison"]
    assert [c.value for c in sheet[1]] == ["policy", "KPI", "mean", "mean ± (95 % CI half-width)", "share", "adopt"]
    assert [c.value for c in sheet[2]] == ["p", "Revenue", 1234, 56, 0.044, "yes"]
    assert sheet.cell(2, 5).number_format.startswith("+0.0%")
    runs_sheet = workbook["replications"]
    assert [c.value for c in runs_sheet[2]] == ["base", 0, 1.5e6, 0.8]
    assert runs_sheet.cell(2, 4).number_format == "0.0%" and runs_sheet.cell(2, 3).number_format == "#,##0"
    assert [c.value for c in workbook["run manifest"]["A"]] == ["field", "notebook", "parameter DAYS"]
    assert workbook["comparison"].column_dimensions["D"].width >= len("mean ± (95 % CI half-width)")
