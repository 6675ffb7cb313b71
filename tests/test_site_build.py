"""Integration: the tiny knowledge base built, what the built HTML may reference, failure safety."""

from __future__ import annotations

import hashlib
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from site_builder.build.write import MANIFEST
from site_builder.cli.commands import main
from tests.conftest import REPO, SITE_FILES, XSS_WARNINGS

STYLE_RELS = {"stylesheet", "preload", "modulepreload", "icon", "apple-touch-icon", "manifest", "prefetch"}


class _Refs(HTMLParser):
    """Collects (tag, attribute, value, rel) of every src/href in a page."""

    def __init__(self) -> None:
        super().__init__()
        self.refs: list[tuple[str, str, str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        for attr in ("src", "href"):
            if attr in values:
                self.refs.append((tag, attr, values[attr], values.get("rel", "")))


def refs(page: Path) -> list[tuple[str, str, str, str]]:
    parser = _Refs()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.refs


def html_pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def snapshot(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_every_page_exists(built_site: Path) -> None:
    site = built_site / "site"
    for page in ("index.html", "explore/index.html", "explore/papers-index.json", "topics/index.html",
                 "topics/objective/index.html", "topics/objective/contrastive/index.html",
                 "topics/objective/hybrid/index.html", "papers/alpha/index.html", "papers/xss/index.html",
                 "datasets/index.html", "datasets/pairs/index.html", "trends/index.html", "cited-by/index.html",
                 "downloads/index.html", "downloads/papers.bib", "contribute/index.html"):
        assert (site / page).is_file(), page


def test_no_external_script_style_or_font(built_site: Path) -> None:
    site = built_site / "site"
    offending = []
    for page in html_pages(site):
        for tag, attr, value, rel in refs(page):
            external = value.startswith(("http://", "https://", "//"))
            loads = tag in {"script", "img", "iframe", "source", "audio", "video", "embed", "object"} or (
                tag == "link" and bool(STYLE_RELS & set(rel.split())))
            if external and loads:
                offending.append(f"{page.relative_to(site)}: <{tag} {attr}={value}>")
    for css in sorted(site.rglob("*.css")):
        for url in re.findall(r"url\(\s*['\"]?(https?:)?//", css.read_text(encoding="utf-8")):
            offending.append(f"{css.relative_to(site)}: url({url}//...)")
        if re.search(r"@import\s+(url\()?['\"]?https?:", css.read_text(encoding="utf-8")):
            offending.append(f"{css.relative_to(site)}: remote @import")
    assert offending == []


def test_internal_links_resolve(built_site: Path) -> None:
    site = built_site / "site"
    broken = []
    for page in html_pages(site):
        if page.name == "404.html":  # served at any depth, so the theme links it from the site_url root
            continue
        url = "/" + page.relative_to(site).as_posix()
        for tag, _attr, value, _rel in refs(page):
            if tag != "a" or not value or value.startswith(("#", "mailto:")) or urlsplit(value).scheme:
                continue
            target = urlsplit(urljoin(url, value)).path
            path = site / target.lstrip("/")
            if target.endswith("/"):
                path = path / "index.html"
            if not path.is_file():
                broken.append(f"{url} -> {value}")
    assert broken == []


def test_hostile_record_renders_as_text(built_site: Path) -> None:
    html = (built_site / "site" / "papers" / "xss" / "index.html").read_text(encoding="utf-8")
    for needle in ("<script>alert", "<img src=x", "<iframe", 'href="javascript', "onerror=alert(1)>"):
        assert needle not in html, needle
    title = re.search(r"<title>(.*?)</title>", html, re.S)
    assert title is not None and "<" not in title.group(1)
    assert "&#60;script&#62;alert(1)&#60;/script&#62;" in html


def test_every_href_is_http_mailto_or_relative(built_site: Path) -> None:
    bad = [(p.name, v) for p in html_pages(built_site / "site") for t, a, v, _ in refs(p)
           if a == "href" and urlsplit(v).scheme not in ("", "http", "https", "mailto")]
    assert bad == []


@pytest.fixture
def site_copy(built_site: Path, tmp_path: Path) -> Path:
    root = tmp_path / "kb"
    shutil.copytree(built_site, root)
    return root


def test_record_error_stops_before_writing(site_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    docs, site = snapshot(site_copy / "docs"), snapshot(site_copy / "site")
    record = site_copy / "papers" / "alpha.yaml"
    record.write_text(record.read_text().replace("objective: [contrastive]", "objective: [contrastiv]"))
    code = main(["build", "--root", str(site_copy)])
    out = capsys.readouterr().out
    assert code == 1
    cited_by, xss = XSS_WARNINGS.split("\n", 1)
    assert out == (
        cited_by + "\n"
        "papers/alpha.yaml:15:15: error [unknown-tag] 'contrastiv' is not a node of facet 'objective' "
        "(did you mean 'contrastive'?)\n"
        + xss +
        "1 error, 4 warnings (6 papers, 1 dataset)\n"
        "build stopped: fix the errors above; nothing was written\n"
    )
    assert snapshot(site_copy / "docs") == docs
    assert snapshot(site_copy / "site") == site


def test_site_generator_failure_keeps_previous_site(site_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = snapshot(site_copy / "site")
    (site_copy / "docs" / "broken.md").write_text("# Broken\n\nSee [the missing page](missing.md).\n")
    code = main(["build", "--root", str(site_copy)])
    err = capsys.readouterr().err
    assert code == 1
    assert "mkdocs build failed" in err and "missing.md" in err
    assert snapshot(site_copy / "site") == site
    assert not list(site_copy.glob(".site-build-*")), "the temporary build folder is cleaned up"


def test_rebuild_rewrites_no_generated_file(site_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["build", "--root", str(site_copy), "--pages-only"])
    out = capsys.readouterr().out
    assert code == 0
    hand_written = sum(1 for name in SITE_FILES if name.startswith("docs/")
                       for p in [REPO / name, *(REPO / name).rglob("*")] if p.is_file())
    generated = sum(1 for p in (site_copy / "docs").rglob("*") if p.is_file() and p.name != MANIFEST) - hand_written
    assert out == XSS_WARNINGS + "0 errors, 4 warnings (6 papers, 1 dataset)\n" + (
        f"6 papers, 1 dataset: {generated} files generated (0 written, {generated} unchanged, 0 removed)\n")


def test_a_rebuild_swaps_in_the_new_site_and_deletes_the_old_one(site_copy: Path) -> None:
    marker = site_copy / "site" / "left-from-before.txt"
    marker.write_text("old site\n")
    old_inode = (site_copy / "site").stat().st_ino
    assert main(["build", "--root", str(site_copy)]) == 0
    assert not marker.exists() and (site_copy / "site" / "index.html").is_file()
    assert (site_copy / "site").stat().st_ino != old_inode
    assert not list(site_copy.glob(".site-build-*"))


def test_a_site_left_aside_by_a_killed_build_is_put_back(site_copy: Path) -> None:
    from site_builder.build.generator import recover_site

    (site_copy / "site").rename(site_copy / ".site-build-old")  # a kill between the swap's two renames
    recover_site(site_copy / "site")
    assert (site_copy / "site" / "index.html").is_file() and not (site_copy / ".site-build-old").exists()
    (site_copy / ".site-build-stray").mkdir()  # a kill during the site generator's run
    assert main(["build", "--root", str(site_copy)]) == 0
    assert not list(site_copy.glob(".site-build-*"))


def test_a_linked_site_folder_is_refused_and_its_target_kept(site_copy: Path, tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "keep.txt").write_text("precious\n")
    shutil.rmtree(site_copy / "site")
    (site_copy / "site").symlink_to(elsewhere)
    assert main(["build", "--root", str(site_copy)]) == 1
    assert "[unsafe-path]" in capsys.readouterr().err
    assert (elsewhere / "keep.txt").read_text() == "precious\n" and len(list(elsewhere.iterdir())) == 1


def test_a_linked_generated_folder_is_refused_and_its_target_kept(site_copy: Path, capsys: pytest.CaptureFixture[str]
                                                                 ) -> None:
    papers = {p.name: p.read_bytes() for p in (site_copy / "papers").iterdir()}
    shutil.rmtree(site_copy / "docs" / "papers")
    (site_copy / "docs" / "papers").symlink_to(Path("..") / "papers")
    assert main(["build", "--root", str(site_copy), "--pages-only"]) == 1
    assert "[unsafe-path]" in capsys.readouterr().err
    assert {p.name: p.read_bytes() for p in (site_copy / "papers").iterdir()} == papers


def test_paper_pages_link_the_papers_they_cite_and_that_cite_them(built_site: Path) -> None:
    """With a citation snapshot, the lists are plain links in the built HTML (no JavaScript needed)."""
    html = (built_site / "site" / "papers" / "bravo" / "index.html").read_text(encoding="utf-8")
    cites, cited_by = html.split('id="cited-by-in-this-collection"', 1)
    cites = cites.split('id="cites-in-this-collection"', 1)[1]
    assert '<a href="../../papers/alpha/">' in cites and '<a href="../../papers/charlie/">' in cites
    assert '<a href="../../papers/delta/">' in cited_by
