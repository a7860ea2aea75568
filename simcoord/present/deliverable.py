"""An executed notebook made fit for a client: what :mod:`simcoord.present.report` exports.

A client reads the report in a browser with no network and no Python, so the page carries
everything itself and speaks the client's words:

- no external script, style or font (:data:`SELF_CONTAINED_TEMPLATE` leaves out the CDN
  scripts nbconvert's page loads: require.js, MathJax, Mermaid and the widget manager);
- interactive cells (tag ``interactive``) and widget outputs are left out: a page cannot
  re-run a simulation; so are the cells the report adds to export data (tag ``report-extra``);
- result tables show KPIs by display name, no ``NaN`` and no bare 0..n row index;
- the method's parameter names (``REPLICATIONS``) read as their values, KPI keys as display
  names, and code pointers for analysts (``(`simcoord.run_experiment`)``) are left out;
- the notebook's ``## Answer`` section opens the page, right after the title and question;
- the run manifest and the cells tagged ``appendix`` (which scenario files, which hashes) close
  the page as an appendix instead of opening it.
"""

from __future__ import annotations

import ast
import html
import json
import re
from typing import Any

import pandas as pd

from simcoord.kpis import KPIS
from simcoord.kpis.format import NEUTRAL_CURRENCY, display_name
from simcoord.present.tables import readable_number

TABLE_MIME = "application/vnd.simcoord.table+json"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
APPENDIX_TAG, INTERACTIVE_TAG = "appendix", "interactive"
REPORT_EXTRA_TAG = "report-extra"  # a cell the report adds to export data; never shown
MISSING = "–"  # what a table shows where it has no value
#: nbconvert's JupyterLab page without the scripts it loads from a CDN.
SELF_CONTAINED_TEMPLATE = """{%- extends 'lab/index.html.j2' -%}
{% block html_head_js %}{% endblock html_head_js %}
{% block jupyter_widgets %}{% endblock jupyter_widgets %}
{% block html_head_js_mathjax %}{% endblock html_head_js_mathjax %}
{% block html_head_js_mermaidjs %}{% endblock html_head_js_mermaidjs %}
"""
#: Column and index names of result tables, as a client reads them.
HEADER_WORDS = {"kpi": "KPI", "ci_lo": "95 % CI low", "ci_hi": "95 % CI high", "prob_best": "probability best",
                "sd": "standard deviation", "n": "replications", "content_hash": "content hash"}
MANIFEST_WORDS = {"simcoord_version": "simcoord version", "executed_at_utc": "executed at (UTC)",
                  "seconds": "run time (seconds)", "tables": "result tables"}
UNIT_WORDS = {"fraction": "share (%)", "currency": NEUTRAL_CURRENCY}
CODE_ASIDE = re.compile(r" ?\((?:[^()`]*`(?:simcoord|analysis|plots)\.[\w.]+`)+[^()`]*\)")
CODE_SPAN = re.compile(r"`([A-Za-z_][\w]*)`")


def table_from(payload: dict[str, Any]) -> pd.DataFrame:
    """The DataFrame ``show_table`` stored (``orient="split"`` JSON and its index names)."""
    split, names = payload["table"], payload.get("index_names", [None])
    index = pd.MultiIndex.from_tuples([tuple(i) for i in split["index"]], names=names) \
        if len(names) > 1 else pd.Index(split["index"], name=names[0])
    columns = [tuple(c) if isinstance(c, list) else c for c in split["columns"]]
    return pd.DataFrame(split["data"], columns=columns, index=index)


def _tags(cell) -> list[str]:
    return cell.get("metadata", {}).get("tags", [])


def people_label(value: Any) -> Any:
    """A KPI key as its display name, a code-like header in words; anything else unchanged."""
    if not isinstance(value, str):
        return value
    if value in KPIS:
        return display_name(value)
    return HEADER_WORDS.get(value, value.replace("_", " ") if re.fullmatch(r"[a-z0-9_]+", value) else value)


