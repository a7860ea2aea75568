"""The command line: ``simcoord``, ``python -m simcoord`` and ``python -m simcoord.cli``."""

from simcoord.cli.app import main

__all__ = ["main"]
