"""`python -m bot` runs the `trainbot` command."""

import sys

from bot.cli import main

sys.exit(main())
