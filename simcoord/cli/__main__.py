"""``python -m simcoord.cli``: the ``simcoord`` command."""

import sys

from simcoord.cli import main

sys.exit(main())
