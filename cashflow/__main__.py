"""`python -m cashflow` runs the `cashflow` command."""

import sys

from cashflow.cli import main

sys.exit(main())
