"""Entry point for ``python -m newsgen``."""

import sys

from newsgen.commands import main

sys.exit(main())
