"""MkDocs' pages shared with a helper process give the site one process builds, byte for byte, and the checks of
``validation: anchors`` still see every link, also the links that cross from one process's pages to the other's."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import sys
import threading
import time
from pathlib import Path

import pytest

from site_builder import sitesplit
from site_builder.build import build
from site_builder.forked import Claims, Forked
from site_builder.generator import mkdocs_build
from site_builder.problems import SiteBuilderError
from site_builder.project import Project
from tests.conftest import REPO, make_site_project


@pytest.fixture(autouse=True)
def _single_threaded(monkeypatch: pytest.MonkeyPatch) -> None:
    """As under the command line: the test session's local web server thread would otherwise keep MkDocs in one
    process (a fork copies only the calling thread; that idle server thread is never needed in the child)."""
    monkeypatch.setattr(threading, "active_count", lambda: 1)


@pytest.fixture
def alternate(monkeypatch: pytest.MonkeyPatch) -> None:
    """Shared pages go to the two processes in turn instead of to whichever asks first, so that both surely
    write pages however the machine schedules them (what the batches give out is tested on its own below)."""

    def owns(self: sitesplit.PageSplit, src_uri: str) -> bool | None:
        index = self.shared.get(src_uri)
        return None if index is None else index % 2 == int(self.helper)

    monkeypatch.setattr(sitesplit.PageSplit, "owns", owns)


def test_claimed_batches_give_every_shared_page_to_exactly_one_process() -> None:
    uris = [f"p{i:04d}.md" for i in range(1000)]
    claims = Claims(Claims.LIMIT)

    def owned(helper: bool) -> list[str]:
        split = sitesplit.PageSplit(claims)
        split.helper = helper
        split.shared = {uri: i for i, uri in enumerate(uris)}
        split.size = Claims.batch_size(len(uris))
        found = [uri for uri in [*uris, "index.md"] if split.owns(uri)]
        assert split.owns("index.md") is None  # a page of the navigation is nobody's share
        return found

    try:
        helper = Forked(lambda: owned(True))
        mine, theirs = owned(False), helper.result()
    finally:
        claims.close()
    assert not set(mine) & set(theirs) and sorted(mine + theirs) == uris
    batches = {uri: int(uri[1:5]) // 4 for uri in uris}  # whole batches of four pages
    assert not {batches[u] for u in mine} & {batches[u] for u in theirs}


def _tree(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` by relative path, as a digest of its bytes."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in folder.rglob("*") if p.is_file()}


def _shared(messages: list[str]) -> tuple[int, int]:
    """The (here, helper) page counts of the split build's progress line."""
    found = [m for m in messages if "by the helper process" in m]
    assert len(found) == 1, messages
    here, helper = re.findall(r"([\d,]+) pages written here, ([\d,]+) by the helper", found[0])[0]
    return int(here.replace(",", "")), int(helper.replace(",", ""))


@pytest.mark.parametrize("shares", ["claimed", "alternate"])
def test_a_split_build_gives_the_same_site_as_one_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                          request: pytest.FixtureRequest, shares: str) -> None:
    if shares == "alternate":
        request.getfixturevalue("alternate")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # the sitemap's dates and its gzip header
    root = make_site_project(tmp_path / "kb")
    for name in ("papers", "datasets", "data"):  # the repository's own collection: 161 papers and their pages
        shutil.rmtree(root / name)
        shutil.copytree(REPO / name, root / name)
    shutil.copy(REPO / "taxonomy.yaml", root / "taxonomy.yaml")
    project = Project(root)
    assert not build(project, site=False).failed
    monkeypatch.setattr(sitesplit, "SPLIT_FROM", 10**9)
    one: list[str] = []
    single = _tree(mkdocs_build(project, one.append, tmp_path / "one"))
    assert not [m for m in one if "helper" in m]
    monkeypatch.setattr(sitesplit, "SPLIT_FROM", 0)
    two: list[str] = []
    split = _tree(mkdocs_build(project, two.append, tmp_path / "two"))
    here, helper = _shared(two)
    assert here + helper == sum(1 for p in (root / "docs").rglob("*.md"))
    if shares == "alternate":
        assert here > 0 and helper > 0  # both processes wrote pages
    assert len(single) > 100 and split == single  # the same files, byte for byte, search index and sitemap too
    assert not list(tmp_path.glob("*-helper"))  # the helper's own folder is gone


