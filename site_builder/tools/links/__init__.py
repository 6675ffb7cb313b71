"""Link checking (``site-builder check-links``): collect -> probe with host rules -> report. Never edits records."""

from __future__ import annotations

from typing import Literal

LinkFormat = Literal["text", "json", "markdown"]
LINK_FORMATS: tuple[LinkFormat, ...] = ("text", "json", "markdown")
