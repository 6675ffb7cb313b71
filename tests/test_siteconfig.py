"""Reading the site settings the pages need from mkdocs.yml."""

from __future__ import annotations

from pathlib import Path

import pytest

from site_builder.kb.problems import SiteBuilderError
from site_builder.kb.project import Project
from site_builder.site.config import read_site_info
from site_builder.site.model import SiteInfo
from tests.conftest import REPO


def test_repository_settings() -> None:
    assert read_site_info(Project(REPO)) == SiteInfo(
        "SSML knowledge base", "https://github.com/ssml-kb/ssml-knowledge-base",
        site_url="https://ssml-kb.github.io/ssml-knowledge-base/")


def test_python_tags_are_read_as_plain_values_never_run(tmp_path: Path) -> None:
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: X\nrepo_url: https://example.org/r/\nmarkdown_extensions:\n"
        "  - pymdownx.emoji:\n      emoji_index: !!python/name:os.system\n"
        "extra:\n  token: !ENV [TOKEN, none]\n")
    assert read_site_info(Project(tmp_path)) == SiteInfo("X", "https://example.org/r")


@pytest.mark.parametrize(("text", "message"), [
    ("repo_url: javascript:alert(1)\n", "mkdocs.yml: repo_url must be an http(s) URL, not 'javascript:alert(1)'"),
    ("- a list\n", "mkdocs.yml: expected a mapping of settings"),
    ("site_name: [unclosed\n", "mkdocs.yml: cannot be read"),
])
def test_bad_settings_are_errors(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "mkdocs.yml").write_text(text)
    with pytest.raises(SiteBuilderError) as info:
        read_site_info(Project(tmp_path))
    assert str(info.value).startswith(message)
