"""The committed notebooks are complete, current and hold no model logic (without executing them).

nbval (``make test``'s second pytest run) re-executes every notebook and compares its outputs, so
a model change that moves an answer fails there. These checks catch what nbval cannot: a notebook
saved half-run, with an error, on another kernel, or executed before the scenario files or the
simcoord version changed (the stamp each notebook prints names the content hash of every
scenario file it read). Fix any of them with ``make notebooks``.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

import simcoord
from simcoord.scenario.loading import load_scenario

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
PATHS = sorted(NOTEBOOKS.glob("[0-9][0-9]-*.ipynb"))
STAMP_ROW = re.compile(r"^(?P<file>\S+\.ya?ml)\s+(?P<name>\S+)\s+(?P<hash>[0-9a-f]{16})\s+(?P<version>\S+)\s*$", re.M)
MODEL_LOGIC = re.compile(r"^\s*(import simpy|from simpy|.*np\.random|.*numpy\.random|.*\.env\.process)", re.M)
REFRESH = "re-run it with `make notebooks`"


def code_cells(notebook) -> list:
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


def test_every_numbered_notebook_is_found():
    assert [p.name[:2] for p in PATHS] == [f"{i:02d}" for i in range(1, len(PATHS) + 1)]
    assert PATHS and PATHS[0].name == "01-quickstart.ipynb"


@pytest.fixture(params=PATHS, ids=lambda p: p.name)
def notebook(request):
    return request.param, nbformat.read(request.param, as_version=4)


def test_first_code_cell_holds_ci_sized_parameters(notebook):
    path, nb = notebook
    first = code_cells(nb)[0]
    assert "parameters" in first.metadata.get("tags", []), f"{path.name}: first code cell must be tagged 'parameters'"
    assert "presentation" in first.source, f"{path.name}: the parameters cell should give presentation-sized values"
    assert nb.metadata["kernelspec"]["name"] == "simcoord"


def test_executed_top_to_bottom_without_errors(notebook):
    path, nb = notebook
    counts = [cell.execution_count for cell in code_cells(nb)]
    assert counts == list(range(1, len(counts) + 1)), f"{path.name} was not run top to bottom: {REFRESH}"
    errors = [o for cell in code_cells(nb) for o in cell.outputs if o.output_type == "error"]
    assert not errors, f"{path.name} holds an error output: {errors[0].get('ename')}"
    stderr = [o.text for cell in code_cells(nb) for o in cell.outputs if o.get("name") == "stderr"]
    assert not stderr, f"{path.name} holds stderr output (warnings?): {stderr[0][:200]}"


def test_stamp_matches_current_scenarios_and_version(notebook):
    path, nb = notebook
    outputs = "\n".join(o.get("data", {}).get("text/plain", "") for cell in code_cells(nb) for o in cell.outputs
                        if "run_stamp" in cell.source)
    rows = list(STAMP_ROW.finditer(outputs))
    assert rows, f"{path.name} prints no run stamp (analysis.run_stamp)"
    for row in rows:
        scenario = load_scenario(NOTEBOOKS / row["file"])
        assert row["version"] == simcoord.__version__, f"{path.name} ran with simcoord {row['version']}: {REFRESH}"
        assert row["hash"] == scenario.content_hash(), f"{path.name}: {row['file']} changed since it ran: {REFRESH}"


def test_notebooks_hold_no_model_logic(notebook):
    path, nb = notebook
    for cell in code_cells(nb):
        assert not MODEL_LOGIC.search(cell.source), f"{path.name}: model code belongs in simcoord:\n{cell.source}"


def test_each_notebook_tells_a_story(notebook):
    path, nb = notebook
    text = "\n".join(cell.source for cell in nb.cells if cell.cell_type == "markdown")
    assert "**Question.**" in text and "**Method.**" in text and "## Answer" in text, path.name
