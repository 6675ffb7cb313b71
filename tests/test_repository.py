"""The repository's own knowledge base passes its own strictest checks."""

from __future__ import annotations

from site_builder.project import Project
from site_builder.validate import validate
from tests.conftest import REPO


def test_repository_validates_strictly() -> None:
    result = validate(Project(REPO), strict=True)
    assert [p.as_text() for p in result.problems] == []
