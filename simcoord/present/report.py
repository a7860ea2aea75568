"""``simcoord report``: run a notebook with papermill and turn it into a client-ready report.

The report is one self-contained HTML file (images embedded, code hidden unless
``--show-code``) plus the notebook's result tables as CSV files and, when openpyxl is
installed, one Excel workbook with a sheet per table and a run-manifest sheet (notebook,
parameters, simcoord version, time), so a delivered number can be traced to its run.

Notebooks mark their result tables with :func:`show_table`: the table displays as usual
and carries a machine-readable copy (:data:`TABLE_MIME`) that the report exports.
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import json
import logging
import os
import re
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from simcoord import __version__
from simcoord.cli.app import EXTRA_COMMANDS, UsageError
from simcoord.scenario.loading import load_yaml

logger = logging.getLogger(__name__)

TABLE_MIME = "application/vnd.simcoord.table+json"
MAX_SHEET_NAME = 31


def show_table(frame: pd.DataFrame | pd.Series, name: str) -> None:
    """Display ``frame`` in a notebook as pandas does, tagged as the result table ``name``
    (a report exports it as ``name.csv`` and an Excel sheet)."""
    from IPython.display import display

    frame = frame.to_frame() if isinstance(frame, pd.Series) else frame
    bundle = {"text/plain": repr(frame), "text/html": frame._repr_html_(),
              TABLE_MIME: {"name": name, "index_names": list(frame.index.names),
                           "table": json.loads(frame.to_json(orient="split", date_format="iso"))}}
    display(bundle, raw=True)


def parse_parameters(pairs: list[list[str]] | None) -> dict[str, Any]:
    """``-p NAME VALUE`` pairs with each VALUE read as YAML (``3`` is an int, ``[a, b]`` a list)."""
    parameters: dict[str, Any] = {}
    for name, value in pairs or []:
        if not name.isidentifier():
            raise UsageError(f"parameter name {name!r} is not a Python identifier")
        try:
            parameters[name] = load_yaml(value)
        except yaml.YAMLError:
            parameters[name] = value
    return parameters


def collect_tables(notebook) -> dict[str, pd.DataFrame]:
    """The result tables (:func:`show_table`) in an executed notebook, by name in display order."""
    tables: dict[str, pd.DataFrame] = {}
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            payload = output.get("data", {}).get(TABLE_MIME)
            if payload:
                split, names = payload["table"], payload.get("index_names", [None])
                index = pd.MultiIndex.from_tuples([tuple(i) for i in split["index"]], names=names) \
                    if len(names) > 1 else pd.Index(split["index"], name=names[0])
                columns = [tuple(c) if isinstance(c, list) else c for c in split["columns"]]
                tables[payload["name"]] = pd.DataFrame(split["data"], columns=columns, index=index)
    return tables


def _drop_stderr(notebook) -> None:
    """Warnings and progress bars do not belong in a client report: log them, drop them."""
    for cell in notebook.cells:
        outputs = cell.get("outputs", [])
        for output in outputs:
            if output.get("name") == "stderr":
                logger.warning("stderr in the notebook, left out of the report: %s", output.get("text", "")[:300])
        cell["outputs"] = [o for o in outputs if o.get("name") != "stderr"]


def _manifest_html(manifest: dict[str, Any]) -> str:
    rows = "".join(f"<tr><th>{html.escape(str(key))}</th><td>{html.escape(json.dumps(value) if not isinstance(value, str) else value)}</td></tr>"
                   for key, value in manifest.items())
    return f'<section id="run-manifest"><h2>Run manifest</h2><table class="dataframe">{rows}</table></section>'


def to_html(notebook, show_code: bool, manifest: dict[str, Any]) -> str:
    """Self-contained HTML of an executed notebook, with a run-manifest section at the end."""
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(exclude_input=not show_code, exclude_input_prompt=True, exclude_output_prompt=True,
                            embed_images=True)
    title = title_of(notebook)
    body, _ = exporter.from_notebook_node(notebook, resources={"metadata": {"name": title}})
    body = _with_alt_text(body, chart_descriptions(notebook))
    return body.replace("</body>", _manifest_html(manifest) + "\n</body>", 1)


def chart_descriptions(notebook) -> list[str]:
    """One text alternative per chart, in order: the section heading the chart appears under
    (the notebooks put each chart under a heading that states its question)."""
    heading, descriptions = title_of(notebook), []
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            heading = next((line.lstrip("#").strip() for line in cell.source.splitlines() if line.startswith("#")),
                           heading)
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if "image/png" in output.get("data", {}):
                descriptions.append(f"Chart: {heading}")
    return descriptions


def title_of(notebook) -> str:
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


def write_tables(tables: dict[str, pd.DataFrame], directory: Path, manifest: dict[str, Any]) -> list[Path]:
    """Each table as ``directory/<name>.csv``; all of them in ``tables.xlsx`` with a run-manifest sheet."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, table in tables.items():
        path = directory / f"{_safe_name(name)}.csv"
        table.to_csv(path)
        written.append(path)
    try:
        import openpyxl  # noqa: F401
    except ImportError:
        logger.info("openpyxl not installed: no Excel workbook")
        return written
    workbook = directory / "tables.xlsx"
    with pd.ExcelWriter(workbook, engine="openpyxl") as writer:
        pd.Series({k: v if isinstance(v, str) else json.dumps(v) for k, v in manifest.items()},
                  name="value").rename_axis("field").to_frame().to_excel(writer, sheet_name="run manifest")
        used: set[str] = {"run manifest"}
        for name, table in tables.items():
            sheet = _safe_name(name)[:MAX_SHEET_NAME]
            while sheet in used:
                sheet = sheet[: MAX_SHEET_NAME - 2] + f"_{len(used)}"
            used.add(sheet)
            table.to_excel(writer, sheet_name=sheet)
    written.append(workbook)
    return written


