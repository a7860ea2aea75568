"""``python -m simcoord``: the ``simcoord`` command."""

import sys

from simcoord.cli import main

sys.exit(main())
