"""The fast path of MkDocs' anchor scan gives the scan's own answer, and MkDocs still checks anchors with it."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mkdocs.structure.pages import _RawHTMLPreprocessor

from site_builder.anchorscan import may_hold_anchor, skipping_idless_pages
from site_builder.generator import mkdocs_build
from site_builder.problems import SiteBuilderError
from site_builder.project import Project

#: Pieces of pages: tags with and without anchor attributes, in any case and quoting, words that merely contain
#: "id" or "name", entities, comments, scripts, text.
PIECES = ['<div id="a">', "<DIV ID=b>", "<a name='c'>", "<A NAME=d>", "<span Id = 'e'>", "<p data-id=\"f\">",
          "<a id>", "<section\nid=g>", "<script>var x = '<a id=h>'</script>", "<!-- <a id=i> -->", "</div>",
          "</a>", "<p class=\"x\">", "valid", "named", "hidden", "&#105;d=j", "<a &#105;d=k>", "identity",
          "rename", "<img src=x>", "text", " ", "\n", "\n\n", "<pre>id</pre>", "# Heading {#l}", "[x](#m)"]


def _scan(lines: list[str]) -> tuple[list[str], set[str]]:
    scanner = _RawHTMLPreprocessor()
    out = scanner.run(list(lines))
    return out, scanner.present_anchor_ids


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=25))
def test_fast_path_finds_the_same_anchor_ids_as_the_scan(pieces: list[str]) -> None:
    lines = "".join(pieces).split("\n")
    expected = _scan(lines)
    with skipping_idless_pages() as active:
        assert active
        assert _scan(lines) == expected
    if not any(may_hold_anchor(line) for line in lines):
        assert expected[1] == set()  # what the fast path answers without parsing


def test_the_scan_is_restored_after_the_block_even_on_error() -> None:
    original = _RawHTMLPreprocessor.run
    with pytest.raises(RuntimeError), skipping_idless_pages():
        assert _RawHTMLPreprocessor.run is not original
        raise RuntimeError("stop")
    assert _RawHTMLPreprocessor.run is original


def _site(root: Path, link: str) -> Project:
    (root / "docs").mkdir(parents=True)
    (root / "mkdocs.yml").write_text("site_name: T\nvalidation:\n  anchors: warn\n", encoding="utf-8")
    (root / "docs" / "index.md").write_text(f"# Home\n\nSee [the target]({link}).\n", encoding="utf-8")
    (root / "docs" / "other.md").write_text('# Other\n\n<div class="x" id="raw-target">held</div>\n\n'
                                            '<p class="y">no anchor here</p>\n', encoding="utf-8")
    return Project(root)


def test_mkdocs_still_accepts_links_to_raw_html_ids(tmp_path: Path) -> None:
    project = _site(tmp_path, "other.md#raw-target")
    site = mkdocs_build(project, lambda _message: None)
    assert 'href="other/#raw-target"' in (site / "index.html").read_text(encoding="utf-8")


def test_mkdocs_still_refuses_links_to_missing_anchors(tmp_path: Path) -> None:
    project = _site(tmp_path, "other.md#no-such-anchor")
    messages: list[str] = []
    with pytest.raises(SiteBuilderError):
        mkdocs_build(project, messages.append)
    assert any("no-such-anchor" in m for m in messages)
