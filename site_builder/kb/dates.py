"""Today's date, overridable so that generated data is reproducible (tests, the kill test, golden files)."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping

from site_builder.kb.problems import UsageError

TODAY_ENV = "SITE_BUILDER_TODAY"


def today(env: Mapping[str, str] | None = None) -> dt.date:
    """``SITE_BUILDER_TODAY`` (YYYY-MM-DD) when set in ``env`` (default: the process environment), else the
    local date."""
    text = (os.environ if env is None else env).get(TODAY_ENV, "").strip()
    if not text:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"{TODAY_ENV} must be a date YYYY-MM-DD, not {text!r}") from None
