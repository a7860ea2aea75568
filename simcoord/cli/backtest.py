"""``simcoord backtest SCENARIO LOG --mapping MAP --from DATE --days N --reps R --out DIR``: simulate
a period of a company's log from the cases open at its start, and score it against what happened.

Prints the share of real weekly KPI values inside the simulated band, the log distances of the
model beside the naive forecast's, the activities whose hours of the day differ most, and the
verdict; writes the tables (CSV), the company logs and the charts to ``--out``. Bad input (a
missing file, a date outside the log, a window past its last arrival...) is one line and exit code 2.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from simcoord.calibration.backtest import BacktestResult, backtest, write_backtest
from simcoord.cli.options import UsageError, date_option, folder_option, seed_option
from simcoord.log.read import read_log
from simcoord.present import backtest_plots
from simcoord.present.backtest_report import distance_table, hours_table, kpi_table, verdict
from simcoord.scenario.loading import load_scenario


def count_option(text: str) -> int:
    """``--reps``, ``--workers``: a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected at least 1, got {value}")
    return value


def write_charts(result: BacktestResult, out: Path) -> list[Path]:
    """One PNG per weekly KPI, one of the distances and one of the hours of the day by activity, in
    ``out/charts``."""
    charts = out / "charts"
    charts.mkdir(parents=True, exist_ok=True)
    figures = {f"{kpi}.png": backtest_plots.kpi_band(result, kpi) for kpi in dict.fromkeys(result.weekly["kpi"])}
    figures["distances.png"] = backtest_plots.distances_against_naive(result)
    figures["hours_by_activity.png"] = backtest_plots.hours_by_activity(result)
    for name, figure in figures.items():
        figure.savefig(charts / name)
    return [charts / name for name in figures]


def cmd_backtest(args: argparse.Namespace) -> int:
    """Read the log, run the backtest, print its tables and verdict, write its files."""
    try:
        scenario = load_scenario(args.scenario)
        log = read_log(args.log, args.mapping)
        result = backtest(scenario, log, args.cutoff, args.days, args.reps, seed=args.seed, workers=args.workers,
                          scheduler=args.scheduler)
        written = write_backtest(result, args.out) + write_charts(result, Path(args.out))
    except (ValueError, OSError) as exc:
        raise UsageError(str(exc)) from None
    print(f"{scenario.name} against {log.source}: {args.days:g} days from {result.window.cutoff}, "
          f"{args.reps} replications\n")
    print(kpi_table(result).to_string(), end="\n\n")
    print(distance_table(result).to_string(), end="\n\n")
    print("Activities whose hours of the day differ most from the real ones (hours apart; see "
          "hours_by_activity.csv):")
    print(hours_table(result).to_string(), end="\n\n")
    print("\n".join(verdict(result)))
    print(f"\nwrote {len(written)} files to {args.out}")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``backtest`` to the ``simcoord`` command."""
    parser = subparsers.add_parser("backtest", help="simulate a held-out period of a company's log from its "
                                                    "open pipeline and score it against what happened")
    parser.add_argument("scenario", help="the company's scenario (e.g. from simcoord fit)")
    parser.add_argument("log", help="event log: .csv, .csv.gz, .parquet (or .xes with pm4py installed)")
    parser.add_argument("--mapping", required=True, help="mapping YAML: which columns and activities mean what")
    parser.add_argument("--from", dest="cutoff", required=True, type=date_option, metavar="DATE",
                        help="cut-off day: the simulation starts from the cases open at its 00:00")
    parser.add_argument("--days", required=True, type=float, help="days held out after the cut-off")
    parser.add_argument("--reps", type=count_option, default=10, help="replications (default 10)")
    parser.add_argument("--seed", type=seed_option, default=0, help="root seed (default 0)")
    parser.add_argument("--workers", type=count_option, default=None, help="local processes (default: one per core)")
    parser.add_argument("--scheduler", help="Dask scheduler address, e.g. tcp://host:8786 (instead of local processes)")
    parser.add_argument("--out", required=True, type=folder_option, help="folder for the tables, logs and charts")
    parser.set_defaults(func=cmd_backtest)
