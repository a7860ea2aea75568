"""``simcoord export`` (a stored run's event log for process-mining tools) and the
``--export``/``--format`` options that ``simcoord run`` shares."""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from simcoord.cli.options import UsageError
from simcoord.log.export import FORMATS, export_log, read_run
from simcoord.log.store import EventLog
from simcoord.scenario.schema import Scenario

FORMAT_HELP = ("csv or parquet: one row per start and complete of each activity instance, with pm4py's column "
               "names; ocel-json or ocel-sqlite: OCEL 2.0 with objects lead, order, customer, ticket "
               "(default csv)")


def add_format_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=tuple(FORMATS), default=None, help=FORMAT_HELP)


def export_directory(text: str) -> str:
    """``--export DIR``: refused before any simulating when DIR is a file."""
    if Path(text).exists() and not Path(text).is_dir():
        raise argparse.ArgumentTypeError(f"{text} is a file, not a directory")
    return text


def add_export_arguments(parser: argparse.ArgumentParser) -> None:
    """``--export DIR`` and ``--format`` for a command that simulates."""
    parser.add_argument("--export", metavar="DIR", type=export_directory,
                        help="also write the event log for process-mining tools into DIR")
    add_format_argument(parser)


def remove_exports(directory: Path) -> None:
    """Delete the files an export writes into ``directory`` (every format's, nothing else), and the
    directory if that leaves it empty: a new run's log must not sit beside an old run's export."""
    if not directory.is_dir():
        return
    for name in FORMATS.values():
        (directory / name).unlink(missing_ok=True)
    if not any(directory.iterdir()):
        directory.rmdir()


def export_to(events: pd.DataFrame | EventLog, scenario: Scenario, directory: str | Path, format: str) -> Path:
    """:func:`simcoord.log.export.export_log`, its errors as one-line usage errors."""
    try:
        return export_log(events, scenario, directory, format)
    except (OSError, ValueError) as exc:
        raise UsageError(f"cannot export to {directory}: {getattr(exc, 'strerror', None) or exc}") from None


def cmd_export(args: argparse.Namespace) -> int:
    """Export the run stored in ``args.run`` (written by ``simcoord run --out``)."""
    try:
        events, scenario = read_run(args.run)
    except (OSError, ValueError) as exc:
        raise UsageError(str(exc)) from None
    out = args.out if args.out is not None else Path(args.run) / "export"
    path = export_to(events, scenario, out, args.format or "csv")
    print(f"wrote {path} ({len(events):,} events)")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``export`` to the ``simcoord`` command."""
    export = subparsers.add_parser("export", help="export a stored run's event log for process-mining tools")
    export.add_argument("run", help="run directory written by simcoord run --out")
    add_format_argument(export)
    export.add_argument("--out", type=export_directory, help="directory for the exported file (default RUN/export)")
    export.set_defaults(func=cmd_export)
