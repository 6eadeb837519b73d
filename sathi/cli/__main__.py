"""Allows `python -m sathi.cli`, the same as the `sathi` command."""

import sys

from sathi.cli import main

sys.exit(main())
