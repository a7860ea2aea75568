"""A notebook's outputs as a client reads them: display names, no NaN, no bare index, the
method in words, widgets and interactive cells left out, the appendix at the end."""

from __future__ import annotations

import nbformat
import numpy as np
import pandas as pd

from simcoord.present.deliverable import (MISSING, for_client, manifest_rows, method_in_words, parameter_values,
                                          table_html, tidy_table_html)


def test_table_html_names_kpis_hides_a_bare_index_and_shows_no_nan():
    frame = pd.DataFrame({"kpi": ["revenue", "sla_first_touch_pct"], "ci_lo": [1234567.0, np.nan]})
    text = table_html(frame)
    assert "Revenue" in text and "First touch within SLA" in text and "95 % CI low" in text
    assert "NaN" not in text and MISSING in text and "1,234,567" in text
    assert "<th>0</th>" not in text and "<th>1</th>" not in text


def test_table_html_keeps_a_meaningful_index():
    frame = pd.DataFrame({"mean": [1.5]}, index=pd.Index(["revenue"], name="kpi"))
    text = table_html(frame)
    assert "<th>Revenue</th>" in text and "KPI" in text


def test_a_plain_pandas_table_loses_its_positions_and_nans():
    text = tidy_table_html(pd.DataFrame({"day": [0.5, 1.0], "hours": [np.nan, 2.0]}).to_html())
    assert "NaN" not in text and MISSING in text and "<th>0</th>" not in text and "<th>day</th>" in text


def test_method_in_words():
    values = parameter_values({"REPLICATIONS": {"default": "3"}, "DAYS": {"default": "60"},
                               "BENEFIT": {"default": '"revenue"'}}, {"DAYS": 365})
    text = method_in_words("Every policy runs `REPLICATIONS` replications of `DAYS` days on `BENEFIT` "
                           "(`simcoord.run_experiment`); `sla_first_touch_pct` is a share.", values)
    assert text == "Every policy runs 3 replications of 365 days on Revenue; First touch within SLA is a share."


def test_manifest_rows_say_which_parameters_the_run_set():
    rows = dict(manifest_rows({"notebook": "02.ipynb", "parameters": {"DAYS": 30}, "simcoord_version": "1",
                               "tables": ["a", "b"]}, {"DAYS": 30, "SEED": 2026}))
    assert rows["parameter DAYS"] == "30 (set for this run)" and rows["parameter SEED"] == "2026 (default)"
    assert rows["simcoord version"] == "1" and rows["result tables"] == "a, b"


def test_for_client_drops_widgets_and_interactive_cells_and_moves_the_appendix():
    stamp = nbformat.v4.new_code_cell(metadata={"tags": ["appendix"]}, outputs=[
        nbformat.v4.new_output("display_data", data={"text/html": "<p>stamp</p>"})])
    result = nbformat.v4.new_code_cell(outputs=[nbformat.v4.new_output("display_data", data={
        "application/vnd.jupyter.widget-view+json": {"model_id": "x"}, "text/plain": "VBox(children=(...))"})])
    try_it = nbformat.v4.new_markdown_cell("## Try it", metadata={"tags": ["interactive"]})
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Title"), stamp, result, try_it],
                                        metadata={"widgets": {"state": {}}})
    for_client(notebook, {}, {"notebook": "n.ipynb"})
    sources = [cell.source for cell in notebook.cells]
    assert "## Try it" not in sources and "widgets" not in notebook.metadata
    assert notebook.cells[1].outputs == []  # the widget output is gone
    assert sources[2].startswith("## Appendix") and notebook.cells[-1] is stamp


def test_the_answer_opens_the_page():
    cells = [nbformat.v4.new_markdown_cell("# Title\n**Question.** q"), nbformat.v4.new_markdown_cell("## Method"),
             nbformat.v4.new_code_cell("x = 1"), nbformat.v4.new_markdown_cell("## Answer\nadopt A"),
             nbformat.v4.new_code_cell("show(answer)")]
    notebook = nbformat.v4.new_notebook(cells=cells)
    for_client(notebook, {}, {"notebook": "n.ipynb"})
    sources = [cell.source for cell in notebook.cells]
    assert sources[:5] == ["# Title\n**Question.** q", "## Answer\nadopt A", "show(answer)", "## Method", "x = 1"]
