"""Command line: ``simcoord run``, ``simcoord validate`` (and the experiment commands).

Bad input prints one line naming the file, field path and problem, and exits 2.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import Callable, Sequence

import yaml

from simcoord import __version__
from simcoord.log.store import PART_FILES, ParquetEventLog
from simcoord.kpis import format_kpis
from simcoord.scenario.loading import ScenarioError, load_scenario
from simcoord.model.company import check_settings, simulate

EXIT_USAGE = 2
Command = Callable[[argparse.Namespace], int]


class UsageError(Exception):
    """Bad command-line input: reported in one line, exit code 2."""


class Parser(argparse.ArgumentParser):
    """argparse with the project's error contract: one line, exit code 2 (argparse's own
    error prints the usage first). Sub-command parsers are of the same class."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_USAGE, f"error: {self.prog}: {message} (see {self.prog} --help)\n")


def _option(text: str, parse: Callable[[str], float], what: str, check: Callable[[float], None]) -> float:
    try:
        value = parse(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}") from None
    try:
        check(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return value


def days_option(text: str) -> float:
    """``--days``: simulated days, as :func:`simcoord.model.check_settings` accepts them."""
    return _option(text, float, "a number of days", lambda days: check_settings(0, days))


def seed_option(text: str) -> int:
    """``--seed``: a root seed, as :func:`simcoord.model.check_settings` accepts it."""
    return int(_option(text, int, "a whole number", lambda seed: check_settings(seed, 1.0)))


RUN_OUTPUTS = ("events.parquet", "kpis.json", "scenario.resolved.yaml", "manifest.json")


def prepare_out(out: Path, stream: bool) -> ParquetEventLog | None:
    """Check ``--out`` before simulating and remove a previous run's outputs there (the files this
    command writes, nothing else), so the directory never mixes two runs. Returns this run's
    streamed log (``stream``) or None."""
    parts = out / "events"
    try:
        out.mkdir(parents=True, exist_ok=True)
        if parts.exists() and not parts.is_dir():
            raise UsageError(f"{parts} is a file: remove it or choose another --out")
        for previous in [*(out / name for name in RUN_OUTPUTS), *parts.glob(PART_FILES)]:
            previous.unlink(missing_ok=True)
        if parts.is_dir() and not any(parts.iterdir()):
            parts.rmdir()
        return ParquetEventLog(parts) if stream else None
    except OSError as exc:  # a file where a directory belongs, no permission, ...
        raise UsageError(f"cannot write to --out {out}: {exc.strerror or exc}") from None


def write_run(result, out: Path, streamed: ParquetEventLog | None = None) -> None:
    """Event log (Parquet), KPIs (JSON), the resolved scenario and a run manifest into ``out``.
    A ``streamed`` log is already on disk, as part files in ``out/events/``."""
    out.mkdir(parents=True, exist_ok=True)
    if streamed is None:
        result.events.to_parquet(out / "events.parquet", index=False)
    (out / "kpis.json").write_text(json.dumps(result.kpis.to_dict(), indent=2, allow_nan=True) + "\n")
    (out / "scenario.resolved.yaml").write_text(
        yaml.safe_dump(result.scenario.model_dump(mode="json"), sort_keys=False, allow_unicode=True))
    manifest = {"scenario": result.scenario.name, "scenario_hash": result.scenario.content_hash(),
                "seed": result.seed, "days": result.days, "simcoord_version": __version__,
                "events": len(streamed) if streamed is not None else len(result.events)}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")


def cmd_run(args: argparse.Namespace) -> int:
    scenario = load_scenario(args.scenario)
    if args.stream and not args.out:
        raise UsageError("--stream writes the event log into --out DIR/events/: give --out")
    log = prepare_out(Path(args.out), args.stream) if args.out else None
    result = simulate(scenario, seed=args.seed, days=args.days, log=log, keep_events=log is None)
    events = len(log) if log is not None else len(result.events)
    print(f"{scenario.name}: {args.days:g} days, seed {args.seed}, {events:,} events\n")
    print(format_kpis(result.kpis))
    if args.out:
        write_run(result, Path(args.out), streamed=log)
        written = "events/part-*.parquet" if log is not None else "events.parquet"
        print(f"\nwrote {written}, kpis.json, scenario.resolved.yaml, manifest.json to {args.out}")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    failed = 0
    for file in args.files:
        try:
            scenario = load_scenario(file)
            print(f"ok: {file} ({scenario.name})")
        except ScenarioError as exc:
            print(f"error: {exc}", file=sys.stderr)
            failed += 1
    return EXIT_USAGE if failed else 0


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="simcoord", description="Simulate coordination policies of a lead-to-service flow.")
    parser.add_argument("--version", action="version", version=f"simcoord {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="simulate one scenario and print its KPIs")
    run.add_argument("scenario", help="scenario YAML file")
    run.add_argument("--seed", type=seed_option, default=0, help="root random seed (default 0)")
    run.add_argument("--days", type=days_option, default=365, help="simulated days (default 365)")
    run.add_argument("--out", help="directory for the event log (Parquet) and kpis.json; a previous run's "
                                   "outputs there are replaced")
    run.add_argument("--stream", action="store_true",
                     help="stream the event log to OUT/events/ in Parquet parts while simulating "
                          "(bounded memory for long horizons)")
    run.set_defaults(func=cmd_run)

    validate = sub.add_parser("validate", help="check scenario files without running them")
    validate.add_argument("files", nargs="+")
    validate.set_defaults(func=cmd_validate)

    for register in EXTRA_COMMANDS:
        register(sub)
    return parser


# Other modules add sub-commands here: each entry is ``register(subparsers)``.
EXTRA_COMMANDS: list[Callable[[argparse._SubParsersAction], None]] = []
import simcoord.cli.experiments  # noqa: E402,F401  (registers `simcoord compare`, `simcoord sweep`)
import simcoord.present.report  # noqa: E402,F401  (registers `simcoord report`)


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except (ScenarioError, UsageError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
