"""`python -m bot` runs the same command line as `summarybot`."""

from __future__ import annotations

import sys

from bot.cli import main

if __name__ == "__main__":
    sys.exit(main())
