"""Run a notebook with papermill and turn it into a client-ready report (``simcoord report``).

The report is one self-contained HTML file (images embedded, code hidden unless
``--show-code``) plus the notebook's result tables as CSV files and, when openpyxl is
installed, one Excel workbook with a sheet per table and a run-manifest sheet (notebook,
parameters, simcoord version, time), so a delivered number can be traced to its run.

Notebooks mark their result tables with :func:`show_table`: the table displays as usual
and carries a machine-readable copy (:data:`TABLE_MIME`) that the report exports.
Problems raise ordinary exceptions (a missing notebook: FileNotFoundError); a failing cell
raises papermill's ``PapermillExecutionError``.
"""

from __future__ import annotations

import copy
import datetime as dt
import html
import json
import logging
import os
import re
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import pandas as pd

from simcoord import __version__
from simcoord.kpis import KPIS
from simcoord.present.deliverable import (REPORT_EXTRA_TAG, SELF_CONTAINED_TEMPLATE, TABLE_MIME, for_client,
                                          manifest_rows, parameter_values, table_from)
from simcoord.present.workbook import write_workbook

logger = logging.getLogger(__name__)

#: The cell a report appends to the notebook it runs: every experiment's KPIs per replication,
#: exported to the tables (CSV and Excel) but not shown on the page.
REPLICATIONS_CELL = "from simcoord.present.report import export_replications\nexport_replications(globals())"
#: The least a code cell is assumed to take, so cells without a recorded timing still count.
MIN_CELL_SECONDS = 0.5
PROGRESS_FORMAT = "{desc}: {percentage:3.0f}%|{bar}| {elapsed} so far, about {remaining} left"


def show_table(frame: pd.DataFrame | pd.Series, name: str) -> None:
    """Display ``frame`` in a notebook as pandas does, tagged as the result table ``name``
    (a report exports it as ``name.csv`` and an Excel sheet)."""
    from IPython.display import display

    frame = frame.to_frame() if isinstance(frame, pd.Series) else frame
    bundle = {"text/plain": repr(frame), "text/html": frame._repr_html_(),
              TABLE_MIME: {"name": name, "index_names": list(frame.index.names),
                           "table": json.loads(frame.to_json(orient="split", date_format="iso"))}}
    display(bundle, raw=True)


def export_table(frame: pd.DataFrame, name: str) -> None:
    """Like :func:`show_table`, but for the exported tables only: nothing on the page."""
    from IPython.display import display

    payload = {"name": name, "index_names": list(frame.index.names),
               "table": json.loads(frame.to_json(orient="split", date_format="iso"))}
    display({TABLE_MIME: payload, "text/plain": f"table {name!r}: exported with the report"}, raw=True)


def _hashable(value: Any) -> Any:
    """A sweep factor's level as an index can hold it: a mapping or list (incentive weights) as JSON."""
    return json.dumps(value, sort_keys=True) if isinstance(value, (dict, list)) else value


def per_replication(tidy: pd.DataFrame) -> pd.DataFrame:
    """Tidy KPIs (``..., kpi, value``) as one row per run and one column per KPI (registry order)."""
    keys = [column for column in tidy.columns if column not in ("kpi", "value")]
    tidy = tidy.assign(**{key: tidy[key].map(_hashable) for key in keys})
    wide = tidy.set_index([*keys, "kpi"])["value"].unstack("kpi")
    return wide[[k for k in KPIS if k in wide.columns] + [k for k in wide.columns if k not in KPIS]]


def export_replications(namespace: dict[str, Any]) -> None:
    """Export every experiment (or sweep) among a notebook's variables as a table of its KPIs
    per replication (``replications``, or ``replications <variable>`` when there are several)."""
    from simcoord.experiments.experiment import Experiment
    from simcoord.experiments.sweep import SweepResult

    found = {name: value.results if isinstance(value, SweepResult) else value.kpis
             for name, value in namespace.items()
             if isinstance(value, (Experiment, SweepResult)) and not name.startswith("_")}
    for name, tidy in found.items():
        export_table(per_replication(tidy), "replications" if len(found) == 1 else f"replications {name}")


