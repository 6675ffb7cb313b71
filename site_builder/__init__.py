"""site_builder: curated records -> checks -> citation graph -> pages -> static site."""

from __future__ import annotations

__version__ = "0.1.0"
