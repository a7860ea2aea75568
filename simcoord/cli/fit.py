"""``simcoord fit LOG --mapping MAP --until DATE --out FILE [--report DIR]``: a scenario fitted to a company's own
event log (``simcoord.calibration.fit``).

Prints what was read, a short summary of the fitted company and every assumption (as a warning:
the log could not tell it). Any problem with the log, the mapping, the cut-off or the output path
is one line and exit code 2, and nothing is written.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from simcoord.calibration.fit import FitResult, fit
from simcoord.cli.options import UsageError, date_option, folder_option
from simcoord.present.fit_report import write_fit_report


def output_file(text: str) -> str:
    """``--out FILE``: refused before any fitting when FILE is a folder or its folder is missing."""
    path = Path(text)
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"{text} is a folder, not a file")
    if not path.parent.is_dir():
        raise argparse.ArgumentTypeError(f"folder {path.parent} does not exist")
    return text


def summary(result: FitResult) -> str:
    """A few lines on the fitted company: window, demand, staff and funnel."""
    scenario = result.scenario
    channels = ", ".join(f"{name} {spec.leads_per_week:g}/week" for name, spec in scenario.demand.channels.items())
    staff = ", ".join(f"{department} {scenario.organisation.department(department).staff}"
                      for department in ("marketing", "sales", "production", "service")
                      if scenario.organisation.department(department).staff)
    stages = " -> ".join(stage.name for stage in scenario.funnel.stages)
    fitted = len(result.estimates) - len(result.assumptions)
    return (f"fitted {result.source.describe()}\n"
            f"  demand: {channels}\n  staff: {staff or 'none'}\n  funnel: {stages}\n"
            f"  {fitted} parameters fitted, {len(result.assumptions)} assumed")


def cmd_fit(args: argparse.Namespace) -> int:
    """Fit the log, write the scenario, print the summary and the assumptions."""
    try:
        result = fit(args.log, args.mapping, args.until)
        result.write(args.out)  # the scenario first: a report without its scenario would be half an output
        report = write_fit_report(result.estimates, Path(args.report), result.scenario.name) if args.report else None
    except (ValueError, OSError) as exc:  # a mapping's ScenarioError included: one line either way
        raise UsageError(str(exc)) from None
    print(summary(result))
    print(f"wrote {args.out}" + (f" and the fit report {report}" if report else ""))
    for estimate in result.assumptions:
        print(f"warning: assumed {estimate.path}: {estimate.basis}", file=sys.stderr)
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``fit`` to the ``simcoord`` command."""
    parser = subparsers.add_parser("fit", help="fit a scenario to a company's own event log")
    parser.add_argument("log", help="event log: .csv, .csv.gz, .parquet (or .xes with pm4py installed)")
    parser.add_argument("--mapping", required=True, help="mapping YAML: which columns and activities mean what")
    parser.add_argument("--until", metavar="DATE", type=date_option, default=None,
                        help="cut-off (YYYY-MM-DD): fit the cases created before it; the scenario starts there "
                             "(default: the whole log)")
    parser.add_argument("--out", required=True, type=output_file, metavar="FILE", help="the scenario YAML to write")
    parser.add_argument("--report", metavar="DIR", type=folder_option, default=None,
                        help="also write the fit report into DIR: every fitted value charted against its data")
    parser.set_defaults(func=cmd_fit)
