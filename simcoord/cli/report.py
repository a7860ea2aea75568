"""``simcoord report``: run a notebook and export it as a client-ready HTML report with its
result tables (the work is :func:`simcoord.present.report.build_report`)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import yaml

from simcoord.cli.options import UsageError
from simcoord.present.report import build_report
from simcoord.scenario.loading import load_yaml

EXIT_NOTEBOOK_FAILED = 1


def parse_parameters(pairs: list[list[str]] | None) -> dict[str, Any]:
    """``-p NAME VALUE`` pairs with each VALUE read as YAML (``3`` is an int, ``[a, b]`` a list;
    text that is not YAML stays text)."""
    parameters: dict[str, Any] = {}
    for name, value in pairs or []:
        if not name.isidentifier():
            raise UsageError(f"parameter name {name!r} is not a Python identifier")
        try:
            parameters[name] = load_yaml(value)
        except yaml.YAMLError:
            parameters[name] = value
    return parameters


def cmd_report(args: argparse.Namespace) -> int:
    """Build the report; a notebook cell that fails is named in one line (exit code 1)."""
    from papermill.exceptions import PapermillExecutionError  # papermill loads slowly: only for `report`

    try:
        manifest = build_report(args.notebook, args.html, parse_parameters(args.parameter), args.show_code,
                                args.tables, args.kernel)
    except (FileNotFoundError, ValueError) as exc:  # no such notebook, an unknown parameter
        raise UsageError(str(exc)) from None
    except PapermillExecutionError as exc:
        print(f"error: {args.notebook} failed in cell {exc.exec_count}: {exc.ename}: {exc.evalue} "
              f"(executed notebook: {Path(args.html).with_suffix('.ipynb')})", file=sys.stderr)
        return EXIT_NOTEBOOK_FAILED
    print(f"wrote {args.html} ({len(manifest['tables'])} tables: {', '.join(manifest['tables']) or 'none'})")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``report`` to the ``simcoord`` command."""
    report = subparsers.add_parser("report", help="run a notebook and export an HTML report with its tables")
    report.add_argument("notebook", help="notebook to run, e.g. notebooks/02-compare-policies.ipynb")
    report.add_argument("-p", "--parameter", nargs=2, action="append", metavar=("NAME", "VALUE"),
                        help="set a notebook parameter (VALUE read as YAML); repeatable")
    report.add_argument("--html", required=True, help="HTML file to write")
    report.add_argument("--show-code", action="store_true", help="keep the code cells in the report")
    report.add_argument("--tables", help="folder for the CSV/Excel tables (default: <html stem>_tables)")
    report.add_argument("--kernel", help="Jupyter kernel (default: the notebook's own, simcoord)")
    report.set_defaults(func=cmd_report)
