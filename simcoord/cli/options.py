"""What every command shares: the usage-error contract (one line, exit code 2) and the
options whose values the model checks (``--days``, ``--seed``, ``--warmup``)."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import Callable

from simcoord.model.company import check_settings

EXIT_USAGE = 2


class UsageError(Exception):
    """Bad command-line input: reported in one line, exit code 2."""


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
    """``--days``: simulated days, as :func:`simcoord.model.company.check_settings` accepts them."""
    return _option(text, float, "a number of days", lambda days: check_settings(0, days))


def seed_option(text: str) -> int:
    """``--seed``: a root seed, as :func:`simcoord.model.company.check_settings` accepts it."""
    return int(_option(text, int, "a whole number", lambda seed: check_settings(seed, 1.0)))


def date_option(text: str) -> dt.date:
    """``--from``, ``--until``: a day, ``YYYY-MM-DD``."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD, got {text!r}") from None


def folder_option(text: str) -> str:
    """An output folder's option (``--out``, ``--report``): refused before any work when it names a file."""
    if Path(text).exists() and not Path(text).is_dir():
        raise argparse.ArgumentTypeError(f"{text} is a file, not a folder")
    return text


def check_warmup(args: argparse.Namespace) -> None:
    """``--warmup`` (days) against ``--days``: raise :class:`UsageError` unless
    :func:`simcoord.model.company.check_settings` accepts it (``--seed`` and ``--days`` were
    checked as they were parsed)."""
    try:
        check_settings(args.seed, args.days, args.warmup)
    except ValueError as exc:
        raise UsageError(f"--warmup: {exc}") from None


def add_warmup_argument(parser: argparse.ArgumentParser) -> None:
    """``--warmup DAYS``, checked against ``--days`` by :func:`check_warmup`."""
    parser.add_argument("--warmup", type=float, default=0.0, metavar="DAYS",
                        help="warm-up days left out of the KPIs (default 0)")