def _pages(root: Path, count: int, links: dict[int, str], home_link: str = "", settings: str = "") -> Project:
    """A bare MkDocs project: a home page in the navigation, ``count`` pages outside it, each with a heading
    (anchor ``real``); ``links`` gives the link line of some pages, ``settings`` more lines of mkdocs.yml."""
    docs = root / "docs"
    docs.mkdir(parents=True)
    (root / "mkdocs.yml").write_text("site_name: T\ntheme:\n  name: material\nplugins:\n  - search\nnav:\n"
                                     "  - Home: index.md\nvalidation:\n  anchors: warn\n" + settings,
                                     encoding="utf-8")
    (docs / "index.md").write_text(f"# Home\n\n{home_link}\n", encoding="utf-8")
    for i in range(count):
        (docs / f"p{i:03d}.md").write_text(f"# Page {i}\n\n## Real\n\n{links.get(i, 'text')}\n", encoding="utf-8")
    return Project(root)


@pytest.mark.usefixtures("alternate")
def test_every_broken_anchor_link_is_reported_whichever_process_wrote_either_page(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sitesplit, "SPLIT_FROM", 0)
    count = 60
    broken = {i: f"[next](p{(i + 1) % count:03d}.md#missing-{i})" for i in range(0, count, 3)}
    fine = {i: f"[next](p{(i + 1) % count:03d}.md#real)" for i in range(1, count, 3)}
    project = _pages(tmp_path, count, broken | fine, home_link="[a page](p031.md#missing-home)")
    messages: list[str] = []

    def progress(message: str) -> None:  # the helper's own messages reach the output streams only
        messages.append(message)
        print(message, file=sys.stderr, flush=True)

    with pytest.raises(SiteBuilderError):
        mkdocs_build(project, progress)
    reported = set(re.findall(r"#(missing-(?:\d+|home))'", capfd.readouterr().err))
    assert reported == {f"missing-{i}" for i in broken} | {"missing-home"}
    assert not (tmp_path / "site").exists()


@pytest.mark.usefixtures("alternate")
def test_a_split_build_with_valid_anchor_links_passes_and_keeps_every_search_entry(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sitesplit, "SPLIT_FROM", 0)
    count = 60
    project = _pages(tmp_path, count, {i: f"[next](p{(i + 1) % count:03d}.md#real)" for i in range(count)},
                     home_link="[a page](p031.md#real)")
    messages: list[str] = []
    site = mkdocs_build(project, messages.append)
    here, helper = _shared(messages)
    assert here + helper == count + 1 and helper > 0
    assert all((site / f"p{i:03d}" / "index.html").is_file() for i in range(count))
    index = (site / "search" / "search_index.json").read_text(encoding="utf-8")
    locations = re.findall(r'"location":"([^"#]*)', index)
    pages = list(dict.fromkeys(locations))  # each page's entries together, pages in MkDocs' order
    assert pages == ["", *[f"p{i:03d}/" for i in range(count)]]


@pytest.mark.usefixtures("alternate")
@pytest.mark.parametrize("settings", ["use_directory_urls: false\n", "site_url: https://example.org/kb/\n"])
def test_other_site_settings_give_the_same_site_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     settings: str) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    count = 40
    project = _pages(tmp_path / "kb", count, {i: f"[next](p{(i + 7) % count:03d}.md#real)" for i in range(count)},
                     home_link="[a page](p031.md)", settings=settings)
    (project.docs / "p005.md").write_text("---\ntitle: Set in the front matter\n---\n\n## Real\n",
                                          encoding="utf-8")
    monkeypatch.setattr(sitesplit, "SPLIT_FROM", 10**9)
    single = _tree(mkdocs_build(project, lambda _message: None, tmp_path / "one"))
    monkeypatch.setattr(sitesplit, "SPLIT_FROM", 0)
    messages: list[str] = []
    split = _tree(mkdocs_build(project, messages.append, tmp_path / "two"))
    assert _shared(messages)[1] > 0
    assert len(single) > count and split == single


@pytest.mark.usefixtures("alternate")
def test_a_failure_in_the_helper_stops_the_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sitesplit, "SPLIT_FROM", 0)
    count = 60
    project = _pages(tmp_path, count, {i: "[gone](no-such-page.md)" for i in range(1, count, 2)})  # the helper's
    with pytest.raises(SiteBuilderError, match="mkdocs build failed in the helper process"):
        mkdocs_build(project, lambda _message: None)
    assert not (tmp_path / "site").exists()


def test_a_cancelled_child_is_gone_at_once() -> None:
    started = time.monotonic()
    child = Forked(lambda: time.sleep(60))
    pid = child._pid
    assert pid
    child.cancel()
    assert time.monotonic() - started < 30
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, 0)  # already reaped: no zombie left behind