def collect_tables(notebook) -> dict[str, pd.DataFrame]:
    """The result tables (:func:`show_table`) in an executed notebook, by name in display order."""
    payloads = (output.get("data", {}).get(TABLE_MIME) for cell in notebook.cells
                for output in cell.get("outputs", []))
    return {payload["name"]: table_from(payload) for payload in payloads if payload}


def _drop_stderr(notebook) -> None:
    """Warnings and progress bars do not belong in a client report: log them, drop them."""
    for cell in notebook.cells:
        outputs = cell.get("outputs", [])
        for output in outputs:
            if output.get("name") == "stderr":
                logger.warning("stderr in the notebook, left out of the report: %s", output.get("text", "")[:300])
        cell["outputs"] = [o for o in outputs if o.get("name") != "stderr"]


def to_html(notebook, show_code: bool, manifest: dict[str, Any], values: dict[str, Any] | None = None) -> str:
    """A self-contained HTML page of an executed notebook, fit for a client (see
    :mod:`simcoord.present.deliverable`), closed by an appendix with the run manifest.
    ``values`` are every parameter's value in the run (default: the manifest's parameters)."""
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter

    notebook = copy.deepcopy(notebook)
    for_client(notebook, manifest.get("parameters", {}) if values is None else values, manifest)
    exporter = HTMLExporter(template_name="lab", template_file="simcoord-report.html.j2",
                            extra_loaders=[DictLoader({"simcoord-report.html.j2": SELF_CONTAINED_TEMPLATE})],
                            exclude_input=not show_code, exclude_input_prompt=True, exclude_output_prompt=True,
                            embed_images=True, log=_exporter_log())
    body, _ = exporter.from_notebook_node(notebook, resources={"metadata": {"name": title_of(notebook)}})
    return _with_alt_text(body, chart_descriptions(notebook))


def _exporter_log() -> logging.Logger:
    """nbconvert's log for the report: quiet below errors, since its one warning (images
    without alt text) is resolved by :func:`_with_alt_text` right after the export."""
    log = logging.getLogger(f"{__name__}.nbconvert")
    log.setLevel(logging.ERROR)
    return log


def chart_descriptions(notebook) -> list[str]:
    """One text alternative per chart, in order: the section heading the chart appears under
    (the notebooks put each chart under a heading that states its question)."""
    heading, descriptions = title_of(notebook), []
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            heading = next((line.lstrip("#").strip() for line in cell.source.splitlines() if line.startswith("#")),
                           heading)
        elif cell.cell_type == "code":
            charts = sum("image/png" in output.get("data", {}) for output in cell.get("outputs", []))
            descriptions += [f"Chart: {heading}"] * charts
    return descriptions


def title_of(notebook) -> str:
    """The notebook's first level-1 heading, or ``simcoord report``."""
    return next((line.lstrip("# ").strip() for cell in notebook.cells if cell.cell_type == "markdown"
                 for line in cell.source.splitlines() if line.startswith("# ")), "simcoord report")


def _with_alt_text(body: str, descriptions: list[str]) -> str:
    """Give each embedded PNG chart its ``alt`` text, replacing nbconvert's placeholder."""
    images = list(re.finditer(r'<img (?:alt="[^"]*" )?(?=[^>]*src="data:image/png;base64,)', body))
    if len(images) != len(descriptions):  # a layout we do not know: leave the page as it is
        logger.warning("report: %d charts but %d descriptions; no alt text added", len(images), len(descriptions))
        return body
    for match, text in zip(reversed(images), reversed(descriptions)):
        body = body[:match.start()] + f'<img alt="{html.escape(text)}" ' + body[match.end():]
    return body


def write_tables(tables: dict[str, pd.DataFrame], directory: Path, manifest: dict[str, Any],
                 values: dict[str, Any] | None = None) -> list[Path]:
    """Each table as ``directory/<name>.csv``; all of them in ``tables.xlsx`` (numbers as
    numbers, a run-manifest sheet first) when openpyxl is installed. ``values`` are every
    parameter's value in the run. Returns the files written."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, table in tables.items():
        path = directory / f"{_safe_name(name)}.csv"
        table.to_csv(path)
        written.append(path)
    try:
        import openpyxl  # noqa: F401  (an optional dependency: only its presence matters)
    except ImportError:
        logger.info("openpyxl not installed: no Excel workbook")
        return written
    rows = manifest_rows(manifest, manifest.get("parameters", {}) if values is None else values)
    return [*written, write_workbook(tables, directory / "tables.xlsx", rows)]


def _safe_name(name: str) -> str:
    return re.sub(r"[^\w.-]+", "-", name).strip("-") or "table"


@contextmanager
def _progress_bars_off() -> Iterator[None]:
    """``TQDM_DISABLE=1`` for the notebook's kernel (progress bars do not belong in a report)."""
    previous = os.environ.get("TQDM_DISABLE")
    os.environ["TQDM_DISABLE"] = "1"
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("TQDM_DISABLE", None)
        else:
            os.environ["TQDM_DISABLE"] = previous


