"""``simcoord run`` (simulate one scenario, print its KPIs, optionally write its outputs) and
``simcoord validate`` (check scenario files without running them)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import yaml

from simcoord import __version__
from simcoord.cli.export import add_export_arguments, export_to, remove_exports
from simcoord.cli.options import (EXIT_USAGE, UsageError, add_warmup_argument, check_warmup, days_option,
                                  seed_option)
from simcoord.kpis import format_kpis
from simcoord.log.store import PART_FILES, ParquetEventLog
from simcoord.model.company import SimulationResult, simulate
from simcoord.scenario.loading import ScenarioError, load_scenario
from simcoord.scenario.schema import Scenario

RUN_OUTPUTS = ("events.parquet", "kpis.json", "scenario.resolved.yaml", "manifest.json")
SINGLE_RUN_NOTE = ("One run with one seed shows no uncertainty: for confidence intervals, run replications "
                   "with `simcoord compare BASE POLICY --reps 30`.")


def scenario_currency(scenario: Scenario) -> str | None:
    """The currency the scenario names for its money (None: tables print a neutral word)."""
    return scenario.currency


def _remove_previous_run(out: Path) -> None:
    """Delete the files a run writes into ``out`` (nothing else), ``out/events/`` if it is left
    empty, and the export ``simcoord export`` wrote of it into ``out/export/``."""
    parts = out / "events"
    if parts.exists() and not parts.is_dir():
        raise UsageError(f"{parts} is a file: remove it or choose another --out")
    for previous in [*(out / name for name in RUN_OUTPUTS), *parts.glob(PART_FILES)]:
        previous.unlink(missing_ok=True)
    if parts.is_dir() and not any(parts.iterdir()):
        parts.rmdir()
    remove_exports(out / "export")


def prepare_out(out: Path, stream: bool) -> ParquetEventLog | None:
    """Check ``--out`` before simulating and remove a previous run's outputs there (the files this
    command writes, nothing else), so the directory never mixes two runs. Returns this run's
    streamed log (``stream``) or None."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        _remove_previous_run(out)
        return ParquetEventLog(out / "events") if stream else None
    except OSError as exc:  # a file where a directory belongs, no permission, ...
        raise UsageError(f"cannot write to --out {out}: {exc.strerror or exc}") from None


def write_run(result: SimulationResult, out: Path, streamed: ParquetEventLog | None = None,
              warmup_days: float = 0.0) -> None:
    """Event log (Parquet), KPIs (JSON), the resolved scenario and a run manifest into ``out``.
    A ``streamed`` log is already on disk, as part files in ``out/events/``."""
    out.mkdir(parents=True, exist_ok=True)
    if streamed is None:
        result.events.to_parquet(out / "events.parquet", index=False)
    (out / "kpis.json").write_text(json.dumps(result.kpis.to_dict(), indent=2, allow_nan=True) + "\n")
    (out / "scenario.resolved.yaml").write_text(
        yaml.safe_dump(result.scenario.model_dump(mode="json"), sort_keys=False, allow_unicode=True))
    manifest = {"scenario": result.scenario.name, "scenario_hash": result.scenario.content_hash(),
                "seed": result.seed, "days": result.days, "warmup_days": warmup_days,
                "simcoord_version": __version__,
                "events": len(streamed) if streamed is not None else len(result.events)}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")


def _headline(name: str, args: argparse.Namespace, events: int) -> str:
    warmup = f" (KPIs after a {args.warmup:g}-day warm-up)" if args.warmup else ""
    return f"{name}: {args.days:g} days, seed {args.seed}, {events:,} events{warmup}\n"


def cmd_run(args: argparse.Namespace) -> int:
    """Simulate, print the KPIs and, with ``--out``, write the run's files there."""
    scenario = load_scenario(args.scenario)
    check_warmup(args)
    if args.format and not args.export:
        raise UsageError("--format says how to --export the log: give --export DIR too")
    if args.stream and not args.out:
        raise UsageError("--stream writes the event log into --out DIR/events/: give --out")
    log = prepare_out(Path(args.out), args.stream) if args.out else None
    if args.export:  # an earlier run's export in another format there would pass for this run's
        remove_exports(Path(args.export))
    result = simulate(scenario, seed=args.seed, days=args.days, log=log, keep_events=log is None,
                      warmup_days=args.warmup)
    print(_headline(scenario.name, args, len(log) if log is not None else len(result.events)))
    print(format_kpis(result.kpis, currency=scenario_currency(scenario), labels=True))
    print(f"\n{SINGLE_RUN_NOTE}")
    if args.out:
        write_run(result, Path(args.out), streamed=log, warmup_days=args.warmup)
        written = "events/part-*.parquet" if log is not None else "events.parquet"
        print(f"\nwrote {written}, kpis.json, scenario.resolved.yaml, manifest.json to {args.out}")
    if args.export:
        exported = export_to(log if log is not None else result.events, scenario, args.export, args.format or "csv")
        print(f"exported {exported}")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    """One line per file: ``ok`` or the problem; exit code 2 if any file failed."""
    failed = 0
    for file in args.files:
        try:
            scenario = load_scenario(file)
            print(f"ok: {file} ({scenario.name})")
        except ScenarioError as exc:
            print(f"error: {exc}", file=sys.stderr)
            failed += 1
    return EXIT_USAGE if failed else 0


def _register_run(subparsers: argparse._SubParsersAction) -> None:
    run = subparsers.add_parser("run", help="simulate one scenario and print its KPIs")
    run.add_argument("scenario", help="scenario YAML file")
    run.add_argument("--seed", type=seed_option, default=0, help="root random seed (default 0)")
    run.add_argument("--days", type=days_option, default=365, help="simulated days (default 365)")
    add_warmup_argument(run)
    run.add_argument("--out", help="directory for the event log (Parquet) and kpis.json; a previous run's "
                                   "outputs there are replaced")
    run.add_argument("--stream", action="store_true",
                     help="stream the event log to OUT/events/ in Parquet parts while simulating "
                          "(bounded memory for long horizons)")
    add_export_arguments(run)
    run.set_defaults(func=cmd_run)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``run`` and ``validate`` to the ``simcoord`` command."""
    _register_run(subparsers)
    validate = subparsers.add_parser("validate", help="check scenario files without running them")
    validate.add_argument("files", nargs="+", help="scenario YAML files")
    validate.set_defaults(func=cmd_validate)
