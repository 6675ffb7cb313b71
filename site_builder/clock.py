"""Today's date, overridable so that tests and reproducible runs do not depend on the calendar."""

from __future__ import annotations

import datetime as dt
import os

from site_builder.problems import UsageError

ENV = "SITE_BUILDER_TODAY"


def today() -> dt.date:
    """The local date, or the ``SITE_BUILDER_TODAY`` environment variable (``YYYY-MM-DD``) when set."""
    value = os.environ.get(ENV, "").strip()
    if not value:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"{ENV}={value!r} is not a date (expected YYYY-MM-DD)") from None