def _with_export_cell(notebook: Path, copy_to: Path) -> Path:
    """A copy of ``notebook`` with :data:`REPLICATIONS_CELL` appended (tagged ``report-extra``)."""
    import nbformat

    source = nbformat.read(notebook, as_version=4)
    source.cells.append(nbformat.v4.new_code_cell(REPLICATIONS_CELL, metadata={"tags": [REPORT_EXTRA_TAG]}))
    nbformat.write(source, copy_to)
    return copy_to


def _execute(notebook: Path, executed: Path, parameters: dict[str, Any], kernel_name: str | None):
    """Run ``notebook`` in its own folder with ``parameters`` (plus the cell that exports the
    replications), save it as ``executed`` and return it without its stderr output. A progress
    bar estimates the time left; the kernel's own stderr is logged only if the run fails."""
    import nbformat  # the report's dependencies load slowly: only when a report is built
    import papermill

    weights = cell_weights(nbformat.read(notebook, as_version=4))
    with _progress_bar(notebook, weights) as bar, _progress_bars_off(), tempfile.TemporaryDirectory() as scratch, \
            tempfile.TemporaryFile("w+", encoding="utf-8", errors="replace") as kernel_stderr:
        def advance(cell, **_: Any) -> None:
            bar.update(weights.get(cell.get("id"), 0.0))
        try:
            papermill.execute_notebook(str(_with_export_cell(notebook, Path(scratch) / notebook.name)), str(executed),
                                       parameters=parameters, kernel_name=kernel_name, cwd=str(notebook.parent),
                                       progress_bar=False, on_cell_executed=advance,
                                       kernel_manager_class=_quiet_kernel_manager(kernel_stderr))
        except Exception:
            kernel_stderr.seek(0)
            logger.warning("the notebook's kernel said: %s", kernel_stderr.read()[-2000:])
            raise
        bar.update(max(bar.total - bar.n, 0.0))
    result = nbformat.read(executed, as_version=4)
    _drop_stderr(result)
    return result


def notebook_parameters(notebook: str | Path) -> dict[str, dict[str, Any]]:
    """What the notebook's ``parameters`` cell defines (what ``-p NAME VALUE`` may set): by name,
    papermill's description with the default's source text under ``default``."""
    import papermill

    return papermill.inspect_notebook(str(notebook))


def check_parameters(notebook: str | Path, parameters: dict[str, Any]) -> dict[str, Any]:
    """Every parameter's value for a run with ``parameters``; ValueError naming the valid
    parameters when ``parameters`` holds a name the notebook does not define (a typo would
    otherwise be ignored), or naming the parameter whose value is not of its default's kind (a
    number where the notebook has a number, a list where it has a list), before any cell runs."""
    defaults = notebook_parameters(notebook)
    known = list(defaults)
    unknown = [name for name in parameters if name not in known]
    if unknown:
        raise ValueError(f"{Path(notebook).name} has no parameter {', '.join(unknown)}; "
                         f"its parameters are {', '.join(known) or 'none'}")
    values = parameter_values(defaults, {})  # the defaults, read once
    for name, value in parameters.items():
        expected = _kind_of(values[name])
        if expected is not None and value is not None and _kind_of(value) != expected:  # None: the default's "none"
            raise ValueError(f"{Path(notebook).name}: parameter {name} takes {expected} like its default "
                             f"{defaults[name].get('default')}, got {value!r}")
    return {**values, **parameters}


def _kind_of(value: Any) -> str | None:
    """What kind of value a parameter holds, in words (None: any value will do)."""
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, (int, float)):
        return "a number"
    return {str: "text", list: "a list", tuple: "a list", dict: "a mapping"}.get(type(value))


