"""``simcoord kpis LOG --mapping MAP``: the lab's KPI table for a company's own event log.

The log is read through its mapping (``simcoord.log.read``) and its KPIs computed by the same code
as a simulated run's; what the log cannot support prints n/a (``simcoord.kpis.imported``). Any
problem with the log or the mapping is one line and exit code 2; nothing is written.
"""

from __future__ import annotations

import argparse

from simcoord.cli.options import UsageError
from simcoord.kpis import format_kpis
from simcoord.kpis.imported import imported_log_kpis
from simcoord.log.read import ImportedLog, read_log


def _headline(log: ImportedLog) -> str:
    """What was read: the log, its cases, rows and the span its KPIs cover."""
    events = log.events
    return (f"{log.mapping.name}: {log.source}, {events['id'].nunique():,} cases, {len(events):,} lab events, "
            f"{log.days:g} days from {log.start_date} ({log.mapping.time_zone} wall-clock hours)\n")


def cmd_kpis(args: argparse.Namespace) -> int:
    """Read the log through its mapping and print its KPIs."""
    try:
        log = read_log(args.log, args.mapping)
    except (ValueError, OSError) as exc:  # a mapping's ScenarioError included: one line either way
        raise UsageError(str(exc)) from None
    print(_headline(log))
    print(format_kpis(imported_log_kpis(log), labels=True))
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``kpis`` to the ``simcoord`` command."""
    kpis = subparsers.add_parser("kpis", help="print the KPI table of a company's own event log")
    kpis.add_argument("log", help="event log: .csv, .csv.gz, .parquet (or .xes with pm4py installed)")
    kpis.add_argument("--mapping", required=True, help="mapping YAML: which columns and activities mean what")
    kpis.set_defaults(func=cmd_kpis)
