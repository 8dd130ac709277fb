"""``python -m lightdesign``: see ``lightdesign.cli``."""

import sys

from lightdesign.cli import main

sys.exit(main())
