"""Contributor and maintainer tools: ``add``, ``check-links``, ``stats``, ``export`` and the issue form."""
