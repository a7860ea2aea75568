import sys

from simcoord.cli import main

sys.exit(main())
