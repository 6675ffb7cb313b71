"""The same mkdocs.yml and generated pages also build with Zensical (CI runs this test)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

from site_builder.build.pipeline import build
from site_builder.kb.project import Project
from tests.conftest import make_site_project


def _zensical() -> list[str]:
    exe = shutil.which("zensical")
    return [exe] if exe else [sys.executable, "-m", "zensical"]


def test_zensical_builds_the_generated_pages(tmp_path: Path) -> None:
    root = make_site_project(tmp_path / "kb")
    result = build(Project(root), strict=False, site=False)
    assert not result.failed and not result.site_built
    done = subprocess.run([*_zensical(), "build", "--clean"], cwd=root, capture_output=True, text=True,
                          timeout=240, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    site = root / "site"
    for page in ("index.html", "explore/index.html", "explore/papers-index.json", "papers/xss/index.html",
                 "topics/objective/contrastive/index.html", "topics/objective/hybrid/index.html",
                 "datasets/pairs/index.html", "downloads/papers.bib", "contribute/index.html"):
        assert (site / page).is_file(), page
    html = (site / "papers" / "xss" / "index.html").read_text(encoding="utf-8")
    assert "<script>alert" not in html and 'href="javascript' not in html
    title = re.search(r"<title>(.*?)</title>", html, re.S)
    assert title is not None and "<" not in title.group(1)
    paper = (site / "papers" / "alpha" / "index.html").read_text(encoding="utf-8")
    assert 'href="../../topics/objective/contrastive/"' in paper
