import sys

from simcoord.cli.app import main

sys.exit(main())
