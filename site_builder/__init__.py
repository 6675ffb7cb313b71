"""site_builder: curated records -> checks -> citation graph -> pages -> static site."""

from __future__ import annotations

#: The one version source: pyproject.toml reads it (setuptools dynamic version), as do CITATION.cff and
#: CHANGELOG.md by hand (tests/test_repo_automation.py checks they agree).
__version__ = "0.1.0"
