"""The ``simcoord`` command: its parser, with every sub-command registered here, and
:func:`main`, the one place that turns bad input into one line and exit code 2.

Each command module offers ``register(subparsers)``; :data:`COMMANDS` lists them in the
order ``--help`` shows them.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from typing import Callable, Sequence

from simcoord import __version__
from simcoord.cli import backtest, experiments, export, fit, kpis, report, run
from simcoord.cli.options import EXIT_USAGE, UsageError
from simcoord.scenario.loading import ScenarioError

EXIT_INTERRUPTED = 130
COMMANDS: tuple[Callable[[argparse._SubParsersAction], None], ...] = (
    run.register,          # run, validate
    experiments.register,  # compare, sweep
    report.register,       # report
    export.register,       # export
    kpis.register,         # kpis
    fit.register,          # fit (a scenario from a company's log)
    backtest.register,     # backtest (score it on a period the fit did not see)
)


class Parser(argparse.ArgumentParser):
    """argparse with the project's error contract: one line, exit code 2 (argparse's own
    error prints the usage first). Sub-command parsers are of the same class."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_USAGE, f"error: {self.prog}: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """The ``simcoord`` parser with every command of :data:`COMMANDS`."""
    parser = Parser(prog="simcoord", description="Simulate coordination policies of a lead-to-service flow.")
    parser.add_argument("--version", action="version", version=f"simcoord {__version__}")
    subparsers = parser.add_subparsers(dest="command", required=True)
    for register in COMMANDS:
        register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line ``argv`` (default: ``sys.argv[1:]``); returns the exit code."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (ScenarioError, UsageError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:  # the reader stopped reading (``| head``): the rest goes nowhere, quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