def _readable(value: Any) -> Any:
    """Numbers as tables print them (``1,614,000``, ``17.7``); a missing value as :data:`MISSING`."""
    if value is None or (isinstance(value, float) and value != value) or value in ("nan", "NaN"):
        return MISSING
    if isinstance(value, str):
        return kpi_words(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return value
    return f"{value:,.0f}" if float(value).is_integer() else readable_number(value)


def kpi_words(text: str) -> str:
    """A cell naming KPIs by key (``sla_first_touch_pct, meeting_hours``) in display names."""
    keys = [part.strip() for part in text.split(",")]
    return ", ".join(display_name(key) for key in keys) if all(key in KPIS for key in keys) else text


def _has_bare_index(frame: pd.DataFrame) -> bool:
    """True for a row index that is only the positions 0..n-1, without a name."""
    index = frame.index
    return index.nlevels == 1 and index.name is None and list(index) == list(range(len(frame)))


def _people_index(index: pd.Index) -> pd.Index:
    """Index labels in words: the values of a level named ``kpi`` as display names, names as words."""
    levels = [index.get_level_values(level) for level in range(index.nlevels)]
    levels = [level.map(people_label) if level.name == "kpi" else level for level in levels]
    names = [people_label(name) for name in index.names]
    return pd.MultiIndex.from_arrays(levels, names=names) if index.nlevels > 1 else pd.Index(levels[0], name=names[0])


def _people_columns(columns: pd.Index) -> pd.Index:
    """Column labels in words; tuples (a two-level header stored as JSON) as two header rows."""
    labels = [tuple(map(people_label, c)) if isinstance(c, tuple) else people_label(c) for c in columns]
    return pd.MultiIndex.from_tuples(labels) if labels and all(isinstance(c, tuple) for c in labels) \
        else pd.Index(labels)


def table_html(frame: pd.DataFrame) -> str:
    """A result table as a client reads it: display names, no ``NaN``, no bare 0..n index."""
    shown = frame.copy()
    shown.index, shown.columns = _people_index(frame.index), _people_columns(frame.columns)
    if "unit" in frame.columns:
        shown[people_label("unit")] = frame["unit"].map(lambda unit: UNIT_WORDS.get(unit, unit)).to_numpy()
    shown = shown.map(_readable) if hasattr(shown, "map") else shown.applymap(_readable)
    return shown.to_html(index=not _has_bare_index(frame), na_rep=MISSING, border=0, classes="dataframe",
                         escape=True)


def parameter_values(defaults: dict[str, dict[str, Any]], given: dict[str, Any]) -> dict[str, Any]:
    """Every parameter's value in a run: ``given`` over the defaults papermill read from the
    notebook's ``parameters`` cell (source text, read as a Python literal where it is one)."""
    values = {}
    for name, info in defaults.items():
        try:
            values[name] = ast.literal_eval(info.get("default", ""))
        except (ValueError, SyntaxError):
            values[name] = info.get("default")
    return {**values, **given}


def _value_words(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return {True: "yes", False: "no", None: "the default"}[value]
    if isinstance(value, (int, float)):
        return str(value) if isinstance(value, int) else f"{value:g}"
    return display_name(value) if isinstance(value, str) and value in KPIS else str(value)


def method_in_words(markdown: str, values: dict[str, Any]) -> str:
    """Markdown for a client: parameter names as their values (`REPLICATIONS` -> 30), KPI keys as
    display names, and asides that only point analysts to code left out."""
    def spoken(match: re.Match) -> str:
        word = match.group(1)
        if word in values:
            return _value_words(values[word])
        return display_name(word) if word in KPIS else match.group(0)

    return CODE_SPAN.sub(spoken, CODE_ASIDE.sub("", markdown))


def tidy_table_html(text: str) -> str:
    """A pandas table's HTML (one a notebook displayed without ``show_table``) without ``NaN``
    cells and without a row index that is only the positions 0..n-1."""
    from bs4 import BeautifulSoup  # nbconvert's own dependency

    soup = BeautifulSoup(text, "html.parser")
    for cell in soup.find_all("td", string=re.compile(r"^\s*(NaN|nan|None|<NA>)\s*$")):
        cell.string = MISSING
    for table in soup.find_all("table"):
        row_heads = [row.find("th") for row in table.select("tbody tr")]
        positions = [head.get_text(strip=True) if head else None for head in row_heads]
        if row_heads and positions == [str(i) for i in range(len(row_heads))]:
            for head in [*row_heads, *(row.find("th") for row in table.select("thead tr"))]:
                if head is not None:
                    head.decompose()
    return str(soup)


def _client_outputs(outputs: list[dict]) -> list[dict]:
    """A code cell's outputs without widgets, its result tables rendered by :func:`table_html`."""
    kept = []
    for output in outputs:
        data = output.get("data", {})
        if WIDGET_MIME in data:
            continue
        if TABLE_MIME in data:
            data["text/html"] = table_html(table_from(data[TABLE_MIME]))
        elif "<table" in str(data.get("text/html", "")):
            data["text/html"] = tidy_table_html("".join(data["text/html"]))
        kept.append(output)
    return kept


def answer_first(cells: list) -> list:
    """``cells`` with the ``## Answer`` section (its heading cell up to the next heading) moved
    right after the first cell (the title and question), where a reader looks first."""
    starts = [i for i, cell in enumerate(cells) if cell.cell_type == "markdown" and cell.source.startswith("## Answer")]
    if not starts or starts[0] == 0:
        return cells
    start = starts[0]
    end = next((i for i in range(start + 1, len(cells))
                if cells[i].cell_type == "markdown" and cells[i].source.lstrip().startswith("#")), len(cells))
    return [cells[0], *cells[start:end], *cells[1:start], *cells[end:]]


def for_client(notebook, values: dict[str, Any], manifest: dict[str, Any]) -> None:
    """Prepare an executed notebook for a client report, in place (see the module's notes)."""
    import nbformat

    cells = [cell for cell in notebook.cells if not {INTERACTIVE_TAG, REPORT_EXTRA_TAG} & set(_tags(cell))]
    for cell in cells:
        if cell.cell_type == "markdown":
            cell.source = method_in_words(cell.source, values)
        elif cell.cell_type == "code":
            cell.outputs = _client_outputs(cell.get("outputs", []))
    body = answer_first([cell for cell in cells if APPENDIX_TAG not in _tags(cell)])
    appendix = [cell for cell in cells if APPENDIX_TAG in _tags(cell)]
    manifest_cell = nbformat.v4.new_code_cell(outputs=[nbformat.v4.new_output(
        "display_data", data={"text/html": manifest_html(manifest, values)})])
    notebook.cells = [*body, nbformat.v4.new_markdown_cell("## Appendix: how these numbers were produced"),
                      manifest_cell, *appendix]
    notebook.metadata.pop("widgets", None)


def manifest_rows(manifest: dict[str, Any], values: dict[str, Any]) -> list[tuple[str, str]]:
    """The run manifest as (field, value) rows a person reads: one row per parameter, saying
    whether the run set it or took the notebook's default."""
    given = manifest.get("parameters", {})
    rows = [("notebook", str(manifest.get("notebook", "")))]
    rows += [(f"parameter {name}", f"{_value_words(value)} ({'set for this run' if name in given else 'default'})")
             for name, value in values.items()]
    rows += [(MANIFEST_WORDS.get(key, key.replace("_", " ")), _manifest_value(value))
             for key, value in manifest.items() if key not in ("notebook", "parameters")]
    return rows


def _manifest_value(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return value if isinstance(value, str) else json.dumps(value)


def manifest_html(manifest: dict[str, Any], values: dict[str, Any]) -> str:
    """The run manifest as a two-column table, every key and value escaped."""
    rows = "".join(f"<tr><th>{html.escape(key)}</th><td>{html.escape(value)}</td></tr>"
                   for key, value in manifest_rows(manifest, values))
    return ('<section id="run-manifest"><p>This report comes from running the notebook as listed here; '
            'the same notebook, parameters and simcoord version give the same numbers. The scenario files '
            'it read, with the content hash of each, follow.</p>'
            f'<table class="dataframe">{rows}</table></section>')
