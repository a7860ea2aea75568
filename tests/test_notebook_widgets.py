"""A saved notebook with sliders opens readable: no raw widget text, the widget state saved, and a
static result printed beside the sliders."""

import json

from support import ROOT

QUICKSTART = ROOT / "notebooks" / "01-quickstart.ipynb"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


def test_quickstart_sliders_open_without_raw_widget_text():
    notebook = json.loads(QUICKSTART.read_text(encoding="utf-8"))
    outputs = [output for cell in notebook["cells"] if cell["cell_type"] == "code" for output in cell["outputs"]]
    widgets = [output for output in outputs if WIDGET_MIME in output.get("data", {})]
    assert widgets, "notebook 01 lost its sliders"
    for output in widgets:
        text = "".join(output["data"]["text/plain"])
        assert not text.startswith(("VBox(", "HBox(", "interactive(")), text[:80]
    assert notebook["metadata"]["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    slider_cell = next(cell for cell in notebook["cells"]
                       if any(WIDGET_MIME in o.get("data", {}) for o in cell.get("outputs", [])))
    static = [o for o in slider_cell["outputs"] if "text/html" in o.get("data", {})]
    assert static and "base case" in "".join(static[0]["data"]["text/html"])
    assert '"description_width": "initial"' in "".join(slider_cell["source"])