def _recorded_seconds(cell) -> float:
    """How long a code cell took when the notebook was last executed (nbclient records the
    times in the cell's metadata), at least :data:`MIN_CELL_SECONDS`."""
    timing = cell.get("metadata", {}).get("execution", {})
    try:
        start, end = (dt.datetime.fromisoformat(timing[key].replace("Z", "+00:00"))
                      for key in ("iopub.execute_input", "shell.execute_reply"))
    except (KeyError, ValueError):
        return MIN_CELL_SECONDS
    return max((end - start).total_seconds(), MIN_CELL_SECONDS)


def cell_weights(notebook) -> dict[str, float]:
    """Each code cell's share of the work, by cell id: its recorded duration in seconds, so the
    progress bar's estimate of the time left follows the slow cells rather than the count."""
    return {cell.get("id", str(index)): _recorded_seconds(cell)
            for index, cell in enumerate(notebook.cells) if cell.cell_type == "code"}


def _progress_bar(notebook: Path, weights: dict[str, float]):
    """A bar over the notebook's cells, weighted by :func:`cell_weights`, with an estimate of
    the time left; off when ``TQDM_DISABLE`` is set (as for any simcoord progress bar)."""
    from tqdm.auto import tqdm

    quiet = os.environ.get("TQDM_DISABLE", "").lower() in ("1", "true", "yes")
    return tqdm(total=sum(weights.values()), desc=notebook.name, bar_format=PROGRESS_FORMAT,
                disable=quiet)


def _quiet_kernel_manager(stderr):
    """A kernel manager whose kernel writes its stderr (start-up warnings, log lines) to the
    open file ``stderr`` instead of the terminal."""
    from jupyter_client.manager import KernelManager

    class QuietKernelManager(KernelManager):
        async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
            await super()._async_launch_kernel(kernel_cmd, **{**kw, "stderr": stderr})

    return QuietKernelManager


def _run_manifest(notebook: Path, parameters: dict[str, Any], started: dt.datetime) -> dict[str, Any]:
    """What a delivered number traces back to: notebook, parameters, simcoord version, when, how long."""
    return {"notebook": notebook.name, "parameters": parameters, "simcoord_version": __version__,
            "executed_at_utc": started.isoformat(timespec="seconds"),
            "seconds": round((dt.datetime.now(dt.timezone.utc) - started).total_seconds(), 1)}


def build_report(notebook: str | Path, html_out: str | Path, parameters: dict[str, Any] | None = None,
                 show_code: bool = False, tables_dir: str | Path | None = None,
                 kernel_name: str | None = None) -> dict[str, Any]:
    """Run ``notebook`` with ``parameters`` (papermill, in the notebook's folder) and write the
    HTML report, the executed notebook (``<html stem>.ipynb``) and the result tables (default
    folder ``<html stem>_tables``). Returns the run manifest; FileNotFoundError if there is no
    such notebook, ValueError for a parameter the notebook does not define."""
    notebook, html_out = Path(notebook).resolve(), Path(html_out).resolve()
    if not notebook.is_file():
        raise FileNotFoundError(f"{notebook}: no such notebook")
    parameters = parameters or {}
    values = check_parameters(notebook, parameters)
    html_out.parent.mkdir(parents=True, exist_ok=True)
    tables_dir = Path(tables_dir) if tables_dir else html_out.with_name(html_out.stem + "_tables")
    started = dt.datetime.now(dt.timezone.utc)
    result = _execute(notebook, html_out.with_suffix(".ipynb"), parameters, kernel_name)
    manifest = _run_manifest(notebook, parameters, started)
    _write_report(result, html_out, tables_dir, show_code, manifest, values)
    return manifest


def _write_report(notebook, html_out: Path, tables_dir: Path, show_code: bool, manifest: dict[str, Any],
                  values: dict[str, Any]) -> None:
    """The HTML page and the tables of an executed ``notebook``; adds their names to ``manifest``."""
    tables = collect_tables(notebook)
    manifest["tables"] = list(tables)
    html_out.write_text(to_html(notebook, show_code, manifest, values), encoding="utf-8")
    write_tables(tables, tables_dir, manifest, values)
    (tables_dir / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    logger.info("report %s: %d tables in %s", html_out, len(tables), tables_dir)
