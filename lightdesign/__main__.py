"""``python -m lightdesign``: see ``lightdesign.cli.commands``."""

import sys

from lightdesign.cli import main

sys.exit(main(prog="python -m lightdesign"))