def _safe_name(name: str) -> str:
    return re.sub(r"[^\w.-]+", "-", name).strip("-") or "table"


def build_report(notebook: str | Path, html_out: str | Path, parameters: dict[str, Any] | None = None,
                 show_code: bool = False, tables_dir: str | Path | None = None,
                 kernel_name: str | None = None) -> dict[str, Any]:
    """Run ``notebook`` with ``parameters`` (papermill, in the notebook's folder) and write the
    HTML report, the executed notebook (``<html stem>.ipynb``) and the result tables.
    Returns the run manifest."""
    import nbformat
    import papermill

    notebook, html_out = Path(notebook).resolve(), Path(html_out).resolve()
    if not notebook.is_file():
        raise UsageError(f"{notebook}: no such notebook")
    parameters = parameters or {}
    html_out.parent.mkdir(parents=True, exist_ok=True)
    executed = html_out.with_suffix(".ipynb")
    tables_dir = Path(tables_dir) if tables_dir else html_out.with_name(html_out.stem + "_tables")
    started = dt.datetime.now(dt.timezone.utc)
    previous = os.environ.get("TQDM_DISABLE")
    os.environ["TQDM_DISABLE"] = "1"  # progress bars do not belong in a report
    try:
        papermill.execute_notebook(str(notebook), str(executed), parameters=parameters, kernel_name=kernel_name,
                                   cwd=str(notebook.parent), progress_bar=False)
    finally:
        if previous is None:
            os.environ.pop("TQDM_DISABLE", None)
        else:
            os.environ["TQDM_DISABLE"] = previous
    result = nbformat.read(executed, as_version=4)
    _drop_stderr(result)
    manifest = {"notebook": notebook.name, "parameters": parameters, "simcoord_version": __version__,
                "executed_at_utc": started.isoformat(timespec="seconds"),
                "seconds": round((dt.datetime.now(dt.timezone.utc) - started).total_seconds(), 1)}
    tables = collect_tables(result)
    manifest["tables"] = list(tables)
    html_out.write_text(to_html(result, show_code, manifest), encoding="utf-8")
    write_tables(tables, tables_dir, manifest)
    (tables_dir / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    logger.info("report %s: %d tables in %s", html_out, len(tables), tables_dir)
    return manifest


def cmd_report(args: argparse.Namespace) -> int:
    from papermill.exceptions import PapermillExecutionError

    try:
        manifest = build_report(args.notebook, args.html, parse_parameters(args.parameter), args.show_code,
                                args.tables, args.kernel)
    except PapermillExecutionError as exc:
        print(f"error: {args.notebook} failed in cell {exc.exec_count}: {exc.ename}: {exc.evalue} "
              f"(executed notebook: {Path(args.html).with_suffix('.ipynb')})", file=sys.stderr)
        return 1
    print(f"wrote {args.html} ({len(manifest['tables'])} tables: {', '.join(manifest['tables']) or 'none'})")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``simcoord report`` to the CLI."""
    report = subparsers.add_parser("report", help="run a notebook and export an HTML report with its tables")
    report.add_argument("notebook", help="notebook to run, e.g. notebooks/02-compare-policies.ipynb")
    report.add_argument("-p", "--parameter", nargs=2, action="append", metavar=("NAME", "VALUE"),
                        help="set a notebook parameter (VALUE read as YAML); repeatable")
    report.add_argument("--html", required=True, help="HTML file to write")
    report.add_argument("--show-code", action="store_true", help="keep the code cells in the report")
    report.add_argument("--tables", help="folder for the CSV/Excel tables (default: <html stem>_tables)")
    report.add_argument("--kernel", help="Jupyter kernel (default: the notebook's own, simcoord)")
    report.set_defaults(func=cmd_report)


if register not in EXTRA_COMMANDS:
    EXTRA_COMMANDS.append(register)
