"""The command line: ``simcoord`` and ``python -m simcoord``."""

from simcoord.cli.app import main

__all__ = ["main"]
