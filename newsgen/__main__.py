"""Entry point for ``python -m newsgen``."""

import sys

from newsgen.commands import main

if __name__ == "__main__":  # a spawned worker (Windows, macOS) imports this module too
    sys.exit(main())
