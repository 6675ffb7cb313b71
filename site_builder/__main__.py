"""Allow ``python -m site_builder``."""

from __future__ import annotations

import sys

from site_builder.cli.commands import main

sys.exit(main())
